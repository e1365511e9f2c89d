// Who sees and changes what (docs/API.md "Identity and permissions"): reviewers
// only for calls they sit on, applicants only their own proposals and
// their results once published, viewers only public fields of published
// results; PERMISSION_DENIED before NOT_FOUND. Also the audit trail, stale
// etags and request-id replays.
#include "absl/strings/str_cat.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Decision;
using kyodo::proposal::v1::Programme;
using kyodo::proposal::v1::Proposal;
using kyodo::proposal::v1::ProposalResult;
using kyodo::proposal::v1::ProposalService;
using kyodo::proposal::v1::Review;
using kyodo::testing::AdminToken;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::ReviewerToken;
using kyodo::testing::ViewerToken;
using kyodo::testing::WardStaffToken;

namespace kyodo::proposal {
namespace {

class PermissionsTest : public ProposalServiceTest {
 protected:
  // Two calls of one programme under review: X (members x-1, x-2) with
  // proposals by partners/mine and partners/theirs, and Y (members y-1,
  // y-2).
  void SetUp() override {
    const Programme p = CreateProgramme();
    x_ = CreateCall(p.name());
    y_ = CreateCall(p.name());
    ASSERT_TRUE(Open(x_.name()).ok());
    ASSERT_TRUE(Open(y_.name()).ok());
    clock().Set(kOpens + absl::Hours(1));
    mine_ =
        EligibleProposal(x_.name(), "partners/mine", "わたしの提案", 300000);
    theirs_ =
        EligibleProposal(x_.name(), "partners/theirs", "よその提案", 200000);
    AddReviewer(x_.name(), "x-1");
    AddReviewer(x_.name(), "x-2");
    AddReviewer(y_.name(), "y-1");
    AddReviewer(y_.name(), "y-2");
    CloseAndStartReview(x_.name());
    ASSERT_TRUE(Close(y_.name()).ok());
    ASSERT_TRUE(StartReview(y_.name()).ok());
  }

  grpc::Status ListProposals(const std::string& parent,
                             const std::string& token,
                             v1::ListProposalsResponse* out,
                             const std::string& filter = "") {
    v1::ListProposalsRequest request;
    request.set_parent(parent);
    request.set_filter(filter);
    return stub_->ListProposals(Context(token).get(), request, out);
  }

  grpc::Status ListReviews(const std::string& proposal,
                           const std::string& token,
                           v1::ListReviewsResponse* out) {
    v1::ListReviewsRequest request;
    request.set_parent(proposal);
    return stub_->ListReviews(Context(token).get(), request, out);
  }

  void ReviewAndDecide() {
    for (const char* who : {"x-1", "x-2"}) {
      ASSERT_TRUE(SubmitReview(mine_.name(), who, {5, 4, 9}).ok());
      ASSERT_TRUE(SubmitReview(theirs_.name(), who, {2, 2, 2}).ok());
    }
    Decision decision;
    ASSERT_TRUE(Decide(x_.name(), &decision).ok());
  }

  Call x_, y_;
  Proposal mine_, theirs_;
};

TEST_F(PermissionsTest, AReviewerOfAnotherCallIsDenied) {
  const std::string outsider = ReviewerToken("y-1", "y-1");
  Proposal p;
  grpc::Status status = GetProposal(mine_.name(), outsider, &p);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The same for a proposal that does not exist: nothing to probe.
  status = GetProposal(absl::StrCat(x_.name(), "/proposals/nosuchproposal"),
                       outsider, &p);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListProposalsResponse page;
  EXPECT_EQ(ListProposals(x_.name(), outsider, &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListReviewsResponse reviews;
  EXPECT_EQ(ListReviews(mine_.name(), outsider, &reviews).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(SubmitReview(mine_.name(), "y-1", {5, 5, 5}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListReviewersRequest committee;
  committee.set_parent(x_.name());
  v1::ListReviewersResponse members;
  EXPECT_EQ(stub_->ListReviewers(Context(outsider).get(), committee, &members)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A member of X reads X's proposals, but only its own reviews.
  const std::string member = ReviewerToken("x-1", "x-1");
  ASSERT_TRUE(GetProposal(mine_.name(), member, &p).ok());
  EXPECT_FALSE(p.issue().empty());
  ASSERT_TRUE(ListProposals(x_.name(), member, &page).ok());
  EXPECT_EQ(page.proposals_size(), 2);
  // Across every call: X's proposals only.
  ASSERT_TRUE(ListProposals("programmes/-/calls/-", member, &page).ok());
  EXPECT_EQ(page.proposals_size(), 2);
  ASSERT_TRUE(SubmitReview(mine_.name(), "x-1", {5, 5, 5}).ok());
  ASSERT_TRUE(SubmitReview(mine_.name(), "x-2", {4, 4, 4}).ok());
  ASSERT_TRUE(ListReviews(mine_.name(), member, &reviews).ok());
  ASSERT_EQ(reviews.reviews_size(), 1);
  EXPECT_EQ(reviews.reviews(0).scores(0), 5);
  ASSERT_TRUE(ListReviews(mine_.name(), Staff(), &reviews).ok());
  EXPECT_EQ(reviews.reviews_size(), 2);
  v1::GetReviewRequest other;
  other.set_name(reviews.reviews(1).name());
  Review review;
  EXPECT_EQ(
      stub_->GetReview(Context(member).get(), other, &review).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Another ward's staff reads everything (docs/API.md: "read all"), every
  // member's reviews included; an applicant reads none.
  const std::string tama = WardStaffToken(kyodo::type::v1::TAMA, "tama-staff");
  ASSERT_TRUE(GetProposal(mine_.name(), tama, &p).ok());
  ASSERT_TRUE(ListReviews(mine_.name(), tama, &reviews).ok());
  EXPECT_EQ(reviews.reviews_size(), 2);
  EXPECT_EQ(ListReviews(mine_.name(), Applicant("partners/mine"), &reviews)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// A proposal is found only under its own call and programme: its id under
// another call's name, or its call's id under another programme's, is
// NOT_FOUND to staff and shows nothing to its own applicant.
TEST_F(PermissionsTest, AProposalIsFoundOnlyUnderItsOwnName) {
  const std::string id = mine_.name().substr(mine_.name().rfind('/') + 1);
  const std::string call_id = x_.name().substr(x_.name().rfind('/') + 1);
  const Programme other = CreateProgramme();
  Proposal p;
  ASSERT_TRUE(GetProposal(mine_.name(), Staff(), &p).ok());
  for (const std::string& name :
       {absl::StrCat(y_.name(), "/proposals/", id),
        absl::StrCat(other.name(), "/calls/", call_id, "/proposals/", id)}) {
    EXPECT_EQ(GetProposal(name, Staff(), &p).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << name;
    EXPECT_NE(GetProposal(name, Applicant("partners/mine"), &p).error_code(),
              grpc::StatusCode::OK)
        << name;
  }
}

TEST_F(PermissionsTest, AnApplicantReadsOnlyItsOwnProposals) {
  const std::string me = Applicant("partners/mine");
  Proposal p;
  ASSERT_TRUE(GetProposal(mine_.name(), me, &p).ok());
  EXPECT_EQ(p.title(), "わたしの提案");
  EXPECT_TRUE(p.has_screening());
  grpc::Status status = GetProposal(theirs_.name(), me, &p);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status =
      GetProposal(absl::StrCat(x_.name(), "/proposals/nosuchproposal"), me, &p);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListProposalsResponse page;
  ASSERT_TRUE(ListProposals("programmes/-/calls/-", me, &page).ok());
  ASSERT_EQ(page.proposals_size(), 1);
  EXPECT_EQ(page.proposals(0).name(), mine_.name());
  // It may not edit another's proposal or propose as another.
  v1::UpdateProposalRequest edit;
  edit.mutable_proposal()->set_name(theirs_.name());
  edit.mutable_proposal()->set_title("乗っ取り");
  EXPECT_EQ(stub_->UpdateProposal(Context(me).get(), edit, &p).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreateDraft(y_.name(), "partners/theirs", "なりすまし", 1, &p, me)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListReviewsResponse reviews;
  EXPECT_EQ(ListReviews(mine_.name(), me, &reviews).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PermissionsTest, ResultsReachApplicantsAndViewersOnlyWhenPublished) {
  ReviewAndDecide();
  const std::string me = Applicant("partners/mine");
  Proposal p;
  ASSERT_TRUE(GetProposal(mine_.name(), me, &p).ok());
  EXPECT_FALSE(p.has_result());
  EXPECT_EQ(p.state(), Proposal::ELIGIBLE);  // ADOPTED, not told yet
  v1::ListProposalsResponse page;
  ASSERT_TRUE(
      ListProposals("programmes/-/calls/-", me, &page, "state = ADOPTED").ok());
  EXPECT_EQ(page.proposals_size(), 0);
  v1::GetDecisionRequest get;
  get.set_name(x_.name());
  Decision decision;
  EXPECT_EQ(stub_->GetDecision(Context(me).get(), get, &decision).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->GetDecision(Context(ViewerToken()).get(), get, &decision)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      stub_->GetDecision(Context(ReviewerToken("x-1")).get(), get, &decision)
          .ok());
  EXPECT_EQ(GetProposal(mine_.name(), ViewerToken(), &p).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(Publish(x_.name()).ok());
  ASSERT_TRUE(GetProposal(mine_.name(), me, &p).ok());
  EXPECT_EQ(p.state(), Proposal::ADOPTED);
  EXPECT_EQ(p.result().rank(), 1);
  EXPECT_EQ(p.result().reason(), ProposalResult::ADOPTED);
  EXPECT_FALSE(p.result().score().empty());
  EXPECT_TRUE(stub_->GetDecision(Context(me).get(), get, &decision).ok());
  // Never a reviewer's scores.
  v1::ListReviewsResponse reviews;
  EXPECT_EQ(ListReviews(mine_.name(), me, &reviews).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ListReviews(mine_.name(), ViewerToken(), &reviews).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Viewers (and other applicants) see the public fields.
  ASSERT_TRUE(GetProposal(theirs_.name(), ViewerToken(), &p).ok());
  EXPECT_EQ(p.title(), "よその提案");
  EXPECT_EQ(p.state(), Proposal::NOT_ADOPTED);
  EXPECT_TRUE(p.has_result());
  EXPECT_TRUE(p.issue().empty());
  EXPECT_TRUE(p.plan().empty());
  EXPECT_FALSE(p.has_screening());
  ASSERT_TRUE(GetProposal(theirs_.name(), me, &p).ok());
  EXPECT_TRUE(p.plan().empty());
  ASSERT_TRUE(ListProposals(x_.name(), ViewerToken(), &page).ok());
  EXPECT_EQ(page.proposals_size(), 2);
  EXPECT_TRUE(
      stub_->GetDecision(Context(ViewerToken()).get(), get, &decision).ok());
}

TEST_F(PermissionsTest, DraftCallsAreInvisibleAndOtherWardsCannotWrite) {
  const Programme p = CreateProgramme();
  const Call draft = CreateCall(p.name());
  v1::GetCallRequest get;
  get.set_name(draft.name());
  Call out;
  EXPECT_EQ(
      stub_->GetCall(Context(ViewerToken()).get(), get, &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(stub_->GetCall(Context(Staff()).get(), get, &out).ok());
  v1::ListCallsRequest list;
  list.set_parent("programmes/-");
  v1::ListCallsResponse calls;
  ASSERT_TRUE(
      stub_->ListCalls(Context(ViewerToken()).get(), list, &calls).ok());
  EXPECT_EQ(calls.calls_size(), 2);  // X and Y, not the draft
  ASSERT_TRUE(stub_->ListCalls(Context(Staff()).get(), list, &calls).ok());
  EXPECT_EQ(calls.calls_size(), 3);
  list.set_filter("state = UNDER_REVIEW");
  ASSERT_TRUE(stub_->ListCalls(Context(Staff()).get(), list, &calls).ok());
  EXPECT_EQ(calls.calls_size(), 2);

  const std::string tama = WardStaffToken(kyodo::type::v1::TAMA, "tama-staff");
  grpc::Status status =
      Transition(&ProposalService::Stub::OpenCall, draft.name(), &out, tama);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateProgrammeRequest create;
  *create.mutable_programme() = CitizenProgramme();  // an ASAO programme
  Programme programme;
  EXPECT_EQ(stub_->CreateProgramme(Context(tama).get(), create, &programme)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      stub_->CreateProgramme(Context(ViewerToken()).get(), create, &programme)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Ward staff learn that a call does not exist; others only that they may
  // not.
  status = Transition(&ProposalService::Stub::OpenCall,
                      absl::StrCat(p.name(), "/calls/nosuchcall"), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(PermissionsTest, EveryChangeIsAuditedForTheWardOnly) {
  ReviewAndDecide();
  kyodo::type::v1::ListAuditEventsRequest request;
  request.set_resource(mine_.name());
  kyodo::type::v1::ListAuditEventsResponse events;
  ASSERT_TRUE(
      stub_->ListAuditEvents(Context(Staff()).get(), request, &events).ok());
  std::vector<std::string> methods;
  for (const auto& e : events.audit_events()) methods.push_back(e.method());
  EXPECT_EQ(methods,
            (std::vector<std::string>{"CreateProposal", "SubmitProposal",
                                      "ScreenProposal", "DecideCall"}));
  EXPECT_EQ(events.audit_events(0).actor(), "partners/mine");
  EXPECT_EQ(events.audit_events(0).actor_role(), "applicant");
  EXPECT_EQ(events.audit_events(2).actor(), "asao-staff");
  bool state_changed = false;
  for (const auto& change : events.audit_events(3).changes()) {
    if (change.field() == "result") state_changed = true;
  }
  EXPECT_TRUE(state_changed);

  v1::ListReviewsResponse reviews;
  v1::ListReviewsRequest list;
  list.set_parent(mine_.name());
  ASSERT_TRUE(stub_->ListReviews(Context(Staff()).get(), list, &reviews).ok());
  request.set_resource(reviews.reviews(0).name());
  ASSERT_TRUE(
      stub_->ListAuditEvents(Context(AdminToken()).get(), request, &events)
          .ok());
  ASSERT_EQ(events.audit_events_size(), 1);
  EXPECT_EQ(events.audit_events(0).method(), "SubmitReview");

  request.set_resource(mine_.name());
  EXPECT_EQ(stub_
                ->ListAuditEvents(
                    Context(WardStaffToken(kyodo::type::v1::TAMA)).get(),
                    request, &events)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_
                ->ListAuditEvents(Context(ReviewerToken("x-1")).get(), request,
                                  &events)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PermissionsTest, AStaleEtagChangesNothing) {
  v1::UpdateCallRequest update;
  update.mutable_call()->set_name(y_.name());
  update.mutable_call()->set_description("一回目");
  Call first;
  ASSERT_TRUE(stub_->UpdateCall(Context(Staff()).get(), update, &first).ok());
  update.mutable_call()->set_description("古い版から");
  update.mutable_call()->set_etag(y_.etag());  // stale
  Call out;
  grpc::Status status = stub_->UpdateCall(Context(Staff()).get(), update, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(status), "ETAG_MISMATCH");
  v1::GetCallRequest get;
  get.set_name(y_.name());
  ASSERT_TRUE(stub_->GetCall(Context(Staff()).get(), get, &out).ok());
  EXPECT_EQ(out.description(), "一回目");
  EXPECT_EQ(out.etag(), first.etag());

  // Once OPEN the rules are fixed; the window may only grow.
  update.mutable_call()->clear_etag();
  update.mutable_call()->clear_description();
  update.mutable_call()->set_budget_yen(1);
  status = stub_->UpdateCall(Context(Staff()).get(), update, &out);
  EXPECT_EQ(Reason(status), "RULES_FIXED");
  EXPECT_EQ(Metadata(status, "field"), "budget_yen");
}

TEST_F(PermissionsTest, RequestIdReplaysReturnTheFirstAnswer) {
  constexpr char kRequestId[] = "3d6f9a2b-1c4e-4f8a-9b7d-5e2c1a0f8d34";
  v1::SubmitReviewRequest request;
  request.set_parent(mine_.name());
  for (int64_t s : {4, 4, 4}) request.mutable_review()->add_scores(s);
  request.set_request_id(kRequestId);
  Review first, second;
  const std::string member = ReviewerToken("x-1", "x-1");
  ASSERT_TRUE(stub_->SubmitReview(Context(member).get(), request, &first).ok());
  ASSERT_TRUE(
      stub_->SubmitReview(Context(member).get(), request, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(first.etag(), "W/\"1\"");
  request.mutable_review()->set_scores(0, 1);
  grpc::Status status =
      stub_->SubmitReview(Context(member).get(), request, &second);
  EXPECT_EQ(Reason(status), "REQUEST_ID_REUSED");
  EXPECT_EQ(
      CountRows(
          "SELECT COUNT(*) FROM audit_events WHERE method = 'SubmitReview'"),
      1);

  // Scores are checked against the call's criteria.
  request.clear_request_id();
  request.mutable_review()->set_scores(1, 6);  // max 5
  status = stub_->SubmitReview(Context(member).get(), request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(kyodo::testing::BadField(status), "review.scores[1]");
  request.mutable_review()->clear_scores();
  request.mutable_review()->add_scores(1);
  EXPECT_EQ(kyodo::testing::BadField(
                stub_->SubmitReview(Context(member).get(), request, &second)),
            "review.scores");

  // A paper score sheet entered by the secretariat for a member.
  v1::ListReviewersRequest committee;
  committee.set_parent(x_.name());
  v1::ListReviewersResponse members;
  ASSERT_TRUE(
      stub_->ListReviewers(Context(Staff()).get(), committee, &members).ok());
  v1::SubmitReviewRequest sheet;
  sheet.set_parent(mine_.name());
  sheet.set_reviewer(members.reviewers(1).name());
  for (int64_t s : {3, 3, 3}) sheet.mutable_review()->add_scores(s);
  ASSERT_TRUE(stub_->SubmitReview(Context(Staff()).get(), sheet, &second).ok());
  EXPECT_EQ(second.reviewer(), members.reviewers(1).name());
  EXPECT_EQ(
      stub_->SubmitReview(Context(ReviewerToken("x-1")).get(), sheet, &second)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace kyodo::proposal
