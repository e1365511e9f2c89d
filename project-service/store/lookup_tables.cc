#include "project-service/store/lookup_tables.h"

#include "common/status/macros.h"
#include "common/store/enum_table.h"
#include "kyodo/project/v1/project_service.pb.h"

namespace kyodo::project::store {

absl::Status CheckLookupTables(common::db::Session& s) {
  KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
      s, "contribution_forms", v1::ContributionForm_descriptor()));
  KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
      s, "expense_items", v1::ExpenseLine::Item_descriptor()));
  return common::store::CheckStoredEnumNames(s, "stored_enum_names",
                                             {v1::Project::descriptor()});
}

}  // namespace kyodo::project::store
