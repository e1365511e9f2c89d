// Schema migrations against the test MariaDB.
#include "common/db/migrate.h"

#include <barrier>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/database.h"

namespace kyodo::common::db {
namespace {

using ::kyodo::testing::TestDatabase;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kLockTimeout = absl::Seconds(30);

MigrationTrack WidgetsTrack() {
  return MigrationTrack{"widgets",
                        {
                            {1, "create",
                             "-- The first table.\n"
                             "CREATE TABLE widgets (\n"
                             "  id INT NOT NULL PRIMARY KEY,\n"
                             "  label VARCHAR(20) NOT NULL\n"
                             ") ENGINE=InnoDB;\n"},
                            // Depends on 1: only works when applied after it.
                            {2, "seed",
                             "INSERT INTO widgets VALUES (1, 'one');\n"
                             "\n"
                             "INSERT INTO widgets VALUES (2, 'two');\n"},
                            {3, "add_column",
                             "ALTER TABLE widgets ADD COLUMN size INT NULL;\n"
                             "UPDATE widgets SET size = id * 10;\n"},
                        }};
}

std::unique_ptr<ConnectionPool> Pool(const TestDatabase& db) {
  PoolOptions options = db.options();
  options.max_size = 1;
  return *ConnectionPool::Create(options);
}

absl::StatusOr<SchemaState> Inspect(const TestDatabase& db,
                                    const std::vector<MigrationTrack>& tracks) {
  auto pool = Pool(db);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(10));
  if (!session.ok()) return session.status();
  return InspectSchema(**session, tracks);
}

TEST(MigrateTest, AppliesInOrderAndRecords) {
  TestDatabase db("migrate_order");
  const std::vector<MigrationTrack> tracks = {WidgetsTrack()};
  EXPECT_EQ(*Inspect(db, tracks), SchemaState::kPending);  // no table yet

  auto report = ApplyMigrations(db.options(), tracks, kLockTimeout);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->applied, 3);
  EXPECT_EQ(report->current, 0);
  EXPECT_EQ(db.QueryValue("SELECT GROUP_CONCAT(CONCAT(id, ':', label, ':', "
                          "size) ORDER BY id) FROM widgets"),
            "1:one:10,2:two:20");
  EXPECT_EQ(db.QueryValue("SELECT GROUP_CONCAT(CONCAT(track, '/', version, "
                          "'/', name, '/', dirty) ORDER BY version) "
                          "FROM schema_migrations"),
            "widgets/1/create/0,widgets/2/seed/0,widgets/3/add_column/0");
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM schema_migrations WHERE "
                          "checksum REGEXP '^[0-9a-f]{64}$'"),
            "3");
  EXPECT_EQ(db.QueryValue("SELECT COUNT(DISTINCT checksum) FROM "
                          "schema_migrations"),
            "3");
  // Applied in version order.
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM schema_migrations a JOIN "
                          "schema_migrations b ON b.version = a.version + 1 "
                          "WHERE b.applied_at >= a.applied_at"),
            "2");
  EXPECT_EQ(*Inspect(db, tracks), SchemaState::kCurrent);

  // A second run applies nothing.
  auto again = ApplyMigrations(db.options(), tracks, kLockTimeout);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->applied, 0);
  EXPECT_EQ(again->current, 3);
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM widgets"), "2");
}

TEST(MigrateTest, NewMigrationIsPendingThenApplied) {
  TestDatabase db("migrate_pending");
  std::vector<MigrationTrack> tracks = {WidgetsTrack()};
  ASSERT_TRUE(ApplyMigrations(db.options(), tracks, kLockTimeout).ok());
  tracks[0].migrations.push_back(
      {4, "more", "INSERT INTO widgets VALUES (3, 'three', 30);"});
  EXPECT_EQ(*Inspect(db, tracks), SchemaState::kPending);
  auto report = ApplyMigrations(db.options(), tracks, kLockTimeout);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->applied, 1);
  EXPECT_EQ(report->current, 3);
  EXPECT_EQ(*Inspect(db, tracks), SchemaState::kCurrent);
}

TEST(MigrateTest, TracksAreKeptApart) {
  TestDatabase db("migrate_tracks");
  MigrationTrack other{"other",
                       {{1, "create", "CREATE TABLE other_t (id INT);"}}};
  auto report =
      ApplyMigrations(db.options(), {WidgetsTrack(), other}, kLockTimeout);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->applied, 4);
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM schema_migrations WHERE "
                          "version = 1"),
            "2");
}

TEST(MigrateTest, ConcurrentRunnersApplyEachMigrationOnce) {
  TestDatabase db("migrate_race");
  const std::vector<MigrationTrack> tracks = {
      {"race",
       {
           {1, "create",
            "CREATE TABLE hits (id INT AUTO_INCREMENT PRIMARY KEY, "
            "note VARCHAR(20));"},
           // Not idempotent: applied twice it leaves two rows.
           {2, "insert", "INSERT INTO hits (note) VALUES ('applied');"},
           {3, "insert_again", "INSERT INTO hits (note) VALUES ('again');"},
       }}};
  constexpr int kRunners = 4;
  std::barrier go(kRunners);
  std::vector<absl::StatusOr<MigrationReport>> reports(
      kRunners, absl::UnknownError("not run"));
  std::vector<std::thread> runners;
  for (int i = 0; i < kRunners; ++i) {
    runners.emplace_back([&, i] {
      go.arrive_and_wait();
      reports[i] = ApplyMigrations(db.options(), tracks, kLockTimeout);
    });
  }
  for (auto& runner : runners) runner.join();
  int applied = 0;
  for (const auto& report : reports) {
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->applied + report->current, 3);
    applied += report->applied;
  }
  EXPECT_EQ(applied, 3);
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM hits WHERE note = 'applied'"),
            "1");
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM hits"), "2");
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM schema_migrations"), "3");
}

TEST(MigrateTest, FailedMigrationStaysDirty) {
  TestDatabase db("migrate_dirty");
  std::vector<MigrationTrack> tracks = {
      {"broken",
       {
           {1, "ok", "CREATE TABLE fine (id INT);"},
           // The first statement runs (DDL commits), the second fails.
           {2, "halfway",
            "CREATE TABLE half (id INT);\n"
            "INSERT INTO no_such_table VALUES (1);\n"},
           {3, "later", "CREATE TABLE later_t (id INT);"},
       }}};
  auto report = ApplyMigrations(db.options(), tracks, kLockTimeout);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal)
      << report.status();
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("dirty"));
  EXPECT_EQ(db.QueryValue("SELECT dirty FROM schema_migrations WHERE "
                          "track = 'broken' AND version = 2"),
            "1");
  EXPECT_EQ(db.QueryValue("SELECT dirty FROM schema_migrations WHERE "
                          "track = 'broken' AND version = 1"),
            "0");
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM information_schema.tables "
                          "WHERE table_schema = DATABASE() AND "
                          "table_name = 'later_t'"),
            "0");
  EXPECT_EQ(*Inspect(db, tracks), SchemaState::kDirty);

  // Never migrated over, even once the file is fixed.
  tracks[0].migrations[1].sql = "CREATE TABLE half (id INT);\n";
  auto again = ApplyMigrations(db.options(), tracks, kLockTimeout);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(again.status()), "SCHEMA_DIRTY");
  EXPECT_EQ(*Inspect(db, tracks), SchemaState::kDirty);
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM schema_migrations"), "2");

  // After the operator repairs the schema and clears the flag, it proceeds.
  db.Exec("UPDATE schema_migrations SET dirty = FALSE WHERE version = 2");
  tracks[0].migrations[1].sql =
      "CREATE TABLE half (id INT);\n"
      "INSERT INTO no_such_table VALUES (1);\n";
  auto repaired = ApplyMigrations(db.options(), tracks, kLockTimeout);
  ASSERT_TRUE(repaired.ok()) << repaired.status();
  EXPECT_EQ(repaired->applied, 1);
  EXPECT_EQ(*Inspect(db, tracks), SchemaState::kCurrent);
}

TEST(MigrateTest, EditedAppliedMigrationIsRefused) {
  TestDatabase db("migrate_edited");
  std::vector<MigrationTrack> tracks = {WidgetsTrack()};
  ASSERT_TRUE(ApplyMigrations(db.options(), tracks, kLockTimeout).ok());
  tracks[0].migrations[1].sql = "INSERT INTO widgets VALUES (1, 'uno');\n";
  tracks[0].migrations.push_back(
      {4, "after", "INSERT INTO widgets VALUES (4, 'four', 40);"});
  auto report = ApplyMigrations(db.options(), tracks, kLockTimeout);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(report.status()), "MIGRATION_CHANGED");
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("widgets/2"));
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM widgets"), "2");
  // A whitespace-only edit is an edit too.
  tracks = {WidgetsTrack()};
  tracks[0].migrations[0].sql = "CREATE TABLE widgets (id INT);  \n";
  EXPECT_EQ(
      ErrorReason(ApplyMigrations(db.options(), tracks, kLockTimeout).status()),
      "MIGRATION_CHANGED");
}

TEST(MigrateTest, CreatesAMissingDatabase) {
  TestDatabase db("migrate_create");
  // Drop the schema the fixture made, so that the runner meets 1049.
  db.Exec(absl::StrCat("DROP DATABASE ", db.name()));
  auto report = ApplyMigrations(db.options(), {WidgetsTrack()}, kLockTimeout);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->applied, 3);
  EXPECT_EQ(db.QueryValue("SELECT @@character_set_database"), "utf8mb4");
  EXPECT_EQ(db.QueryValue("SELECT @@collation_database"), "utf8mb4_bin");
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM widgets"), "2");
}

TEST(MigrateTest, RefusesToCreateAnUnsafeDatabaseName) {
  // Unknown databases are created, but only with a plain lowercase name: the
  // name is spliced into CREATE DATABASE.
  PoolOptions options = ::kyodo::testing::TestServer();
  options.database = "Upper";
  auto report = ApplyMigrations(options, {WidgetsTrack()}, kLockTimeout);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument)
      << report.status();
  options.database = "kyodo_x`; DROP DATABASE mysql; --";
  report = ApplyMigrations(options, {WidgetsTrack()}, kLockTimeout);
  EXPECT_FALSE(report.ok());
  options.database = "";
  auto pool = *ConnectionPool::Create(options);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(session.ok()) << session.status();
  auto count = (*session)->QueryOne(
      "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN "
      "('Upper', 'mysql')");
  ASSERT_TRUE(count.ok() && count->has_value());
  EXPECT_EQ((*count)->Int(0).value(),
            1);  // mysql is still there; Upper never made
}

TEST(MigrateTest, LockHeldElsewhereIsDeadlineExceeded) {
  TestDatabase db("migrate_lock");
  auto pool = Pool(db);
  auto holder = pool->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(holder.ok());
  auto got = (*holder)->QueryOne(
      "SELECT GET_LOCK(CONCAT('kyodo.migrate.', DATABASE()), 0)");
  ASSERT_TRUE(got.ok() && got->has_value());
  ASSERT_EQ((*got)->Int(0).value(), 1);
  // DEADLINE_EXCEEDED: it gave up at its lock timeout instead of waiting.
  auto report =
      ApplyMigrations(db.options(), {WidgetsTrack()}, absl::Seconds(1));
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDeadlineExceeded)
      << report.status();
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM information_schema.tables "
                          "WHERE table_schema = DATABASE() AND "
                          "table_name = 'widgets'"),
            "0");
  // Released, the lock is granted and the migration runs.
  ASSERT_TRUE(
      (*holder)
          ->QueryOne(
              "SELECT RELEASE_LOCK(CONCAT('kyodo.migrate.', DATABASE()))")
          .ok());
  EXPECT_TRUE(
      ApplyMigrations(db.options(), {WidgetsTrack()}, absl::Seconds(5)).ok());
}

TEST(MigrateTest, UnreachableDatabaseIsUnavailable) {
  PoolOptions options;
  options.port = 1;
  options.user = "kyodo";
  options.database = "nothing";
  options.connect_timeout = absl::Seconds(1);
  auto report = ApplyMigrations(options, {WidgetsTrack()}, kLockTimeout);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kUnavailable)
      << report.status();
}

TEST(SplitStatementsTest, SplitsAtSemicolonsEndingALine) {
  EXPECT_THAT(
      SplitStatements("CREATE TABLE a (x INT);\n"
                      "INSERT INTO a VALUES (1);\n"),
      ElementsAre("CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)"));
}

TEST(SplitStatementsTest, KeepsMultiLineStatementsWhole) {
  EXPECT_THAT(SplitStatements("CREATE TABLE a (\n"
                              "  x INT,\n"
                              "  y INT\n"
                              ");\n"),
              ElementsAre("CREATE TABLE a (\n  x INT,\n  y INT\n)"));
}

TEST(SplitStatementsTest, SkipsCommentAndBlankLines) {
  EXPECT_THAT(SplitStatements("-- header\n"
                              "\n"
                              "   -- indented comment\n"
                              "SELECT 1;\n"
                              "\t\n"
                              "-- between\n"
                              "SELECT 2;   \n"),
              ElementsAre("SELECT 1", "SELECT 2"));
}

TEST(SplitStatementsTest, SemicolonInsideALineDoesNotSplit) {
  EXPECT_THAT(SplitStatements("INSERT INTO t VALUES ('a;b');\n"),
              ElementsAre("INSERT INTO t VALUES ('a;b')"));
}

TEST(SplitStatementsTest, ADelimiterLineKeepsACompoundStatementWhole) {
  EXPECT_THAT(
      SplitStatements("SELECT 1;\n"
                      "DELIMITER //\n"
                      "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW\n"
                      "BEGIN\n"
                      "  DELETE FROM b;\n"
                      "  INSERT INTO b VALUES (1);\n"
                      "END//\n"
                      "delimiter ;\n"
                      "SELECT 2;\n"),
      ElementsAre("SELECT 1",
                  "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW\n"
                  "BEGIN\n  DELETE FROM b;\n  INSERT INTO b VALUES "
                  "(1);\nEND",
                  "SELECT 2"));
}

TEST(SplitStatementsTest, LastStatementMayLackItsSemicolon) {
  EXPECT_THAT(SplitStatements("SELECT 1;\nSELECT 2"),
              ElementsAre("SELECT 1", "SELECT 2"));
  EXPECT_THAT(SplitStatements("SELECT 3"), ElementsAre("SELECT 3"));
}

TEST(SplitStatementsTest, EmptyInputs) {
  EXPECT_TRUE(SplitStatements("").empty());
  EXPECT_TRUE(SplitStatements("\n\n  \n").empty());
  EXPECT_TRUE(SplitStatements("-- only a comment\n").empty());
}

TEST(SplitStatementsTest, WindowsLineEndings) {
  EXPECT_THAT(SplitStatements("SELECT 1;\r\nSELECT 2;\r\n"),
              ElementsAre("SELECT 1", "SELECT 2"));
}

}  // namespace
}  // namespace kyodo::common::db
