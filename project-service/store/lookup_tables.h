// The enum lookup tables of project-service/schema/003_typed_contributions.sql,
// compared with the protos this build has (common/store/enum_table.h).
#ifndef KYODO_PROJECT_SERVICE_STORE_LOOKUP_TABLES_H_
#define KYODO_PROJECT_SERVICE_STORE_LOOKUP_TABLES_H_

#include "absl/status/status.h"
#include "common/db/session.h"

namespace kyodo::project::store {

// OK when contribution_forms and expense_items name every value of
// ContributionForm and ExpenseLine.Item as this build does, and
// stored_enum_names (004) every value of the enums a Project holds;
// FAILED_PRECONDITION naming the table and the values otherwise. The service
// stays NOT_SERVING while it fails (main.cc, schema_check).
absl::Status CheckLookupTables(common::db::Session& s);

}  // namespace kyodo::project::store

#endif  // KYODO_PROJECT_SERVICE_STORE_LOOKUP_TABLES_H_
