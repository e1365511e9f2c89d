// RpcRunner end to end through a tiny in-test service on a ServiceHost.
#include "common/server/rpc.h"

#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "common/server/host.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/common/status_util.h"
#include "tests/testing/auth.h"

namespace kyodo::common::server {
namespace {

using ::kyodo::common::testing::BadRequestField;
using ::kyodo::partner::v1::GetPartnerRequest;
using ::kyodo::partner::v1::Partner;

// GetPartner answers what the test sets; everything else is unimplemented.
class ScriptedService : public kyodo::partner::v1::PartnerService::Service {
 public:
  explicit ScriptedService(const RpcRunner* rpc) : rpc_(rpc) {}

  grpc::Status GetPartner(grpc::ServerContext* context,
                          const GetPartnerRequest* request,
                          Partner* response) override {
    return rpc_->Run(
        context, *request,
        [&](const CallContext& call) {
          std::lock_guard<std::mutex> lock(mu_);
          ++runs_;
          last_ = call;
          log_call_id_ = log::CurrentCallId();
          response->set_name(request->name());
          response->set_display_name(call.principal.subject);
          return result_;
        },
        longest_);
  }

  // The bound GetPartner passes to Run (zero: the server default).
  void set_longest(absl::Duration longest) { longest_ = longest; }

  void set_result(absl::Status result) {
    std::lock_guard<std::mutex> lock(mu_);
    result_ = std::move(result);
  }
  int runs() {
    std::lock_guard<std::mutex> lock(mu_);
    return runs_;
  }
  CallContext last() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }
  std::string log_call_id() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_call_id_;
  }

 private:
  const RpcRunner* rpc_;
  std::mutex mu_;
  absl::Status result_;
  int runs_ = 0;
  absl::Duration longest_ = absl::ZeroDuration();
  CallContext last_;
  std::string log_call_id_;
};

class RpcRunnerTest : public ::testing::Test {
 protected:
  RpcRunnerTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2026, 6, 1, 10, 0, 0),
                               absl::UTCTimeZone())),
        verifier_(*auth::TokenVerifier::Create(
            ::kyodo::testing::TestVerifierOptions())),
        rpc_("kyodo.test", verifier_.get(), &clock_, absl::Seconds(30)),
        service_(&rpc_) {
    rpc_.set_observer([this](absl::string_view method, absl::StatusCode code,
                             absl::Duration) {
      std::lock_guard<std::mutex> lock(mu_);
      observed_.push_back(
          absl::StrCat(method, " ", absl::StatusCodeToString(code)));
    });
    HostOptions options;
    options.drain = absl::ZeroDuration();
    options.grace = absl::Seconds(2);
    host_ = *ServiceHost::Start(options, {&service_});
    stub_ = kyodo::partner::v1::PartnerService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", host_->port()),
                            grpc::InsecureChannelCredentials()));
  }
  ~RpcRunnerTest() override { host_->Stop(); }

  struct Answer {
    grpc::Status status;
    Partner partner;
    std::string request_id_header;
  };

  Answer Get(const std::string& token, const std::string& name,
             const std::string& x_request_id = "",
             absl::Duration deadline = absl::Seconds(20)) {
    auto context = ::kyodo::testing::Context(token, deadline);
    if (!x_request_id.empty())
      context->AddMetadata("x-request-id", x_request_id);
    GetPartnerRequest request;
    request.set_name(name);
    Answer answer;
    answer.status = stub_->GetPartner(context.get(), request, &answer.partner);
    auto it = context->GetServerInitialMetadata().find("x-request-id");
    if (it != context->GetServerInitialMetadata().end()) {
      answer.request_id_header =
          std::string(it->second.data(), it->second.size());
    }
    return answer;
  }

  std::vector<std::string> Observed() {
    std::lock_guard<std::mutex> lock(mu_);
    return observed_;
  }

  FakeClock clock_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  RpcRunner rpc_;
  ScriptedService service_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<kyodo::partner::v1::PartnerService::Stub> stub_;
  std::mutex mu_;
  std::vector<std::string> observed_;
};

TEST_F(RpcRunnerTest, AuthenticatedCallReachesTheBody) {
  const absl::Time before = absl::Now();
  Answer a = Get(::kyodo::testing::WardStaffToken(kyodo::type::v1::TAMA, "s-7"),
                 "partners/abc", "trace-123");
  ASSERT_TRUE(a.status.ok()) << a.status.error_message();
  EXPECT_EQ(a.partner.name(), "partners/abc");
  EXPECT_EQ(a.partner.display_name(), "s-7");
  EXPECT_EQ(a.request_id_header, "trace-123");
  EXPECT_EQ(service_.runs(), 1);
  const CallContext call = service_.last();
  EXPECT_EQ(call.method, "GetPartner");
  EXPECT_EQ(call.call_id, "trace-123");
  EXPECT_EQ(service_.log_call_id(), "trace-123");
  EXPECT_EQ(call.principal.role, auth::Role::kWardStaff);
  EXPECT_EQ(call.principal.ward, kyodo::type::v1::TAMA);
  EXPECT_EQ(call.start, clock_.Now());  // the service clock
  // The caller's deadline (20 s, sent rounded) caps the server default
  // (30 s).
  EXPECT_GT(call.deadline, before + absl::Seconds(15));
  EXPECT_LT(call.deadline, absl::Now() + absl::Seconds(25));
  EXPECT_EQ(Observed(), std::vector<std::string>{"GetPartner OK"});

  const audit::Actor actor = call.AuditActor("req-1");
  EXPECT_EQ(actor.subject, "s-7");
  EXPECT_EQ(actor.role, "ward_staff");
  EXPECT_EQ(actor.method, "GetPartner");
  EXPECT_EQ(actor.call_id, "trace-123");
  EXPECT_EQ(actor.request_id, "req-1");
  EXPECT_EQ(actor.time, call.start);
}

TEST_F(RpcRunnerTest, ServerDefaultCapsLongerDeadlines) {
  const absl::Time before = absl::Now();
  Answer a =
      Get(::kyodo::testing::AdminToken(), "partners/abc", "", absl::Hours(1));
  ASSERT_TRUE(a.status.ok()) << a.status.error_message();
  const CallContext call = service_.last();
  EXPECT_GE(call.deadline, before + absl::Seconds(29));
  EXPECT_LE(call.deadline, absl::Now() + absl::Seconds(30));
}

// A long stream passes its own bound: the caller's longer deadline is kept
// up to it, and a shorter one still applies.
TEST_F(RpcRunnerTest, ALongCallGetsItsOwnBound) {
  service_.set_longest(absl::Minutes(10));
  absl::Time before = absl::Now();
  Answer a =
      Get(::kyodo::testing::AdminToken(), "partners/abc", "", absl::Hours(1));
  ASSERT_TRUE(a.status.ok()) << a.status.error_message();
  CallContext call = service_.last();
  EXPECT_GE(call.deadline, before + absl::Minutes(10) - absl::Seconds(1));
  EXPECT_LE(call.deadline, absl::Now() + absl::Minutes(10));
  before = absl::Now();
  a = Get(::kyodo::testing::AdminToken(), "partners/abc", "", absl::Minutes(2));
  ASSERT_TRUE(a.status.ok()) << a.status.error_message();
  call = service_.last();
  EXPECT_GT(call.deadline, before + absl::Seconds(115));
  EXPECT_LT(call.deadline, absl::Now() + absl::Seconds(125));
}

TEST_F(RpcRunnerTest, UnusableRequestIdGetsAFreshCallId) {
  Answer a = Get(::kyodo::testing::AdminToken(), "partners/abc",
                 "has spaces; and {braces}");
  ASSERT_TRUE(a.status.ok());
  EXPECT_EQ(a.request_id_header.size(), 16u);
  EXPECT_EQ(service_.last().call_id, a.request_id_header);
  Answer b = Get(::kyodo::testing::AdminToken(), "partners/abc",
                 std::string(65, 'a'));  // too long
  EXPECT_EQ(b.request_id_header.size(), 16u);
  EXPECT_NE(b.request_id_header, a.request_id_header);
  Answer c = Get(::kyodo::testing::AdminToken(), "partners/abc");  // none
  EXPECT_EQ(c.request_id_header.size(), 16u);
  EXPECT_NE(c.request_id_header, b.request_id_header);
  Answer d = Get(::kyodo::testing::AdminToken(), "partners/abc",
                 std::string(64, 'a'));  // the longest usable
  EXPECT_EQ(d.request_id_header, std::string(64, 'a'));
}

TEST_F(RpcRunnerTest, MissingOrBadTokenIsUnauthenticated) {
  for (const std::string& token :
       {std::string(), std::string("not-a-token"),
        ::kyodo::testing::TokenFor({"u", auth::Role::kAdmin},
                                   -absl::Hours(1))}) {
    Answer a = Get(token, "partners/abc");
    EXPECT_EQ(a.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    absl::Status back = FromGrpcStatus(a.status);
    EXPECT_EQ(GetErrorInfo(back)->domain(), "kyodo.test");
    EXPECT_EQ(GetErrorInfo(back)->metadata().at("call_id"),
              a.request_id_header);
  }
  EXPECT_EQ(service_.runs(), 0);
  EXPECT_EQ(Observed().size(), 3u);
}

TEST_F(RpcRunnerTest, ScreenerTokenReachesOnlyItsMethods) {
  const std::string screener =
      ::kyodo::testing::TokenFor({"gateway", auth::Role::kScreener});
  // No method allowed: refused before the body, whatever the request.
  Answer refused = Get(screener, "partners/abc");
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(refused.status.error_message(),
                                "screener may only screen"));
  EXPECT_EQ(service_.runs(), 0);
  // A service that lets it call GetPartner (as proposal-service lets it
  // call ScreenProposal) runs the body.
  rpc_.set_screener_methods({"GetPartner"});
  Answer allowed = Get(screener, "partners/abc");
  ASSERT_TRUE(allowed.status.ok()) << allowed.status.error_message();
  EXPECT_EQ(service_.last().principal.role, auth::Role::kScreener);
  // Other roles are not affected by the list.
  EXPECT_TRUE(Get(::kyodo::testing::AdminToken(), "partners/abc").status.ok());
}

TEST_F(RpcRunnerTest, NotifierTokenReachesOnlyItsMethods) {
  const std::string notifier =
      ::kyodo::testing::TokenFor({"notifier", auth::Role::kNotifier});
  Answer refused = Get(notifier, "partners/abc");
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(refused.status.error_message(),
                                "notifier may only follow"));
  EXPECT_EQ(service_.runs(), 0);
  // The screener's list does not open a method to the notifier.
  rpc_.set_screener_methods({"GetPartner"});
  EXPECT_EQ(Get(notifier, "partners/abc").status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(service_.runs(), 0);
  rpc_.set_notifier_methods({"GetPartner"});
  Answer allowed = Get(notifier, "partners/abc");
  ASSERT_TRUE(allowed.status.ok()) << allowed.status.error_message();
  EXPECT_EQ(service_.last().principal.role, auth::Role::kNotifier);
}

TEST_F(RpcRunnerTest, InvalidRequestIsRefusedBeforeTheBody) {
  Answer a = Get(::kyodo::testing::AdminToken(), "partners/\xFF");
  EXPECT_EQ(a.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  absl::Status back = FromGrpcStatus(a.status);
  EXPECT_EQ(BadRequestField(back), "name");
  EXPECT_EQ(ErrorReason(back), "INVALID_UTF8");
  EXPECT_EQ(service_.runs(), 0);
}

TEST_F(RpcRunnerTest, InternalErrorsAreWithheldButQuoted) {
  service_.set_result(absl::InternalError("mysql error near SELECT secret"));
  Answer a = Get(::kyodo::testing::AdminToken(), "partners/abc", "trace-9");
  EXPECT_EQ(a.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_FALSE(absl::StrContains(a.status.error_message(), "secret"));
  EXPECT_TRUE(absl::StrContains(a.status.error_message(), "trace-9"));
  EXPECT_EQ(Observed(), std::vector<std::string>{"GetPartner INTERNAL"});

  service_.set_result(NotFoundError("partners/abc"));
  Answer b = Get(::kyodo::testing::AdminToken(), "partners/abc");
  EXPECT_EQ(b.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(b.status)), "NOT_FOUND");
}

TEST(MethodOfTest, StripsRequest) {
  EXPECT_EQ(MethodOf(GetPartnerRequest()), "GetPartner");
  EXPECT_EQ(MethodOf(kyodo::type::v1::ListAuditEventsRequest()),
            "ListAuditEvents");
  EXPECT_EQ(MethodOf(Partner()), "Partner");
}

}  // namespace
}  // namespace kyodo::common::server
