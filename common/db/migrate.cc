#include "common/db/migrate.h"

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sha256.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/macros.h"

namespace kyodo::common::db {
namespace {

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " track VARCHAR(64) CHARACTER SET ascii NOT NULL,"
    " version INT NOT NULL,"
    " name VARCHAR(255) NOT NULL,"
    " checksum CHAR(64) CHARACTER SET ascii NOT NULL,"
    " dirty BOOLEAN NOT NULL,"
    " applied_at DATETIME(6) NOT NULL,"
    " PRIMARY KEY (track, version)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
constexpr char kSelectApplied[] =
    "SELECT track, version, checksum, dirty FROM schema_migrations";
constexpr char kInsertDirty[] =
    "INSERT INTO schema_migrations (track, version, name, checksum, dirty,"
    " applied_at) VALUES (?, ?, ?, ?, TRUE, UTC_TIMESTAMP(6))";
constexpr char kMarkClean[] =
    "UPDATE schema_migrations SET dirty = FALSE, applied_at = "
    "UTC_TIMESTAMP(6) WHERE track = ? AND version = ?";

struct Applied {
  std::string checksum;
  bool dirty = false;
};
using AppliedMap = std::map<std::pair<std::string, int>, Applied>;

absl::StatusOr<AppliedMap> ParseApplied(const std::vector<Row>& rows) {
  AppliedMap applied;
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(const int64_t version, row.Int(1));
    KYODO_ASSIGN_OR_RETURN(const int64_t dirty, row.Int(3));
    applied[{row.String(0), static_cast<int>(version)}] =
        Applied{row.String(2), dirty != 0};
  }
  return applied;
}

// MySQL errors of a statement the account has no privilege for.
bool IsDenied(const absl::Status& status) {
  const int number = MySqlErrorNumber(status);
  // 1044 database, 1142 table, 1227 "you need the X privilege".
  return number == 1044 || number == 1142 || number == 1227;
}

absl::Status NotPermitted(absl::string_view what) {
  return ErrorWithReason(
      absl::StatusCode::kPermissionDenied,
      kyodo::type::v1::MIGRATION_NOT_PERMITTED,
      absl::StrCat("the database account may not ", what,
                   ": run the migration step as the migrating account "
                   "(docs/OPERATIONS.md, \"Database accounts\")"));
}

absl::StatusOr<AppliedMap> ReadApplied(Session& session) {
  // Read first: a current schema needs no DDL (a serving account may look).
  absl::StatusOr<std::vector<Row>> rows = session.Query(kSelectApplied);
  if (!rows.ok() && MySqlErrorNumber(rows.status()) == 1146) {
    if (absl::Status s = session.ExecUnprepared(kCreateTable); !s.ok()) {
      return IsDenied(s) ? NotPermitted("create tables") : s;
    }
    rows = session.Query(kSelectApplied);
  }
  if (!rows.ok()) return rows.status();
  return ParseApplied(*rows);
}

absl::Status CheckNotDirty(const AppliedMap& applied) {
  for (const auto& [key, row] : applied) {
    if (row.dirty) {
      return FailedPreconditionError(
          kyodo::type::v1::SCHEMA_DIRTY,
          absl::StrCat("migration ", key.first, "/", key.second,
                       " failed halfway; repair the schema, then clear its "
                       "dirty flag in schema_migrations"));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyOne(Session& session, const std::string& track,
                      const Migration& m, const std::string& checksum) {
  log::Info("applying migration",
            {{"track", track}, {"version", m.version}, {"name", m.name}});
  if (absl::Status s =
          session.Exec(kInsertDirty, {track, m.version, m.name, checksum})
              .status();
      !s.ok()) {
    return IsDenied(s) ? NotPermitted("apply migrations") : s;
  }
  for (const std::string& statement : SplitStatements(m.sql)) {
    if (absl::Status s = session.ExecUnprepared(statement); !s.ok()) {
      return absl::InternalError(
          absl::StrCat("migration ", track, "/", m.version,
                       " failed and is left dirty: ", s.message()));
    }
  }
  return session.Exec(kMarkClean, {track, m.version}).status();
}

absl::StatusOr<MigrationReport> ApplyLocked(
    Session& session, const std::vector<MigrationTrack>& tracks) {
  KYODO_ASSIGN_OR_RETURN(AppliedMap applied, ReadApplied(session));
  KYODO_RETURN_IF_ERROR(CheckNotDirty(applied));
  MigrationReport report;
  for (const MigrationTrack& track : tracks) {
    for (const Migration& m : track.migrations) {
      const std::string checksum = Sha256Hex(m.sql);
      auto it = applied.find({track.name, m.version});
      if (it == applied.end()) {
        KYODO_RETURN_IF_ERROR(ApplyOne(session, track.name, m, checksum));
        ++report.applied;
      } else if (it->second.checksum != checksum) {
        return FailedPreconditionError(
            kyodo::type::v1::MIGRATION_CHANGED,
            absl::StrCat("migration ", track.name, "/", m.version,
                         " was edited after it was applied; add a new "
                         "migration instead"));
      } else {
        ++report.current;
      }
    }
  }
  return report;
}

bool IsIn(absl::string_view table, const auto& list) {
  for (absl::string_view t : list) {
    if (t == table) return true;
  }
  return false;
}

// Grants `role` the serving privileges on every table of the session's
// schema. GRANT adds to what a role has, so the privileges an append-only
// or read-only table must not have are revoked explicitly (1147: there was
// no grant on that table to take back).
absl::Status GrantServing(Session& session, absl::string_view role) {
  // Without NO_AUTO_CREATE_USER, GRANT to a name that does not exist would
  // create a user of that name with no password.
  KYODO_RETURN_IF_ERROR(session.ExecUnprepared(
      "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_CREATE_USER')"));
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> tables,
      session.Query("SELECT table_name FROM information_schema.tables WHERE "
                    "table_schema = DATABASE() AND table_type = 'BASE TABLE' "
                    "ORDER BY table_name"));
  for (const Row& row : tables) {
    const std::string& table = row.String(0);
    // Our own table names; quoted all the same.
    if (table.find('`') != std::string::npos) continue;
    const bool append_only = IsIn(table, kAppendOnlyTables);
    const bool read_only = IsIn(table, kReadOnlyTables);
    const std::string on = absl::StrCat("`", table, "` TO `", role, "`");
    const char* privileges = read_only     ? "SELECT"
                             : append_only ? "SELECT, INSERT"
                                           : "SELECT, INSERT, UPDATE, DELETE";
    absl::Status granted =
        session.ExecUnprepared(absl::StrCat("GRANT ", privileges, " ON ", on));
    // 1133: no such user or role; 1410: not allowed to create one.
    if (MySqlErrorNumber(granted) == 1133 ||
        MySqlErrorNumber(granted) == 1410) {
      return FailedPreconditionError(
          kyodo::type::v1::SERVING_ROLE_MISSING,
          absl::StrCat("the serving role ", role,
                       " does not exist: create it (docs/OPERATIONS.md, "
                       "\"Database accounts\")"));
    }
    if (IsDenied(granted)) return NotPermitted("grant privileges");
    if (!granted.ok()) return granted;
    if (append_only || read_only) {
      absl::Status revoked = session.ExecUnprepared(
          absl::StrCat("REVOKE ", read_only ? "INSERT, " : "",
                       "UPDATE, DELETE ON `", table, "` FROM `", role, "`"));
      if (!revoked.ok() && MySqlErrorNumber(revoked) != 1147) return revoked;
    }
  }
  log::Info("serving role granted",
            {{"role", role}, {"tables", static_cast<int64_t>(tables.size())}});
  return absl::OkStatus();
}

}  // namespace

bool ValidRoleName(absl::string_view role) {
  if (role.size() > 64) return false;
  for (char c : role) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return false;
    }
  }
  return true;
}

std::vector<std::string> SplitStatements(absl::string_view sql) {
  std::vector<std::string> statements;
  std::string current;
  std::string delimiter = ";";
  for (absl::string_view line : absl::StrSplit(sql, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || absl::StartsWith(trimmed, "--")) continue;
    // The mariadb client's `DELIMITER //` between statements: a trigger or
    // a compound statement holds `;` at its lines' ends.
    if (absl::StripAsciiWhitespace(current).empty() &&
        absl::StartsWithIgnoreCase(trimmed, "DELIMITER ")) {
      delimiter = std::string(absl::StripAsciiWhitespace(trimmed.substr(10)));
      current.clear();
      continue;
    }
    absl::StrAppend(&current, line, "\n");
    if (absl::EndsWith(trimmed, delimiter)) {
      absl::string_view body = absl::StripAsciiWhitespace(current);
      body.remove_suffix(delimiter.size());
      body = absl::StripAsciiWhitespace(body);
      if (!body.empty()) statements.emplace_back(body);
      current.clear();
    }
  }
  if (!absl::StripAsciiWhitespace(current).empty()) {
    statements.emplace_back(absl::StripAsciiWhitespace(current));
  }
  return statements;
}

absl::Status CreateDatabase(const PoolOptions& database) {
  for (char c : database.database) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return absl::InvalidArgumentError(
          "database name must be lowercase letters, digits and _");
    }
  }
  PoolOptions server = database;
  server.database.clear();
  server.max_size = 1;
  KYODO_ASSIGN_OR_RETURN(std::unique_ptr<ConnectionPool> pool,
                         ConnectionPool::Create(server));
  KYODO_ASSIGN_OR_RETURN(PooledSession session,
                         pool->Borrow(absl::Now() + server.connect_timeout));
  log::Info("creating database", {{"database", database.database}});
  return session->ExecUnprepared(
      absl::StrCat("CREATE DATABASE IF NOT EXISTS ", database.database,
                   " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
}

absl::StatusOr<MigrationReport> ApplyMigrations(
    const PoolOptions& database, const std::vector<MigrationTrack>& tracks,
    absl::Duration lock_timeout, absl::string_view serving_role) {
  if (!ValidRoleName(serving_role)) {
    return absl::InvalidArgumentError(
        "serving role must be lowercase letters, digits and _");
  }
  PoolOptions options = database;
  options.max_size = 1;
  options.io_timeout = absl::Hours(1);
  KYODO_ASSIGN_OR_RETURN(std::unique_ptr<ConnectionPool> pool,
                         ConnectionPool::Create(options));
  absl::StatusOr<PooledSession> session =
      pool->Borrow(absl::Now() + options.connect_timeout);
  // 1049: unknown database. A fresh install creates its own.
  if (!session.ok() && MySqlErrorNumber(session.status()) == 1049) {
    if (absl::Status s = CreateDatabase(database); !s.ok()) {
      return IsDenied(s) ? NotPermitted("create the database") : s;
    }
    session = pool->Borrow(absl::Now() + options.connect_timeout);
  }
  // An account with no privilege on the schema (the serving one, before the
  // migration step made and granted it).
  if (!session.ok() && IsDenied(session.status())) {
    return NotPermitted("use this database");
  }
  if (!session.ok()) return session.status();
  // The lock name is bound to the schema: tests run many schemas at once.
  KYODO_ASSIGN_OR_RETURN(
      std::optional<Row> lock,
      (*session)->QueryOne(
          "SELECT GET_LOCK(CONCAT('kyodo.migrate.', DATABASE()), ?)",
          {static_cast<int64_t>(absl::ToInt64Seconds(lock_timeout))}));
  // GET_LOCK is 1 when taken, 0 on timeout and NULL on an error.
  std::optional<int64_t> taken;
  if (lock.has_value()) {
    KYODO_ASSIGN_OR_RETURN(taken, lock->OptionalInt(0));
  }
  if (taken != 1) {
    return absl::DeadlineExceededError(
        "another instance holds the migration lock; try again later");
  }
  absl::StatusOr<MigrationReport> report = ApplyLocked(**session, tracks);
  if (report.ok() && !serving_role.empty()) {
    if (absl::Status granted = GrantServing(**session, serving_role);
        !granted.ok()) {
      report = granted;
    }
  }
  absl::Status released =
      (*session)
          ->QueryOne(
              "SELECT RELEASE_LOCK(CONCAT('kyodo.migrate.', DATABASE()))")
          .status();
  if (!released.ok()) (*session)->MarkBroken();
  if (report.ok()) {
    log::Info("schema migrated",
              {{"applied", report->applied}, {"current", report->current}});
  }
  return report;
}

absl::StatusOr<SchemaState> InspectSchema(
    Session& session, const std::vector<MigrationTrack>& tracks) {
  absl::StatusOr<std::vector<Row>> rows = session.Query(kSelectApplied);
  // 1146: no schema_migrations table yet, i.e. nothing applied.
  if (!rows.ok() && MySqlErrorNumber(rows.status()) == 1146) {
    return SchemaState::kPending;
  }
  if (!rows.ok()) return rows.status();
  KYODO_ASSIGN_OR_RETURN(const AppliedMap applied, ParseApplied(*rows));
  // Only the migrations this binary knows count: a newer release's
  // migration (expand/contract: it only adds what this one ignores) may be
  // running, or have failed, while this release still serves
  // (docs/OPERATIONS.md, "Migrate, upgrade and roll back").
  bool pending = false;
  for (const MigrationTrack& track : tracks) {
    for (const Migration& m : track.migrations) {
      auto it = applied.find({track.name, m.version});
      if (it == applied.end()) {
        pending = true;
      } else if (it->second.dirty) {
        return SchemaState::kDirty;
      }
    }
  }
  return pending ? SchemaState::kPending : SchemaState::kCurrent;
}

}  // namespace kyodo::common::db
