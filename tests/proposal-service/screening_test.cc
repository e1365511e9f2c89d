// Screening against the real MariaDB: every failed rule reported and
// stored with the facts; one proposal per applicant per call; the lifetime
// limit counted across the programme's calls; re-screening until review.
#include "absl/strings/str_cat.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Programme;
using kyodo::proposal::v1::Proposal;
using kyodo::testing::Context;
using kyodo::testing::Reason;

namespace kyodo::proposal {
namespace {

TEST_F(ProposalServiceTest, ScreeningReportsEveryFailedRuleWithItsFacts) {
  Programme rules = CitizenProgramme();
  rules.set_same_ward_required(true);
  rules.set_max_continuation_years(1);
  const Programme programme = CreateProgramme(rules);
  const Call call = CreateCall(programme.name());
  ASSERT_TRUE(Open(call.name()).ok());
  clock().Set(kOpens);
  Proposal p;
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/kaisha", "会社の提案", 600000, &p)
          .ok());
  ASSERT_TRUE(Submit(p.name(), Applicant("partners/kaisha")).ok());

  v1::EligibilityFacts facts;
  facts.set_applicant_exists(true);
  facts.set_applicant_active(false);
  facts.set_applicant_kind(kyodo::partner::v1::COMPANY);
  facts.set_applicant_ward(kyodo::type::v1::TAMA);
  facts.set_continuation_year(2);
  facts.set_source_note(
      "partner-service: partners/kaisha; project-service: 1 prior year");
  ASSERT_TRUE(Screen(p.name(), facts, &p).ok());
  EXPECT_EQ(p.state(), Proposal::INELIGIBLE);
  EXPECT_EQ(p.screening().result(), v1::Screening::INELIGIBLE);
  EXPECT_EQ(Rules(p),
            (std::vector<std::string>{
                "APPLICANT_NOT_ACTIVE", "KIND_NOT_ELIGIBLE", "NOT_IN_WARD",
                "CONTINUATION_YEARS_EXCEEDED", "AMOUNT_OVER_CAP"}));
  EXPECT_EQ(
      p.screening().failures(4).message(),
      "requested 600,000 yen; the cap in continuation year 2 is 500,000 yen");
  // The note says where the service found the facts (the caller's is not
  // taken).
  EXPECT_EQ(
      p.screening().facts().source_note().rfind(
          "gathered by proposal-service: partner-service partners/kaisha", 0),
      0u)
      << p.screening().facts().source_note();
  EXPECT_EQ(p.screening().amount_cap_yen(), 500000);
  EXPECT_EQ(p.screening().applicant_proposals_in_call(), 0);
  EXPECT_EQ(p.screening().applicant_adoptions_in_programme(), 0);
  EXPECT_EQ(p.screening().screened_by(), "asao-staff");

  // Stored: read back as it was answered.
  Proposal stored;
  ASSERT_TRUE(GetProposal(p.name(), Staff(), &stored).ok());
  EXPECT_EQ(stored.screening().SerializeAsString(),
            p.screening().SerializeAsString());

  // An applicant that does not exist: the record-based rules are not
  // applied on top.
  facts.set_applicant_exists(false);
  facts.set_continuation_year(1);
  ASSERT_TRUE(Screen(p.name(), facts, &p).ok());
  EXPECT_EQ(Rules(p), (std::vector<std::string>{"APPLICANT_NOT_FOUND"}));

  // Screened again with better facts: ELIGIBLE, until the review starts.
  ASSERT_TRUE(Screen(p.name(), GoodFacts(), &p).ok());
  EXPECT_EQ(p.state(), Proposal::ELIGIBLE);
  EXPECT_EQ(p.screening().failures_size(), 0);
  AddReviewer(call.name(), "iin-1");
  AddReviewer(call.name(), "iin-2");
  CloseAndStartReview(call.name());
  EXPECT_EQ(Reason(Screen(p.name(), facts)), "REVIEW_STARTED");

  // Facts are optional (the service gathers them) but checked when given;
  // applicants may not screen.
  v1::ScreenProposalRequest bad;
  bad.set_name(p.name());
  EXPECT_EQ(Reason(stub_->ScreenProposal(Context(Staff()).get(), bad, &p)),
            "REVIEW_STARTED");
  *bad.mutable_facts() = GoodFacts(0);
  EXPECT_EQ(kyodo::testing::BadField(
                stub_->ScreenProposal(Context(Staff()).get(), bad, &p)),
            "facts.continuation_year");
  *bad.mutable_facts() = GoodFacts();
  EXPECT_EQ(
      stub_
          ->ScreenProposal(Context(Applicant("partners/kaisha")).get(), bad, &p)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ProposalServiceTest, OneProposalPerApplicantPerCallAtSubmission) {
  const Call call = OpenStandardCall();
  Proposal first, second;
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/futatsu", "一つ目", 100000, &first)
          .ok());
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/futatsu", "二つ目", 100000, &second)
          .ok());
  ASSERT_TRUE(Submit(first.name(), Applicant("partners/futatsu")).ok());
  grpc::Status status = Submit(second.name(), Applicant("partners/futatsu"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "TOO_MANY_PROPOSALS_IN_CALL");
  // Once the first is withdrawn, the second may go in.
  v1::WithdrawProposalRequest withdraw;
  withdraw.set_name(first.name());
  ASSERT_TRUE(
      stub_
          ->WithdrawProposal(Context(Applicant("partners/futatsu")).get(),
                             withdraw, &first)
          .ok());
  EXPECT_TRUE(Submit(second.name(), Applicant("partners/futatsu")).ok());
}

TEST_F(ProposalServiceTest, LifetimeLimitCountsAdoptionsAcrossCalls) {
  Programme rules = CitizenProgramme();
  rules.set_kind(Programme::NEIGHBOURHOOD_ASSOCIATION_PROPOSAL);
  rules.set_lifetime_adoption_limit(1);
  const Programme programme = CreateProgramme(rules);
  const Call first = CreateCall(programme.name());
  ASSERT_TRUE(Open(first.name()).ok());
  clock().Set(kOpens);
  const Proposal adopted = EligibleProposal(first.name(), "partners/chonaikai",
                                            "合同美術展", 300000);
  ASSERT_NO_FATAL_FAILURE(DecideAdopted(first.name(), adopted.name()));

  const Call second = CreateCall(programme.name(), LaterCall(2027));
  ASSERT_TRUE(Open(second.name()).ok());
  clock().Set(kCloses + absl::Hours(3));
  Proposal again;
  ASSERT_TRUE(CreateDraft(second.name(), "partners/chonaikai",
                          "合同美術展 2年目", 300000, &again)
                  .ok());
  ASSERT_TRUE(Submit(again.name(), Applicant("partners/chonaikai")).ok());
  // Decided but not published: the adoption does not count yet (the
  // applicant reads its screening, which would tell it the outcome).
  ASSERT_TRUE(Screen(again.name(), GoodFacts(2), &again).ok());
  EXPECT_TRUE(Rules(again).empty());
  EXPECT_EQ(again.screening().applicant_adoptions_in_programme(), 0);
  // Published: it counts.
  clock().Set(kCloses + absl::Hours(4));
  ASSERT_TRUE(Publish(first.name()).ok());
  ASSERT_TRUE(Screen(again.name(), GoodFacts(2), &again).ok());
  EXPECT_EQ(Rules(again), (std::vector<std::string>{"LIFETIME_LIMIT_REACHED"}));
  EXPECT_EQ(again.screening().applicant_adoptions_in_programme(), 1);
}

// The continuation year follows the project the proposal declares it
// continues, not every earlier project of the applicant: a group funded last
// year that proposes a new, unrelated project is in year 1 and gets the
// year-1 cap. Staff correct the declaration at screening, and the
// applicant's own stays on the record.
TEST_F(ProposalServiceTest, ContinuationYearFollowsOnlyTheDeclaredProject) {
  const Call call = OpenStandardCall();  // caps 700,000 then 500,000 yen
  const std::string applicant = "partners/renzoku";
  kyodo::partner::v1::Partner partner;
  partner.set_kind(kyodo::partner::v1::CIVIC_GROUP);
  partner.set_state(kyodo::partner::v1::Partner::ACTIVE);
  partner.set_ward(kWard);
  records_.SetPartner(applicant, partner);
  // Funded last year under this programme.
  kyodo::project::v1::Project last_year;
  last_year.set_name("projects/renzoku-last-year");
  last_year.set_source_proposal(
      absl::StrCat(call.name().substr(0, call.name().find("/calls/")),
                   "/calls/earlier/proposals/e1"));
  last_year.set_start_fiscal_year(call.fiscal_year() - 1);
  last_year.set_state(kyodo::project::v1::Project::COMPLETED);
  auto* lead = last_year.add_participants();
  lead->set_partner(applicant);
  lead->set_role(kyodo::project::v1::Participant::LEAD);
  records_.AddProject(last_year);

  Proposal p;
  ASSERT_TRUE(
      CreateDraft(call.name(), applicant, "新しい別の事業", 650000, &p).ok());
  ASSERT_TRUE(Submit(p.name(), Applicant(applicant)).ok());
  v1::ScreenProposalRequest screen;
  screen.set_name(p.name());
  grpc::Status status =
      stub_->ScreenProposal(Context(Staff()).get(), screen, &p);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(p.screening().facts().continuation_year(), 1);
  EXPECT_EQ(p.screening().amount_cap_yen(), 700000);
  EXPECT_EQ(p.state(), Proposal::ELIGIBLE);
  EXPECT_FALSE(p.screening().has_declared_continues());

  // The gateway's screening credential may not correct it.
  screen.set_continues(last_year.name());
  status = stub_->ScreenProposal(
      Context(
          kyodo::testing::TokenFor({"gateway", common::auth::Role::kScreener}))
          .get(),
      screen, &p);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  screen.set_continues("projects/");
  EXPECT_EQ(kyodo::testing::BadField(
                stub_->ScreenProposal(Context(Staff()).get(), screen, &p)),
            "continues");

  // Staff find it does continue last year's project: year 2, whose cap the
  // amount is over.
  screen.set_continues(last_year.name());
  status = stub_->ScreenProposal(Context(Staff()).get(), screen, &p);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(p.continues(), last_year.name());
  EXPECT_EQ(p.screening().facts().continuation_year(), 2);
  EXPECT_EQ(Rules(p), (std::vector<std::string>{"AMOUNT_OVER_CAP"}));
  EXPECT_TRUE(p.screening().has_declared_continues());
  EXPECT_EQ(p.screening().declared_continues(), "");
  // Screened again without a correction: the declaration stays recorded.
  screen.clear_continues();
  status = stub_->ScreenProposal(Context(Staff()).get(), screen, &p);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(p.screening().facts().continuation_year(), 2);
  EXPECT_TRUE(p.screening().has_declared_continues());
  // Corrected back to the applicant's declaration: nothing to record.
  screen.set_continues("");
  status = stub_->ScreenProposal(Context(Staff()).get(), screen, &p);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(p.continues(), "");
  EXPECT_EQ(p.screening().facts().continuation_year(), 1);
  EXPECT_FALSE(p.screening().has_declared_continues());
}

// A yearly cap counts the adoptions of the call's fiscal year across the
// programme's calls (an additional call, 追加募集, included), not those of
// other years.
TEST_F(ProposalServiceTest, YearlyLimitCountsAdoptionsOfTheFiscalYear) {
  Programme rules = CitizenProgramme();
  rules.set_kind(Programme::NEIGHBOURHOOD_ASSOCIATION_PROPOSAL);
  rules.set_yearly_adoption_limit(1);
  const Programme programme = CreateProgramme(rules);
  const Call first = CreateCall(programme.name());
  ASSERT_TRUE(Open(first.name()).ok());
  clock().Set(kOpens);
  const Proposal adopted = EligibleProposal(first.name(), "partners/nenkan",
                                            "防犯パトロール", 300000);
  EXPECT_EQ(adopted.screening().applicant_adoptions_in_fiscal_year(), 0);
  ASSERT_NO_FATAL_FAILURE(DecideAdopted(first.name(), adopted.name()));
  ASSERT_TRUE(Publish(first.name()).ok());

  // 追加募集 of the same fiscal year, and the next year's call.
  Call extra = LaterCall(first.fiscal_year());
  extra.set_display_name("追加募集");
  Call next_year = LaterCall(first.fiscal_year() + 1);
  next_year.set_display_name("翌年度の募集");
  const Call same = CreateCall(programme.name(), extra);
  const Call later = CreateCall(programme.name(), next_year);
  ASSERT_TRUE(Open(same.name()).ok());
  ASSERT_TRUE(Open(later.name()).ok());
  clock().Set(kCloses + absl::Hours(3));
  Proposal again, next;
  ASSERT_TRUE(CreateDraft(same.name(), "partners/nenkan", "防犯パトロール 追加",
                          200000, &again)
                  .ok());
  ASSERT_TRUE(Submit(again.name(), Applicant("partners/nenkan")).ok());
  ASSERT_TRUE(Screen(again.name(), GoodFacts(), &again).ok());
  EXPECT_EQ(Rules(again), (std::vector<std::string>{"YEARLY_LIMIT_REACHED"}));
  EXPECT_EQ(again.screening().applicant_adoptions_in_fiscal_year(), 1);
  EXPECT_EQ(again.screening().failures(0).message(),
            "the applicant was adopted 1 time(s) under this programme in this "
            "fiscal year; the limit is 1 a year");

  ASSERT_TRUE(CreateDraft(later.name(), "partners/nenkan",
                          "防犯パトロール 翌年", 200000, &next)
                  .ok());
  ASSERT_TRUE(Submit(next.name(), Applicant("partners/nenkan")).ok());
  ASSERT_TRUE(Screen(next.name(), GoodFacts(2), &next).ok());
  EXPECT_EQ(Rules(next), std::vector<std::string>{});
  EXPECT_EQ(next.screening().applicant_adoptions_in_fiscal_year(), 0);
  EXPECT_EQ(next.screening().applicant_adoptions_in_programme(), 1);
}

TEST_F(ProposalServiceTest, ProgrammeRulesStayFixedWhileACallRuns) {
  const Programme programme = CreateProgramme();
  const Call call = CreateCall(programme.name());
  v1::UpdateProgrammeRequest update;
  update.mutable_programme()->set_name(programme.name());
  update.mutable_programme()->set_max_continuation_years(5);
  update.mutable_update_mask()->add_paths("max_continuation_years");
  Programme out;
  ASSERT_TRUE(stub_->UpdateProgramme(Context(Staff()).get(), update, &out)
                  .ok());  // DRAFT
  ASSERT_TRUE(Open(call.name()).ok());
  update.mutable_programme()->set_max_continuation_years(2);
  grpc::Status status =
      stub_->UpdateProgramme(Context(Staff()).get(), update, &out);
  EXPECT_EQ(Reason(status), "PROGRAMME_IN_USE");
  update.mutable_programme()->set_description("説明の更新");
  update.mutable_update_mask()->set_paths(0, "description");
  EXPECT_TRUE(
      stub_->UpdateProgramme(Context(Staff()).get(), update, &out).ok());
  v1::DeleteProgrammeRequest remove;
  remove.set_name(programme.name());
  EXPECT_EQ(
      Reason(stub_->DeleteProgramme(Context(Staff()).get(), remove, &out)),
      "HAS_CALLS");
}

}  // namespace
}  // namespace kyodo::proposal
