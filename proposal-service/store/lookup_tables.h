// The enum lookup tables of
// proposal-service/schema/003_typed_scores_results.sql,
// 005_programme_columns.sql and 006_reviewer_columns.sql, compared with the
// protos this build has (common/store/enum_table.h).
#ifndef KYODO_PROPOSAL_SERVICE_STORE_LOOKUP_TABLES_H_
#define KYODO_PROPOSAL_SERVICE_STORE_LOOKUP_TABLES_H_

#include "absl/status/status.h"
#include "common/db/session.h"

namespace kyodo::proposal::store {

// OK when proposal_result_reasons, committee_ruling_actions, wards,
// programme_kinds, partner_kinds and conflict_sources name every value of
// ProposalResult.Reason, CommitteeRuling.Action, Ward, Programme.Kind,
// PartnerKind and Reviewer.Conflict.Source as this build does, and
// stored_enum_names (004) every value of the enums its stored messages hold
// (programmes, calls, proposals, reviewers, reviews and decisions);
// FAILED_PRECONDITION naming the table and the values otherwise. The service
// stays NOT_SERVING while it fails (main.cc, schema_check).
absl::Status CheckLookupTables(common::db::Session& s);

}  // namespace kyodo::proposal::store

#endif  // KYODO_PROPOSAL_SERVICE_STORE_LOOKUP_TABLES_H_
