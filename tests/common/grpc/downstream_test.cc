// common/grpc/downstream.h: the channels the gateway and the services open
// to each other.
#include "common/grpc/downstream.h"

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

}  // namespace
}  // namespace kyodo::common::grpc_client
