#include "proposal-service/store/lookup_tables.h"

#include "common/status/macros.h"
#include "common/store/enum_table.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::proposal::store {

absl::Status CheckLookupTables(common::db::Session& s) {
  KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
      s, "proposal_result_reasons", v1::ProposalResult::Reason_descriptor()));
  KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
      s, "committee_ruling_actions", v1::CommitteeRuling::Action_descriptor()));
  KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
      s, "wards", kyodo::type::v1::Ward_descriptor()));
  KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
      s, "programme_kinds", v1::Programme::Kind_descriptor()));
  KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
      s, "partner_kinds", kyodo::partner::v1::PartnerKind_descriptor()));
  KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
      s, "conflict_sources", v1::Reviewer::Conflict::Source_descriptor()));
  return common::store::CheckStoredEnumNames(
      s, "stored_enum_names",
      {v1::Programme::descriptor(), v1::Call::descriptor(),
       v1::Proposal::descriptor(), v1::Reviewer::descriptor(),
       v1::Review::descriptor(), v1::Decision::descriptor()});
}

}  // namespace kyodo::proposal::store
