// Issue 13 in proposal-service: retried mutations (the replay of a stored
// request_id), request ids scoped to their caller, and page tokens that
// expire by the service clock.
#include "absl/strings/str_cat.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Decision;
using kyodo::proposal::v1::Programme;
using kyodo::proposal::v1::Proposal;
using kyodo::proposal::v1::ProposalResult;
using kyodo::testing::Context;

namespace kyodo::proposal {
namespace {

using kyodo::testing::NewRequestId;

// Every proposal mutation that goes through ChangeProposal, retried with the
// same request_id, answers the first call's proposal again and changes
// nothing. (Before the fix the replay read the call row that only the first
// run loads: an empty std::optional, which the service's libstdc++
// assertions turn into an abort.)
TEST_F(ProposalServiceTest, RetriedProposalMutationsReplayTheirFirstAnswer) {
  const Call call = OpenStandardCall();
  const std::string applicant = "partners/umikaze";
  Proposal draft;
  ASSERT_TRUE(
      CreateDraft(call.name(), applicant, "海風の提案", 300000, &draft).ok());

  v1::UpdateProposalRequest update;
  update.mutable_proposal()->set_name(draft.name());
  update.mutable_proposal()->set_title("海風の提案（改）");
  update.mutable_update_mask()->add_paths("title");
  update.set_request_id(NewRequestId());
  Proposal first, again;
  grpc::Status status = stub_->UpdateProposal(
      Context(Applicant(applicant)).get(), update, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = stub_->UpdateProposal(Context(Applicant(applicant)).get(), update,
                                 &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.title(), "海風の提案（改）");
  EXPECT_EQ(again.etag(), first.etag());

  v1::SubmitProposalRequest submit;
  submit.set_name(draft.name());
  submit.set_request_id(NewRequestId());
  Proposal submitted, resubmitted;
  status = stub_->SubmitProposal(Context(Applicant(applicant)).get(), submit,
                                 &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = stub_->SubmitProposal(Context(Applicant(applicant)).get(), submit,
                                 &resubmitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resubmitted.state(), Proposal::SUBMITTED);
  EXPECT_EQ(resubmitted.etag(), submitted.etag());

  v1::ScreenProposalRequest screen;
  screen.set_name(draft.name());
  *screen.mutable_facts() = GoodFacts();
  screen.set_request_id(NewRequestId());
  Proposal screened, rescreened;
  status = stub_->ScreenProposal(Context(Staff()).get(), screen, &screened);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = stub_->ScreenProposal(Context(Staff()).get(), screen, &rescreened);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rescreened.state(), Proposal::ELIGIBLE);
  EXPECT_EQ(rescreened.etag(), screened.etag());

  v1::WithdrawProposalRequest withdraw;
  withdraw.set_name(draft.name());
  withdraw.set_request_id(NewRequestId());
  Proposal withdrawn, rewithdrawn;
  status = stub_->WithdrawProposal(Context(Applicant(applicant)).get(),
                                   withdraw, &withdrawn);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = stub_->WithdrawProposal(Context(Applicant(applicant)).get(),
                                   withdraw, &rewithdrawn);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rewithdrawn.state(), Proposal::WITHDRAWN);
  EXPECT_EQ(rewithdrawn.etag(), withdrawn.etag());

  // One change each: create, update, submit, screen, withdraw.
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_events WHERE resource = '" +
                      draft.name() + "'"),
            5);
}

// Two applicants sending one request_id to the same method each get their
// own proposal: neither is refused, neither reads the other's answer.
TEST_F(ProposalServiceTest, OneRequestIdFromTwoCallersMakesTwoProposals) {
  const Call call = OpenStandardCall();
  const std::string id = NewRequestId();
  Proposal mine, theirs;
  for (auto [who, out] : {std::pair{"partners/umikaze", &mine},
                          std::pair{"partners/himawari", &theirs}}) {
    v1::CreateProposalRequest request;
    request.set_parent(call.name());
    request.set_request_id(id);
    Proposal* p = request.mutable_proposal();
    p->set_applicant(who);
    p->set_title("同じ request_id の提案");
    p->set_issue("課題");
    p->set_requested_amount_yen(100000);
    grpc::Status status =
        stub_->CreateProposal(Context(Applicant(who)).get(), request, out);
    ASSERT_TRUE(status.ok()) << who << ": " << status.error_message();
    EXPECT_EQ(out->applicant(), who);
  }
  EXPECT_NE(mine.name(), theirs.name());
}

// ScreenProposal takes its facts from the records (partner- and
// project-service, a fake here): a caller's fact that contradicts them is
// refused naming it and nothing is written; the facts stored are the
// records'; co-applicants are screened; when the records cannot be read,
// nothing is written.
TEST_F(ProposalServiceTest, ScreeningFactsComeFromTheRecords) {
  const Call call = OpenStandardCall();
  Proposal p;
  v1::CreateProposalRequest create;
  create.set_parent(call.name());
  create.mutable_proposal()->set_applicant("partners/umikaze");
  create.mutable_proposal()->set_title("共同提案");
  create.mutable_proposal()->set_issue("課題");
  create.mutable_proposal()->set_requested_amount_yen(300000);
  create.mutable_proposal()->add_co_applicants("partners/kyushi");
  create.mutable_proposal()->add_co_applicants("partners/kaisha");
  create.mutable_proposal()->add_co_applicants("partners/maboroshi");
  ASSERT_TRUE(stub_
                  ->CreateProposal(Context(Applicant("partners/umikaze")).get(),
                                   create, &p)
                  .ok());
  ASSERT_TRUE(Submit(p.name(), Applicant("partners/umikaze")).ok());
  kyodo::partner::v1::Partner inactive;
  inactive.set_kind(kyodo::partner::v1::CIVIC_GROUP);
  inactive.set_state(kyodo::partner::v1::Partner::INACTIVE);
  records_.SetPartner("partners/kyushi", inactive);
  kyodo::partner::v1::Partner company;
  company.set_kind(kyodo::partner::v1::COMPANY);
  company.set_state(kyodo::partner::v1::Partner::ACTIVE);
  records_.SetPartner("partners/kaisha", company);
  records_.SetPartner("partners/maboroshi", std::nullopt);

  // The caller claims the applicant is inactive: the records say otherwise.
  v1::ScreenProposalRequest screen;
  screen.set_name(p.name());
  screen.mutable_facts()->set_applicant_active(false);
  Proposal out;
  grpc::Status status =
      stub_->ScreenProposal(Context(Staff()).get(), screen, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(kyodo::testing::BadField(status), "facts.applicant_active");
  // A made-up history.
  screen.mutable_facts()->Clear();
  screen.mutable_facts()->set_continuation_year(2);
  status = stub_->ScreenProposal(Context(Staff()).get(), screen, &out);
  EXPECT_EQ(kyodo::testing::BadField(status), "facts.continuation_year");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM proposals WHERE state = "
                      "'SUBMITTED'"),
            1);

  // The records cannot be read: UNAVAILABLE, nothing written.
  records_.Fail(absl::UnavailableError("partner-service is down"));
  screen.clear_facts();
  status = stub_->ScreenProposal(Context(Staff()).get(), screen, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM proposals WHERE state = "
                      "'SUBMITTED'"),
            1);
  records_.Fail(absl::OkStatus());

  // No facts given: the records' are stored, every co-applicant screened.
  status = stub_->ScreenProposal(Context(Staff()).get(), screen, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.state(), Proposal::INELIGIBLE);
  EXPECT_EQ(Rules(out),
            (std::vector<std::string>{"CO_APPLICANT_NOT_ACTIVE",
                                      "CO_APPLICANT_KIND_NOT_ELIGIBLE",
                                      "CO_APPLICANT_NOT_FOUND"}));
  const v1::EligibilityFacts& facts = out.screening().facts();
  EXPECT_TRUE(facts.applicant_active());
  EXPECT_EQ(facts.applicant_kind(), kyodo::partner::v1::CIVIC_GROUP);
  EXPECT_EQ(facts.continuation_year(), 1);
  ASSERT_EQ(facts.co_applicants_size(), 3);
  EXPECT_EQ(facts.co_applicants(0).partner(), "partners/kyushi");
  EXPECT_FALSE(facts.co_applicants(0).active());
  EXPECT_FALSE(facts.co_applicants(2).exists());
}

// Co-applicants count in the programme's limits as applicants do: a partner
// is a party to one submitted proposal per call, and its adoptions as a
// co-applicant count towards the lifetime limit.
TEST_F(ProposalServiceTest, CoApplicantsCountInTheProgrammesLimits) {
  Programme rules = CitizenProgramme();
  rules.set_lifetime_adoption_limit(1);
  const Programme programme = CreateProgramme(rules);
  const Call first = CreateCall(programme.name());
  ASSERT_TRUE(Open(first.name()).ok());
  clock().Set(kOpens);
  Proposal joint;
  v1::CreateProposalRequest create;
  create.set_parent(first.name());
  create.mutable_proposal()->set_applicant("partners/oya");
  create.mutable_proposal()->set_title("合同事業");
  create.mutable_proposal()->set_issue("課題");
  create.mutable_proposal()->set_requested_amount_yen(300000);
  create.mutable_proposal()->add_co_applicants("partners/ko");
  ASSERT_TRUE(stub_
                  ->CreateProposal(Context(Applicant("partners/oya")).get(),
                                   create, &joint)
                  .ok());
  ASSERT_TRUE(Submit(joint.name(), Applicant("partners/oya")).ok());
  // ko, co-applicant of a submitted proposal, cannot submit its own.
  Proposal own;
  ASSERT_TRUE(
      CreateDraft(first.name(), "partners/ko", "単独", 100000, &own).ok());
  grpc::Status status = Submit(own.name(), Applicant("partners/ko"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(kyodo::testing::Reason(status), "TOO_MANY_PROPOSALS_IN_CALL");
  EXPECT_EQ(Metadata(status, "partner"), "partners/ko");

  // The joint proposal is adopted...
  ASSERT_TRUE(Screen(joint.name(), GoodFacts(), &joint).ok());
  ASSERT_EQ(joint.state(), Proposal::ELIGIBLE);
  AddReviewer(first.name(), "iin-1");
  AddReviewer(first.name(), "iin-2");
  CloseAndStartReview(first.name());
  ASSERT_TRUE(SubmitReview(joint.name(), "iin-1", {5, 5, 10}).ok());
  ASSERT_TRUE(SubmitReview(joint.name(), "iin-2", {5, 5, 10}).ok());
  Decision decision;
  ASSERT_TRUE(Decide(first.name(), &decision).ok());
  ASSERT_EQ(decision.results(0).reason(), ProposalResult::ADOPTED);
  // Only published adoptions count (an unpublished one would tell the
  // applicant its outcome through its screening).
  ASSERT_TRUE(Publish(first.name()).ok());

  // ...so next year ko, applying alone, has reached the limit of one.
  Call next_year = StandardCall();
  next_year.set_fiscal_year(2027);
  *next_year.mutable_submission_start_time() =
      common::store::ToTimestamp(kCloses + absl::Hours(2));
  *next_year.mutable_submission_end_time() =
      common::store::ToTimestamp(kCloses + absl::Hours(24 * 30));
  const Call second = CreateCall(programme.name(), next_year);
  ASSERT_TRUE(Open(second.name()).ok());
  clock().Set(kCloses + absl::Hours(3));
  Proposal alone;
  ASSERT_TRUE(
      CreateDraft(second.name(), "partners/ko", "単独で", 100000, &alone).ok());
  ASSERT_TRUE(Submit(alone.name(), Applicant("partners/ko")).ok());
  ASSERT_TRUE(Screen(alone.name(), GoodFacts(), &alone).ok());
  EXPECT_EQ(Rules(alone), (std::vector<std::string>{"LIFETIME_LIMIT_REACHED"}));
  EXPECT_EQ(alone.screening().applicant_adoptions_in_programme(), 1);
}

// A page token is refused once older than its lifetime (24 hours by
// default), by the service's clock, naming page_token.
TEST_F(ProposalServiceTest, PageTokensExpireByTheServiceClock) {
  const Call call = OpenStandardCall();
  for (const char* who : {"partners/a1", "partners/a2", "partners/a3"}) {
    Proposal p;
    ASSERT_TRUE(CreateDraft(call.name(), who, "提案", 1000, &p, Staff()).ok());
  }
  v1::ListProposalsRequest list;
  list.set_parent(call.name());
  list.set_page_size(2);
  v1::ListProposalsResponse page;
  grpc::Status status =
      stub_->ListProposals(Context(Staff()).get(), list, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());

  clock().Advance(absl::Hours(24));
  status = stub_->ListProposals(Context(Staff()).get(), list, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(page.proposals_size(), 1);

  clock().Advance(absl::Seconds(1));
  status = stub_->ListProposals(Context(Staff()).get(), list, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(kyodo::testing::Reason(status), "PAGE_TOKEN_EXPIRED");
  EXPECT_EQ(kyodo::testing::BadField(status), "page_token");
}

}  // namespace
}  // namespace kyodo::proposal
