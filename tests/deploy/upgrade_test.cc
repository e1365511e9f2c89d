// Migrations that the running release survives (docs/OPERATIONS.md,
// "Migrate, upgrade and roll back"): partner-service serves on its schema;
// a newer release's migration is applied (it only adds, expand/contract),
// then a deliberately failing one, which stays dirty. The running process
// stays SERVING and its calls succeed throughout; it reports the dirty
// migration (kyodo_schema_dirty 1, a log line), and the migration step
// (--migrate_only) refuses the dirty schema with a non-zero exit.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/migrate.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/cluster.h"
#include "tests/testing/database.h"
#include "tests/testing/process.h"
#include "tests/testing/scrape.h"

namespace kyodo::deploy {
namespace {

using testing::Cluster;
using testing::Service;

TEST(UpgradeTest, NewerAndFailedMigrationsLeaveTheRunningReleaseServing) {
  testing::ClusterOptions options;
  options.extra_flags[Service::kPartner] = {"--metrics_listen=127.0.0.1:0"};
  Cluster cluster("upgrade", std::move(options));
  const int metrics_port =
      cluster.LoggedPort(Service::kPartner, "serving metrics");
  auto partners =
      partner::v1::PartnerService::NewStub(cluster.Channel(Service::kPartner));
  auto health =
      grpc::health::v1::Health::NewStub(cluster.Channel(Service::kPartner));
  // SERVING, and a read and a failing lookup answered as usual.
  auto serving_and_answering = [&]() {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("kyodo.partner.v1.PartnerService");
    grpc::health::v1::HealthCheckResponse response;
    EXPECT_TRUE(health->Check(&context, request, &response).ok());
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
    partner::v1::ListPartnersRequest list;
    partner::v1::ListPartnersResponse listed;
    EXPECT_TRUE(
        partners
            ->ListPartners(testing::Context(testing::AdminToken()).get(), list,
                           &listed)
            .ok());
  };
  auto dirty_metric = [&]() {
    return testing::Sample(testing::Scrape(metrics_port), "kyodo_schema_dirty",
                           {"service=\"partner-service\""});
  };
  serving_and_answering();
  EXPECT_EQ(dirty_metric(), 0);

  // The next release's migration: a column this release ignores.
  const common::db::PoolOptions& migrating =
      cluster.Database(Service::kPartner).options();
  common::db::MigrationTrack next{
      "partner",
      {{900, "newer_column",
        "ALTER TABLE partners ADD COLUMN upgrade_note VARCHAR(20) NULL;"}}};
  ASSERT_TRUE(
      common::db::ApplyMigrations(migrating, {next}, absl::Seconds(30)).ok());
  serving_and_answering();

  // The release after that fails halfway and stays dirty.
  common::db::MigrationTrack broken{
      "partner",
      {{901, "broken", "CREATE TABLE upgrade_later (id INT);\nNOT SQL;\n"}}};
  EXPECT_EQ(common::db::ApplyMigrations(migrating, {broken}, absl::Seconds(30))
                .status()
                .code(),
            absl::StatusCode::kInternal);
  // The running process's readiness check reads the schema every 2 s
  // (common/server/host.h) and reports what it found: once it has seen the
  // dirty row, it must still serve.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (dirty_metric() != 1) {
    ASSERT_LT(absl::Now(), give_up) << "the dirty migration is not reported\n"
                                    << cluster.LogTail(Service::kPartner);
    absl::SleepFor(absl::Milliseconds(20));  // polling, not waiting
  }
  serving_and_answering();
  EXPECT_TRUE(absl::StrContains(cluster.LogTail(Service::kPartner, 200),
                                "\"msg\":\"schema dirty\""))
      << cluster.LogTail(Service::kPartner);

  // The migration step of this release refuses the dirty schema: exit 1,
  // so the Job fails (KyodoMigrationJobFailed).
  testing::ChildProcess step(
      testing::ChildProcess::Binary("partner-service"),
      {"--migrate_only", absl::StrCat("--db_host=", migrating.host),
       absl::StrCat("--db_port=", migrating.port),
       absl::StrCat("--db_user=", migrating.user),
       absl::StrCat("--db_name=", migrating.database),
       absl::StrCat("--db_password_file=", cluster.log_dir(),
                    "/db_migrate.password"),
       absl::StrCat("--jwt_key_file=", testing::TestKeyFile(cluster.log_dir())),
       absl::StrCat("--page_token_key_file=", cluster.log_dir(), "/page.key")},
      cluster.log_dir() + "/migrate-again.log");
  ASSERT_TRUE(step.Start());
  int status = 0;
  ASSERT_TRUE(step.Wait(absl::Seconds(60), &status));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << step.LogTail();
  EXPECT_TRUE(absl::StrContains(step.LogTail(), "SCHEMA_DIRTY") ||
              absl::StrContains(step.LogTail(), "failed halfway"))
      << step.LogTail();
  serving_and_answering();
}

// An enum lookup table out of step with the protos (a release that renamed
// a value without its migration; common/store/enum_table.h): the running
// partner-service's readiness check turns it NOT_SERVING within a check or
// two and logs which value, and it serves again once the table is repaired.
TEST(UpgradeTest, ALookupTableOutOfStepTurnsTheServiceNotServing) {
  Cluster cluster("lookup", testing::ClusterOptions{});
  auto health =
      grpc::health::v1::Health::NewStub(cluster.Channel(Service::kPartner));
  auto status_now = [&]() {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("kyodo.partner.v1.PartnerService");
    grpc::health::v1::HealthCheckResponse response;
    EXPECT_TRUE(health->Check(&context, request, &response).ok());
    return response.status();
  };
  auto wait_for =
      [&](grpc::health::v1::HealthCheckResponse::ServingStatus want) {
        const absl::Time give_up = absl::Now() + absl::Seconds(30);
        while (status_now() != want) {
          ASSERT_LT(absl::Now(), give_up) << cluster.LogTail(Service::kPartner);
          absl::SleepFor(absl::Milliseconds(20));  // polling, not waiting
        }
      };
  EXPECT_EQ(status_now(), grpc::health::v1::HealthCheckResponse::SERVING);
  const testing::TestDatabase& db = cluster.Database(Service::kPartner);
  db.Exec("UPDATE partner_kinds SET name = 'CORPORATION' WHERE number = 3");
  wait_for(grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  const std::string log = cluster.LogTail(Service::kPartner, 200);
  EXPECT_TRUE(absl::StrContains(log, "\"msg\":\"schema check failed\"")) << log;
  EXPECT_TRUE(absl::StrContains(log, "3 is COMPANY here and CORPORATION"))
      << log;
  db.Exec("UPDATE partner_kinds SET name = 'COMPANY' WHERE number = 3");
  wait_for(grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_TRUE(absl::StrContains(cluster.LogTail(Service::kPartner, 200),
                                "\"msg\":\"schema check passed\""));
}

// The production migration Job (deploy/k8s/base/migrate-job.yaml with the
// production overlay's settings): production mode, a JWKS path that is not
// mounted, the placeholder for the key files. --migrate_only migrates and
// exits 0 without reading any key.
TEST(UpgradeTest, MigrateOnlyInProductionModeReadsNoKey) {
  testing::TestDatabase db("upgrade_production_job");
  char pattern[] = "/tmp/kyodo-prodjob.XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const std::string placeholder = dir + "/placeholder";
  {
    std::ofstream out(placeholder);
    out << "kyodo --migrate_only reads no key; this file only satisfies the "
           "setting\n";
  }
  {
    std::ofstream out(dir + "/db_migrate.password");
    out << testing::TestServer().password;
  }
  const common::db::PoolOptions& migrating = db.options();
  testing::ChildProcess step(
      testing::ChildProcess::Binary("partner-service"),
      {"--migrate_only", "--jwt_production", "--jwt_algorithms=RS256,ES256",
       "--jwt_issuer=https://idp.example.org/realms/kawasaki",
       absl::StrCat("--jwt_jwks_file=", dir, "/not-mounted/jwks.json"),
       absl::StrCat("--jwt_key_file=", placeholder),
       absl::StrCat("--page_token_key_file=", placeholder),
       absl::StrCat("--db_host=", migrating.host),
       absl::StrCat("--db_port=", migrating.port),
       absl::StrCat("--db_user=", migrating.user),
       absl::StrCat("--db_name=", migrating.database),
       absl::StrCat("--db_password_file=", dir, "/db_migrate.password"),
       absl::StrCat("--db_serving_role=", testing::kServingRole)},
      dir + "/migrate.log");
  ASSERT_TRUE(step.Start());
  int status = 0;
  ASSERT_TRUE(step.Wait(absl::Seconds(60), &status));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << step.LogTail();
  EXPECT_TRUE(absl::StrContains(step.LogTail(), "\"msg\":\"schema migrated\""))
      << step.LogTail();
  EXPECT_NE(db.QueryValue("SELECT COUNT(*) FROM schema_migrations WHERE "
                          "track = 'partner' AND NOT dirty"),
            "0");
  std::remove(placeholder.c_str());
  std::remove((dir + "/db_migrate.password").c_str());
  std::remove((dir + "/migrate.log").c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace kyodo::deploy
