// Start-up and readiness glue between a service and its database.
#ifndef KYODO_COMMON_SERVER_DATABASE_H_
#define KYODO_COMMON_SERVER_DATABASE_H_

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/db/migrate.h"
#include "common/db/pool.h"

namespace kyodo::common::server {

// The `common` track every service applies before its own.
const db::MigrationTrack& CommonMigrations();

// Applies migrations, waiting up to `wait` for the database to come up (a
// pod may start before its database). Returns FAILED_PRECONDITION
// SCHEMA_DIRTY for a dirty schema: the caller keeps serving NOT_SERVING.
// On success, `report` (when given) says how many migrations this call
// applied and how many were already in place. A non-empty `serving_role` is
// granted the serving privileges afterwards (db::ApplyMigrations).
absl::Status MigrateAtStart(const db::PoolOptions& database,
                            const std::vector<db::MigrationTrack>& tracks,
                            absl::Duration wait,
                            db::MigrationReport* report = nullptr,
                            absl::string_view serving_role = "");

// What a service checks of its schema beyond its migrations, once they are
// applied: e.g. that its enum lookup tables name each value as this build
// does (common/store/enum_table.h). A failure names what differs.
using SchemaCheck = std::function<absl::Status(db::Session&)>;

// Ready when a session answers a ping and every migration of `tracks` is
// applied and clean, and then `check` (when set) passes; a newer release's
// migration (not in `tracks`), even dirty, does not matter. At each check
// that reads the schema, `report_dirty` (when set) is told whether any
// migration at all is dirty (the kyodo_schema_dirty metric), and a change is
// logged; so is a change of `check`'s answer, with its message.
std::function<bool()> DatabaseReadiness(
    db::ConnectionPool* pool, std::vector<db::MigrationTrack> tracks,
    std::function<void(bool)> report_dirty = nullptr,
    SchemaCheck check = nullptr);

}  // namespace kyodo::common::server

#endif  // KYODO_COMMON_SERVER_DATABASE_H_
