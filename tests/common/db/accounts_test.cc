// The two database accounts against the test MariaDB (deploy/local/mariadb.sh
// makes them as production does; docs/OPERATIONS.md, "Database accounts"):
// the migration step, as the migrating account, grants the serving role
// table by table; the serving account can read and write data but cannot
// change the schema, rewrite or delete the audit trail, or forge the
// migration record.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/migrate.h"
#include "common/db/pool.h"
#include "common/server/database.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "tests/testing/database.h"

namespace kyodo::common::db {
namespace {

using ::kyodo::testing::kServingRole;
using ::kyodo::testing::TestDatabase;

constexpr absl::Duration kLockTimeout = absl::Seconds(30);
// MySQL: command denied on a table, on a database.
constexpr int kTableDenied = 1142;
constexpr int kDatabaseDenied = 1044;

MigrationTrack ThingsTrack(bool with_later_table = false) {
  MigrationTrack track{
      "things",
      {{1, "create",
        "CREATE TABLE things (id INT NOT NULL PRIMARY KEY, label "
        "VARCHAR(20) NOT NULL) ENGINE=InnoDB;\n"}}};
  if (with_later_table) {
    track.migrations.push_back(
        {2, "later",
         "CREATE TABLE later (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;\n"});
  }
  return track;
}

std::vector<MigrationTrack> Tracks(bool with_later_table = false) {
  return {server::CommonMigrations(), ThingsTrack(with_later_table)};
}

// How many migrations Tracks() holds: what schema_migrations records once
// they are applied.
int MigrationCount() {
  int n = 0;
  for (const MigrationTrack& track : Tracks()) n += track.migrations.size();
  return n;
}

constexpr char kInsertAudit[] =
    "INSERT INTO audit_events (resource, method, actor, actor_role, "
    "request_id, call_id, event_time, changes) VALUES ('partners/p1', "
    "'CreatePartner', 'sato', 'admin', NULL, 'c1', UTC_TIMESTAMP(6), '{}')";

// One session of the serving account on `db`'s schema; statements run on it
// return their status.
class Serving {
 public:
  explicit Serving(const TestDatabase& db) : pool_(db.NewServingPool(1)) {}
  absl::Status Exec(const std::string& sql) {
    auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
    if (!session.ok()) return session.status();
    return (*session)->ExecUnprepared(sql);
  }
  // The first column of the first row, or the error's text.
  std::string Value(const std::string& sql) {
    auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
    if (!session.ok()) return session.status().ToString();
    auto row = (*session)->QueryOne(sql);
    if (!row.ok()) return row.status().ToString();
    return row->has_value() ? (*row)->String(0) : "";
  }

 private:
  std::unique_ptr<ConnectionPool> pool_;
};

class AccountsTest : public ::testing::Test {
 protected:
  AccountsTest() : db_("accounts") {}
  void SetUp() override { db_.Migrate(Tracks()); }
  TestDatabase db_;
};

TEST_F(AccountsTest, ServingAccountReadsAndWritesData) {
  Serving serving(db_);
  EXPECT_TRUE(serving.Exec("INSERT INTO things VALUES (1, 'one')").ok());
  EXPECT_TRUE(serving.Exec("UPDATE things SET label = 'uno'").ok());
  EXPECT_EQ(serving.Value("SELECT label FROM things WHERE id = 1"), "uno");
  EXPECT_TRUE(serving.Exec("DELETE FROM things WHERE id = 1").ok());
  // Stored request ids are data: written, and purged.
  EXPECT_TRUE(serving
                  .Exec("INSERT INTO request_ids VALUES ('r1', 'sato', 'M', "
                        "REPEAT('0', 64), NULL, UTC_TIMESTAMP(6))")
                  .ok());
  EXPECT_TRUE(serving.Exec("DELETE FROM request_ids").ok());
  // The audit trail takes new events and can be read.
  EXPECT_TRUE(serving.Exec(kInsertAudit).ok());
  EXPECT_EQ(serving.Value("SELECT actor FROM audit_events"), "sato");
  EXPECT_EQ(serving.Value("SELECT CURRENT_ROLE()"), kServingRole);
}

TEST_F(AccountsTest, ServingAccountCannotChangeTheSchema) {
  Serving serving(db_);
  for (const char* ddl :
       {"ALTER TABLE things ADD COLUMN extra INT NULL",
        "ALTER TABLE audit_events DROP COLUMN changes", "DROP TABLE things",
        "DROP TABLE audit_events", "TRUNCATE TABLE audit_events",
        "CREATE TABLE intruder (id INT PRIMARY KEY)",
        "CREATE INDEX things_by_label ON things (label)",
        "RENAME TABLE audit_events TO old_events",
        "CREATE TRIGGER t BEFORE INSERT ON things FOR EACH ROW SET NEW.id = 1",
        "CREATE VIEW v AS SELECT * FROM things"}) {
    absl::Status s = serving.Exec(ddl);
    EXPECT_EQ(MySqlErrorNumber(s), kTableDenied) << ddl << ": " << s;
  }
  for (const char* ddl : {"DROP DATABASE IF EXISTS kyodo_serving_intruder",
                          "CREATE DATABASE kyodo_serving_intruder"}) {
    absl::Status s = serving.Exec(ddl);
    EXPECT_EQ(MySqlErrorNumber(s), kDatabaseDenied) << ddl << ": " << s;
  }
  EXPECT_EQ(MySqlErrorNumber(serving.Exec(absl::StrCat(
                "GRANT UPDATE ON audit_events TO ", kServingRole))),
            kTableDenied);
  // Nothing changed: the columns and tables are as migrated.
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM information_schema.columns "
                           "WHERE table_schema = DATABASE() AND table_name = "
                           "'things'"),
            "2");
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM information_schema.tables "
                           "WHERE table_schema = DATABASE()"),
            // request_ids, audit_events, events, event_sequence,
            // documents, document_chunks, things, schema_migrations
            "8");
}

TEST_F(AccountsTest, AuditTrailIsAppendOnlyForTheServingAccount) {
  Serving serving(db_);
  ASSERT_TRUE(serving.Exec(kInsertAudit).ok());
  for (const char* rewrite :
       {"UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "REPLACE INTO audit_events (id, resource, method, actor, actor_role, "
        "call_id, event_time, changes) SELECT id, resource, method, 'x', "
        "actor_role, call_id, event_time, changes FROM audit_events",
        "INSERT INTO audit_events (id, resource, method, actor, actor_role, "
        "call_id, event_time, changes) SELECT id, resource, method, actor, "
        "actor_role, call_id, event_time, changes FROM audit_events ON "
        "DUPLICATE KEY UPDATE actor = 'x'"}) {
    absl::Status s = serving.Exec(rewrite);
    EXPECT_EQ(MySqlErrorNumber(s), kTableDenied) << rewrite << ": " << s;
  }
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM audit_events"), "1");
  EXPECT_EQ(db_.QueryValue("SELECT actor FROM audit_events"), "sato");
}

TEST_F(AccountsTest, ServingAccountCannotForgeTheMigrationRecord) {
  Serving serving(db_);
  const std::string recorded = std::to_string(MigrationCount());
  EXPECT_EQ(serving.Value("SELECT COUNT(*) FROM schema_migrations"), recorded);
  for (const char* forge :
       {"UPDATE schema_migrations SET dirty = TRUE",
        "DELETE FROM schema_migrations",
        "INSERT INTO schema_migrations VALUES ('things', 9, 'x', REPEAT('0', "
        "64), FALSE, UTC_TIMESTAMP(6))"}) {
    absl::Status s = serving.Exec(forge);
    EXPECT_EQ(MySqlErrorNumber(s), kTableDenied) << forge << ": " << s;
  }
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM schema_migrations WHERE "
                           "dirty = FALSE"),
            recorded);
}

TEST_F(AccountsTest, ServingAccountMigratesNothing) {
  // A current schema needs no DDL: the serving account finds it so.
  auto current = ApplyMigrations(db_.ServingOptions(), Tracks(), kLockTimeout);
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(current->applied, 0);
  EXPECT_EQ(current->current, MigrationCount());
  // A pending migration is refused before anything is written.
  auto pending = ApplyMigrations(db_.ServingOptions(), Tracks(true),
                                 kLockTimeout, kServingRole);
  EXPECT_EQ(pending.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(pending.status()), "MIGRATION_NOT_PERMITTED");
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(MigrationCount()));
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM information_schema.tables "
                           "WHERE table_schema = DATABASE() AND table_name = "
                           "'later'"),
            "0");
  // So is a fresh schema, and granting.
  TestDatabase fresh("accounts_fresh");
  auto empty = ApplyMigrations(fresh.ServingOptions(), Tracks(), kLockTimeout);
  EXPECT_EQ(ErrorReason(empty.status()), "MIGRATION_NOT_PERMITTED");
  auto grant = ApplyMigrations(db_.ServingOptions(), Tracks(), kLockTimeout,
                               kServingRole);
  EXPECT_EQ(ErrorReason(grant.status()), "MIGRATION_NOT_PERMITTED");
}

TEST_F(AccountsTest, ATableAddedLaterIsGrantedByTheNextMigration) {
  // Migrated without the role: the new table is not the serving role's.
  ASSERT_TRUE(ApplyMigrations(db_.options(), Tracks(true), kLockTimeout).ok());
  Serving serving(db_);
  EXPECT_EQ(MySqlErrorNumber(serving.Exec("INSERT INTO later VALUES (1)")),
            kTableDenied);
  ASSERT_TRUE(
      ApplyMigrations(db_.options(), Tracks(true), kLockTimeout, kServingRole)
          .ok());
  EXPECT_TRUE(serving.Exec("INSERT INTO later VALUES (1)").ok());
  EXPECT_TRUE(serving.Exec("DELETE FROM later").ok());
}

TEST_F(AccountsTest, AWiderOlderGrantIsTakenBack) {
  db_.Exec(
      absl::StrCat("GRANT UPDATE, DELETE ON audit_events TO ", kServingRole));
  db_.Exec(absl::StrCat("GRANT INSERT, UPDATE ON schema_migrations TO ",
                        kServingRole));
  Serving serving(db_);
  ASSERT_TRUE(serving.Exec(kInsertAudit).ok());
  ASSERT_TRUE(serving.Exec("UPDATE audit_events SET actor = 'x'").ok());
  db_.Migrate(Tracks());  // the migration step, again
  EXPECT_EQ(MySqlErrorNumber(serving.Exec("UPDATE audit_events SET actor = "
                                          "'y'")),
            kTableDenied);
  EXPECT_EQ(MySqlErrorNumber(serving.Exec("DELETE FROM audit_events")),
            kTableDenied);
  EXPECT_EQ(MySqlErrorNumber(
                serving.Exec("UPDATE schema_migrations SET dirty = TRUE")),
            kTableDenied);
  EXPECT_TRUE(serving.Exec(kInsertAudit).ok());
}

TEST_F(AccountsTest, UnknownOrInvalidRoleIsRefused) {
  auto missing = ApplyMigrations(db_.options(), Tracks(), kLockTimeout,
                                 "kyodo_no_such_role");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(missing.status()), "SERVING_ROLE_MISSING");
  // GRANT did not make a (passwordless) user of that name instead.
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM mysql.user WHERE user = "
                           "'kyodo_no_such_role'"),
            "0");
  auto invalid = ApplyMigrations(db_.options(), Tracks(), kLockTimeout,
                                 "kyodo`; DROP DATABASE x; --");
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidRoleName(""));
  EXPECT_TRUE(ValidRoleName("kyodo_serving"));
  EXPECT_FALSE(ValidRoleName("Kyodo"));
  EXPECT_FALSE(ValidRoleName(std::string(65, 'a')));
}

// The start-up path: a serving process with --migrate (the default) on a
// current schema starts; with migrations pending it stops with
// PERMISSION_DENIED instead of half-migrating.
TEST_F(AccountsTest, MigrateAtStartAsTheServingAccount) {
  EXPECT_TRUE(
      server::MigrateAtStart(db_.ServingOptions(), Tracks(), absl::Seconds(5))
          .ok());
  EXPECT_EQ(server::MigrateAtStart(db_.ServingOptions(), Tracks(true),
                                   absl::Seconds(5))
                .code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace kyodo::common::db
