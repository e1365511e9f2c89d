// common/grpc/downstream.h: the channels the gateway and the services open
// to each other.
#include "common/grpc/downstream.h"

#include <atomic>
#include <memory>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "tests/testing/fault_proxy.h"

namespace kyodo::common::grpc_client {
namespace {

// A health service that is always SERVING: the peer at the far end.
class Serving final : public grpc::health::v1::Health::Service {
  grpc::Status Check(grpc::ServerContext*,
                     const grpc::health::v1::HealthCheckRequest*,
                     grpc::health::v1::HealthCheckResponse* response) override {
    response->set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }
};

// A connection whose handshake takes longer than the reconnect backoff is
// still made. gRPC 1.51 takes the minimum reconnect backoff as the time a
// connection attempt may last; at 100 ms, a peer that answered its first
// bytes more slowly (a TLS handshake on a loaded machine, a service under
// AddressSanitizer) failed every first call with "connection attempt timed
// out before receiving SETTINGS frame".
TEST(DownstreamTest, SlowHandshakeStillConnectsOnTheFirstCall) {
  Serving serving;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.RegisterService(&serving);
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  ASSERT_GT(port, 0);

  // Each chunk, both ways, held 400 ms: the server's SETTINGS frame reaches
  // the client 800 ms after it connected.
  testing::FaultProxy slow(port);
  slow.SetDelay(absl::Milliseconds(400));
  slow.SetMode(testing::FaultProxy::Mode::kDelay);

  auto stub = grpc::health::v1::Health::NewStub(NewChannel(slow.address()));
  grpc::ClientContext context;  // no wait_for_ready: one connection attempt
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(slow.connections_accepted(), 1);
  server->Shutdown();
}

// Answers UNAVAILABLE (as a transport would: no ErrorInfo) the first
// `failures` times, then SERVING.
class Flaky final : public grpc::health::v1::Health::Service {
 public:
  explicit Flaky(int failures) : failures_(failures) {}
  grpc::Status Check(grpc::ServerContext*,
                     const grpc::health::v1::HealthCheckRequest*,
                     grpc::health::v1::HealthCheckResponse* response) override {
    if (calls_.fetch_add(1) < failures_) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "10.0.0.7:50051 down");
    }
    response->set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }
  int calls() const { return calls_.load(); }

 private:
  const int failures_;
  std::atomic<int> calls_{0};
};

// The callback form retries as the blocking one does (its backoff on a
// grpc::Alarm), and rewords the failure it ends with.
TEST(DownstreamTest, AsyncCallRetriesUnavailableThenRewordsTheLastFailure) {
  Flaky flaky(4);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.RegisterService(&flaky);
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub = grpc::health::v1::Health::NewStub(
      NewChannel("127.0.0.1:" + std::to_string(port)));
  server::CallContext call;
  call.call_id = "call-1";
  call.deadline = absl::Now() + absl::Seconds(20);
  DownstreamOptions options;
  options.retry_unavailable = true;
  options.service = "health-service";
  using Response = grpc::health::v1::HealthCheckResponse;
  using AsyncHealth = class grpc::health::v1::Health::Stub::async;
  auto check = [&] {
    return Await<Response>([&](Callback<Response> done) {
      CallUnaryAsync(call, options, stub->async(), &AsyncHealth::Check,
                     grpc::health::v1::HealthCheckRequest(), std::move(done));
    });
  };

  // 3 attempts, each UNAVAILABLE: the last is reworded (no address).
  absl::StatusOr<Response> failed = check();
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(failed.status().message(),
            "health-service is unavailable; retry later");
  EXPECT_EQ(flaky.calls(), 3);
  // The next call's first attempt fails, its retry answers.
  absl::StatusOr<Response> served = check();
  ASSERT_TRUE(served.ok()) << served.status();
  EXPECT_EQ(served->status(), Response::SERVING);
  EXPECT_EQ(flaky.calls(), 5);
  server->Shutdown();
}

}  // namespace
}  // namespace kyodo::common::grpc_client
