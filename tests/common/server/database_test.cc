// Start-up and readiness glue against the test MariaDB.
#include "common/server/database.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/host.h"
#include "common/status/errors.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/testing/database.h"

namespace kyodo::common::server {
namespace {

using ::kyodo::testing::TestDatabase;

db::MigrationTrack ServiceTrack() {
  return db::MigrationTrack{
      "svc", {{1, "things", "CREATE TABLE things (id INT PRIMARY KEY);"}}};
}

TEST(CommonMigrationsTest, CreateTheCommonTables) {
  const db::MigrationTrack& track = CommonMigrations();
  EXPECT_EQ(track.name, "common");
  ASSERT_FALSE(track.migrations.empty());
  EXPECT_EQ(track.migrations[0].version, 1);
  TestDatabase db("common_track");
  db.Migrate({CommonMigrations()});
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM information_schema.tables "
                          "WHERE table_schema = DATABASE() AND table_name IN "
                          "('request_ids', 'audit_events')"),
            "2");
}

TEST(DatabaseReadinessTest, ReadyOnlyWhenMigratedAndClean) {
  TestDatabase db("readiness");
  auto pool = db.NewPool(2);
  const std::vector<db::MigrationTrack> tracks = {CommonMigrations(),
                                                  ServiceTrack()};
  std::function<bool()> ready = DatabaseReadiness(pool.get(), tracks);
  EXPECT_FALSE(ready());  // nothing applied
  ASSERT_TRUE(
      db::ApplyMigrations(db.options(), {CommonMigrations()}, absl::Seconds(30))
          .ok());
  EXPECT_FALSE(ready());  // the service track is pending
  ASSERT_TRUE(MigrateAtStart(db.options(), tracks, absl::Seconds(10)).ok());
  EXPECT_TRUE(ready());
  db.Exec("UPDATE schema_migrations SET dirty = TRUE WHERE track = 'svc'");
  EXPECT_FALSE(ready());
  db.Exec("UPDATE schema_migrations SET dirty = FALSE WHERE track = 'svc'");
  EXPECT_TRUE(ready());
  EXPECT_EQ(pool->Stats().in_use, 0);
}

// A service's own schema check (ServiceSpec.schema_check, e.g. its enum
// lookup tables) runs only on a current schema, and keeps the service not
// ready while it fails; each change of its answer is logged.
TEST(DatabaseReadinessTest, ASchemaCheckKeepsItNotReadyUntilItPasses) {
  TestDatabase db("readiness_check");
  auto pool = db.NewPool(2);
  const std::vector<db::MigrationTrack> tracks = {CommonMigrations(),
                                                  ServiceTrack()};
  int runs = 0;
  std::function<bool()> ready = DatabaseReadiness(
      pool.get(), tracks, nullptr, [&runs](db::Session& s) -> absl::Status {
        ++runs;
        absl::StatusOr<std::vector<db::Row>> rows =
            s.Query("SELECT COUNT(*) FROM things");
        if (!rows.ok()) return rows.status();
        if ((*rows)[0].Int(0).value() == 0) {
          return absl::FailedPreconditionError("things is empty");
        }
        return absl::OkStatus();
      });
  EXPECT_FALSE(ready());
  EXPECT_EQ(runs, 0) << "no check before the migrations are applied";
  ASSERT_TRUE(MigrateAtStart(db.options(), tracks, absl::Seconds(10)).ok());
  EXPECT_FALSE(ready());
  EXPECT_EQ(runs, 1);
  db.Exec("INSERT INTO things VALUES (1)");
  EXPECT_TRUE(ready());
  db.Exec("DELETE FROM things");
  EXPECT_FALSE(ready());
  EXPECT_EQ(pool->Stats().in_use, 0);
}

// Expand/contract (docs/OPERATIONS.md, "Migrate, upgrade and roll back"):
// while a newer release migrates, or after its migration failed, the
// running release keeps serving; it reports any dirty migration.
TEST(DatabaseReadinessTest, NewerReleasesMigrationsLeaveThisOneServing) {
  TestDatabase db("readiness_newer");
  auto pool = db.NewPool(2);
  const std::vector<db::MigrationTrack> tracks = {CommonMigrations(),
                                                  ServiceTrack()};
  std::vector<bool> reported;
  std::function<bool()> ready = DatabaseReadiness(
      pool.get(), tracks, [&](bool dirty) { reported.push_back(dirty); });
  ASSERT_TRUE(MigrateAtStart(db.options(), tracks, absl::Seconds(10)).ok());
  EXPECT_TRUE(ready());
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_FALSE(reported.back());

  // The next release adds a column and a table this one ignores.
  db::MigrationTrack next = ServiceTrack();
  next.migrations.push_back(
      {2, "more", "ALTER TABLE things ADD COLUMN note VARCHAR(20) NULL;"});
  ASSERT_TRUE(db::ApplyMigrations(db.options(), {CommonMigrations(), next},
                                  absl::Seconds(30))
                  .ok());
  EXPECT_TRUE(ready());
  EXPECT_FALSE(reported.back());

  // The release after fails halfway: its migration stays dirty.
  db::MigrationTrack broken = next;
  broken.migrations.push_back(
      {3, "broken", "CREATE TABLE later (id INT);\nNOT SQL AT ALL;\n"});
  EXPECT_EQ(db::ApplyMigrations(db.options(), {CommonMigrations(), broken},
                                absl::Seconds(30))
                .status()
                .code(),
            absl::StatusCode::kInternal);
  EXPECT_TRUE(ready()) << "a newer release's dirty migration stopped this one";
  EXPECT_TRUE(reported.back()) << "the dirty migration was not reported";
  // A binary of that failed release (it knows svc/3) does not serve.
  EXPECT_FALSE(DatabaseReadiness(pool.get(), {CommonMigrations(), broken})());
  // Repaired by hand: nothing is dirty any more.
  db.Exec("DROP TABLE later");
  db.Exec("DELETE FROM schema_migrations WHERE track = 'svc' AND version = 3");
  EXPECT_TRUE(ready());
  EXPECT_FALSE(reported.back());
}

TEST(DatabaseReadinessTest, BusyPoolCountsAsReady) {
  TestDatabase db("readiness_busy");
  db.Migrate({CommonMigrations()});
  db::PoolOptions options = db.options();
  options.max_size = 1;
  options.max_waiters = 0;
  auto pool = *db::ConnectionPool::Create(options);
  auto ready = DatabaseReadiness(pool.get(), {CommonMigrations()});
  EXPECT_TRUE(ready());
  auto held = pool->Borrow(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(ready());
}

TEST(DatabaseReadinessTest, UnreachableDatabaseIsNotReady) {
  db::PoolOptions options;
  options.port = 1;
  options.user = "kyodo";
  options.connect_timeout = absl::Seconds(1);
  auto pool = *db::ConnectionPool::Create(options);
  EXPECT_FALSE(DatabaseReadiness(pool.get(), {CommonMigrations()})());
}

TEST(MigrateAtStartTest, DirtySchemaIsReportedNotRetried) {
  TestDatabase db("start_dirty");
  const std::vector<db::MigrationTrack> broken = {
      {"svc", {{1, "bad", "CREATE TABLE t (id INT);\nNOT SQL AT ALL;\n"}}}};
  EXPECT_EQ(MigrateAtStart(db.options(), broken, absl::Seconds(10)).code(),
            absl::StatusCode::kInternal);
  const absl::Time before = absl::Now();
  absl::Status again = MigrateAtStart(db.options(), broken, absl::Seconds(30));
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(again), "SCHEMA_DIRTY");
  EXPECT_LT(absl::Now() - before, absl::Seconds(10));  // no waiting
}

TEST(MigrateAtStartTest, UnreachableDatabaseGivesUpAfterTheWait) {
  db::PoolOptions options;
  options.port = 1;
  options.user = "kyodo";
  options.database = "x";
  options.connect_timeout = absl::Seconds(1);
  const absl::Time before = absl::Now();
  absl::Status status =
      MigrateAtStart(options, {CommonMigrations()}, absl::Seconds(1));
  const absl::Duration took = absl::Now() - before;
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_GE(took, absl::Milliseconds(200));  // it did retry
  EXPECT_LT(took, absl::Seconds(15));
}

TEST(DatabaseReadinessTest, DrivesTheHostHealth) {
  TestDatabase db("readiness_host");
  auto pool = db.NewPool(2);
  HostOptions options;
  options.drain = absl::ZeroDuration();
  options.readiness_interval = absl::Milliseconds(20);
  options.readiness = DatabaseReadiness(pool.get(), {CommonMigrations()});
  kyodo::partner::v1::PartnerService::Service service;
  auto host = ServiceHost::Start(options, {&service});
  ASSERT_TRUE(host.ok()) << host.status();
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*host)->port()),
                          grpc::InsecureChannelCredentials()));
  auto check = [&]() {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(
        &context, grpc::health::v1::HealthCheckRequest(), &response);
    return status.ok() ? static_cast<int>(response.status()) : -1;
  };
  EXPECT_EQ(check(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  ASSERT_TRUE(
      MigrateAtStart(db.options(), {CommonMigrations()}, absl::Seconds(10))
          .ok());
  bool serving = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  while (!serving && absl::Now() < give_up) {
    serving = check() == grpc::health::v1::HealthCheckResponse::SERVING;
  }
  EXPECT_TRUE(serving);
  (*host)->Stop();
}

}  // namespace
}  // namespace kyodo::common::server
