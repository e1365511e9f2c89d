// DecideCall and PreviewDecision against the real MariaDB: once only under
// concurrency, refused while reviews are missing, conflicts never counted,
// and nothing of a decided call changes.
#include <barrier>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Decision;
using kyodo::proposal::v1::Proposal;
using kyodo::proposal::v1::ProposalResult;
using kyodo::proposal::v1::ProposalService;
using kyodo::proposal::v1::Reviewer;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::ReviewerToken;
using kyodo::testing::WardStaffToken;

namespace kyodo::proposal {
namespace {

class DecisionTest : public ProposalServiceTest {
 protected:
  // An UNDER_REVIEW call with `n` eligible proposals (100,000 yen each,
  // "partners/p<i>") and two members, iin-1 and iin-2; reviews by both
  // for the first `reviewed` proposals.
  void Prepare(int n, int reviewed) {
    call_ = OpenStandardCall();
    for (int i = 0; i < n; ++i) {
      proposals_.push_back(EligibleProposal(call_.name(),
                                            absl::StrCat("partners/p", i),
                                            absl::StrCat("提案", i), 100000));
    }
    AddReviewer(call_.name(), "iin-1");
    AddReviewer(call_.name(), "iin-2");
    CloseAndStartReview(call_.name());
    for (int i = 0; i < reviewed; ++i) {
      ASSERT_TRUE(
          SubmitReview(proposals_[i].name(), "iin-1", {5, 4, 8 - i}).ok());
      ASSERT_TRUE(SubmitReview(proposals_[i].name(), "iin-2", {4, 4, 7}).ok());
    }
  }

  Call call_;
  std::vector<Proposal> proposals_;
};

TEST_F(DecisionTest, TwoConcurrentDecisionsMakeOne) {
  Prepare(4, 4);
  std::barrier start(2);
  Decision answers[2];
  grpc::Status statuses[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      auto stub = ProposalService::NewStub(service_->NewChannel());
      v1::DecideCallRequest request;
      request.set_name(call_.name());
      start.arrive_and_wait();
      statuses[i] =
          stub->DecideCall(Context(Staff()).get(), request, &answers[i]);
    });
  }
  for (auto& t : threads) t.join();
  const int ok = statuses[0].ok() + statuses[1].ok();
  ASSERT_EQ(ok, 1) << statuses[0].error_message() << " / "
                   << statuses[1].error_message();
  const grpc::Status& refused = statuses[0].ok() ? statuses[1] : statuses[0];
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(refused), "ALREADY_DECIDED");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decisions"), 1);
  EXPECT_EQ(
      CountRows("SELECT COUNT(*) FROM audit_events WHERE method = 'DecideCall' "
                "AND resource LIKE '%/calls/%' AND resource NOT LIKE "
                "'%/proposals/%'"),
      1);
}

TEST_F(DecisionTest, ConcurrentRetriesWithOneRequestIdGetTheSameDecision) {
  Prepare(3, 3);
  constexpr char kRequestId[] = "0f8e3c1a-5b7d-4e29-8a6c-1d2e3f4a5b6c";
  std::barrier start(3);
  Decision answers[3];
  grpc::Status statuses[3];
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      auto stub = ProposalService::NewStub(service_->NewChannel());
      v1::DecideCallRequest request;
      request.set_name(call_.name());
      request.set_request_id(kRequestId);
      start.arrive_and_wait();
      statuses[i] =
          stub->DecideCall(Context(Staff()).get(), request, &answers[i]);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(answers[i].SerializeAsString(), answers[0].SerializeAsString());
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decisions"), 1);
}

TEST_F(DecisionTest, MissingReviewsRefuseTheDecisionListingThem) {
  Prepare(4, 2);
  // Proposal 2 gets one review of two; proposal 3 none.
  ASSERT_TRUE(SubmitReview(proposals_[2].name(), "iin-1", {3, 3, 3}).ok());
  Decision decision;
  grpc::Status status = Decide(call_.name(), &decision);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "REVIEWS_MISSING");
  EXPECT_EQ(Metadata(status, "count"), "2");
  const std::string listed = Metadata(status, "proposals");
  EXPECT_TRUE(absl::StrContains(listed, proposals_[2].name())) << listed;
  EXPECT_TRUE(absl::StrContains(listed, proposals_[3].name())) << listed;
  EXPECT_FALSE(absl::StrContains(listed, proposals_[0].name())) << listed;
  EXPECT_TRUE(absl::StrContains(status.error_message(), proposals_[3].name()));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decisions"), 0);

  // The preview says the same, in full, with provisional standings.
  v1::PreviewDecisionRequest preview;
  preview.set_name(call_.name());
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &decision).ok());
  EXPECT_TRUE(decision.preview());
  EXPECT_FALSE(decision.decidable());
  ASSERT_EQ(decision.missing_reviews_size(), 2);
  EXPECT_EQ(decision.missing_reviews(0).proposal(),
            std::min(proposals_[2].name(), proposals_[3].name()));
  ASSERT_EQ(decision.results_size(), 4);
  EXPECT_EQ(decision.results(3).rank(), 0);
  EXPECT_EQ(decision.results(3).proposal(), proposals_[3].name());
  EXPECT_EQ(decision.results(3).reason(), ProposalResult::REASON_UNSPECIFIED);
  EXPECT_EQ(
      CountRows(
          "SELECT COUNT(*) FROM audit_events WHERE method = 'PreviewDecision'"),
      0);
}

TEST_F(DecisionTest, PreviewAnswersWhatIfsAndWritesNothing) {
  Prepare(3, 3);  // 300,000 yen asked in all; budget 1,500,000
  v1::PreviewDecisionRequest preview;
  preview.set_name(call_.name());
  preview.set_budget_yen(150000);
  Decision what_if;
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if).ok());
  EXPECT_TRUE(what_if.decidable());
  EXPECT_EQ(what_if.budget_yen(), 150000);
  EXPECT_EQ(what_if.adopted_count(), 1);
  preview.clear_budget_yen();
  preview.set_max_adoptions(2);
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if).ok());
  EXPECT_EQ(what_if.adopted_count(), 2);
  EXPECT_EQ(what_if.results(2).reason(),
            ProposalResult::ADOPTION_LIMIT_REACHED);
  preview.set_budget_yen(-1);
  EXPECT_EQ(kyodo::testing::BadField(stub_->PreviewDecision(
                Context(Staff()).get(), preview, &what_if)),
            "budget_yen");
  // Managers only: not the committee, not another ward's staff.
  preview.clear_budget_yen();
  EXPECT_EQ(stub_
                ->PreviewDecision(Context(ReviewerToken("iin-1")).get(),
                                  preview, &what_if)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_
                ->PreviewDecision(
                    Context(WardStaffToken(kyodo::type::v1::TAMA)).get(),
                    preview, &what_if)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decisions"), 0);
  Call still;
  v1::GetCallRequest get;
  get.set_name(call_.name());
  ASSERT_TRUE(stub_->GetCall(Context(Staff()).get(), get, &still).ok());
  EXPECT_EQ(still.state(), Call::UNDER_REVIEW);
}

TEST_F(DecisionTest, UnscreenedProposalsRefuseTheDecision) {
  call_ = OpenStandardCall();
  const Proposal screened =
      EligibleProposal(call_.name(), "partners/s", "審査済み", 1000);
  Proposal unscreened;
  ASSERT_TRUE(
      CreateDraft(call_.name(), "partners/u", "未審査", 1000, &unscreened)
          .ok());
  ASSERT_TRUE(Submit(unscreened.name(), Applicant("partners/u")).ok());
  AddReviewer(call_.name(), "iin-1");
  AddReviewer(call_.name(), "iin-2");
  CloseAndStartReview(call_.name());
  ASSERT_TRUE(SubmitReview(screened.name(), "iin-1", {5, 5, 5}).ok());
  ASSERT_TRUE(SubmitReview(screened.name(), "iin-2", {5, 5, 5}).ok());
  Decision decision;
  grpc::Status status = Decide(call_.name(), &decision);
  EXPECT_EQ(Reason(status), "NOT_SCREENED");
  EXPECT_EQ(Metadata(status, "proposals"), unscreened.name());
  // First screening is still possible during the review.
  ASSERT_TRUE(Screen(unscreened.name(), GoodFacts()).ok());
  EXPECT_EQ(Reason(Decide(call_.name(), &decision)), "REVIEWS_MISSING");
}

TEST_F(DecisionTest, NothingChangesAfterTheDecision) {
  Prepare(2, 2);
  Decision decision;
  ASSERT_TRUE(Decide(call_.name(), &decision).ok());
  const std::string proposal = proposals_[0].name();

  auto expect_decided = [](const grpc::Status& status, const char* what) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << what;
    EXPECT_EQ(Reason(status), "CALL_DECIDED")
        << what << ": " << status.error_message();
  };
  expect_decided(SubmitReview(proposal, "iin-1", {1, 1, 1}), "SubmitReview");
  v1::UpdateCallRequest update;
  update.mutable_call()->set_name(call_.name());
  update.mutable_call()->set_description("変更");
  Call call_out;
  expect_decided(stub_->UpdateCall(Context(Staff()).get(), update, &call_out),
                 "UpdateCall");
  expect_decided(Open(call_.name()), "OpenCall");
  v1::CreateReviewerRequest add;
  add.set_parent(call_.name());
  add.mutable_reviewer()->set_display_name("追加委員");
  add.mutable_reviewer()->set_principal("iin-9");
  Reviewer member;
  expect_decided(stub_->CreateReviewer(Context(Staff()).get(), add, &member),
                 "CreateReviewer");
  v1::ListReviewersRequest list;
  list.set_parent(call_.name());
  v1::ListReviewersResponse members;
  ASSERT_TRUE(
      stub_->ListReviewers(Context(Staff()).get(), list, &members).ok());
  v1::DeleteReviewerRequest remove;
  remove.set_name(members.reviewers(0).name());
  expect_decided(stub_->DeleteReviewer(Context(Staff()).get(), remove, &member),
                 "DeleteReviewer");
  v1::DeclareConflictRequest declare;
  declare.set_reviewer(members.reviewers(0).name());
  declare.set_proposal(proposal);
  expect_decided(stub_->DeclareConflict(Context(ReviewerToken("iin-1")).get(),
                                        declare, &member),
                 "DeclareConflict");
  expect_decided(Screen(proposal, GoodFacts()), "ScreenProposal");
  v1::WithdrawProposalRequest withdraw;
  withdraw.set_name(proposal);
  Proposal p;
  expect_decided(stub_->WithdrawProposal(Context(Staff()).get(), withdraw, &p),
                 "WithdrawProposal");
  v1::UpdateProposalRequest edit;
  edit.mutable_proposal()->set_name(proposal);
  edit.mutable_proposal()->set_title("変更");
  expect_decided(stub_->UpdateProposal(Context(Staff()).get(), edit, &p),
                 "UpdateProposal");
  expect_decided(
      CreateDraft(call_.name(), "partners/late", "遅れた提案", 1, &p),
      "CreateProposal");
  EXPECT_EQ(Reason(Decide(call_.name(), &decision)), "ALREADY_DECIDED");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decisions"), 1);
  // Publication and the project link are what remains.
  EXPECT_TRUE(Publish(call_.name()).ok());
  EXPECT_EQ(Reason(Publish(call_.name())), "ALREADY_PUBLISHED");
  expect_decided(SubmitReview(proposal, "iin-1", {1, 1, 1}),
                 "SubmitReview (published)");
}

TEST_F(DecisionTest, ConflictedReviewersAreNeverCounted) {
  call_ = OpenStandardCall();
  const Proposal a =
      EligibleProposal(call_.name(), "partners/alpha", "A案", 100000);
  Proposal b;
  ASSERT_TRUE(
      CreateDraft(call_.name(), "partners/beta", "B案", 100000, &b).ok());
  v1::UpdateProposalRequest co;
  co.mutable_proposal()->set_name(b.name());
  co.mutable_proposal()->add_co_applicants("partners/gamma");
  co.mutable_update_mask()->add_paths("co_applicants");
  ASSERT_TRUE(
      stub_->UpdateProposal(Context(Applicant("partners/beta")).get(), co, &b)
          .ok());
  ASSERT_TRUE(Submit(b.name(), Applicant("partners/beta")).ok());
  ASSERT_TRUE(Screen(b.name(), GoodFacts()).ok());
  AddReviewer(call_.name(), "iin-1");
  AddReviewer(call_.name(), "iin-2");
  // Affiliated with B's co-applicant: conflicted on B automatically.
  const Reviewer affiliated =
      AddReviewer(call_.name(), "iin-3", {"partners/gamma"});
  ASSERT_EQ(affiliated.conflicts_size(), 1);
  EXPECT_EQ(affiliated.conflicts(0).proposal(), b.name());
  EXPECT_EQ(affiliated.conflicts(0).source(), Reviewer::Conflict::AFFILIATION);
  CloseAndStartReview(call_.name());

  grpc::Status status = SubmitReview(b.name(), "iin-3", {5, 5, 10});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "REVIEWER_CONFLICTED");

  // iin-1 scores A low, then declares a conflict: its review stays stored
  // but no longer counts.
  ASSERT_TRUE(SubmitReview(a.name(), "iin-1", {0, 0, 0}).ok());
  v1::DeclareConflictRequest declare;
  v1::ListReviewersRequest list;
  list.set_parent(call_.name());
  v1::ListReviewersResponse members;
  ASSERT_TRUE(
      stub_->ListReviewers(Context(Staff()).get(), list, &members).ok());
  declare.set_reviewer(members.reviewers(0).name());
  declare.set_proposal(a.name());
  declare.set_note("申請団体の役員を兼ねている");
  Reviewer declared;
  // Only the member itself (or the managers) declares.
  EXPECT_EQ(stub_
                ->DeclareConflict(Context(ReviewerToken("iin-2")).get(),
                                  declare, &declared)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_
                  ->DeclareConflict(Context(ReviewerToken("iin-1")).get(),
                                    declare, &declared)
                  .ok());
  ASSERT_EQ(declared.conflicts_size(), 1);
  EXPECT_EQ(declared.conflicts(0).source(), Reviewer::Conflict::DECLARED);
  EXPECT_EQ(Reason(SubmitReview(a.name(), "iin-1", {5, 5, 10})),
            "REVIEWER_CONFLICTED");

  ASSERT_TRUE(SubmitReview(a.name(), "iin-2", {5, 5, 10}).ok());
  ASSERT_TRUE(SubmitReview(a.name(), "iin-3", {5, 5, 10}).ok());
  ASSERT_TRUE(SubmitReview(b.name(), "iin-1", {3, 3, 6}).ok());
  ASSERT_TRUE(SubmitReview(b.name(), "iin-2", {3, 3, 6}).ok());
  Decision decision;
  ASSERT_TRUE(Decide(call_.name(), &decision).ok());
  EXPECT_EQ(decision.results(0).proposal(), a.name());
  EXPECT_EQ(decision.results(0).score(),
            "100.0000");  // iin-1's zeros not counted
  EXPECT_EQ(decision.results(0).reviews(), 2);
  EXPECT_EQ(decision.results(1).reviews(), 2);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviews"), 5);
}

}  // namespace
}  // namespace kyodo::proposal
