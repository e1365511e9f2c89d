// ServiceHost: health (readiness, liveness) and the graceful stop.
#include "common/server/host.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"

namespace kyodo::common::server {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;

constexpr char kServiceName[] = "kyodo.partner.v1.PartnerService";

// A registered service with no method implemented: every call answers
// UNIMPLEMENTED, which proves the server serves.
class EmptyPartnerService : public kyodo::partner::v1::PartnerService::Service {
};

class Prober {
 public:
  explicit Prober(int port)
      : channel_(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials())),
        health_(Health::NewStub(channel_)),
        partners_(kyodo::partner::v1::PartnerService::NewStub(channel_)) {}

  // The health status of `service`, or the RPC error as a negative number.
  int Check(const std::string& service) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::Status status = health_->Check(&context, request, &response);
    if (!status.ok()) return -static_cast<int>(status.error_code());
    return response.status();
  }

  // Polls (bounded) until `service` reports `want`.
  bool WaitFor(const std::string& service, int want) {
    const absl::Time give_up = absl::Now() + absl::Seconds(15);
    while (absl::Now() < give_up) {
      if (Check(service) == want) return true;
    }
    return Check(service) == want;
  }

  grpc::StatusCode CallPartnerService() {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    kyodo::partner::v1::GetPartnerRequest request;
    kyodo::partner::v1::Partner response;
    return partners_->GetPartner(&context, request, &response).error_code();
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Health::Stub> health_;
  std::unique_ptr<kyodo::partner::v1::PartnerService::Stub> partners_;
};

constexpr int kServing = HealthCheckResponse::SERVING;
constexpr int kNotServing = HealthCheckResponse::NOT_SERVING;

bool PortAcceptsConnections(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool connected =
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return connected;
}

HostOptions Options() {
  HostOptions options;
  options.listen = "127.0.0.1:0";
  options.drain = absl::ZeroDuration();
  options.grace = absl::Seconds(2);
  options.readiness_interval = absl::Milliseconds(20);
  options.health_names = {kServiceName};
  return options;
}

TEST(ServiceHostTest, AlwaysReadyWithoutACheck) {
  EmptyPartnerService service;
  auto host = ServiceHost::Start(Options(), {&service});
  ASSERT_TRUE(host.ok()) << host.status();
  ASSERT_GT((*host)->port(), 0);
  Prober prober((*host)->port());
  EXPECT_EQ(prober.Check(""), kServing);
  EXPECT_EQ(prober.Check(kServiceName), kServing);
  EXPECT_EQ(prober.Check("liveness"), kServing);
  EXPECT_EQ(prober.Check("no.such.Service"),
            -static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(prober.CallPartnerService(), grpc::StatusCode::UNIMPLEMENTED);
  (*host)->Stop();
}

TEST(ServiceHostTest, ReadinessDrivesTheOverallStatus) {
  std::atomic<bool> ready{false};
  std::atomic<int> checks{0};
  HostOptions options = Options();
  options.readiness = [&] {
    ++checks;
    return ready.load();
  };
  EmptyPartnerService service;
  auto host = ServiceHost::Start(options, {&service});
  ASSERT_TRUE(host.ok()) << host.status();
  Prober prober((*host)->port());

  // Checked once before Start returns: not ready from the first probe on.
  EXPECT_GE(checks.load(), 1);
  EXPECT_EQ(prober.Check(""), kNotServing);
  EXPECT_EQ(prober.Check(kServiceName), kNotServing);
  // Liveness does not depend on readiness, and calls are still served.
  EXPECT_EQ(prober.Check("liveness"), kServing);
  EXPECT_EQ(prober.CallPartnerService(), grpc::StatusCode::UNIMPLEMENTED);

  ready = true;
  EXPECT_TRUE(prober.WaitFor("", kServing));
  EXPECT_TRUE(prober.WaitFor(kServiceName, kServing));
  EXPECT_EQ(prober.Check("liveness"), kServing);

  ready = false;
  EXPECT_TRUE(prober.WaitFor("", kNotServing));
  EXPECT_TRUE(prober.WaitFor(kServiceName, kNotServing));
  EXPECT_EQ(prober.Check("liveness"), kServing);
  (*host)->Stop();
}

TEST(ServiceHostTest, StopTurnsNotServingFirstThenClosesThePort) {
  HostOptions options = Options();
  options.drain = absl::Seconds(3);
  EmptyPartnerService service;
  auto host = ServiceHost::Start(options, {&service});
  ASSERT_TRUE(host.ok()) << host.status();
  const int port = (*host)->port();
  Prober prober(port);
  ASSERT_EQ(prober.Check(""), kServing);

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    (*host)->Stop();
    stopped = true;
  });
  // During the drain: NOT_SERVING for every name (liveness too), while the
  // server still answers calls.
  EXPECT_TRUE(prober.WaitFor("", kNotServing));
  EXPECT_FALSE(stopped.load()) << "the drain ended before NOT_SERVING showed";
  EXPECT_EQ(prober.Check(kServiceName), kNotServing);
  EXPECT_EQ(prober.Check("liveness"), kNotServing);
  EXPECT_EQ(prober.CallPartnerService(), grpc::StatusCode::UNIMPLEMENTED);
  stopper.join();

  // Then the port is closed.
  EXPECT_FALSE(PortAcceptsConnections(port));
  Prober late(port);
  EXPECT_EQ(late.Check(""), -static_cast<int>(grpc::StatusCode::UNAVAILABLE));
  // Stop is idempotent.
  (*host)->Stop();
}

TEST(ServiceHostTest, StopWaitsForReadinessChecksAndIgnoresThemAfterwards) {
  // A readiness check that turns true after the stop must not flip the
  // frozen NOT_SERVING back; the stop also ends the readiness thread.
  std::atomic<bool> ready{false};
  HostOptions options = Options();
  options.drain = absl::Seconds(2);
  options.readiness = [&] { return ready.load(); };
  EmptyPartnerService service;
  auto host = ServiceHost::Start(options, {&service});
  ASSERT_TRUE(host.ok()) << host.status();
  Prober prober((*host)->port());
  ready = true;
  ASSERT_TRUE(prober.WaitFor("", kServing));
  std::thread stopper([&] { (*host)->Stop(); });
  EXPECT_TRUE(prober.WaitFor("", kNotServing));
  // Several readiness periods pass within the drain; still NOT_SERVING.
  const absl::Time until = absl::Now() + absl::Milliseconds(200);
  bool flipped = false;
  while (absl::Now() < until) {
    const int status = prober.Check("");
    if (status == kServing) flipped = true;
    if (status < 0) break;  // already closed: nothing more to observe
  }
  EXPECT_FALSE(flipped);
  stopper.join();
}

TEST(ServiceHostTest, UnbindableAddressIsUnavailable) {
  // A plain listening socket (no SO_REUSEPORT) holds the port.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);

  HostOptions options = Options();
  options.listen = absl::StrCat("127.0.0.1:", port);
  EmptyPartnerService service;
  auto host = ServiceHost::Start(options, {&service});
  EXPECT_EQ(host.status().code(), absl::StatusCode::kUnavailable);
  close(fd);

  options.listen = "not-an-address";
  EmptyPartnerService other;
  EXPECT_EQ(ServiceHost::Start(options, {&other}).status().code(),
            absl::StatusCode::kUnavailable);
}

// Serve() waits for signals, so these run in a fresh child process (the
// "threadsafe" death test style re-executes the binary) where the signals
// are blocked before any thread exists, as main() does.
TEST(ServiceHostServeTest, SigtermStopsServe) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        BlockTerminationSignals();
        EmptyPartnerService service;
        auto host = ServiceHost::Start(Options(), {&service});
        if (!host.ok()) std::exit(3);
        const int port = (*host)->port();
        std::thread sender([] { kill(getpid(), SIGTERM); });
        (*host)->Serve();
        sender.join();
        std::exit(PortAcceptsConnections(port) ? 4 : 0);
      },
      ::testing::ExitedWithCode(0), "\"msg\":\"stopping\",\"signal\":15");
}

TEST(ServiceHostServeTest, StopEndsServe) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        BlockTerminationSignals();
        EmptyPartnerService service;
        auto host = ServiceHost::Start(Options(), {&service});
        if (!host.ok()) std::exit(3);
        Prober prober((*host)->port());
        if (prober.Check("") != kServing) std::exit(5);
        std::thread stopper([&] { (*host)->Stop(); });
        (*host)->Serve();
        stopper.join();
        std::exit(PortAcceptsConnections((*host)->port()) ? 4 : 0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace kyodo::common::server
