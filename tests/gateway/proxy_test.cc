// The gateway's forwarding, against a fake partner-service (a downstream
// fake is the one fake the standards allow, in a gateway unit test).
#include "gateway/proxy.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/grpc/downstream.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/status.h"

namespace kyodo::gateway {
namespace {

using partner::v1::GetPartnerRequest;
using partner::v1::Partner;

// Answers GetPartner with the caller's authorization header as display_name;
// "partners/slow" waits until released; "partners/missing" is NOT_FOUND with
// details.
class FakePartnerService final : public partner::v1::PartnerService::Service {
 public:
  grpc::Status GetPartner(grpc::ServerContext* context,
                          const GetPartnerRequest* request,
                          Partner* response) override {
    if (request->name() == "partners/slow") {
      release_.WaitForNotificationWithTimeout(absl::Seconds(30));
      return grpc::Status::OK;
    }
    if (request->name() == "partners/missing") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "partners/missing not found", "details-bytes");
    }
    auto it = context->client_metadata().find("authorization");
    response->set_name(request->name());
    if (it != context->client_metadata().end()) {
      response->set_display_name(
          std::string(it->second.data(), it->second.size()));
    }
    auto id = context->client_metadata().find("x-request-id");
    if (id != context->client_metadata().end()) {
      response->set_description(
          std::string(id->second.data(), id->second.size()));
    }
    return grpc::Status::OK;
  }
  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }

 private:
  absl::Notification release_;
};

class ProxyTest : public ::testing::Test {
 protected:
  ProxyTest() {
    grpc::ServerBuilder downstream;
    int port = 0;
    downstream.AddListeningPort("127.0.0.1:0",
                                grpc::InsecureServerCredentials(), &port);
    downstream.RegisterService(&fake_);
    downstream_ = downstream.BuildAndStart();
    proxy_ = std::make_unique<Proxy>(
        std::map<std::string, std::shared_ptr<grpc::Channel>>{
            {"kyodo.partner.v1.PartnerService",
             common::grpc_client::NewChannel("127.0.0.1:" +
                                             std::to_string(port))}},
        absl::Seconds(30));
    grpc::ServerBuilder gateway;
    gateway.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &gateway_port_);
    gateway.RegisterCallbackGenericService(proxy_.get());
    gateway_ = gateway.BuildAndStart();
    stub_ = partner::v1::PartnerService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(gateway_port_),
                            grpc::InsecureChannelCredentials()));
  }
  ~ProxyTest() override {
    fake_.Release();
    gateway_->Shutdown();
    downstream_->Shutdown();
  }

  FakePartnerService fake_;
  std::unique_ptr<grpc::Server> downstream_;
  std::unique_ptr<Proxy> proxy_;
  std::unique_ptr<grpc::Server> gateway_;
  int gateway_port_ = 0;
  std::unique_ptr<partner::v1::PartnerService::Stub> stub_;
};

TEST_F(ProxyTest, ForwardsTheRequestTheTokenAndTheRequestId) {
  GetPartnerRequest request;
  request.set_name("partners/abc");
  auto context = kyodo::testing::Context("the-token");
  context->AddMetadata("x-request-id", "trace-123");
  Partner response;
  ASSERT_TRUE(stub_->GetPartner(context.get(), request, &response).ok());
  EXPECT_EQ(response.name(), "partners/abc");
  EXPECT_EQ(response.display_name(), "Bearer the-token");
  EXPECT_EQ(response.description(), "trace-123");
}

TEST_F(ProxyTest, PassesErrorsAndTheirDetailsThrough) {
  GetPartnerRequest request;
  request.set_name("partners/missing");
  Partner response;
  grpc::Status status =
      stub_->GetPartner(kyodo::testing::Context("t").get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "partners/missing not found");
  EXPECT_EQ(status.error_details(), "details-bytes");
}

TEST_F(ProxyTest, UnknownServicesAreUnimplemented) {
  EXPECT_NE(proxy_->Route("/kyodo.partner.v1.PartnerService/GetPartner"),
            nullptr);
  EXPECT_EQ(proxy_->Route("/grpc.testing.Other/Call"), nullptr);
  EXPECT_EQ(proxy_->Route("garbage"), nullptr);
  // Over the wire: a method of no forwarded service.
  grpc::GenericStub stub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(gateway_port_),
                          grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.testing.Other/Call", grpc::StubOptions(),
                 &request, &response, [&](grpc::Status s) {
                   status = s;
                   done.Notify();
                 });
  done.WaitForNotification();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(ProxyTest, SlowDownstreamGivesDeadlineExceededInTimeAndServingGoesOn) {
  GetPartnerRequest slow;
  slow.set_name("partners/slow");
  Partner response;
  const absl::Duration deadline = absl::Milliseconds(500);
  // At its deadline, not when the downstream lets go (never): the call
  // ends, DEADLINE_EXCEEDED.
  grpc::Status status = stub_->GetPartner(
      kyodo::testing::Context("t", deadline).get(), slow, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);

  GetPartnerRequest fast;
  fast.set_name("partners/fast");
  EXPECT_TRUE(
      stub_->GetPartner(kyodo::testing::Context("t").get(), fast, &response)
          .ok());
}

TEST_F(ProxyTest, DeadDownstreamIsUnavailableWithoutInternalAddresses) {
  downstream_->Shutdown();
  GetPartnerRequest request;
  request.set_name("partners/abc");
  Partner response;
  grpc::Status status = stub_->GetPartner(
      kyodo::testing::Context("t", absl::Seconds(2)).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message().find("127.0.0.1"), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("kyodo.partner.v1.PartnerService"),
            std::string::npos);
}

}  // namespace
}  // namespace kyodo::gateway
