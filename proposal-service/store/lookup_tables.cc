#include "proposal-service/store/lookup_tables.h"

#include "common/status/macros.h"
#include "common/store/enum_table.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::proposal::store {

absl::Status CheckLookupTables(common::db::Session& s) {
  KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
      s, "proposal_result_reasons", v1::ProposalResult::Reason_descriptor()));
  return common::store::CheckEnumTable(
      s, "committee_ruling_actions", v1::CommitteeRuling::Action_descriptor());
}

}  // namespace kyodo::proposal::store
