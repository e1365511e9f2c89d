// The whole life of a call against the real MariaDB: programme, call,
// proposals, screening, committee, reviews, decision, publication and the
// consignment project; the submission window's edges by the fake clock.
#include "absl/strings/str_cat.h"
#include "common/crypto/sha256.h"
#include "proposal-service/domain/selection.h"
#include "proposal-service/domain/selection_codec.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Decision;
using kyodo::proposal::v1::Programme;
using kyodo::proposal::v1::Proposal;
using kyodo::proposal::v1::ProposalResult;
using kyodo::proposal::v1::ProposalService;
using kyodo::proposal::v1::Review;
using kyodo::proposal::v1::Reviewer;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::ViewerToken;

namespace kyodo::proposal {
namespace {

TEST_F(ProposalServiceTest, WholeLifecycle) {
  const Call call = OpenStandardCall();
  EXPECT_EQ(call.state(), Call::DRAFT);  // as created
  const Proposal a = EligibleProposal(call.name(), "partners/sakura",
                                      "里山の保全活動", 600000);
  const Proposal b =
      EligibleProposal(call.name(), "partners/kodomo", "子ども食堂", 500000);
  const Proposal c =
      EligibleProposal(call.name(), "partners/hanadan", "地域連携花壇", 700000);
  EXPECT_EQ(a.state(), Proposal::ELIGIBLE);
  EXPECT_EQ(a.screening().amount_cap_yen(), 700000);

  // Over the first-year cap: screened INELIGIBLE, listed unranked.
  Proposal d;
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/ookii", "大きな計画", 800000, &d)
          .ok());
  ASSERT_TRUE(Submit(d.name(), Applicant("partners/ookii")).ok());
  ASSERT_TRUE(Screen(d.name(), GoodFacts(), &d).ok());
  EXPECT_EQ(d.state(), Proposal::INELIGIBLE);
  ASSERT_EQ(d.screening().failures_size(), 1);
  EXPECT_EQ(d.screening().failures(0).rule(), "AMOUNT_OVER_CAP");

  // Withdrawn before the review.
  Proposal e;
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/yameru", "取り下げる提案", 100000, &e)
          .ok());
  ASSERT_TRUE(Submit(e.name(), Applicant("partners/yameru")).ok());
  v1::WithdrawProposalRequest withdraw;
  withdraw.set_name(e.name());
  ASSERT_TRUE(stub_
                  ->WithdrawProposal(
                      Context(Applicant("partners/yameru")).get(), withdraw, &e)
                  .ok());
  EXPECT_EQ(e.state(), Proposal::WITHDRAWN);

  AddReviewer(call.name(), "iin-1");
  AddReviewer(call.name(), "iin-2");
  CloseAndStartReview(call.name());

  ASSERT_TRUE(SubmitReview(a.name(), "iin-1", {5, 5, 10}).ok());
  ASSERT_TRUE(SubmitReview(a.name(), "iin-2", {5, 4, 8}).ok());
  ASSERT_TRUE(SubmitReview(b.name(), "iin-1", {3, 3, 5}).ok());
  ASSERT_TRUE(SubmitReview(b.name(), "iin-2", {4, 3, 6}).ok());
  ASSERT_TRUE(SubmitReview(c.name(), "iin-1", {4, 4, 8}).ok());
  // Editable until the decision: the second submission replaces the first.
  Review first, second;
  ASSERT_TRUE(SubmitReview(c.name(), "iin-2", {1, 1, 1}, &first).ok());
  ASSERT_TRUE(SubmitReview(c.name(), "iin-2", {4, 5, 9}, &second).ok());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_NE(first.etag(), second.etag());
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviews"), 6);

  Decision decision;
  grpc::Status status = Decide(call.name(), &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(decision.preview());
  EXPECT_TRUE(decision.decidable());
  EXPECT_EQ(decision.adopted_count(), 2);
  EXPECT_EQ(decision.total_adopted_yen(), 1300000);
  EXPECT_EQ(decision.remaining_budget_yen(), 200000);
  EXPECT_EQ(decision.inputs_sha256().size(), 64u);
  EXPECT_GE(domain::kEngineVersion, 1);
  EXPECT_EQ(decision.engine_version(), domain::kEngineVersion);
  ASSERT_EQ(decision.results_size(), 5);
  // Scores: A 95, C 84.1666..., B 64.1666... (weights 3/2/1 on 0..100).
  EXPECT_EQ(decision.results(0).proposal(), a.name());
  EXPECT_EQ(decision.results(0).rank(), 1);
  EXPECT_EQ(decision.results(0).score(), "95.0000");
  EXPECT_EQ(decision.results(0).score_numerator(), "95");
  EXPECT_EQ(decision.results(0).reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(decision.results(0).title(), "里山の保全活動");
  EXPECT_EQ(decision.results(0).applicant(), "partners/sakura");
  EXPECT_EQ(decision.results(0).reviews(), 2);
  EXPECT_EQ(decision.results(1).proposal(), c.name());
  EXPECT_EQ(decision.results(1).score(), "84.1667");
  EXPECT_EQ(decision.results(1).score_numerator(), "505");
  EXPECT_EQ(decision.results(1).score_denominator(), "6");
  EXPECT_EQ(decision.results(1).reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(decision.results(1).budget_left_yen(), 200000);
  EXPECT_EQ(decision.results(2).proposal(), b.name());
  EXPECT_EQ(decision.results(2).reason(), ProposalResult::BUDGET_EXHAUSTED);
  EXPECT_EQ(decision.results(2).adopted_amount_yen(), 0);
  // Unranked, by name.
  std::map<std::string, ProposalResult::Reason> unranked = {
      {decision.results(3).proposal(), decision.results(3).reason()},
      {decision.results(4).proposal(), decision.results(4).reason()}};
  EXPECT_EQ(unranked[d.name()], ProposalResult::INELIGIBLE);
  EXPECT_EQ(unranked[e.name()], ProposalResult::WITHDRAWN);
  EXPECT_LT(decision.results(3).proposal(), decision.results(4).proposal());

  // Each proposal carries its result and its new state.
  Proposal seen;
  ASSERT_TRUE(GetProposal(a.name(), Staff(), &seen).ok());
  EXPECT_EQ(seen.state(), Proposal::ADOPTED);
  EXPECT_EQ(seen.result().rank(), 1);
  ASSERT_TRUE(GetProposal(b.name(), Staff(), &seen).ok());
  EXPECT_EQ(seen.state(), Proposal::NOT_ADOPTED);
  ASSERT_TRUE(GetProposal(d.name(), Staff(), &seen).ok());
  EXPECT_EQ(seen.state(), Proposal::INELIGIBLE);
  EXPECT_EQ(seen.result().reason(), ProposalResult::INELIGIBLE);
  ASSERT_TRUE(GetProposal(e.name(), Staff(), &seen).ok());
  EXPECT_EQ(seen.state(), Proposal::WITHDRAWN);

  Call published;
  ASSERT_TRUE(Transition(&ProposalService::Stub::PublishResults, call.name(),
                         &published)
                  .ok());
  EXPECT_EQ(published.state(), Call::PUBLISHED);
  EXPECT_TRUE(published.has_publish_time());
  EXPECT_TRUE(published.has_decide_time());

  v1::GetDecisionRequest get;
  get.set_name(call.name());
  Decision stored;
  ASSERT_TRUE(stub_->GetDecision(Context(Staff()).get(), get, &stored).ok());
  EXPECT_EQ(stored.SerializeAsString(), decision.SerializeAsString());
  // The public reads the ranked results only: not the ineligible (d) nor
  // the withdrawn (e) proposal.
  Decision shown;
  ASSERT_TRUE(
      stub_->GetDecision(Context(ViewerToken()).get(), get, &shown).ok());
  Decision ranked = decision;
  ranked.clear_results();
  for (const ProposalResult& r : decision.results()) {
    if (r.proposal() != d.name() && r.proposal() != e.name())
      *ranked.add_results() = r;
  }
  EXPECT_EQ(ranked.results_size(), decision.results_size() - 2);
  EXPECT_EQ(shown.SerializeAsString(), ranked.SerializeAsString());
}

TEST_F(ProposalServiceTest, StoredInputsReproduceTheStoredResults) {
  const Call call = OpenStandardCall();
  std::vector<Proposal> proposals;
  for (int i = 0; i < 6; ++i) {
    proposals.push_back(
        EligibleProposal(call.name(), absl::StrCat("partners/group", i),
                         absl::StrCat("提案 ", i), 200000 + 50000 * i));
  }
  AddReviewer(call.name(), "iin-1");
  AddReviewer(call.name(), "iin-2");
  AddReviewer(call.name(), "iin-3", {"partners/group2"});  // conflicted on #2
  CloseAndStartReview(call.name());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(SubmitReview(proposals[i].name(), "iin-1", {i % 6, 3, 7}).ok());
    ASSERT_TRUE(
        SubmitReview(proposals[i].name(), "iin-2", {5 - i % 6, 2, 9}).ok());
    if (i != 2) {
      ASSERT_TRUE(SubmitReview(proposals[i].name(), "iin-3", {4, 4, 4}).ok());
    }
  }
  Decision decision;
  ASSERT_TRUE(Decide(call.name(), &decision).ok());

  // Recompute from what the decisions table holds, with nothing else, by
  // the rule version the stored decision names.
  const std::string call_id = call.name().substr(call.name().rfind('/') + 1);
  EXPECT_EQ(db_.QueryValue("SELECT JSON_VALUE(decision, '$.engine_version') "
                           "FROM decisions WHERE call_id = '" +
                           call_id + "'"),
            absl::StrCat(domain::kEngineVersion));
  const std::string inputs = db_.QueryValue(
      "SELECT inputs FROM decisions WHERE call_id = '" + call_id + "'");
  EXPECT_EQ(common::Sha256Hex(inputs), decision.inputs_sha256());
  EXPECT_EQ(
      db_.QueryValue("SELECT inputs_sha256 FROM decisions WHERE call_id = '" +
                     call_id + "'"),
      decision.inputs_sha256());
  absl::StatusOr<domain::SelectionInput> input =
      domain::DecodeSelectionInput(inputs);
  ASSERT_TRUE(input.ok()) << input.status();
  EXPECT_EQ(domain::EncodeSelectionInput(*input), inputs);  // canonical
  absl::StatusOr<domain::SelectionResult> again = domain::Select(*input);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(static_cast<int>(again->outcomes.size()), decision.results_size());
  for (int i = 0; i < decision.results_size(); ++i) {
    const domain::ProposalOutcome& o = again->outcomes[i];
    const ProposalResult& r = decision.results(i);
    EXPECT_EQ(o.name, r.proposal());
    EXPECT_EQ(o.rank, r.rank());
    EXPECT_EQ(std::string(domain::ReasonName(o.reason)),
              ProposalResult::Reason_Name(r.reason()));
    ASSERT_TRUE(o.score.has_value());
    EXPECT_EQ(boost::multiprecision::numerator(*o.score).str(),
              r.score_numerator());
    EXPECT_EQ(boost::multiprecision::denominator(*o.score).str(),
              r.score_denominator());
    EXPECT_EQ(o.budget_left, r.budget_left_yen());
  }
  EXPECT_EQ(again->remaining_budget, decision.remaining_budget_yen());
}

TEST_F(ProposalServiceTest, SubmissionWindowEdgesByTheServerClock) {
  const Programme p = CreateProgramme();
  const Call call = CreateCall(p.name());
  ASSERT_TRUE(Open(call.name()).ok());
  clock().Set(kOpens - absl::Hours(2));
  Proposal early, first, last, late;
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/early", "一秒前", 100000, &early)
          .ok());
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/first", "開始時刻", 100000, &first)
          .ok());
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/last", "終了一秒前", 100000, &last)
          .ok());
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/late", "終了時刻", 100000, &late)
          .ok());

  clock().Set(kOpens - absl::Seconds(1));
  grpc::Status status = Submit(early.name(), Applicant("partners/early"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "NOT_OPEN_YET");

  clock().Set(kOpens);  // inclusive
  Proposal submitted;
  ASSERT_TRUE(
      Submit(first.name(), Applicant("partners/first"), &submitted).ok());
  EXPECT_EQ(common::store::FromTimestamp(submitted.submit_time()), kOpens);

  clock().Set(kCloses - absl::Seconds(1));
  EXPECT_TRUE(Submit(last.name(), Applicant("partners/last")).ok());

  clock().Set(kCloses);  // exclusive
  status = Submit(late.name(), Applicant("partners/late"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "SUBMISSION_WINDOW_CLOSED");
  Proposal unchanged;
  ASSERT_TRUE(GetProposal(late.name(), Staff(), &unchanged).ok());
  EXPECT_EQ(unchanged.state(), Proposal::DRAFT);

  // A paper submission received inside the window is registered by staff
  // after it; never by the applicant, never from the future or the edge.
  v1::SubmitProposalRequest paper;
  paper.set_name(late.name());
  *paper.mutable_received_time() =
      common::store::ToTimestamp(kCloses - absl::Minutes(5));
  status = stub_->SubmitProposal(Context(Applicant("partners/late")).get(),
                                 paper, &submitted);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  *paper.mutable_received_time() = common::store::ToTimestamp(kCloses);
  status = stub_->SubmitProposal(Context(Staff()).get(), paper, &submitted);
  EXPECT_EQ(Reason(status), "SUBMISSION_WINDOW_CLOSED");
  *paper.mutable_received_time() =
      common::store::ToTimestamp(kCloses + absl::Hours(1));
  status = stub_->SubmitProposal(Context(Staff()).get(), paper, &submitted);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(kyodo::testing::BadField(status), "received_time");
  *paper.mutable_received_time() =
      common::store::ToTimestamp(kCloses - absl::Minutes(5));
  status = stub_->SubmitProposal(Context(Staff()).get(), paper, &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(common::store::FromTimestamp(submitted.submit_time()),
            kCloses - absl::Minutes(5));

  // The call closes only once its window has passed.
  clock().Set(kCloses - absl::Seconds(1));
  EXPECT_EQ(Reason(Close(call.name())), "SUBMISSION_WINDOW_NOT_ENDED");
  clock().Set(kCloses);
  EXPECT_TRUE(Close(call.name()).ok());
  status = Submit(early.name(), Applicant("partners/early"));
  EXPECT_EQ(Reason(status), "CALL_NOT_OPEN");
}

TEST_F(ProposalServiceTest, WithdrawalIsRefusedOnceTheReviewStarted) {
  const Call call = OpenStandardCall();
  const Proposal kept =
      EligibleProposal(call.name(), "partners/kept", "残る提案", 100000);
  const Proposal gone =
      EligibleProposal(call.name(), "partners/gone", "取り下げ", 100000);
  AddReviewer(call.name(), "iin-1");
  AddReviewer(call.name(), "iin-2");
  clock().Set(kCloses);
  ASSERT_TRUE(Close(call.name()).ok());

  v1::WithdrawProposalRequest request;
  request.set_name(gone.name());
  Proposal out;
  ASSERT_TRUE(stub_
                  ->WithdrawProposal(Context(Applicant("partners/gone")).get(),
                                     request,
                                     &out)
                  .ok());  // CLOSED: still allowed
  ASSERT_TRUE(StartReview(call.name()).ok());
  request.set_name(kept.name());
  grpc::Status status = stub_->WithdrawProposal(
      Context(Applicant("partners/kept")).get(), request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "REVIEW_STARTED");
  EXPECT_EQ(Metadata(status, "state"), "UNDER_REVIEW");
  ASSERT_TRUE(GetProposal(kept.name(), Staff(), &out).ok());
  EXPECT_EQ(out.state(), Proposal::ELIGIBLE);
}

TEST_F(ProposalServiceTest, StartReviewNeedsACommitteeOfMinReviews) {
  const Call call = OpenStandardCall();
  AddReviewer(call.name(), "iin-1");
  clock().Set(kCloses);
  ASSERT_TRUE(Close(call.name()).ok());
  EXPECT_EQ(Reason(StartReview(call.name())), "NOT_ENOUGH_REVIEWERS");
  AddReviewer(call.name(), "iin-2");
  EXPECT_TRUE(StartReview(call.name()).ok());
  EXPECT_EQ(Reason(StartReview(call.name())), "CALL_NOT_CLOSED");
}

TEST_F(ProposalServiceTest, LinkProjectIsIdempotent) {
  const Call call = OpenStandardCall();
  const Proposal a =
      EligibleProposal(call.name(), "partners/a", "採択される", 100000);
  const Proposal b =
      EligibleProposal(call.name(), "partners/b", "不採択", 100000);
  AddReviewer(call.name(), "iin-1");
  AddReviewer(call.name(), "iin-2");
  CloseAndStartReview(call.name());
  for (const char* who : {"iin-1", "iin-2"}) {
    ASSERT_TRUE(SubmitReview(a.name(), who, {5, 5, 10}).ok());
    ASSERT_TRUE(
        SubmitReview(b.name(), who, {0, 0, 0}).ok());  // below the pass mark
  }
  Decision decision;
  ASSERT_TRUE(Decide(call.name(), &decision).ok());

  v1::LinkProjectRequest link;
  link.set_name(a.name());
  link.set_project("projects/asao2026a");
  Proposal first, second;
  // Not before publication: the link would change the proposal's etag.
  grpc::Status early = stub_->LinkProject(Context(Staff()).get(), link, &first);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(early), "RESULTS_NOT_PUBLISHED");
  Call published;
  ASSERT_TRUE(Transition(&ProposalService::Stub::PublishResults, call.name(),
                         &published)
                  .ok());
  ASSERT_TRUE(stub_->LinkProject(Context(Staff()).get(), link, &first).ok());
  EXPECT_EQ(first.project(), "projects/asao2026a");
  // Again, with or without a request id: the same answer, nothing written.
  ASSERT_TRUE(stub_->LinkProject(Context(Staff()).get(), link, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  link.set_request_id("9c1e4a52-8a43-4b1c-9d7e-2b6f8e0a1c3d");
  ASSERT_TRUE(stub_->LinkProject(Context(Staff()).get(), link, &second).ok());
  EXPECT_EQ(first.etag(), second.etag());
  EXPECT_EQ(
      CountRows(
          "SELECT COUNT(*) FROM audit_events WHERE method = 'LinkProject'"),
      1);

  link.clear_request_id();
  link.set_project("projects/another");
  grpc::Status status =
      stub_->LinkProject(Context(Staff()).get(), link, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PROJECT_ALREADY_LINKED");
  EXPECT_EQ(Metadata(status, "project"), "projects/asao2026a");

  link.set_name(b.name());
  EXPECT_EQ(Reason(stub_->LinkProject(Context(Staff()).get(), link, &second)),
            "PROPOSAL_NOT_ADOPTED");
}

TEST_F(ProposalServiceTest, ReviewerPrincipalsAreUniqueInACall) {
  const Call call = OpenStandardCall();
  const Reviewer first = AddReviewer(call.name(), "iin-1");
  v1::CreateReviewerRequest again;
  again.set_parent(call.name());
  again.mutable_reviewer()->set_display_name("同じ委員");
  again.mutable_reviewer()->set_principal("iin-1");
  Reviewer out;
  grpc::Status status =
      stub_->CreateReviewer(Context(Staff()).get(), again, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(status), "REVIEWER_PRINCIPAL_TAKEN");
  // Once the first is removed from the committee, the principal is free.
  v1::DeleteReviewerRequest remove;
  remove.set_name(first.name());
  ASSERT_TRUE(stub_->DeleteReviewer(Context(Staff()).get(), remove, &out).ok());
  EXPECT_TRUE(stub_->CreateReviewer(Context(Staff()).get(), again, &out).ok());
}

TEST_F(ProposalServiceTest, ListProposalsPagesAndFilters) {
  const Call call = OpenStandardCall();
  for (int i = 0; i < 3; ++i) {
    EligibleProposal(call.name(), absl::StrCat("partners/page", i), "頁", 1000);
  }
  Proposal draft;
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/page9", "下書き", 1000, &draft).ok());
  v1::ListProposalsRequest request;
  request.set_parent(call.name());
  request.set_page_size(2);
  v1::ListProposalsResponse page;
  ASSERT_TRUE(
      stub_->ListProposals(Context(Staff()).get(), request, &page).ok());
  EXPECT_EQ(page.proposals_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());
  request.set_page_token(page.next_page_token());
  ASSERT_TRUE(
      stub_->ListProposals(Context(Staff()).get(), request, &page).ok());
  EXPECT_EQ(page.proposals_size(), 2);
  EXPECT_TRUE(page.next_page_token().empty());
  request.set_filter("state = ELIGIBLE");  // the token belongs to another query
  EXPECT_EQ(kyodo::testing::BadField(
                stub_->ListProposals(Context(Staff()).get(), request, &page)),
            "page_token");
  request.clear_page_token();
  request.set_page_size(0);
  ASSERT_TRUE(
      stub_->ListProposals(Context(Staff()).get(), request, &page).ok());
  EXPECT_EQ(page.proposals_size(), 3);
  request.set_filter("applicant = \"partners/page9\" AND fiscal_year = 2026");
  request.set_parent(call.name().substr(0, call.name().rfind("/calls/")) +
                     "/calls/-");
  ASSERT_TRUE(
      stub_->ListProposals(Context(Staff()).get(), request, &page).ok());
  ASSERT_EQ(page.proposals_size(), 1);
  EXPECT_EQ(page.proposals(0).name(), draft.name());
  request.set_filter("plan = x");
  EXPECT_EQ(kyodo::testing::BadField(
                stub_->ListProposals(Context(Staff()).get(), request, &page)),
            "filter");
}

}  // namespace
}  // namespace kyodo::proposal
