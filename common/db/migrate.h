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
// stays dirty, and a dirty schema is never migrated over: an operator
// repairs it and clears the flag (docs/OPERATIONS.md). A binary stops serving
// (readiness) only for a dirty migration it knows; one of a newer release
// leaves the running release serving (InspectSchema).
//
// Several instances starting at once serialise on GET_LOCK, so each migration
// is applied exactly once; the others find it done.
//
// Two database accounts (docs/OPERATIONS.md, "Database accounts"): the
// migration step runs as an account that may change the schema and grant,
// and, given a serving role, grants that role what serving needs on every
// table, table by table (MariaDB has no partial revoke of a schema-wide
// grant). The services run as an account whose default role it is: data
// statements only, the audit trail append-only, schema_migrations read-only.
// A migration that adds a table gets it granted on the next run. A schema
// that is already current needs no DDL, so a serving account may run with
// --migrate and finds nothing to do; with migrations pending it gets
// PERMISSION_DENIED MIGRATION_NOT_PERMITTED.
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

// Tables the serving role may only read and append to (the audit trail of
// common/schema/001_common.sql): no UPDATE, no DELETE.
inline constexpr absl::string_view kAppendOnlyTables[] = {"audit_events"};
// Tables the serving role may only read: project_totals is written only by
// its triggers (project-service/schema/002_project_totals.sql), the typed
// copies by theirs and the enum lookup tables and stored_enum_names by
// migrations (partner-service/schema/002_partner_columns.sql and
// 004_agreement_network_columns.sql,
// proposal-service/schema/003_typed_scores_results.sql,
// 005_programme_columns.sql and 006_reviewer_columns.sql,
// project-service/schema/003_typed_contributions.sql, and each service's
// *_stored_enum_names.sql).
inline constexpr absl::string_view kReadOnlyTables[] = {
    "schema_migrations",
    "project_totals",
    "partner_contacts",
    "partner_other_wards",
    "partner_kinds",
    "wards",
    "partner_states",
    "call_criteria",
    "review_scores",
    "decision_results",
    "proposal_result_reasons",
    "committee_ruling_actions",
    "project_contributions",
    "project_expense_lines",
    "project_outcomes",
    "contribution_forms",
    "expense_items",
    "stored_enum_names",
    "agreement_kinds",
    "agreement_themes",
    "programme_kinds",
    "programme_partner_kinds",
    "programme_amount_caps",
    "conflict_sources",
    "reviewer_affiliations",
    "reviewer_assignments",
    "reviewer_stages",
    "reviewer_conflicts",
    "reviewer_related_parties",
};

// True for "" and for names of lowercase letters, digits and _ (at most 64):
// the role name is written into GRANT statements.
bool ValidRoleName(absl::string_view role);

// Applies every pending migration of `tracks` with its own session (DDL on a
// large table may outlast a normal statement timeout), then, when
// `serving_role` is not empty, grants it the serving privileges on every
// table of the schema (and takes UPDATE and DELETE on the append-only ones
// back, should an older grant have given them). Errors:
// FAILED_PRECONDITION SCHEMA_DIRTY when a migration is marked dirty,
// FAILED_PRECONDITION MIGRATION_CHANGED when an applied file was edited,
// DEADLINE_EXCEEDED when the lock is not granted within `lock_timeout`,
// UNAVAILABLE when the database cannot be reached, PERMISSION_DENIED
// MIGRATION_NOT_PERMITTED when the account may not change the schema (a
// serving account) or may not grant, FAILED_PRECONDITION
// SERVING_ROLE_MISSING when `serving_role` does not exist, INTERNAL (and the
// migration left dirty) when a statement fails.
absl::StatusOr<MigrationReport> ApplyMigrations(
    const PoolOptions& database, const std::vector<MigrationTrack>& tracks,
    absl::Duration lock_timeout, absl::string_view serving_role = "");

enum class SchemaState { kCurrent, kPending, kDirty };

// Whether the migrations of `tracks` are all applied, some are pending, or
// one of them is dirty. Rows of migrations not in `tracks` (a newer
// release's, maybe dirty) do not count.
absl::StatusOr<SchemaState> InspectSchema(
    Session& session, const std::vector<MigrationTrack>& tracks);

// Splits a migration file into statements (exposed for tests): each ends
// with `;` at the end of a line, or with the delimiter a `DELIMITER //` line
// set, as the mariadb client reads it.
std::vector<std::string> SplitStatements(absl::string_view sql);

}  // namespace kyodo::common::db

#endif  // KYODO_COMMON_DB_MIGRATE_H_
