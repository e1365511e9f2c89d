// The composed views' fan-outs (gateway/fan_out.h) through a real gateway
// server, against fake downstream services (the one fake the standards
// allow, in a gateway unit test) that hold the calls they get until as many
// as a fan-out makes are held at once: a view that made its calls one after
// another would never get its first answer and would fail by the
// downstream deadline. No test waits for time to pass.
#include "gateway/fan_out.h"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/token.h"
#include "common/grpc/downstream.h"
#include "common/log/trace.h"
#include "common/server/rpc.h"
#include "common/time/clock.h"
#include "gateway/service.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "tests/testing/auth.h"
#include "tests/testing/status.h"

namespace kyodo::gateway {
namespace {

namespace gv1 = gateway::v1;
namespace pav1 = partner::v1;
namespace prv1 = project::v1;
namespace pov1 = proposal::v1;

// What every downstream call carried.
struct Carried {
  std::string authorization;
  std::string request_id;
  std::string traceparent;
};

std::string Header(const grpc::CallbackServerContext* context,
                   const std::string& key) {
  auto it = context->client_metadata().find(key);
  if (it == context->client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// Holds the calls it is given until `release_at` of them are held at once
// (or until Release()); from then on it answers at once. Calls the caller
// cancels (or whose deadline passes) are counted and ended.
class Gate {
 public:
  class Held final : public grpc::ServerUnaryReactor {
   public:
    Held(Gate* gate, std::function<void()> fill)
        : gate_(gate), fill_(std::move(fill)) {}
    void OnCancel() override { gate_->Cancelled(this); }
    void OnDone() override { delete this; }
    void Answer() {
      fill_();
      Finish(grpc::Status::OK);
    }

   private:
    Gate* gate_;
    std::function<void()> fill_;
  };

  explicit Gate(int release_at) : release_at_(release_at) {}

  // The reactor of a fake's method: answers with `fill` once released.
  grpc::ServerUnaryReactor* Hold(grpc::CallbackServerContext* context,
                                 std::function<void()> fill) {
    auto* call = new Held(this, std::move(fill));
    std::vector<Held*> answer;
    {
      absl::MutexLock lock(&mu_);
      carried_.push_back({Header(context, "authorization"),
                          Header(context, "x-request-id"),
                          Header(context, "traceparent")});
      ++arrived_;
      if (released_) {
        answer.push_back(call);
      } else {
        held_.push_back(call);
        if (static_cast<int>(held_.size()) >= release_at_) {
          released_ = true;
          answer.swap(held_);
        }
      }
    }
    for (Held* h : answer) h->Answer();
    return call;
  }

  void Release() {
    std::vector<Held*> answer;
    {
      absl::MutexLock lock(&mu_);
      released_ = true;
      answer.swap(held_);
    }
    for (Held* h : answer) h->Answer();
  }

  // Waits until `n` calls are held at once; false after `timeout`.
  bool WaitHeld(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return static_cast<int>(held_.size()) >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
  // Waits until `n` held calls have been cancelled; false after `timeout`.
  bool WaitCancelled(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return cancelled_ >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

  int arrived() {
    absl::MutexLock lock(&mu_);
    return arrived_;
  }
  std::vector<Carried> carried() {
    absl::MutexLock lock(&mu_);
    return carried_;
  }

 private:
  void Cancelled(Held* call) {
    bool was_held = false;
    {
      absl::MutexLock lock(&mu_);
      auto it = std::find(held_.begin(), held_.end(), call);
      if (it != held_.end()) {
        held_.erase(it);
        ++cancelled_;
        was_held = true;
      }
    }
    if (was_held) call->Finish(grpc::Status::CANCELLED);
  }

  const int release_at_;
  absl::Mutex mu_;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Held*> held_ ABSL_GUARDED_BY(mu_);
  int arrived_ ABSL_GUARDED_BY(mu_) = 0;
  int cancelled_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Carried> carried_ ABSL_GUARDED_BY(mu_);
};

// The fakes. Every method the views fan out to goes through the gate;
// GetProject (the dossier's first step when it has no guess) only when
// asked to. ListProjects
// answers in two pages, so paging runs on the callback API too.
class FakePartners final : public pav1::PartnerService::CallbackService {
 public:
  explicit FakePartners(Gate** gate) : gate_(gate) {}
  grpc::ServerUnaryReactor* GetPartner(grpc::CallbackServerContext* context,
                                       const pav1::GetPartnerRequest* request,
                                       pav1::Partner* response) override {
    return (*gate_)->Hold(context,
                          [=] { response->set_name(request->name()); });
  }
  grpc::ServerUnaryReactor* BatchGetPartners(
      grpc::CallbackServerContext* context,
      const pav1::BatchGetPartnersRequest* request,
      pav1::BatchGetPartnersResponse* response) override {
    {
      absl::MutexLock lock(&mu_);
      batches_.emplace_back(request->names().begin(), request->names().end());
      for (const auto& name : request->names()) {
        if (name != gone) continue;
        // As partner-service: one unknown name fails the whole batch.
        auto* reactor = context->DefaultReactor();
        reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, name));
        return reactor;
      }
    }
    return (*gate_)->Hold(context, [=] {
      for (const auto& name : request->names())
        response->add_partners()->set_name(name);
    });
  }
  grpc::ServerUnaryReactor* ListAgreements(
      grpc::CallbackServerContext* context, const pav1::ListAgreementsRequest*,
      pav1::ListAgreementsResponse* response) override {
    return (*gate_)->Hold(context, [=] {
      response->add_agreements()->set_name("partners/a/agreements/1");
    });
  }
  grpc::ServerUnaryReactor* ListNetworks(
      grpc::CallbackServerContext* context, const pav1::ListNetworksRequest*,
      pav1::ListNetworksResponse* response) override {
    return (*gate_)->Hold(
        context, [=] { response->add_networks()->set_name("networks/n"); });
  }

  // The names each BatchGetPartners asked for, in order.
  std::vector<std::vector<std::string>> batches() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }
  // A partner that no longer exists (set before the calls).
  std::string gone;

 private:
  Gate** gate_;
  absl::Mutex mu_;
  std::vector<std::vector<std::string>> batches_ ABSL_GUARDED_BY(mu_);
};

class FakeProjects final : public prv1::ProjectService::CallbackService {
 public:
  explicit FakeProjects(Gate** gate) : gate_(gate) {}
  grpc::ServerUnaryReactor* GetProject(grpc::CallbackServerContext* context,
                                       const prv1::GetProjectRequest* request,
                                       prv1::Project* response) override {
    auto fill = [=, parties = parties] {
      response->set_name(request->name());
      for (const auto& p : parties)
        response->add_participants()->set_partner(p);
      response->set_source_proposal("programmes/p/calls/c/proposals/x");
    };
    if (gate_get) return (*gate_)->Hold(context, fill);
    fill();
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // The project's participants, and whether GetProject goes through the
  // gate (the dossier's guessed round) or answers at once (its first
  // round without a guess). Set before the calls.
  std::vector<std::string> parties = {"partners/a", "partners/b"};
  bool gate_get = false;
  grpc::ServerUnaryReactor* ListProjects(
      grpc::CallbackServerContext* context,
      const prv1::ListProjectsRequest* request,
      prv1::ListProjectsResponse* response) override {
    const bool first = request->page_token().empty();
    const int extra = first ? extra_on_first_page : 0;
    const bool next = first && !one_page;
    return (*gate_)->Hold(context, [=] {
      auto* p = response->add_projects();
      p->set_name(first ? "projects/1" : "projects/2");
      for (int i = 0; i < extra; ++i) {
        response->add_projects()->set_name(absl::StrCat("projects/x", i));
      }
      if (next) response->set_next_page_token("2");
    });
  }
  // Projects added to the first page (a partner with many).
  int extra_on_first_page = 0;
  // The first page is the last (no token).
  bool one_page = false;
  // The active projects (two), or the year's: one ACTIVE with a
  // consignment and a CANCELLED one whose consignment is not committed.
  grpc::ServerUnaryReactor* SummarizeProjects(
      grpc::CallbackServerContext* context,
      const prv1::SummarizeProjectsRequest* request,
      prv1::ProjectSummary* response) override {
    const bool active = absl::StrContains(request->filter(), "state = ACTIVE");
    return (*gate_)->Hold(context, [=] {
      auto* state = response->add_states();
      state->set_state(prv1::Project::ACTIVE);
      state->set_count(active ? 2 : 1);
      if (active) return;
      auto* form = state->add_contributions();
      form->set_form(prv1::CONSIGNMENT);
      form->set_count(1);
      form->set_amount_yen(300000);
      auto* cancelled = response->add_states();
      cancelled->set_state(prv1::Project::CANCELLED);
      cancelled->set_count(1);
      auto* lost = cancelled->add_contributions();
      lost->set_form(prv1::CONSIGNMENT);
      lost->set_count(1);
      lost->set_amount_yen(999);
    });
  }

 private:
  Gate** gate_;
};

class FakeProposals final : public pov1::ProposalService::CallbackService {
 public:
  explicit FakeProposals(Gate** gate) : gate_(gate) {}
  grpc::ServerUnaryReactor* GetProposal(grpc::CallbackServerContext* context,
                                        const pov1::GetProposalRequest* request,
                                        pov1::Proposal* response) override {
    return (*gate_)->Hold(context,
                          [=] { response->set_name(request->name()); });
  }
  grpc::ServerUnaryReactor* ListProposals(
      grpc::CallbackServerContext* context, const pov1::ListProposalsRequest*,
      pov1::ListProposalsResponse* response) override {
    return (*gate_)->Hold(context, [=] {
      response->add_proposals()->set_state(pov1::Proposal::SUBMITTED);
    });
  }
  grpc::ServerUnaryReactor* SummarizeProposals(
      grpc::CallbackServerContext* context,
      const pov1::SummarizeProposalsRequest*,
      pov1::ProposalSummary* response) override {
    return (*gate_)->Hold(context, [=] {
      auto* total = response->add_states();
      total->set_state(pov1::Proposal::SUBMITTED);
      total->set_count(1);
      total->set_requested_yen(500000);
    });
  }
  grpc::ServerUnaryReactor* ListCalls(
      grpc::CallbackServerContext* context, const pov1::ListCallsRequest*,
      pov1::ListCallsResponse* response) override {
    return (*gate_)->Hold(context, [=] {
      response->add_calls()->set_name("programmes/p/calls/c");
    });
  }

 private:
  Gate** gate_;
};

constexpr absl::Duration kWait = absl::Seconds(20);

class FanOutTest : public ::testing::Test {
 protected:
  // `release_at`: the calls the gate holds before it answers them all;
  // `max_calls`: the gateway's --max_fanout_calls; `budget`: its
  // --downstream_budget.
  void Start(int release_at, int max_calls = 256,
             absl::Duration budget = absl::Seconds(5)) {
    gate_storage_ = std::make_unique<Gate>(release_at);
    gate_ = gate_storage_.get();
    grpc::ServerBuilder downstream;
    int port = 0;
    downstream.AddListeningPort("127.0.0.1:0",
                                grpc::InsecureServerCredentials(), &port);
    downstream.RegisterService(&partners_);
    downstream.RegisterService(&projects_);
    downstream.RegisterService(&proposals_);
    downstream_ = downstream.BuildAndStart();
    ASSERT_NE(downstream_, nullptr);
    auto channel =
        common::grpc_client::NewChannel("127.0.0.1:" + std::to_string(port));
    common::grpc_client::DownstreamOptions reads;
    reads.budget = budget;
    reads.retry_unavailable = true;
    partner_client_ = std::make_unique<PartnerClient>(channel, reads);
    project_client_ = std::make_unique<ProjectClient>(channel, reads, reads);
    proposal_client_ = std::make_unique<ProposalClient>(
        channel, reads, reads, [] { return std::string("unused"); });
    limit_ = std::make_unique<FanOutLimit>(max_calls);
    hints_ = std::make_unique<DossierHints>(1 << 20);
    auto verifier =
        common::auth::TokenVerifier::Create(testing::TestVerifierOptions());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
    rpc_ = std::make_unique<common::server::RpcRunner>(
        "kyodo.gateway", verifier_.get(), &common::Clock::Real(),
        absl::Seconds(60));
    service_ = std::make_unique<GatewayServiceImpl>(
        GatewayDeps{partner_client_.get(), project_client_.get(),
                    proposal_client_.get(), &common::Clock::Real(), "key",
                    limit_.get(), absl::ZeroDuration(), hints_.get()},
        rpc_.get());
    grpc::ServerBuilder gateway;
    int gateway_port = 0;
    gateway.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &gateway_port);
    gateway.RegisterService(service_.get());
    gateway_ = gateway.BuildAndStart();
    ASSERT_NE(gateway_, nullptr);
    stub_ = gv1::Gateway::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(gateway_port),
                            grpc::InsecureChannelCredentials()));
  }

  ~FanOutTest() override {
    if (gate_ != nullptr) gate_->Release();
    const auto now = absl::ToChronoTime(absl::Now() + absl::Seconds(5));
    if (gateway_ != nullptr) gateway_->Shutdown(now);
    if (downstream_ != nullptr) downstream_->Shutdown(now);
  }

  grpc::Status Dashboard(grpc::ClientContext* context,
                         gv1::WardDashboard* out = nullptr) {
    gv1::GetWardDashboardRequest request;
    request.set_ward(type::v1::KAWASAKI);
    request.set_fiscal_year(2026);
    gv1::WardDashboard ignored;
    return stub_->GetWardDashboard(context, request,
                                   out != nullptr ? out : &ignored);
  }
  grpc::Status Profile(grpc::ClientContext* context,
                       gv1::PartnerProfile* out = nullptr) {
    gv1::GetPartnerProfileRequest request;
    request.set_name("partners/a");
    gv1::PartnerProfile ignored;
    return stub_->GetPartnerProfile(context, request,
                                    out != nullptr ? out : &ignored);
  }
  // A new gate for the calls from here on (the released one is kept: its
  // reactors may still be ending).
  void NewGate(int release_at) {
    spent_gates_.push_back(std::move(gate_storage_));
    gate_storage_ = std::make_unique<Gate>(release_at);
    gate_ = gate_storage_.get();
  }
  grpc::Status Dossier(gv1::ProjectDossier* out) {
    gv1::GetProjectDossierRequest request;
    request.set_name("projects/1");
    return stub_->GetProjectDossier(Staff().get(), request, out);
  }
  static std::vector<std::string> Parties(const gv1::ProjectDossier& d) {
    std::vector<std::string> names;
    for (const auto& p : d.parties()) names.push_back(p.name());
    return names;
  }

  std::unique_ptr<grpc::ClientContext> Staff() {
    return testing::Context(testing::WardStaffToken(type::v1::KAWASAKI));
  }

  // Every downstream call carried the caller's token and request id, and a
  // span of the caller's trace.
  void ExpectForwarded(const std::string& token, const std::string& request_id,
                       const std::string& trace_id) {
    for (const Carried& c : gate_->carried()) {
      EXPECT_EQ(c.authorization, "Bearer " + token);
      EXPECT_EQ(c.request_id, request_id);
      auto span = common::log::ParseTraceparent(c.traceparent);
      ASSERT_TRUE(span.has_value()) << c.traceparent;
      EXPECT_EQ(span->trace_id, trace_id);
    }
  }

  Gate* gate_ = nullptr;
  std::unique_ptr<Gate> gate_storage_;
  std::vector<std::unique_ptr<Gate>> spent_gates_;
  FakePartners partners_{&gate_};
  FakeProjects projects_{&gate_};
  FakeProposals proposals_{&gate_};
  std::unique_ptr<grpc::Server> downstream_;
  std::unique_ptr<PartnerClient> partner_client_;
  std::unique_ptr<ProjectClient> project_client_;
  std::unique_ptr<ProposalClient> proposal_client_;
  std::unique_ptr<FanOutLimit> limit_;
  std::unique_ptr<DossierHints> hints_;
  std::unique_ptr<common::auth::TokenVerifier> verifier_;
  std::unique_ptr<common::server::RpcRunner> rpc_;
  std::unique_ptr<GatewayServiceImpl> service_;
  std::unique_ptr<grpc::Server> gateway_;
  std::unique_ptr<gv1::Gateway::Stub> stub_;
};

constexpr char kTrace[] = "0af7651916cd43dd8448eb211c80319c";

TEST_F(FanOutTest, DashboardMakesItsFiveCallsAtOnce) {
  Start(/*release_at=*/5);
  const std::string token = testing::WardStaffToken(type::v1::KAWASAKI);
  auto context = testing::Context(token);
  context->AddMetadata("x-request-id", "dashboard-call-1");
  context->AddMetadata("traceparent",
                       absl::StrCat("00-", kTrace, "-b7ad6b7169203331-01"));
  gv1::WardDashboard out;
  grpc::Status status = Dashboard(context.get(), &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.open_calls_size(), 1);
  ASSERT_EQ(out.proposals_by_state_size(), 1);
  EXPECT_EQ(out.proposals_by_state(0).count(), 1);
  EXPECT_EQ(out.proposals_by_state(0).state(), "SUBMITTED");
  // Both pages of the active projects, and their count from the summary.
  ASSERT_EQ(out.active_projects_size(), 2);
  EXPECT_EQ(out.active_projects(1).name(), "projects/2");
  EXPECT_EQ(out.active_project_count(), 2);
  // The year's consignments, but the cancelled project's.
  EXPECT_EQ(out.committed_yen(), 300000);
  // 5 first calls (the open calls, the proposals' summary, the active
  // projects, their count, the year's summary) and ListProjects' second page.
  EXPECT_EQ(gate_->arrived(), 6);
  ExpectForwarded(token, "dashboard-call-1", kTrace);
  EXPECT_EQ(limit_->in_flight(), 0);
  EXPECT_TRUE(out.truncated().empty());
}

TEST_F(FanOutTest, ProfileMakesItsFiveCallsAtOnce) {
  Start(/*release_at=*/5);
  gv1::PartnerProfile out;
  grpc::Status status = Profile(Staff().get(), &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.partner().name(), "partners/a");
  EXPECT_EQ(out.agreements_size(), 1);
  EXPECT_EQ(out.networks_size(), 1);
  EXPECT_EQ(out.projects_size(), 2);
  EXPECT_EQ(out.proposals_size(), 1);
  EXPECT_TRUE(out.truncated().empty());
}

// A list longer than a view shows is cut at 500 and named in `truncated`,
// never cut silently.
TEST_F(FanOutTest, AProfileSaysWhichListsItCut) {
  // 501 projects: a full first page of 500 with a token for the next.
  projects_.extra_on_first_page = 499;
  Start(/*release_at=*/5);
  gv1::PartnerProfile out;
  grpc::Status status = Profile(Staff().get(), &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.projects_size(), 500);
  EXPECT_EQ(out.projects(0).name(), "projects/1");
  EXPECT_EQ(out.agreements_size(), 1);
  ASSERT_EQ(out.truncated_size(), 1);
  EXPECT_EQ(out.truncated(0), "projects");
  // The dashboard's active projects, cut at one page of 100: 101 on the
  // first page alone.
  projects_.extra_on_first_page = 100;
  gv1::WardDashboard board;
  status = Dashboard(Staff().get(), &board);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(board.active_projects_size(), 100);
  ASSERT_EQ(board.truncated_size(), 1);
  EXPECT_EQ(board.truncated(0), "active_projects");
  // Exactly 500, all on the last page: whole, nothing named.
  projects_.extra_on_first_page = 499;
  projects_.one_page = true;
  gv1::PartnerProfile whole;
  status = Profile(Staff().get(), &whole);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(whole.projects_size(), 500);
  EXPECT_TRUE(whole.truncated().empty());
}

TEST_F(FanOutTest, DossierGetsPartiesAndSourceProposalAtOnce) {
  Start(/*release_at=*/2);
  gv1::GetProjectDossierRequest request;
  request.set_name("projects/1");
  gv1::ProjectDossier out;
  grpc::Status status = stub_->GetProjectDossier(Staff().get(), request, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(out.parties_size(), 2);
  EXPECT_EQ(out.parties(1).name(), "partners/b");
  EXPECT_EQ(out.source_proposal().name(), "programmes/p/calls/c/proposals/x");
}

// Read again, the dossier asks for the project, its parties and its
// proposal in one round: the gate answers none of the three until all are
// in flight. When the project's parties have changed since, the dossier
// still shows the project's own, in its order, and asks for the new one
// alone in a second round; the next read is one round again.
TEST_F(FanOutTest, ADossierReadAgainTakesOneRound) {
  Start(/*release_at=*/2);
  gv1::ProjectDossier cold;
  grpc::Status status = Dossier(&cold);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Parties(cold),
            (std::vector<std::string>{"partners/a", "partners/b"}));

  projects_.gate_get = true;
  NewGate(/*release_at=*/3);
  gv1::ProjectDossier warm;
  status = Dossier(&warm);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(gate_->arrived(), 3);
  EXPECT_EQ(Parties(warm), Parties(cold));
  EXPECT_EQ(warm.source_proposal().name(), "programmes/p/calls/c/proposals/x");
  EXPECT_EQ(warm.project().name(), "projects/1");

  projects_.parties = {"partners/c", "partners/a"};
  NewGate(/*release_at=*/3);
  gv1::ProjectDossier changed;
  status = Dossier(&changed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Parties(changed),
            (std::vector<std::string>{"partners/c", "partners/a"}));
  EXPECT_EQ(gate_->arrived(), 4);  // the three, then partners/c alone
  EXPECT_EQ(partners_.batches().back(), std::vector<std::string>{"partners/c"});

  NewGate(/*release_at=*/3);
  gv1::ProjectDossier again;
  status = Dossier(&again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(gate_->arrived(), 3);
  EXPECT_EQ(Parties(again), Parties(changed));
  EXPECT_EQ(partners_.batches().back(),
            (std::vector<std::string>{"partners/c", "partners/a"}));
}

// A guess that fails (a partner the project no longer names was deleted)
// counts for nothing: the dossier asks again for the project's parties and
// answers as if there had been no guess.
TEST_F(FanOutTest, AFailedGuessIsAskedAgain) {
  Start(/*release_at=*/2);
  gv1::ProjectDossier first;
  grpc::Status status = Dossier(&first);
  ASSERT_TRUE(status.ok()) << status.error_message();

  projects_.parties = {"partners/a"};
  partners_.gone = "partners/b";
  gv1::ProjectDossier out;
  status = Dossier(&out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Parties(out), std::vector<std::string>{"partners/a"});
  const auto batches = partners_.batches();
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[1], (std::vector<std::string>{"partners/a", "partners/b"}));
  EXPECT_EQ(batches[2], std::vector<std::string>{"partners/a"});

  // A party that is gone from the project it still names fails the
  // dossier, as it did before any guess.
  projects_.parties = {"partners/a", "partners/b"};
  status = Dossier(&out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
      << status.error_message();
}

// The guesses are bounded by their memory: never more than the budget, the
// least recently used dropped first, a guess found again kept.
TEST(DossierHintsTest, KeepsWithinItsBudgetAndWhatIsReadAgain) {
  auto hint = [](const std::string& party) {
    return DossierHints::Hint{{party}, ""};
  };
  // Room for two hints a generation (and a few bytes more).
  const std::size_t one = DossierHints::Cost("projects/a", hint("partners/a"));
  const std::size_t budget = 4 * one + 8;
  DossierHints hints(budget);
  hints.Put("projects/a", hint("partners/a"));
  hints.Put("projects/b", hint("partners/b"));
  hints.Put("projects/c", hint("partners/c"));
  ASSERT_TRUE(hints.Find("projects/a").has_value());  // read again: kept
  hints.Put("projects/d", hint("partners/d"));
  hints.Put("projects/a", hint("partners/a2"));  // replaced, not added
  EXPECT_LE(hints.bytes(), budget);
  EXPECT_EQ(hints.size(), 3u);
  EXPECT_FALSE(hints.Find("projects/b").has_value());
  EXPECT_EQ(hints.Find("projects/a").value_or(DossierHints::Hint{}).parties,
            std::vector<std::string>{"partners/a2"});
  EXPECT_TRUE(hints.Find("projects/c").has_value());
  EXPECT_TRUE(hints.Find("projects/d").has_value());
  // A project with many parties counts for them all.
  std::vector<std::string> many;
  for (int i = 0; i < 50; ++i) many.push_back(absl::StrCat("partners/p", i));
  EXPECT_GT(DossierHints::Cost("projects/m", {many, ""}), 10 * one);
  for (int i = 0; i < 100; ++i) {
    hints.Put(absl::StrCat("projects/x", i), hint("partners/x"));
    hints.Put(absl::StrCat("projects/m", i), {many, ""});
    ASSERT_LE(hints.bytes(),
              budget + DossierHints::Cost("projects/m0", {many, ""}));
  }
}

// With room for 6 calls and a dashboard's 5 in flight, a profile (5 calls)
// is refused at once and starts none; once the dashboard ends, its calls are
// free again.
TEST_F(FanOutTest, AFanOutOverTheBoundFailsFastAndStartsNothing) {
  Start(/*release_at=*/1000, /*max_calls=*/6);
  grpc::Status held;
  std::thread dashboard([&] { held = Dashboard(Staff().get()); });
  ASSERT_TRUE(gate_->WaitHeld(5, kWait));
  EXPECT_EQ(limit_->in_flight(), 5);

  grpc::Status refused = Profile(Staff().get());
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << refused.error_message();
  EXPECT_EQ(testing::Reason(refused), "DOWNSTREAM_CALLS_EXHAUSTED");
  EXPECT_EQ(gate_->arrived(), 5);

  gate_->Release();
  dashboard.join();
  EXPECT_TRUE(held.ok()) << held.error_message();
  EXPECT_EQ(limit_->in_flight(), 0);
  grpc::Status after = Profile(Staff().get());
  EXPECT_TRUE(after.ok()) << after.error_message();
}

// A caller that gives up cancels the downstream calls made for it at once,
// long before their own deadline (60 s here, past the wait).
TEST_F(FanOutTest, CancelledCallerCancelsTheDownstreamCalls) {
  Start(/*release_at=*/1000, /*max_calls=*/256,
        /*budget=*/absl::Seconds(60));
  auto context = testing::Context(testing::WardStaffToken(type::v1::KAWASAKI),
                                  absl::Seconds(60));
  grpc::Status status;
  std::thread dashboard([&] { status = Dashboard(context.get()); });
  ASSERT_TRUE(gate_->WaitHeld(5, kWait));
  context->TryCancel();
  EXPECT_TRUE(gate_->WaitCancelled(5, kWait));
  dashboard.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
}

// A caller whose deadline passes gets DEADLINE_EXCEEDED, and the downstream
// calls end with it (their deadline is the caller's).
TEST_F(FanOutTest, ExpiredCallerEndsTheDownstreamCalls) {
  Start(/*release_at=*/1000, /*max_calls=*/256,
        /*budget=*/absl::Seconds(60));
  grpc::Status status =
      Dashboard(testing::Context(testing::WardStaffToken(type::v1::KAWASAKI),
                                 absl::Seconds(1))
                    .get());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();
  EXPECT_TRUE(gate_->WaitCancelled(5, kWait));
}

}  // namespace
}  // namespace kyodo::gateway
