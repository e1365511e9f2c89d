// The Prometheus endpoint of a running service (--metrics_listen), scraped
// over loopback as Prometheus would: RPC counts and latency by method and
// code, the pool gauges, and the migrations the service applied at start.
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/version/version.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/cluster.h"
#include "tests/testing/scrape.h"

namespace kyodo::deploy {
namespace {

using testing::Cluster;
using testing::Service;

using testing::Sample;
using testing::Scrape;

TEST(MetricsTest, ServiceExposesRpcPoolAndMigrationMetrics) {
  testing::ClusterOptions options;
  options.extra_flags[Service::kPartner] = {"--metrics_listen=127.0.0.1:0"};
  Cluster cluster("metrics", std::move(options));
  const int port = cluster.LoggedPort(Service::kPartner, "serving metrics");

  auto partners =
      partner::v1::PartnerService::NewStub(cluster.Channel(Service::kPartner));
  partner::v1::ListPartnersRequest list;
  partner::v1::ListPartnersResponse listed;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        partners
            ->ListPartners(testing::Context(testing::AdminToken()).get(), list,
                           &listed)
            .ok());
  }
  partner::v1::GetPartnerRequest get;
  get.set_name("partners/nosuchpartner");
  partner::v1::Partner got;
  EXPECT_EQ(
      partners
          ->GetPartner(testing::Context(testing::AdminToken()).get(), get, &got)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);

  const std::string text = Scrape(port);
  ASSERT_FALSE(text.empty()) << "no answer from /metrics on port " << port;
  const std::string service = "service=\"partner-service\"";
  EXPECT_EQ(Sample(text, "kyodo_rpc_total",
                   {service, "method=\"ListPartners\"", "code=\"OK\""}),
            3)
      << text;
  EXPECT_EQ(Sample(text, "kyodo_rpc_total",
                   {service, "method=\"GetPartner\"", "code=\"NOT_FOUND\""}),
            1);
  EXPECT_EQ(Sample(text, "kyodo_rpc_duration_seconds_count",
                   {service, "method=\"ListPartners\"", "code=\"OK\""}),
            3);
  for (const char* state : {"open", "in_use", "idle", "waiting"}) {
    EXPECT_GE(Sample(text, "kyodo_db_pool_sessions",
                     {service, absl::StrCat("state=\"", state, "\"")}),
              0)
        << state;
  }
  EXPECT_GE(Sample(text, "kyodo_db_pool_sessions", {service, "state=\"open\""}),
            1);
  EXPECT_GE(
      Sample(text, "kyodo_db_pool_events_total", {service, "event=\"opened\""}),
      1);
  // The cluster's migration step (tests/testing/cluster.cc, as the
  // migrating account) applied every migration before this serving process
  // started, so it applied none itself.
  EXPECT_EQ(Sample(text, "kyodo_migrations_applied", {service}), 0);
  EXPECT_EQ(Sample(text, "kyodo_schema_dirty", {service}), 0);
}

// kyodo_build_info{service,version,revision} 1 on every service, the
// gateway included: which release each process runs (common/version).
TEST(MetricsTest, EveryServiceExposesItsBuildInfo) {
  const std::map<Service, std::string> names = {
      {Service::kPartner, "partner-service"},
      {Service::kProject, "project-service"},
      {Service::kProposal, "proposal-service"},
      {Service::kGateway, "gateway"}};
  std::map<Service, int> ports;
  testing::ClusterOptions options;
  for (const auto& [s, name] : names) {
    options.extra_flags[s] = {"--metrics_listen=127.0.0.1:0"};
  }
  Cluster cluster("buildinfo", std::move(options));
  for (const auto& [s, name] : names) {
    ports[s] = cluster.LoggedPort(s, "serving metrics");
  }
  for (const auto& [s, name] : names) {
    const std::string text = Scrape(ports[s]);
    ASSERT_FALSE(text.empty()) << name << ": no answer from /metrics";
    EXPECT_EQ(
        Sample(
            text, "kyodo_build_info",
            {absl::StrCat("service=\"", name, "\""),
             absl::StrCat("version=\"", common::version::Version(), "\""),
             absl::StrCat("revision=\"", common::version::Revision(), "\"")}),
        1)
        << name << ":\n"
        << text;
  }
}

}  // namespace
}  // namespace kyodo::deploy
