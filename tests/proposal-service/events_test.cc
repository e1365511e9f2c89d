// The change feed of proposal-service (ListEvents, WatchEvents;
// proposal-service/events.h): which changes are events, in commit order;
// who reads which, redacted as GetProposal would answer; the cursor, the
// filters and their errors; the stream; the retention.
#include <memory>
#include <string>
#include <vector>

#include "common/events/companion.h"
#include "tests/proposal-service/proposal_fixture.h"

namespace kyodo::proposal {
namespace {

using kyodo::testing::Context;
using v1::Event;

class EventsTest : public ProposalServiceTest {
 protected:
  // Every event `token` may read (paged by `page_size`), oldest first.
  std::vector<Event> All(const std::string& token, int page_size = 0,
                         const std::string& resource = "",
                         std::vector<Event::Type> types = {}) {
    std::vector<Event> events;
    std::string after;
    for (int calls = 0; calls < 100; ++calls) {
      v1::ListEventsRequest request;
      request.set_after(after);
      request.set_page_size(page_size);
      request.set_resource(resource);
      for (Event::Type t : types) request.add_types(t);
      v1::ListEventsResponse response;
      const grpc::Status status =
          stub_->ListEvents(Context(token).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const Event& e : response.events()) events.push_back(e);
      if (response.next_cursor() == after) return events;
      after = response.next_cursor();
    }
    ADD_FAILURE() << "the feed never came back to the same cursor";
    return events;
  }

  static std::vector<std::string> Kinds(const std::vector<Event>& events) {
    std::vector<std::string> kinds;
    for (const Event& e : events) {
      const std::string& name = e.resource();
      kinds.push_back(Event::Type_Name(e.type()) + " " +
                      name.substr(name.rfind('/') + 1));
    }
    return kinds;
  }

  grpc::Status Withdraw(const std::string& proposal, const std::string& token) {
    v1::WithdrawProposalRequest request;
    request.set_name(proposal);
    v1::Proposal ignored;
    return stub_->WithdrawProposal(Context(token).get(), request, &ignored);
  }

  // A round: p1 (partners/a1) eligible and adopted; p2 (partners/a2)
  // submitted and withdrawn; decided and published when `publish`.
  void Round(bool publish) {
    call_ = OpenStandardCall();
    p1_ = EligibleProposal(call_.name(), "partners/a1", "多摩川の清掃", 500000);
    v1::Proposal p2;
    ASSERT_TRUE(
        CreateDraft(call_.name(), "partners/a2", "子ども食堂", 300000, &p2)
            .ok());
    p2_ = p2.name();
    ASSERT_TRUE(Submit(p2_, Applicant("partners/a2")).ok());
    ASSERT_TRUE(Withdraw(p2_, Applicant("partners/a2")).ok());
    ASSERT_NO_FATAL_FAILURE(DecideAdopted(call_.name(), p1_.name()));
    if (publish) {
      ASSERT_TRUE(Publish(call_.name()).ok());
    }
  }

  v1::Call call_;
  v1::Proposal p1_;
  std::string p2_;
};

TEST_F(EventsTest, ARoundIsItsEventsInCommitOrder) {
  ASSERT_NO_FATAL_FAILURE(Round(true));
  const std::string p1 = Id(p1_.name());
  const std::string p2 = Id(p2_);
  const std::string c = Id(call_.name());
  const std::vector<Event> events = All(Staff());
  EXPECT_EQ(Kinds(events),
            (std::vector<std::string>{
                "CALL_OPENED " + c, "PROPOSAL_SUBMITTED " + p1,
                "PROPOSAL_SCREENED " + p1, "PROPOSAL_SUBMITTED " + p2,
                "PROPOSAL_WITHDRAWN " + p2, "CALL_CLOSED " + c,
                "REVIEW_STAGE_OPENED " + c, "CALL_DECIDED " + c,
                "RESULTS_PUBLISHED " + c, "PROPOSAL_RESULT_PUBLISHED " + p1,
                "PROPOSAL_RESULT_PUBLISHED " + p2}));
  int64_t last = 0;
  for (const Event& e : events) {
    const int64_t cursor = std::stoll(e.cursor());
    EXPECT_GT(cursor, last);
    last = cursor;
  }
  // The snapshots are the resources right after each change.
  ASSERT_EQ(events.size(), 11u);
  EXPECT_EQ(events[0].call().state(), v1::Call::OPEN);
  EXPECT_EQ(events[1].proposal().state(), v1::Proposal::SUBMITTED);
  EXPECT_EQ(events[2].proposal().state(), v1::Proposal::ELIGIBLE);
  EXPECT_EQ(events[6].call().current_stage(), 1);
  EXPECT_EQ(events[9].proposal().state(), v1::Proposal::ADOPTED);
  EXPECT_EQ(events[9].proposal().result().reason(),
            v1::ProposalResult::ADOPTED);
  EXPECT_EQ(events[10].proposal().state(), v1::Proposal::WITHDRAWN);
  // Paged two by two, the same events.
  EXPECT_EQ(Kinds(All(Staff(), 2)), Kinds(events));
}

TEST_F(EventsTest, AnApplicantReadsItsOwnAndNoUnpublishedDecision) {
  ASSERT_NO_FATAL_FAILURE(Round(false));
  const std::string p1 = Id(p1_.name());
  const std::string c = Id(call_.name());
  const std::string a1 = Applicant("partners/a1");
  // Decided, not published: nothing of the decision.
  std::vector<Event> events = All(a1);
  EXPECT_EQ(Kinds(events), (std::vector<std::string>{
                               "CALL_OPENED " + c, "PROPOSAL_SUBMITTED " + p1,
                               "PROPOSAL_SCREENED " + p1, "CALL_CLOSED " + c,
                               "REVIEW_STAGE_OPENED " + c}));
  for (const Event& e : events) {
    EXPECT_FALSE(e.proposal().has_result()) << e.cursor();
  }
  // The committee reads the decision and both proposals' events.
  const std::string member = kyodo::testing::ReviewerToken("iin-1", "iin-1");
  EXPECT_EQ(All(member).size(), 8u);
  // A viewer: the call's public steps only.
  EXPECT_EQ(Kinds(All(kyodo::testing::ViewerToken())),
            (std::vector<std::string>{"CALL_OPENED " + c, "CALL_CLOSED " + c,
                                      "REVIEW_STAGE_OPENED " + c}));

  ASSERT_TRUE(Publish(call_.name()).ok());
  events = All(a1);
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[5].type(), Event::RESULTS_PUBLISHED);
  EXPECT_EQ(events[6].type(), Event::PROPOSAL_RESULT_PUBLISHED);
  EXPECT_EQ(events[6].proposal().result().reason(),
            v1::ProposalResult::ADOPTED);
  EXPECT_EQ(events[6].proposal().plan(), p1_.plan());
  // The public reads the published result without the applicant's text;
  // the withdrawn proposal not at all.
  events = All(kyodo::testing::ViewerToken());
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[4].resource(), p1_.name());
  EXPECT_EQ(events[4].proposal().result().reason(),
            v1::ProposalResult::ADOPTED);
  EXPECT_FALSE(events[4].proposal().has_plan());
  // The other applicant: its own three, the call's public steps and the
  // adopted proposal's public result.
  events = All(Applicant("partners/a2"));
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[6].resource(), p1_.name());
  EXPECT_FALSE(events[6].proposal().has_plan());
  EXPECT_EQ(events[7].resource(), p2_);
  EXPECT_TRUE(events[7].proposal().has_plan());
}

// The notifier (role notifier, notifier/) reads every applicant's events as
// that applicant would: nothing of a decision before publication.
TEST_F(EventsTest, TheNotifierReadsAsEachApplicantAndNoUnpublishedDecision) {
  ASSERT_NO_FATAL_FAILURE(Round(false));
  const std::string p1 = Id(p1_.name());
  const std::string p2 = Id(p2_);
  const std::string c = Id(call_.name());
  service_->rpc().set_notifier_methods(NotifierMethods());  // as main.cc
  const std::string notifier =
      kyodo::testing::TokenFor({"notifier", common::auth::Role::kNotifier});
  std::vector<Event> events = All(notifier);
  EXPECT_EQ(Kinds(events),
            (std::vector<std::string>{
                "CALL_OPENED " + c, "PROPOSAL_SUBMITTED " + p1,
                "PROPOSAL_SCREENED " + p1, "PROPOSAL_SUBMITTED " + p2,
                "PROPOSAL_WITHDRAWN " + p2, "CALL_CLOSED " + c,
                "REVIEW_STAGE_OPENED " + c}));
  for (const Event& e : events) {
    EXPECT_FALSE(e.proposal().has_result()) << e.cursor();
    EXPECT_NE(e.proposal().state(), v1::Proposal::ADOPTED) << e.cursor();
  }
  // What it mails: the applicant's own text and screening.
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[2].proposal().plan(), p1_.plan());
  EXPECT_EQ(events[2].proposal().screening().result(), v1::Screening::ELIGIBLE);

  ASSERT_TRUE(Publish(call_.name()).ok());
  events = All(notifier);
  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events[7].type(), Event::RESULTS_PUBLISHED);
  EXPECT_EQ(events[8].resource(), p1_.name());
  EXPECT_EQ(events[8].proposal().state(), v1::Proposal::ADOPTED);
  EXPECT_EQ(events[8].proposal().result().reason(),
            v1::ProposalResult::ADOPTED);
  EXPECT_EQ(events[9].resource(), p2_);
}

TEST_F(EventsTest, FiltersAndCursors) {
  ASSERT_NO_FATAL_FAILURE(Round(true));
  const std::vector<Event> all = All(Staff());
  ASSERT_EQ(all.size(), 11u);
  // One proposal's events.
  EXPECT_EQ(All(Staff(), 0, p2_).size(), 3u);
  // A call's: its own and its proposals'.
  EXPECT_EQ(All(Staff(), 0, call_.name()).size(), 11u);
  EXPECT_EQ(Kinds(All(Staff(), 0, "",
                      {Event::CALL_DECIDED, Event::PROPOSAL_WITHDRAWN})),
            (std::vector<std::string>{"PROPOSAL_WITHDRAWN " + Id(p2_),
                                      "CALL_DECIDED " + Id(call_.name())}));
  // From a cursor: what follows it.
  v1::ListEventsRequest request;
  request.set_after(all[6].cursor());
  v1::ListEventsResponse response;
  ASSERT_TRUE(
      stub_->ListEvents(Context(Staff()).get(), request, &response).ok());
  ASSERT_EQ(response.events_size(), 4);
  EXPECT_EQ(response.events(0).cursor(), all[7].cursor());
  EXPECT_EQ(response.next_cursor(), all[10].cursor());

  // "now": no events, where the next one will follow.
  request.set_after("now");
  ASSERT_TRUE(
      stub_->ListEvents(Context(Staff()).get(), request, &response).ok());
  EXPECT_EQ(response.events_size(), 0);
  EXPECT_EQ(response.next_cursor(), all[10].cursor());

  struct Bad {
    std::string after, resource;
    int type;
    std::string field;
  };
  const std::string ahead = std::to_string(std::stoll(all[10].cursor()) + 1);
  for (const Bad& bad :
       std::vector<Bad>{{"abc", "", 0, "after"},
                        {"-1", "", 0, "after"},
                        {ahead, "", 0, "after"},
                        {"", "partners/x", 0, "resource"},
                        {"", "", Event::TYPE_UNSPECIFIED, "types[0]"}}) {
    v1::ListEventsRequest r;
    r.set_after(bad.after);
    r.set_resource(bad.resource);
    if (bad.field == "types[0]") r.add_types(Event::TYPE_UNSPECIFIED);
    v1::ListEventsResponse ignored;
    const grpc::Status status =
        stub_->ListEvents(Context(Staff()).get(), r, &ignored);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << bad.field << " " << bad.after;
    EXPECT_EQ(Metadata(status, "field"), bad.field);
  }
}

TEST_F(EventsTest, ARefusedChangeWritesNoEvent) {
  call_ = OpenStandardCall();
  v1::Proposal p;
  ASSERT_TRUE(
      CreateDraft(call_.name(), "partners/a1", "防災訓練", 200000, &p).ok());
  const size_t before = All(Staff()).size();
  // Past the window: SubmitProposal is refused, and nothing is written.
  clock().Set(kCloses + absl::Hours(1));
  EXPECT_FALSE(Submit(p.name(), Applicant("partners/a1")).ok());
  // Publishing an undecided call: refused.
  EXPECT_FALSE(Publish(call_.name()).ok());
  EXPECT_EQ(All(Staff()).size(), before);
}

TEST_F(EventsTest, AStreamDeliversTheBacklogThenEachNewEvent) {
  call_ = OpenStandardCall();
  v1::Proposal p;
  ASSERT_TRUE(
      CreateDraft(call_.name(), "partners/a1", "防災訓練", 200000, &p).ok());
  auto context = Context(Applicant("partners/a1"));
  v1::WatchEventsRequest request;
  auto stream = stub_->WatchEvents(context.get(), request);
  Event event;
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.type(), Event::CALL_OPENED);
  // A change made while the stream waits reaches it.
  ASSERT_TRUE(Submit(p.name(), Applicant("partners/a1")).ok());
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.type(), Event::PROPOSAL_SUBMITTED);
  EXPECT_EQ(event.resource(), p.name());
  const std::string cursor = event.cursor();
  context->TryCancel();
  while (stream->Read(&event)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);

  // "now": only what commits from now on.
  auto later = Context(Staff());
  request.set_after("now");
  auto from_now = stub_->WatchEvents(later.get(), request);
  // The stream's start ("now") is fixed once its initial metadata arrives.
  from_now->WaitForInitialMetadata();
  ASSERT_TRUE(Withdraw(p.name(), Applicant("partners/a1")).ok());
  ASSERT_TRUE(from_now->Read(&event));
  EXPECT_EQ(event.type(), Event::PROPOSAL_WITHDRAWN);
  later->TryCancel();
  while (from_now->Read(&event)) {
  }
  from_now->Finish();

  // Resumed from the cursor: the withdrawal, once.
  auto resumed_context = Context(Staff());
  request.set_after(cursor);
  auto resumed = stub_->WatchEvents(resumed_context.get(), request);
  ASSERT_TRUE(resumed->Read(&event));
  EXPECT_EQ(event.type(), Event::PROPOSAL_WITHDRAWN);
  resumed_context->TryCancel();
  while (resumed->Read(&event)) {
  }
  resumed->Finish();

  // A bad cursor ends the stream at once, naming the field.
  auto bad_context = Context(Staff());
  request.set_after("x");
  auto bad = stub_->WatchEvents(bad_context.get(), request);
  EXPECT_FALSE(bad->Read(&event));
  const grpc::Status status = bad->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Metadata(status, "field"), "after");
}

TEST_F(EventsTest, TheRetentionDeletesOldEventsAndOldCursorsSaySo) {
  call_ = OpenStandardCall();
  v1::Proposal p;
  ASSERT_TRUE(
      CreateDraft(call_.name(), "partners/a1", "防災訓練", 200000, &p).ok());
  ASSERT_TRUE(Submit(p.name(), Applicant("partners/a1")).ok());
  const std::vector<Event> old = All(Staff());
  ASSERT_EQ(old.size(), 2u);

  common::events::RetentionOptions retention;
  retention.keep = absl::Hours(24 * 90);
  retention.batch = 1;  // one transaction per event
  // Not old enough yet.
  absl::StatusOr<int64_t> deleted =
      common::events::DeleteExpiredEvents(service_->pool(), clock(), retention);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 0);
  clock().Set(kOpens + absl::Hours(24 * 91));
  deleted =
      common::events::DeleteExpiredEvents(service_->pool(), clock(), retention);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 2);

  // From the first event's cursor, the second is lost: said, not skipped.
  v1::ListEventsRequest request;
  request.set_after(old[0].cursor());
  v1::ListEventsResponse response;
  const grpc::Status status =
      stub_->ListEvents(Context(Staff()).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Metadata(status, "oldest_cursor"), old[1].cursor());
  // From the last one deleted, nothing is missing.
  request.set_after(old[1].cursor());
  EXPECT_TRUE(
      stub_->ListEvents(Context(Staff()).get(), request, &response).ok());
  EXPECT_EQ(response.events_size(), 0);
  // New events follow with later cursors.
  ASSERT_TRUE(Close(call_.name()).ok());
  const std::vector<Event> now = All(Staff());
  ASSERT_EQ(now.size(), 1u);
  EXPECT_GT(std::stoll(now[0].cursor()), std::stoll(old[1].cursor()));
}

}  // namespace
}  // namespace kyodo::proposal
