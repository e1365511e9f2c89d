// Review stages (段階審査) over gRPC against the real MariaDB: a 書類審査
// with its own criteria, pass mark and committee before the call's own
// プレゼンテーション審査; AdvanceStage closing it; a proposal that fails it
// never reaching the last stage; the final score as the declared weighted
// mean; a closed stage kept as it closed.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Proposal;
using kyodo::proposal::v1::ProposalResult;
using kyodo::proposal::v1::Review;
using kyodo::proposal::v1::Reviewer;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::ReviewerToken;
using kyodo::testing::ViewerToken;

namespace kyodo::proposal {
namespace {

class StageTest : public ProposalServiceTest {
 protected:
  // The standard call behind a 書類審査 on one criterion out of 10, pass
  // mark 60, two reviews each, weighted 1 against the last stage's 1.
  static Call TwoStageCall() {
    Call c = StandardCall();
    v1::ReviewStage* first = c.add_stages();
    first->set_display_name("書類審査");
    v1::Criterion* k = first->add_criteria();
    k->set_display_name("提案書の完成度");
    k->set_weight(1);
    k->set_max_score(10);
    first->set_pass_mark(60);
    first->set_min_reviews(2);
    first->set_weight(1);
    c.set_last_stage_display_name("プレゼンテーション審査");
    c.set_last_stage_weight(1);
    return c;
  }

  void SetUpCall(const Call& shape = TwoStageCall()) {
    call_ = CreateCall(CreateProgramme().name(), shape);
    ASSERT_TRUE(Open(call_.name()).ok());
    clock().Set(kOpens + absl::Hours(1));
    a_ = EligibleProposal(call_.name(), "partners/pa", "提案A", 300000);
    b_ = EligibleProposal(call_.name(), "partners/pb", "提案B", 300000);
    c_ = EligibleProposal(call_.name(), "partners/pc", "提案C", 300000);
  }

  grpc::Status Appoint(const std::string& principal,
                       const std::vector<int32_t>& stages,
                       Reviewer* out = nullptr) {
    v1::CreateReviewerRequest request;
    request.set_parent(call_.name());
    request.mutable_reviewer()->set_display_name("委員 " + principal);
    request.mutable_reviewer()->set_principal(principal);
    for (int32_t s : stages) request.mutable_reviewer()->add_stages(s);
    Reviewer ignored;
    return stub_->CreateReviewer(Context(Staff()).get(), request,
                                 out ? out : &ignored);
  }

  grpc::Status Advance(v1::AdvanceStageResponse* out,
                       bool validate_only = false,
                       const std::string& token = Staff()) {
    v1::AdvanceStageRequest request;
    request.set_name(call_.name());
    request.set_validate_only(validate_only);
    return stub_->AdvanceStage(Context(token).get(), request, out);
  }

  grpc::Status Progress(v1::ListReviewProgressResponse* out) {
    v1::ListReviewProgressRequest request;
    request.set_parent(call_.name());
    return stub_->ListReviewProgress(Context(Staff()).get(), request, out);
  }

  Call GetCall() {
    v1::GetCallRequest request;
    request.set_name(call_.name());
    Call out;
    EXPECT_TRUE(stub_->GetCall(Context(Staff()).get(), request, &out).ok());
    return out;
  }

  static const ProposalResult& ResultOf(const v1::Decision& d,
                                        const Proposal& p) {
    for (const ProposalResult& r : d.results()) {
      if (r.proposal() == p.name()) return r;
    }
    ADD_FAILURE() << p.name();
    return d.results(0);
  }

  Call call_;
  Proposal a_, b_, c_;
};

// The whole round: A fails the 書類審査 (50 < 60), C passes on the mark,
// B with 80. Only B and C reach the プレゼンテーション審査, where C scores
// higher (70 against 60) but B ranks first on the weighted mean (70
// against 65). A member of the closed stage leaving changes nothing.
TEST_F(StageTest, AProposalThatFailsAStageNeverReachesTheNext) {
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  ASSERT_TRUE(Appoint("iin-1", {1, 2}).ok());
  ASSERT_TRUE(Appoint("iin-2", {1, 2}).ok());
  Reviewer documents_only;
  ASSERT_TRUE(Appoint("iin-4", {1}, &documents_only).ok());
  ASSERT_TRUE(Appoint("iin-3", {}).ok());  // the last stage only
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(call_.name()));
  EXPECT_EQ(GetCall().current_stage(), 1);

  // Stage 1 is scored on its own criterion, by its own members.
  grpc::Status status = SubmitReview(a_.name(), "iin-3", {5});
  EXPECT_EQ(Reason(status), "NOT_ON_STAGE");
  status = SubmitReview(a_.name(), "iin-1", {5, 5, 10});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "review.scores");
  Review first;
  ASSERT_TRUE(SubmitReview(a_.name(), "iin-1", {5}, &first).ok());
  EXPECT_EQ(first.stage(), 1);
  EXPECT_FALSE(absl::StrContains(first.name(), "-s"));
  ASSERT_TRUE(SubmitReview(a_.name(), "iin-4", {5}).ok());
  ASSERT_TRUE(SubmitReview(b_.name(), "iin-1", {8}).ok());
  ASSERT_TRUE(SubmitReview(b_.name(), "iin-2", {8}).ok());
  ASSERT_TRUE(SubmitReview(c_.name(), "iin-2", {6}).ok());

  // C lacks its second review; nothing is decided before the last stage.
  v1::AdvanceStageResponse advanced;
  status = Advance(&advanced);
  EXPECT_EQ(Reason(status), "REVIEWS_MISSING");
  EXPECT_EQ(Metadata(status, "proposals"), c_.name());
  ASSERT_TRUE(SubmitReview(c_.name(), "iin-4", {6}).ok());
  v1::Decision decision;
  EXPECT_EQ(Reason(Decide(call_.name(), &decision)), "STAGES_REMAINING");
  v1::PreviewDecisionRequest preview;
  preview.set_name(call_.name());
  EXPECT_EQ(Reason(stub_->PreviewDecision(Context(Staff()).get(), preview,
                                          &decision)),
            "STAGES_REMAINING");

  // Only the programme's managers close a stage; a dry run writes nothing.
  for (const std::string& token :
       {ViewerToken(), ReviewerToken("iin-1", "iin-1"),
        Applicant("partners/pa")}) {
    EXPECT_EQ(Advance(&advanced, true, token).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  status = Advance(&advanced, true);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(advanced.results_size(), 3);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM stage_results"), 0);
  EXPECT_EQ(GetCall().current_stage(), 1);

  status = Advance(&advanced);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(advanced.stage(), 1);
  EXPECT_EQ(advanced.call().current_stage(), 2);
  ASSERT_EQ(advanced.results_size(), 3);
  // Best first: B 80, C 60 (passes on the mark), A 50.
  EXPECT_EQ(advanced.results(0).proposal(), b_.name());
  EXPECT_EQ(advanced.results(0).score().score(), "80.0000");
  EXPECT_TRUE(advanced.results(0).score().passed());
  EXPECT_EQ(advanced.results(1).proposal(), c_.name());
  EXPECT_TRUE(advanced.results(1).score().passed());
  EXPECT_EQ(advanced.results(2).proposal(), a_.name());
  EXPECT_EQ(advanced.results(2).score().score(), "50.0000");
  EXPECT_FALSE(advanced.results(2).score().passed());
  EXPECT_EQ(advanced.results(2).score().reviews(), 2);
  EXPECT_EQ(Reason(Advance(&advanced)), "LAST_STAGE");

  // The last stage: its members, and only what passed.
  v1::ListReviewProgressResponse progress;
  ASSERT_TRUE(Progress(&progress).ok());
  EXPECT_EQ(progress.stage(), 2);
  ASSERT_EQ(progress.proposals_size(), 2);
  EXPECT_NE(progress.proposals(0).proposal(), a_.name());
  EXPECT_NE(progress.proposals(1).proposal(), a_.name());
  EXPECT_EQ(progress.members_size(), 3);
  for (const Reviewer& m : progress.members())
    EXPECT_NE(m.name(), documents_only.name());
  EXPECT_EQ(Reason(SubmitReview(a_.name(), "iin-1", {5, 5, 10})),
            "STAGE_NOT_PASSED");
  EXPECT_EQ(Reason(SubmitReview(b_.name(), "iin-4", {5, 5, 10})),
            "NOT_ON_STAGE");
  Review second;
  ASSERT_TRUE(SubmitReview(b_.name(), "iin-1", {3, 3, 6}, &second).ok());
  EXPECT_EQ(second.stage(), 2);
  EXPECT_TRUE(absl::EndsWith(second.name(), "-s2")) << second.name();
  ASSERT_TRUE(SubmitReview(b_.name(), "iin-3", {3, 3, 6}).ok());
  ASSERT_TRUE(SubmitReview(c_.name(), "iin-2", {4, 3, 6}).ok());
  ASSERT_TRUE(SubmitReview(c_.name(), "iin-3", {4, 3, 6}).ok());
  // A member's stages read back, and each stage's review separately.
  v1::GetReviewRequest get;
  get.set_name(second.name());
  Review read;
  ASSERT_TRUE(stub_->GetReview(Context(Staff()).get(), get, &read).ok());
  EXPECT_EQ(read.scores_size(), 3);
  get.set_name(first.name());
  ASSERT_TRUE(stub_->GetReview(Context(Staff()).get(), get, &read).ok());
  EXPECT_EQ(read.scores_size(), 1);
  EXPECT_EQ(read.stage(), 1);

  // The stage-1-only member leaves: the closed stage keeps its reviews.
  v1::DeleteReviewerRequest remove;
  remove.set_name(documents_only.name());
  Reviewer removed;
  ASSERT_TRUE(
      stub_->DeleteReviewer(Context(Staff()).get(), remove, &removed).ok());

  // The committee rules on what the last stage ranks, not on A.
  v1::DecideCallRequest ruled;
  ruled.set_name(call_.name());
  v1::CommitteeRuling* ruling = ruled.add_rulings();
  ruling->set_proposal(a_.name());
  ruling->set_action(v1::CommitteeRuling::ADOPT);
  ruling->set_reason("書類の不備は軽微");
  status = stub_->DecideCall(Context(Staff()).get(), ruled, &decision);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "rulings[0].proposal");
  EXPECT_EQ(GetCall().state(), Call::UNDER_REVIEW);

  status = Decide(call_.name(), &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const ProposalResult& a = ResultOf(decision, a_);
  EXPECT_EQ(a.reason(), ProposalResult::STAGE_NOT_PASSED);
  EXPECT_EQ(a.rank(), 0);
  EXPECT_EQ(a.failed_stage(), 1);
  ASSERT_EQ(a.stage_scores_size(), 1);
  EXPECT_EQ(a.stage_scores(0).score(), "50.0000");
  EXPECT_EQ(a.stage_scores(0).reviews(), 2);
  EXPECT_FALSE(a.stage_scores(0).passed());
  const ProposalResult& b = ResultOf(decision, b_);
  const ProposalResult& c = ResultOf(decision, c_);
  // Last stage alone: C 70, B 60. Weighted 1:1: B 70, C 65.
  EXPECT_EQ(b.rank(), 1);
  EXPECT_EQ(b.score(), "70.0000");
  EXPECT_EQ(c.rank(), 2);
  EXPECT_EQ(c.score(), "65.0000");
  ASSERT_EQ(c.stage_scores_size(), 1);
  EXPECT_EQ(c.stage_scores(0).score(), "60.0000");
  EXPECT_EQ(c.stage_scores(0).reviews(), 2);
  EXPECT_TRUE(c.stage_scores(0).passed());
  EXPECT_EQ(b.reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(c.reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(decision.engine_version(), 2);

  Proposal stored;
  ASSERT_TRUE(GetProposal(a_.name(), Staff(), &stored).ok());
  EXPECT_EQ(stored.state(), Proposal::NOT_ADOPTED);
}

// The last stage's score alone decides when no stage has a weight; a call
// without stages starts its review at stage 1 of 1 and reads as before.
TEST_F(StageTest, WithoutWeightsTheLastStageDecides) {
  Call shape = TwoStageCall();
  shape.mutable_stages(0)->clear_weight();
  shape.clear_last_stage_weight();
  ASSERT_NO_FATAL_FAILURE(SetUpCall(shape));
  ASSERT_TRUE(Appoint("iin-1", {1, 2}).ok());
  ASSERT_TRUE(Appoint("iin-2", {1, 2}).ok());
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(call_.name()));
  for (const Proposal* p : {&a_, &b_, &c_}) {
    const int64_t score = p == &a_ ? 5 : p == &b_ ? 8 : 6;
    ASSERT_TRUE(SubmitReview(p->name(), "iin-1", {score}).ok());
    ASSERT_TRUE(SubmitReview(p->name(), "iin-2", {score}).ok());
  }
  v1::AdvanceStageResponse advanced;
  ASSERT_TRUE(Advance(&advanced).ok());
  for (const char* m : {"iin-1", "iin-2"}) {
    ASSERT_TRUE(SubmitReview(b_.name(), m, {3, 3, 6}).ok());
    ASSERT_TRUE(SubmitReview(c_.name(), m, {4, 3, 6}).ok());
  }
  v1::Decision decision;
  ASSERT_TRUE(Decide(call_.name(), &decision).ok());
  EXPECT_EQ(ResultOf(decision, c_).rank(), 1);
  EXPECT_EQ(ResultOf(decision, c_).score(), "70.0000");
  EXPECT_EQ(ResultOf(decision, b_).score(), "60.0000");
}

// What a call's stages and a member's stages must hold; every stage needs
// its committee at the start; stages are fixed once the call is OPEN.
TEST_F(StageTest, BadStagesAreRefusedAndChangeNothing) {
  const std::string programme = CreateProgramme().name();
  struct Case {
    std::function<void(Call&)> spoil;
    std::string field;
  } cases[] = {
      {[](Call& c) { c.mutable_stages(0)->clear_display_name(); },
       "call.stages[0].display_name"},
      {[](Call& c) { c.mutable_stages(0)->clear_criteria(); },
       "call.stages[0].criteria"},
      {[](Call& c) { c.mutable_stages(0)->set_pass_mark(101); },
       "call.stages[0].pass_mark"},
      {[](Call& c) { c.mutable_stages(0)->clear_min_reviews(); },
       "call.stages[0].min_reviews"},
      {[](Call& c) { c.mutable_stages(0)->set_weight(1001); },
       "call.stages[0].weight"},
      {[](Call& c) { c.set_last_stage_weight(0); }, "call.last_stage_weight"},
      {[](Call& c) {
         for (int i = 0; i < 3; ++i) *c.add_stages() = c.stages(0);
       },
       "call.stages"},
  };
  for (const Case& bad : cases) {
    Call shape = TwoStageCall();
    bad.spoil(shape);
    v1::CreateCallRequest request;
    request.set_parent(programme);
    *request.mutable_call() = shape;
    Call out;
    const grpc::Status status =
        stub_->CreateCall(Context(Staff()).get(), request, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << bad.field;
    EXPECT_EQ(BadField(status), bad.field);
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM calls"), 0);

  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  grpc::Status status = Appoint("iin-1", {3});
  EXPECT_EQ(BadField(status), "reviewer.stages[0]");
  status = Appoint("iin-1", {1, 1});
  EXPECT_EQ(BadField(status), "reviewer.stages[1]");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviewers"), 0);

  v1::UpdateCallRequest update;
  *update.mutable_call() = call_;
  update.mutable_call()->clear_etag();
  update.mutable_call()->mutable_stages(0)->set_pass_mark(10);
  update.mutable_update_mask()->add_paths("stages");
  Call updated;
  EXPECT_EQ(Reason(stub_->UpdateCall(Context(Staff()).get(), update, &updated)),
            "RULES_FIXED");

  // Two on the last stage but one on the 書類審査, which needs two.
  ASSERT_TRUE(Appoint("iin-1", {1, 2}).ok());
  ASSERT_TRUE(Appoint("iin-2", {2}).ok());
  clock().Set(kCloses + absl::Hours(1));
  ASSERT_TRUE(Close(call_.name()).ok());
  status = StartReview(call_.name());
  EXPECT_EQ(Reason(status), "NOT_ENOUGH_REVIEWERS");
  EXPECT_TRUE(absl::StrContains(status.error_message(), "書類審査"))
      << status.error_message();
  EXPECT_EQ(GetCall().state(), Call::CLOSED);
}

// A stage closes on every proposal it reviews: not while one still waits
// for its screening.
TEST_F(StageTest, AStageDoesNotCloseBeforeEveryProposalIsScreened) {
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  Proposal late;
  ASSERT_TRUE(
      CreateDraft(call_.name(), "partners/pd", "提案D", 300000, &late).ok());
  ASSERT_TRUE(Submit(late.name(), Applicant("partners/pd")).ok());
  ASSERT_TRUE(Appoint("iin-1", {1, 2}).ok());
  ASSERT_TRUE(Appoint("iin-2", {1, 2}).ok());
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(call_.name()));
  for (const Proposal* p : {&a_, &b_, &c_}) {
    for (const char* m : {"iin-1", "iin-2"})
      ASSERT_TRUE(SubmitReview(p->name(), m, {8}).ok());
  }
  v1::AdvanceStageResponse advanced;
  grpc::Status status = Advance(&advanced);
  EXPECT_EQ(Reason(status), "NOT_SCREENED");
  EXPECT_EQ(Metadata(status, "proposals"), late.name());
  EXPECT_EQ(GetCall().current_stage(), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM stage_results"), 0);
  ASSERT_TRUE(Screen(late.name(), GoodFacts(), &late).ok());
  for (const char* m : {"iin-1", "iin-2"})
    ASSERT_TRUE(SubmitReview(late.name(), m, {8}).ok());
  status = Advance(&advanced);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(advanced.results_size(), 4);
}

// Stages may change while the call is a DRAFT: a member left on a stage the
// call no longer has stops the review until staff correct the member.
TEST_F(StageTest, AMemberOnAStageTheCallLostHoldsTheReview) {
  call_ = CreateCall(CreateProgramme().name(), TwoStageCall());
  Reviewer first;
  ASSERT_TRUE(Appoint("iin-1", {1, 2}, &first).ok());
  ASSERT_TRUE(Appoint("iin-2", {}).ok());
  v1::UpdateCallRequest update;
  update.mutable_call()->set_name(call_.name());
  update.mutable_update_mask()->add_paths("stages");
  Call updated;
  ASSERT_TRUE(stub_->UpdateCall(Context(Staff()).get(), update, &updated).ok());
  EXPECT_EQ(updated.stages_size(), 0);
  ASSERT_TRUE(Open(call_.name()).ok());
  clock().Set(kCloses + absl::Hours(1));
  ASSERT_TRUE(Close(call_.name()).ok());
  grpc::Status status = StartReview(call_.name());
  EXPECT_EQ(Reason(status), "NO_SUCH_STAGE");
  EXPECT_EQ(Metadata(status, "reviewer"), first.name());
  EXPECT_EQ(GetCall().state(), Call::CLOSED);
  // Put on the one stage there is, the member lets the review start.
  v1::UpdateReviewerRequest move;
  move.mutable_reviewer()->set_name(first.name());
  move.mutable_reviewer()->add_stages(1);
  move.mutable_update_mask()->add_paths("stages");
  Reviewer moved;
  ASSERT_TRUE(stub_->UpdateReviewer(Context(Staff()).get(), move, &moved).ok());
  status = StartReview(call_.name());
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(GetCall().current_stage(), 1);
}

}  // namespace
}  // namespace kyodo::proposal
