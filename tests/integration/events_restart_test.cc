// The change feed across a crash (issue 17): proposal-service is killed
// (SIGKILL) in the middle of a burst of changes and started again; a
// WatchEvents stream resumed from its last cursor has then delivered every
// committed event exactly once, in commit order, the same events ListEvents
// reads afterwards; the gateway relays the same stream.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/store/doc.h"
#include "gtest/gtest.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/cluster.h"

namespace kyodo::integration {
namespace {

namespace pv1 = proposal::v1;
using testing::Service;

constexpr int kWriters = 2;
constexpr int kProposalsPerWriter = 15;
// Events seen before the kill.
constexpr int kKillAfter = 12;

std::string Staff() {
  return testing::WardStaffToken(type::v1::KAWASAKI, "kawasaki-staff");
}

// A context that waits for the service to be back rather than failing at
// once while it restarts.
std::unique_ptr<grpc::ClientContext> Patient(const std::string& token) {
  auto context = testing::Context(token, absl::Seconds(120));
  context->set_wait_for_ready(true);
  return context;
}

// The request_id of step `step` ('c' create, 'd' submit, 'e' withdraw) of
// proposal `i` of writer `writer`: the same on every retry.
std::string RequestId(char step, int writer, int i) {
  return absl::StrCat("00000000-0000-4000-8000-0000000", std::string(1, step),
                      writer, "0", i % 10, i / 10);
}

// Runs `call` until it is not UNAVAILABLE (the service was killed under
// it); a call with a request_id is then applied exactly once.
template <typename Call>
grpc::Status Retried(Call call) {
  grpc::Status status;
  for (int attempt = 0; attempt < 20; ++attempt) {
    status = call();
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
  }
  return status;
}

class EventsRestartTest : public ::testing::Test {
 protected:
  EventsRestartTest()
      : cluster_(std::make_unique<testing::Cluster>("events")),
        direct_(pv1::ProposalService::NewStub(
            cluster_->Channel(Service::kProposal))) {}

  void OpenCall() {
    pv1::CreateProgrammeRequest programme;
    pv1::Programme* p = programme.mutable_programme();
    p->set_display_name("川崎区市民提案型事業");
    p->set_ward(type::v1::KAWASAKI);
    p->set_kind(pv1::Programme::WARD_CITIZEN_PROPOSAL);
    p->add_eligible_partner_kinds(partner::v1::CIVIC_GROUP);
    auto* cap = p->add_amount_caps();
    cap->set_continuation_year(1);
    cap->set_max_amount_yen(700000);
    p->set_max_continuation_years(3);
    p->set_consigning_unit("partners/kawasakichiiki");
    pv1::Programme created;
    grpc::Status made = direct_->CreateProgramme(
        testing::Context(Staff()).get(), programme, &created);
    ASSERT_TRUE(made.ok()) << made.error_message();
    pv1::CreateCallRequest request;
    request.set_parent(created.name());
    pv1::Call* c = request.mutable_call();
    c->set_display_name("令和8年度 公募");
    c->set_fiscal_year(2026);
    const absl::Time now = cluster_->Now();
    *c->mutable_submission_start_time() =
        common::store::ToTimestamp(now - absl::Minutes(1));
    *c->mutable_submission_end_time() =
        common::store::ToTimestamp(now + absl::Hours(1));
    c->set_budget_yen(1000000);
    c->set_max_adoptions(3);
    auto* criterion = c->add_criteria();
    criterion->set_display_name("地域課題との関連性");
    criterion->set_weight(1);
    criterion->set_max_score(5);
    c->set_pass_mark(50);
    c->set_min_reviews(1);
    pv1::Call call;
    grpc::Status status =
        direct_->CreateCall(testing::Context(Staff()).get(), request, &call);
    ASSERT_TRUE(status.ok()) << status.error_message();
    call_ = call.name();
    pv1::OpenCallRequest open;
    open.set_name(call_);
    status = direct_->OpenCall(testing::Context(Staff()).get(), open, &call);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // One writer's burst: each proposal created, submitted and withdrawn by
  // its applicant, every step with a request_id and retried across the
  // restart. Records the proposals it made.
  void Write(int writer) {
    for (int i = 0; i < kProposalsPerWriter; ++i) {
      const std::string applicant = absl::StrCat("partners/w", writer, "n", i);
      const std::string token = testing::ApplicantToken(applicant, applicant);
      const std::string id = absl::StrCat(writer, "-", i);
      pv1::CreateProposalRequest create;
      create.set_parent(call_);
      create.set_request_id(RequestId('c', writer, i));
      create.mutable_proposal()->set_applicant(applicant);
      create.mutable_proposal()->set_title(absl::StrCat("提案 ", id));
      create.mutable_proposal()->set_issue("地域の課題");
      create.mutable_proposal()->set_plan("取組の計画");
      create.mutable_proposal()->set_requested_amount_yen(100000);
      pv1::Proposal proposal;
      grpc::Status status = Retried([&] {
        return direct_->CreateProposal(Patient(token).get(), create, &proposal);
      });
      ASSERT_TRUE(status.ok()) << id << " " << status.error_message();
      pv1::SubmitProposalRequest submit;
      submit.set_name(proposal.name());
      submit.set_request_id(RequestId('d', writer, i));
      pv1::Proposal out;
      status = Retried([&] {
        return direct_->SubmitProposal(Patient(token).get(), submit, &out);
      });
      ASSERT_TRUE(status.ok()) << id << " " << status.error_message();
      pv1::WithdrawProposalRequest withdraw;
      withdraw.set_name(proposal.name());
      withdraw.set_request_id(RequestId('e', writer, i));
      status = Retried([&] {
        return direct_->WithdrawProposal(Patient(token).get(), withdraw, &out);
      });
      ASSERT_TRUE(status.ok()) << id << " " << status.error_message();
      std::lock_guard<std::mutex> lock(mu_);
      made_.push_back(proposal.name());
    }
  }

  // The watcher: follows the feed from the start, resuming from its last
  // cursor whenever the stream breaks, until stop_ is set.
  void Watch() {
    std::string cursor;
    for (int streams = 0; streams < 50; ++streams) {
      auto context = Patient(Staff());
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) return;
        watching_ = context.get();
      }
      pv1::WatchEventsRequest request;
      request.set_after(cursor);
      auto stream = direct_->WatchEvents(context.get(), request);
      pv1::Event event;
      while (stream->Read(&event)) {
        cursor = event.cursor();
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back(event);
        changed_.notify_all();
      }
      const grpc::Status status = stream->Finish();
      std::lock_guard<std::mutex> lock(mu_);
      watching_ = nullptr;
      ends_.push_back(status.error_code());
    }
    ADD_FAILURE() << "the watcher gave up after 50 streams";
  }

  // Every event staff read with ListEvents, oldest first.
  std::vector<pv1::Event> ListAll(pv1::ProposalService::Stub& stub) {
    std::vector<pv1::Event> events;
    std::string after;
    for (int calls = 0; calls < 100; ++calls) {
      pv1::ListEventsRequest request;
      request.set_after(after);
      request.set_page_size(500);
      pv1::ListEventsResponse response;
      const grpc::Status status =
          stub.ListEvents(Patient(Staff()).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      events.insert(events.end(), response.events().begin(),
                    response.events().end());
      if (response.next_cursor() == after) break;
      after = response.next_cursor();
    }
    return events;
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::unique_ptr<pv1::ProposalService::Stub> direct_;
  std::string call_;

  // std::mutex, not absl::Mutex: ThreadSanitizer sees the standard
  // library's locks but not those of Debian's uninstrumented Abseil
  // (docs/RELIABILITY.md, "ThreadSanitizer"). Guards what follows.
  std::mutex mu_;
  std::condition_variable changed_;  // received_ grew
  std::vector<std::string> made_;
  std::vector<pv1::Event> received_;
  std::vector<grpc::StatusCode> ends_;
  grpc::ClientContext* watching_ = nullptr;
  bool stop_ = false;
};

TEST_F(EventsRestartTest, AStreamResumedAfterAKillMissesAndRepeatsNothing) {
  ASSERT_NO_FATAL_FAILURE(OpenCall());
  std::thread watcher([this] { Watch(); });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([this, w] { Write(w); });
  }
  bool seen_enough = false;
  {
    // In the middle of the burst: once the watcher has seen some events.
    // Bounded, so that a broken burst fails the test instead of hanging it.
    std::unique_lock<std::mutex> lock(mu_);
    seen_enough = changed_.wait_for(lock, std::chrono::minutes(2), [this] {
      return received_.size() >= kKillAfter;
    });
  }
  EXPECT_TRUE(seen_enough) << "the watcher saw too few events";
  if (seen_enough) {
    cluster_->Kill(Service::kProposal);
    cluster_->Restart(Service::kProposal);
  }
  for (std::thread& t : writers) t.join();

  // Every change is committed now: the watcher catches up with the feed.
  const std::vector<pv1::Event> listed = ListAll(*direct_);
  bool caught = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    const std::string last = listed.empty() ? "" : listed.back().cursor();
    caught = changed_.wait_for(lock, std::chrono::minutes(2), [this, &last] {
      return !received_.empty() && received_.back().cursor() == last;
    });
    stop_ = true;
    if (watching_ != nullptr) watching_->TryCancel();
  }
  watcher.join();

  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_TRUE(caught) << "the watcher never caught up with the feed";
  // The kill broke the stream at least once, and the watcher resumed.
  EXPECT_GE(ends_.size(), 2u);
  EXPECT_NE(ends_.front(), grpc::StatusCode::OK);
  // Exactly the committed events, once each, in commit order.
  ASSERT_EQ(received_.size(), listed.size());
  int64_t previous = 0;
  for (size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(received_[i].cursor(), listed[i].cursor()) << i;
    EXPECT_EQ(received_[i].type(), listed[i].type()) << i;
    EXPECT_EQ(received_[i].resource(), listed[i].resource()) << i;
    const int64_t cursor = std::stoll(received_[i].cursor());
    EXPECT_GT(cursor, previous) << i;
    previous = cursor;
  }
  // Each proposal: submitted, then withdrawn; nothing else, nothing twice.
  std::map<std::string, std::vector<pv1::Event::Type>> by_resource;
  for (const pv1::Event& e : received_)
    by_resource[e.resource()].push_back(e.type());
  ASSERT_EQ(made_.size(), static_cast<size_t>(kWriters * kProposalsPerWriter));
  for (const std::string& proposal : made_) {
    EXPECT_EQ(by_resource[proposal],
              (std::vector<pv1::Event::Type>{pv1::Event::PROPOSAL_SUBMITTED,
                                             pv1::Event::PROPOSAL_WITHDRAWN}))
        << proposal;
  }
  EXPECT_EQ(by_resource[call_],
            std::vector<pv1::Event::Type>{pv1::Event::CALL_OPENED});
  EXPECT_EQ(by_resource.size(), made_.size() + 1);

  // The gateway relays the same stream, message by message.
  auto gateway =
      pv1::ProposalService::NewStub(cluster_->Channel(Service::kGateway));
  auto context = Patient(Staff());
  pv1::WatchEventsRequest request;
  auto stream = gateway->WatchEvents(context.get(), request);
  pv1::Event event;
  size_t relayed = 0;
  while (relayed < listed.size() && stream->Read(&event)) {
    EXPECT_EQ(event.cursor(), listed[relayed].cursor());
    ++relayed;
  }
  EXPECT_EQ(relayed, listed.size());
  context->TryCancel();
  while (stream->Read(&event)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

}  // namespace
}  // namespace kyodo::integration
