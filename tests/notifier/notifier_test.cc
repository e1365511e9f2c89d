// The notifier against the real MariaDB (its own schema), with the services
// it reads and the mail server faked (downstream of the unit under test):
// one mail per event and recipient however often an event is handled, the
// position recorded with the mails, retries by a controlled clock, and a
// mail interrupted in the middle of a send never sent again.
#include "notifier/notifier.h"

#include <deque>
#include <map>

#include "absl/strings/match.h"
#include "common/server/database.h"
#include "common/store/doc.h"
#include "gtest/gtest.h"
#include "notifier_migrations.h"
#include "tests/notifier/mime.h"
#include "tests/testing/database.h"

namespace kyodo::notifier {
namespace {

namespace pv1 = proposal::v1;
using pv1::Event;

class FakeDirectory : public Directory {
 public:
  absl::StatusOr<pv1::Call> GetCall(const std::string& name) override {
    if (!up) return absl::UnavailableError("proposal-service is down");
    auto it = calls.find(name);
    if (it == calls.end()) return absl::NotFoundError(name);
    return it->second;
  }
  absl::StatusOr<partner::v1::Partner> GetPartner(
      const std::string& name) override {
    if (!up) return absl::UnavailableError("partner-service is down");
    auto it = partners.find(name);
    if (it == partners.end()) return absl::NotFoundError(name);
    return it->second;
  }
  absl::StatusOr<std::vector<pv1::Reviewer>> Members(
      const std::string& call) override {
    if (!up) return absl::UnavailableError("proposal-service is down");
    return members[call];
  }
  bool up = true;
  std::map<std::string, pv1::Call> calls;
  std::map<std::string, partner::v1::Partner> partners;
  std::map<std::string, std::vector<pv1::Reviewer>> members;
};

class FakeTransport : public Transport {
 public:
  Delivery Send(const std::string& from, const std::string& to,
                const std::string& message) override {
    sent.push_back({to, message});
    if (script.empty()) return {Delivery::kSent, ""};
    Delivery d = script.front();
    script.pop_front();
    return d;
  }
  std::deque<Delivery> script;
  std::vector<std::pair<std::string, std::string>> sent;
};

const absl::Time kStart = absl::FromUnixSeconds(1796000000);
const std::string kCall = "programmes/p/calls/c";
const std::string kProposal = kCall + "/proposals/x";

class NotifierTest : public ::testing::Test {
 protected:
  NotifierTest()
      : db_(::testing::UnitTest::GetInstance()->current_test_info()->name()),
        clock_(kStart) {
    db_.Migrate(
        {common::server::CommonMigrations(), KyodoNotifierMigrations()});
    pool_ = db_.NewServingPool();
    store_ = std::make_unique<MailStore>(pool_.get(), "proposal");
    NotifierOptions options;
    options.from = {"noreply@city.kawasaki.example", "川崎市 協働推進"};
    options.retry_base = absl::Minutes(1);
    options.retry_max = absl::Minutes(3);
    options.max_attempts = 4;
    notifier_ = std::make_unique<Notifier>(store_.get(), &directory_,
                                           &transport_, &clock_, options);
    pv1::Call call;
    call.set_name(kCall);
    call.set_display_name("令和8年度 麻生区市民提案型事業");
    call.set_ward(type::v1::ASAO);
    directory_.calls[kCall] = call;
    partner::v1::Partner a1;
    a1.set_name("partners/a1");
    a1.set_display_name("多摩川クリーン会");
    auto* hanako = a1.add_contacts();
    hanako->set_person_name("川崎 花子");
    hanako->set_email("Hanako@Example.jp");
    a1.add_contacts()->set_email("hanako@example.jp");  // the same, again
    a1.add_contacts()->set_phone("044-000-0000");       // no address
    a1.add_contacts()->set_email("jiro@example.jp");
    directory_.partners["partners/a1"] = a1;
  }

  static Event Submitted(const std::string& cursor) {
    Event e;
    e.set_cursor(cursor);
    e.set_type(Event::PROPOSAL_SUBMITTED);
    e.set_resource(kProposal);
    pv1::Proposal& p = *e.mutable_proposal();
    p.set_name(kProposal);
    p.set_applicant("partners/a1");
    p.set_title("多摩川の清掃");
    p.set_state(pv1::Proposal::SUBMITTED);
    *p.mutable_submit_time() = common::store::ToTimestamp(kStart);
    return e;
  }

  std::map<std::string, int64_t> Counts() {
    auto counts = store_->CountByState(absl::Now() + absl::Seconds(10));
    EXPECT_TRUE(counts.ok()) << counts.status();
    return counts.ok() ? *counts : std::map<std::string, int64_t>{};
  }
  int SendDue() {
    auto tried = notifier_->SendDue([] { return false; });
    EXPECT_TRUE(tried.ok()) << tried.status();
    return tried.ok() ? *tried : -1;
  }
  absl::Time Deadline() { return absl::Now() + absl::Seconds(10); }

  testing::TestDatabase db_;
  std::unique_ptr<common::db::ConnectionPool> pool_;
  common::FakeClock clock_;
  FakeDirectory directory_;
  FakeTransport transport_;
  std::unique_ptr<MailStore> store_;
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(NotifierTest, AnEventHandledTwiceMakesEachMailOnce) {
  ASSERT_TRUE(notifier_->Handle(Submitted("11")).ok());
  auto position = store_->Position(Deadline());
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(*position, "11");
  // Two addresses: the same address in two cases is one recipient.
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"PENDING", 2}}));
  // Handled again (a restart before the stream moved on): nothing more.
  ASSERT_TRUE(notifier_->Handle(Submitted("11")).ok());
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"PENDING", 2}}));
  EXPECT_EQ(SendDue(), 2);
  EXPECT_EQ(SendDue(), 0);
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"SENT", 2}}));
  ASSERT_EQ(transport_.sent.size(), 2u);
  EXPECT_EQ(transport_.sent[0].first, "hanako@example.jp");
  EXPECT_EQ(transport_.sent[1].first, "jiro@example.jp");
  auto mail = testing::ParseMail(transport_.sent[0].second);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ(mail->headers["to"], "川崎 花子 <hanako@example.jp>");
  EXPECT_TRUE(absl::StrContains(mail->body, "多摩川クリーン会\n川崎 花子 様"))
      << mail->body;
  // The next event is another mail to the same people.
  ASSERT_TRUE(notifier_->Handle(Submitted("12")).ok());
  EXPECT_EQ(SendDue(), 2);
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"SENT", 4}}));
}

TEST_F(NotifierTest, AnEventThatCannotBeResolvedRecordsNothing) {
  ASSERT_TRUE(notifier_->Handle(Submitted("11")).ok());
  directory_.up = false;
  const absl::Status status = notifier_->Handle(Submitted("12"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  auto position = store_->Position(Deadline());
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(*position, "11");  // 12 is read again after the restart
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"PENDING", 2}}));
  // An event mailed to no one still moves the position.
  directory_.up = true;
  Event withdrawn = Submitted("13");
  withdrawn.set_type(Event::PROPOSAL_WITHDRAWN);
  ASSERT_TRUE(notifier_->Handle(withdrawn).ok());
  position = store_->Position(Deadline());
  EXPECT_EQ(*position, "13");
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"PENDING", 2}}));
  // A call that is gone for good (NOT_FOUND) does not hold up the events
  // behind it: no mail, the position moves on.
  Event orphan = Submitted("14");
  orphan.set_resource("programmes/p/calls/gone/proposals/y");
  ASSERT_TRUE(notifier_->Handle(orphan).ok());
  position = store_->Position(Deadline());
  EXPECT_EQ(*position, "14");
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"PENDING", 2}}));
}

TEST_F(NotifierTest, ATransientFailureIsRetriedWithBackoffByTheClock) {
  directory_.partners["partners/a1"].mutable_contacts()->DeleteSubrange(1, 3);
  ASSERT_TRUE(notifier_->Handle(Submitted("11")).ok());
  transport_.script = {{Delivery::kTransient, "421 try later"},
                       {Delivery::kTransient, "connection refused"},
                       {Delivery::kTransient, "timeout"}};
  EXPECT_EQ(SendDue(), 1);
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"PENDING", 1}}));
  // Due again one minute later, not before.
  clock_.Advance(absl::Seconds(59));
  EXPECT_EQ(SendDue(), 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(SendDue(), 1);
  // Then after two minutes; then three (retry_max), not four.
  clock_.Advance(absl::Seconds(119));
  EXPECT_EQ(SendDue(), 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(SendDue(), 1);
  clock_.Advance(absl::Seconds(179));
  EXPECT_EQ(SendDue(), 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(SendDue(), 1);  // the fourth attempt: taken
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"SENT", 1}}));
  ASSERT_EQ(transport_.sent.size(), 4u);
  // The same message each time (the same Message-ID).
  for (const auto& [to, message] : transport_.sent)
    EXPECT_EQ(message, transport_.sent[0].second);
}

TEST_F(NotifierTest, ARefusalOrTheLastAttemptFailsTheMail) {
  ASSERT_TRUE(notifier_->Handle(Submitted("11")).ok());
  // hanako: refused for good; jiro: transient four times (max_attempts).
  transport_.script = {{Delivery::kPermanent, "550 no such user"},
                       {Delivery::kTransient, "421"}};
  EXPECT_EQ(SendDue(), 2);
  EXPECT_EQ(Counts(),
            (std::map<std::string, int64_t>{{"FAILED", 1}, {"PENDING", 1}}));
  for (int attempt = 2; attempt <= 4; ++attempt) {
    transport_.script = {{Delivery::kTransient, "421"}};
    clock_.Advance(absl::Minutes(3));
    EXPECT_EQ(SendDue(), 1) << attempt;
  }
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"FAILED", 2}}));
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(SendDue(), 0);
  EXPECT_EQ(transport_.sent.size(), 5u);
}

TEST_F(NotifierTest, AMailInterruptedMidSendIsNeverSentAgain) {
  ASSERT_TRUE(notifier_->Handle(Submitted("11")).ok());
  // A notifier claimed one and died before it knew how the send went.
  auto claimed = store_->Claim(clock_.Now(), Deadline());
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  auto interrupted = store_->MarkInterrupted(Deadline());
  ASSERT_TRUE(interrupted.ok());
  EXPECT_EQ(*interrupted, 1);
  EXPECT_EQ(SendDue(), 1);  // the other one only
  EXPECT_EQ(Counts(),
            (std::map<std::string, int64_t>{{"SENT", 1}, {"UNCERTAIN", 1}}));
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_NE(transport_.sent[0].first, (*claimed)->recipient);
}

TEST_F(NotifierTest, AMailHandedOverWithoutAnAnswerIsNeverSentAgain) {
  directory_.partners["partners/a1"].mutable_contacts()->DeleteSubrange(1, 3);
  ASSERT_TRUE(notifier_->Handle(Submitted("11")).ok());
  transport_.script = {{Delivery::kUncertain, "timed out after the message"}};
  EXPECT_EQ(SendDue(), 1);
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"UNCERTAIN", 1}}));
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(SendDue(), 0);
  EXPECT_EQ(transport_.sent.size(), 1u);
}

TEST_F(NotifierTest, OldMailsAreDeletedOnceDone) {
  ASSERT_TRUE(notifier_->Handle(Submitted("11")).ok());
  transport_.script = {{Delivery::kSent, ""}, {Delivery::kTransient, "421"}};
  EXPECT_EQ(SendDue(), 2);
  auto deleted = store_->DeleteOld(kStart, 100, Deadline());
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 0);  // made at kStart: not before it
  deleted = store_->DeleteOld(kStart + absl::Seconds(1), 100, Deadline());
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);  // the sent one; the pending one stays
  EXPECT_EQ(Counts(), (std::map<std::string, int64_t>{{"PENDING", 1}}));
}

TEST_F(NotifierTest, MembersGetWhatConcernsThem) {
  pv1::Reviewer scorer, other_stage, no_address, deleted;
  scorer.set_display_name("委員 一");
  scorer.set_email("iin-1@example.jp");
  other_stage.set_email("iin-2@example.jp");
  other_stage.add_stages(1);
  deleted.set_email("iin-3@example.jp");
  *deleted.mutable_delete_time() = common::store::ToTimestamp(kStart);
  directory_.members[kCall] = {scorer, other_stage, no_address, deleted};
  Event e;
  e.set_cursor("20");
  e.set_type(Event::REVIEW_STAGE_OPENED);
  e.set_resource(kCall);
  *e.mutable_call() = directory_.calls[kCall];
  e.mutable_call()->add_stages()->set_display_name("書類審査");
  e.mutable_call()->set_current_stage(2);
  ASSERT_TRUE(notifier_->Handle(e).ok());
  EXPECT_EQ(SendDue(), 1);
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(transport_.sent[0].first, "iin-1@example.jp");
  e.set_cursor("21");
  e.set_type(Event::RESULTS_PUBLISHED);
  ASSERT_TRUE(notifier_->Handle(e).ok());
  EXPECT_EQ(SendDue(), 2);
  EXPECT_EQ(transport_.sent.size(), 3u);
}

}  // namespace
}  // namespace kyodo::notifier
