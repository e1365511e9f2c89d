// project-service when partner-service is down or hangs: writes that need
// it answer UNAVAILABLE or DEADLINE_EXCEEDED within the caller's deadline and
// write nothing; reads and transitions, which do not need it, go on.
#include <atomic>
#include <thread>

#include "absl/time/clock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "tests/project-service/project_fixture.h"

using kyodo::partner::v1::PartnerService;
using kyodo::project::v1::Participant;
using kyodo::project::v1::Project;
using kyodo::project::v1::ProjectService;
using kyodo::testing::AdminToken;
using kyodo::testing::Context;
using kyodo::testing::Reason;

namespace kyodo::project {
namespace {

// The most a deadline can grow on the wire: gRPC's grpc-timeout header
// rounds up to its unit (milliseconds for these), and the fake reads the
// clock in whole milliseconds.
constexpr int64_t kTimeoutRounding = 2;

// A partner-service that accepts calls and never answers them. It records
// how much time each call had left when it arrived: project-service's
// deadline for it, which no clock measured by the test decides.
class HangingPartnerService final : public PartnerService::Service {
 public:
  grpc::Status BatchGetPartners(
      grpc::ServerContext* context,
      const kyodo::partner::v1::BatchGetPartnersRequest*,
      kyodo::partner::v1::BatchGetPartnersResponse*) override {
    left_ms = absl::ToInt64Milliseconds(absl::FromChrono(context->deadline()) -
                                        absl::Now());
    ++calls;
    while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
    return grpc::Status(grpc::StatusCode::CANCELLED, "gave up");
  }
  std::atomic<int> calls{0};
  std::atomic<int64_t> left_ms{-1};
};

TEST_F(ProjectServiceTest,
       PartnerServiceStoppedMeansUnavailableAndNothingWritten) {
  Project before = CreateOk(UniversityProject());
  partner_service_->Stop();

  Project out;
  grpc::Status status =
      Create(CooperativeProject(), &out, AdminToken(),
             "3f9d2c1e-8a4b-4c6d-9e0f-1a2b3c4d5e6f", absl::Seconds(3));
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::UNAVAILABLE ||
              status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_code() << " " << status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    EXPECT_EQ(Reason(status), "PARTNER_SERVICE_UNAVAILABLE");
  }
  EXPECT_EQ(CountRows("projects"), 1);
  EXPECT_EQ(CountRows("project_participants"), 2);
  EXPECT_EQ(CountRows("request_ids"), 0);
  EXPECT_EQ(CountRows("audit_events"), 1);

  // Changing the parties needs partner-service too.
  Project patch;
  patch.set_name(before.name());
  *patch.add_participants() = Party(university_, Participant::LEAD);
  *patch.add_participants() = Party(bureau_, Participant::CITY);
  status = Update(patch, {"participants"}, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(CountRows("audit_events"), 1);

  // What does not need it goes on.
  EXPECT_TRUE(Get(before.name(), &out).ok());
  EXPECT_EQ(ListNames("").size(), 1u);
  ASSERT_TRUE(Start(before.name(), &out).ok());
  patch.clear_participants();
  patch.set_activities("市民モニターが生ごみの堆肥化に取り組む。");
  EXPECT_TRUE(Update(patch, {"activities"}, &out).ok());
}

TEST_F(ProjectServiceTest,
       HangingPartnerServiceIsDeadlineExceededWithinBudget) {
  HangingPartnerService hanging;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&hanging);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  kyodo::testing::TestDatabase db(TestName() + "_h");
  db.Migrate({common::server::CommonMigrations(), KyodoProjectMigrations()});
  PartnerClient client(
      common::grpc_client::NewChannel(absl::StrCat("127.0.0.1:", port)),
      absl::Milliseconds(800));
  auto service = StartProjectService(db, &client);
  auto stub = ProjectService::NewStub(service->NewChannel());

  v1::CreateProjectRequest request;
  *request.mutable_project() = UniversityProject();
  Project out;
  const absl::Time start = absl::Now();
  grpc::Status status = stub->CreateProject(
      Context(AdminToken(), absl::Seconds(5)).get(), request, &out);
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();
  EXPECT_EQ(Reason(status), "PARTNER_SERVICE_UNAVAILABLE");
  // One attempt of the 800 ms budget, not the caller's 5 s: a hang is not
  // retried.
  EXPECT_GE(took, absl::Milliseconds(700));
  EXPECT_EQ(hanging.calls.load(), 1);
  EXPECT_GE(hanging.left_ms.load(), 0);
  // gRPC sends a deadline as a timeout rounded up to its unit (a
  // millisecond here), so the fake may see up to that much more.
  EXPECT_LE(hanging.left_ms.load(), 800 + kTimeoutRounding);
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM projects"), "0");

  // The caller's own deadline wins when it is shorter than the budget: the
  // hanging call gets no more than what the caller left (500 ms of 800).
  status = stub->CreateProject(
      Context(AdminToken(), absl::Milliseconds(500)).get(), request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_EQ(hanging.calls.load(), 2);
  EXPECT_LE(hanging.left_ms.load(), 500 + kTimeoutRounding);
  service.reset();
  server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
}

TEST_F(ProjectServiceTest, AReplayIsAnsweredEvenWhilePartnerServiceIsDown) {
  constexpr char kId[] = "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
  Project first;
  ASSERT_TRUE(Create(UniversityProject(), &first, AdminToken(), kId).ok());
  partner_service_->Stop();
  Project second;
  grpc::Status status = Create(UniversityProject(), &second, AdminToken(), kId);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  // A new request still needs partner-service.
  EXPECT_EQ(Create(UniversityProject(), &second).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(CountRows("projects"), 1);
}

}  // namespace
}  // namespace kyodo::project
