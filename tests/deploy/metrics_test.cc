// The Prometheus endpoint of a running service (--metrics_listen), scraped
// over loopback as Prometheus would: RPC counts and latency by method and
// code, the pool gauges, and the migrations the service applied at start.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/cluster.h"

namespace kyodo::deploy {
namespace {

using testing::Cluster;
using testing::Service;

// GET http://127.0.0.1:port/metrics; the body, or "" on any failure.
std::string Scrape(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
      0) {
    const std::string request =
        "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, request.data(), request.size()) ==
        static_cast<ssize_t>(request.size())) {
      char buffer[8192];
      for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;)
        response.append(buffer, n);
    }
  }
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (!absl::StartsWith(response, "HTTP/1.") || body == std::string::npos)
    return "";
  return response.substr(body + 4);
}

// The value of the first sample named `name` whose labels contain every one
// of `labels` (each `key="value"`); -1 when there is none.
double Sample(const std::string& text, const std::string& name,
              const std::vector<std::string>& labels) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(line, absl::StrCat(name, "{"))) continue;
    bool all = true;
    for (const std::string& label : labels)
      all = all && absl::StrContains(line, label);
    if (!all) continue;
    return std::stod(std::string(line.substr(line.rfind(' ') + 1)));
  }
  return -1;
}

TEST(MetricsTest, ServiceExposesRpcPoolAndMigrationMetrics) {
  const int port = testing::FreeLoopbackPort();
  testing::ClusterOptions options;
  options.extra_flags[Service::kPartner] = {
      absl::StrCat("--metrics_listen=127.0.0.1:", port)};
  Cluster cluster("metrics", std::move(options));

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

}  // namespace
}  // namespace kyodo::deploy
