// Faults between the gateway and the services, with real processes.
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/grpc/downstream.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "tests/integration/round_fixture.h"
#include "tests/testing/auth.h"
#include "tests/testing/fault_proxy.h"
#include "tests/testing/status.h"

namespace kyodo::integration {
namespace {

using testing::Context;
using testing::Service;

class FaultTest : public RoundTest {
 protected:
  // Each adopted proposal has exactly one project, and it is linked.
  void ExpectOneLinkedProjectEach(const std::vector<std::string>& adopted) {
    for (const std::string& name : adopted) {
      EXPECT_EQ(ProjectsOf(name), 1) << name;
      pv1::GetProposalRequest get;
      get.set_name(name);
      pv1::Proposal p;
      ASSERT_TRUE(
          proposals_->GetProposal(Context(Staff()).get(), get, &p).ok());
      EXPECT_FALSE(p.project().empty()) << name;
    }
  }

  // Gateway.PublishResults as staff would run it after a restart: the
  // gateway's channel may still be in its reconnect backoff (up to 1 s) for
  // a moment, and UNAVAILABLE says "retry later", so it is retried for up
  // to 10 s. Any other failure ends at once.
  grpc::Status PublishAfterRestart(gv1::PublishResultsResponse* response) {
    gv1::PublishResultsRequest publish;
    publish.set_name(call_);
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    for (;;) {
      response->Clear();
      grpc::Status status = gateway_->PublishResults(
          Context(Staff(), absl::Seconds(30)).get(), publish, response);
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE ||
          absl::Now() >= give_up) {
        return status;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

  // The decision (no project yet: they come with publication).
  void Decide() {
    gv1::FinalizeCallRequest finalize;
    finalize.set_name(call_);
    gv1::FinalizeCallResponse response;
    grpc::Status status =
        gateway_->FinalizeCall(Context(Staff()).get(), finalize, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.projects_size(), 0);
  }
};

TEST_F(FaultTest, ProjectServiceKilledDuringPublishThenPublishCompletes) {
  ASSERT_NO_FATAL_FAILURE(PrepareDecidableCall());
  ASSERT_NO_FATAL_FAILURE(Decide());
  // Slow the gateway's road to project-service so PublishResults is still
  // running when project-service dies after its first project.
  testing::FaultProxy proxy(
      std::stoi(cluster_->Address(Service::kProject).substr(10)));
  proxy.SetMode(testing::FaultProxy::Mode::kDelay);
  proxy.SetDelay(absl::Milliseconds(300));
  cluster_->SetExtraFlags(Service::kGateway,
                          {"--project_addr=" + proxy.address()});
  cluster_->Restart(Service::kGateway);
  gateway_ = gv1::Gateway::NewStub(cluster_->Channel(Service::kGateway));
  proposals_ =
      pv1::ProposalService::NewStub(cluster_->Channel(Service::kGateway));

  gv1::PublishResultsRequest publish;
  publish.set_name(call_);
  grpc::Status first;
  absl::Notification done;
  std::thread publisher([&] {
    gv1::PublishResultsResponse response;
    first = gateway_->PublishResults(Context(Staff(), absl::Seconds(30)).get(),
                                     publish, &response);
    done.Notify();
  });
  const testing::TestDatabase& projects = cluster_->Database(Service::kProject);
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (!done.HasBeenNotified() && absl::Now() < give_up &&
         projects.QueryValue(
             "SELECT COUNT(*) FROM projects WHERE source_proposal LIKE '" +
             call_ + "/%'") == "0") {
    absl::SleepFor(absl::Milliseconds(5));
  }
  cluster_->Kill(Service::kProject);
  publisher.join();
  EXPECT_FALSE(first.ok())
      << "PublishResults finished before project-service died";
  EXPECT_TRUE(first.error_code() == grpc::StatusCode::UNAVAILABLE ||
              first.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      << first.error_code() << " " << first.error_message();

  cluster_->Restart(Service::kProject);
  proxy.SetMode(testing::FaultProxy::Mode::kPass);
  gv1::PublishResultsResponse second;
  grpc::Status status = PublishAfterRestart(&second);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(second.call().state(), pv1::Call::PUBLISHED);
  ASSERT_EQ(second.projects_size(), 2);
  ExpectOneLinkedProjectEach(
      {proposal_of_["umikaze"], proposal_of_["himawari"]});
}

TEST_F(FaultTest, ProjectServiceDownAtPublicationThenPublishCompletes) {
  ASSERT_NO_FATAL_FAILURE(PrepareDecidableCall());
  cluster_->Kill(Service::kProject);
  // The decision needs no project-service.
  ASSERT_NO_FATAL_FAILURE(Decide());
  gv1::PublishResultsRequest publish;
  publish.set_name(call_);
  gv1::PublishResultsResponse response;
  grpc::Status status = gateway_->PublishResults(
      Context(Staff(), absl::Seconds(5)).get(), publish, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_EQ(status.error_message().find("127.0.0.1"), std::string::npos);
  // The publication stands; the projects come when project-service is back.
  cluster_->Restart(Service::kProject);
  status = PublishAfterRestart(&response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.projects_size(), 2);
  ExpectOneLinkedProjectEach(
      {proposal_of_["umikaze"], proposal_of_["himawari"]});
  // FinalizeCall again on the published call: the same projects, none new.
  gv1::FinalizeCallRequest finalize;
  finalize.set_name(call_);
  gv1::FinalizeCallResponse again;
  ASSERT_TRUE(
      gateway_->FinalizeCall(Context(Staff()).get(), finalize, &again).ok());
  ASSERT_EQ(again.projects_size(), 2);
  EXPECT_FALSE(again.projects(0).created_now());
  EXPECT_EQ(again.projects(0).project(), response.projects(0).project());
}

TEST_F(FaultTest,
       DelayedDownstreamGivesDeadlineExceededInTimeAndServingGoesOn) {
  testing::FaultProxy proxy(
      std::stoi(cluster_->Address(Service::kPartner).substr(10)));
  cluster_->SetExtraFlags(Service::kGateway,
                          {"--partner_addr=" + proxy.address()});
  cluster_->Restart(Service::kGateway);
  gateway_ = gv1::Gateway::NewStub(cluster_->Channel(Service::kGateway));
  partners_ = partner::v1::PartnerService::NewStub(
      cluster_->Channel(Service::kGateway));
  // Connected first: the fault is a slow service, not a slow handshake.
  partner::v1::GetPartnerRequest warm;
  warm.set_name(Partner("meiji"));
  partner::v1::Partner warmed;
  ASSERT_TRUE(
      partners_->GetPartner(Context(Staff()).get(), warm, &warmed).ok());
  // The answers are held for `delay`; the calls end at their deadline,
  // well before (DEADLINE_EXCEEDED: an answer after the delay would be OK).
  const absl::Duration delay = absl::Seconds(3);
  proxy.SetMode(testing::FaultProxy::Mode::kDelay);
  proxy.SetDelay(delay);

  const absl::Duration deadline = absl::Milliseconds(800);
  // A composed call and a forwarded one.
  gv1::GetPartnerProfileRequest profile;
  profile.set_name(Partner("meiji"));
  gv1::PartnerProfile out;
  grpc::Status status = gateway_->GetPartnerProfile(
      Context(Staff(), deadline).get(), profile, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();

  partner::v1::GetPartnerRequest get;
  get.set_name(Partner("meiji"));
  partner::v1::Partner partner;
  status =
      partners_->GetPartner(Context(Staff(), deadline).get(), get, &partner);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);

  // The gateway keeps serving: other services answer, and partner-service
  // does again once the delay is gone.
  pv1::ListProgrammesRequest list;
  pv1::ListProgrammesResponse programmes;
  EXPECT_TRUE(
      proposals_->ListProgrammes(Context(Staff()).get(), list, &programmes)
          .ok());
  proxy.SetMode(testing::FaultProxy::Mode::kPass);
  status = partners_->GetPartner(Context(Staff(), absl::Seconds(10)).get(), get,
                                 &partner);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(partner.display_name(), "明治大学");
}

// A downstream killed while a call to it is in flight: the caller gets
// UNAVAILABLE (never INTERNAL or UNKNOWN) within its deadline, and the
// gateway keeps serving.
TEST_F(FaultTest, DownstreamKilledMidRequestIsUnavailableAndServingGoesOn) {
  testing::FaultProxy proxy(
      std::stoi(cluster_->Address(Service::kPartner).substr(10)));
  cluster_->SetExtraFlags(Service::kGateway,
                          {"--partner_addr=" + proxy.address()});
  cluster_->Restart(Service::kGateway);
  partners_ = partner::v1::PartnerService::NewStub(
      cluster_->Channel(Service::kGateway));
  gateway_ = gv1::Gateway::NewStub(cluster_->Channel(Service::kGateway));
  partner::v1::GetPartnerRequest get;
  get.set_name(Partner("meiji"));
  partner::v1::Partner partner;
  ASSERT_TRUE(
      partners_->GetPartner(Context(Staff()).get(), get, &partner).ok());

  // Both a forwarded and a composed call are in flight (held by the proxy)
  // when partner-service dies.
  proxy.SetMode(testing::FaultProxy::Mode::kDelay);
  proxy.SetDelay(absl::Milliseconds(1500));
  const absl::Duration deadline = absl::Seconds(5);
  grpc::Status forwarded, composed;
  const int64_t calls_before = proxy.calls_received();
  std::thread a([&] {
    forwarded =
        partners_->GetPartner(Context(Staff(), deadline).get(), get, &partner);
  });
  std::thread b([&] {
    gv1::GetPartnerProfileRequest profile;
    profile.set_name(Partner("meiji"));
    gv1::PartnerProfile out;
    composed = gateway_->GetPartnerProfile(Context(Staff(), deadline).get(),
                                           profile, &out);
  });
  // Both are inside the proxy once it has received their calls (the
  // composed one makes at least one call to partner-service).
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (proxy.calls_received() < calls_before + 2 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));  // polling, not waiting
  }
  EXPECT_GE(proxy.calls_received(), calls_before + 2)
      << "the calls never reached the proxy";
  cluster_->Kill(Service::kPartner);
  proxy.ResetAll();
  a.join();
  b.join();
  // UNAVAILABLE, not DEADLINE_EXCEEDED: they ended when the connection
  // was lost, not at their deadline.
  for (const grpc::Status& status : {forwarded, composed}) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << status.error_message();
  }
  // The gateway still serves the other services.
  pv1::ListProgrammesRequest list;
  pv1::ListProgrammesResponse programmes;
  EXPECT_TRUE(
      proposals_->ListProgrammes(Context(Staff()).get(), list, &programmes)
          .ok());
}

// The connection cut after the commit, before the reply: a retry with the
// same request_id answers OK, with the first answer, and there is one row.
TEST_F(FaultTest, ReplyLostAfterCommitThenRetryWithSameRequestId) {
  testing::FaultProxy proxy(
      std::stoi(cluster_->Address(Service::kPartner).substr(10)));
  auto stub = partner::v1::PartnerService::NewStub(
      common::grpc_client::NewChannel(proxy.address()));
  partner::v1::ListPartnersRequest warm;
  partner::v1::ListPartnersResponse page;
  ASSERT_TRUE(stub->ListPartners(Context(Staff()).get(), warm, &page).ok());
  const std::string before = cluster_->Database(Service::kPartner)
                                 .QueryValue("SELECT COUNT(*) FROM partners");

  partner::v1::CreatePartnerRequest create;
  create.mutable_partner()->set_kind(partner::v1::CIVIC_GROUP);
  create.mutable_partner()->set_display_name("返事の届かない会");
  create.set_request_id(testing::NewRequestId());
  proxy.SetMode(testing::FaultProxy::Mode::kDropReplies);
  partner::v1::Partner lost;
  grpc::Status status = stub->CreatePartner(
      Context(Staff(), absl::Seconds(2)).get(), create, &lost);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  proxy.ResetAll();
  proxy.SetMode(testing::FaultProxy::Mode::kPass);
  // Committed although the caller never heard so.
  EXPECT_EQ(std::stoi(cluster_->Database(Service::kPartner)
                          .QueryValue("SELECT COUNT(*) FROM partners")),
            std::stoi(before) + 1);
  partner::v1::Partner first, again;
  // The client retries as clients do: the old connection is gone, so the
  // first attempt may find it broken (UNAVAILABLE) before reconnecting.
  for (int attempt = 0; attempt < 3; ++attempt) {
    status = stub->CreatePartner(Context(Staff()).get(), create, &first);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
  }
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(stub->CreatePartner(Context(Staff()).get(), create, &again).ok());
  EXPECT_EQ(first.SerializeAsString(), again.SerializeAsString());
  EXPECT_EQ(
      std::stoi(
          cluster_->Database(Service::kPartner)
              .QueryValue("SELECT COUNT(*) FROM partners WHERE display_name = "
                          "'返事の届かない会'")),
      1);
}

// An app with only the gateway's address reaches every method of the three
// services (listed from their descriptors); each service checks the token
// itself, so going around the gateway without one is refused.
TEST_F(FaultTest, EveryServiceMethodIsReachableThroughTheGatewayAndNoneIsOpen) {
  const std::map<std::string, Service> services = {
      {"kyodo.partner.v1.PartnerService", Service::kPartner},
      {"kyodo.project.v1.ProjectService", Service::kProject},
      {"kyodo.proposal.v1.ProposalService", Service::kProposal}};
  int methods = 0;
  for (const auto& [service_name, service] : services) {
    const auto* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            service_name);
    ASSERT_NE(descriptor, nullptr) << service_name;
    for (int i = 0; i < descriptor->method_count(); ++i) {
      const std::string path =
          "/" + service_name + "/" + descriptor->method(i)->name();
      for (const bool through_gateway : {true, false}) {
        grpc::GenericStub stub(
            cluster_->Channel(through_gateway ? Service::kGateway : service));
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(10));
        if (through_gateway) {
          context.AddMetadata("authorization",
                              "Bearer " + testing::AdminToken());
        }
        grpc::Slice empty("");
        grpc::ByteBuffer request(&empty, 1), response;
        absl::Notification done;
        grpc::Status status;
        stub.UnaryCall(&context, path, grpc::StubOptions(), &request, &response,
                       [&](grpc::Status s) {
                         status = s;
                         done.Notify();
                       });
        done.WaitForNotification();
        if (through_gateway) {
          // Reached the service: anything but "no such method" and transport
          // failures (an empty request is mostly INVALID_ARGUMENT).
          EXPECT_NE(status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
              << path;
          EXPECT_NE(status.error_code(), grpc::StatusCode::UNAVAILABLE) << path;
          EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
              << path;
        } else {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
              << path;
        }
      }
      ++methods;
    }
  }
  EXPECT_GT(methods, 60);
}

}  // namespace
}  // namespace kyodo::integration
