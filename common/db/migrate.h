// Forward-only schema migrations, numbered SQL files per track.
//
// A service applies two tracks: `common` (tables every service has: the
// audit trail, request ids) and its own. Files are named NNN_name.sql and
// compiled into the binary (cmake/EmbedMigrations.cmake), so a container needs
// nothing beside its executable. Statements in a file end with `;` at the end
// of a line; `--` comment lines are skipped.
//
// schema_migrations(track, version, name, checksum, dirty, applied_at) records
// what was applied. Each migration is marked dirty before it runs and clean
// after; MariaDB commits DDL as it goes, so a migration that fails halfway
// stays dirty, and a dirty schema is never migrated over or served: an
// operator repairs it and clears the flag (docs/OPERATIONS.md).
//
// Several instances starting at once serialise on GET_LOCK, so each migration
// is applied exactly once; the others find it done.
#ifndef KYODO_COMMON_DB_MIGRATE_H_
#define KYODO_COMMON_DB_MIGRATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/pool.h"

namespace kyodo::common::db {

struct Migration {
  int version = 0;
  std::string name;
  absl::string_view sql;
};

struct MigrationTrack {
  std::string name;
  std::vector<Migration> migrations;  // ascending versions
};

struct MigrationReport {
  int applied = 0;  // migrations this call applied
  int current = 0;  // migrations already in place
};

// Applies every pending migration of `tracks` with its own session (DDL on a
// large table may outlast a normal statement timeout). Errors:
// FAILED_PRECONDITION SCHEMA_DIRTY when a migration is marked dirty,
// FAILED_PRECONDITION MIGRATION_CHANGED when an applied file was edited,
// DEADLINE_EXCEEDED when the lock is not granted within `lock_timeout`,
// UNAVAILABLE when the database cannot be reached, INTERNAL (and the
// migration left dirty) when a statement fails.
absl::StatusOr<MigrationReport> ApplyMigrations(
    const PoolOptions& database, const std::vector<MigrationTrack>& tracks,
    absl::Duration lock_timeout);

enum class SchemaState { kCurrent, kPending, kDirty };

// Whether `tracks` are all applied, some are pending, or one is dirty.
absl::StatusOr<SchemaState> InspectSchema(
    Session& session, const std::vector<MigrationTrack>& tracks);

// Splits a migration file into statements (exposed for tests).
std::vector<std::string> SplitStatements(absl::string_view sql);

}  // namespace kyodo::common::db

#endif  // KYODO_COMMON_DB_MIGRATE_H_
