// The pure rules beside the selection engine: screening, validation of a
// call's changes once OPEN, and the stored form of a decision's input.
#include "proposal-service/domain/rules.h"

#include <algorithm>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "proposal-service/domain/continuation.h"
#include "proposal-service/domain/screening.h"
#include "proposal-service/domain/selection.h"
#include "proposal-service/domain/selection_codec.h"

namespace kyodo::proposal::domain {
namespace {

v1::Programme NeighbourhoodProgramme() {
  v1::Programme p;
  p.set_ward(kyodo::type::v1::ASAO);
  p.add_eligible_partner_kinds(kyodo::partner::v1::NEIGHBOURHOOD_ASSOCIATION);
  p.set_same_ward_required(true);
  auto* cap = p.add_amount_caps();
  cap->set_continuation_year(1);
  cap->set_max_amount_yen(700000);
  cap = p.add_amount_caps();
  cap->set_continuation_year(2);
  cap->set_max_amount_yen(500000);
  p.set_max_continuation_years(3);
  p.set_one_proposal_per_applicant(true);
  p.set_lifetime_adoption_limit(3);
  return p;
}

std::vector<std::string> Rules(const v1::Screening& s) {
  std::vector<std::string> out;
  for (const auto& f : s.failures()) out.push_back(f.rule());
  return out;
}

TEST(ScreeningTest, EveryRuleFailsAtOnce) {
  v1::Proposal proposal;
  proposal.set_requested_amount_yen(800000);
  v1::EligibilityFacts facts;
  facts.set_applicant_exists(true);
  facts.set_applicant_active(false);
  facts.set_applicant_kind(kyodo::partner::v1::CIVIC_GROUP);
  facts.set_continuation_year(4);
  const v1::Screening s =
      Screen(NeighbourhoodProgramme(), proposal, facts, ApplicantRecords{1, 3});
  EXPECT_EQ(s.result(), v1::Screening::INELIGIBLE);
  EXPECT_EQ(Rules(s),
            (std::vector<std::string>{
                "APPLICANT_NOT_ACTIVE", "KIND_NOT_ELIGIBLE", "NOT_IN_WARD",
                "CONTINUATION_YEARS_EXCEEDED", "AMOUNT_OVER_CAP",
                "TOO_MANY_PROPOSALS_IN_CALL", "LIFETIME_LIMIT_REACHED"}));
  EXPECT_EQ(s.failures(2).message(),
            "the applicant must be based in ASAO; it is based in no ward");
  EXPECT_EQ(s.applicant_proposals_in_call(), 1);
  EXPECT_EQ(s.applicant_adoptions_in_programme(), 3);
  EXPECT_EQ(s.facts().continuation_year(), 4);
}

TEST(ScreeningTest, AGoodApplicantIsEligible) {
  v1::Proposal proposal;
  proposal.set_requested_amount_yen(500000);
  v1::EligibilityFacts facts;
  facts.set_applicant_exists(true);
  facts.set_applicant_active(true);
  facts.set_applicant_kind(kyodo::partner::v1::NEIGHBOURHOOD_ASSOCIATION);
  facts.set_applicant_ward(kyodo::type::v1::ASAO);
  facts.set_continuation_year(3);
  const v1::Screening s =
      Screen(NeighbourhoodProgramme(), proposal, facts, ApplicantRecords{0, 2});
  EXPECT_EQ(s.result(), v1::Screening::ELIGIBLE);
  EXPECT_EQ(s.failures_size(), 0);
  EXPECT_EQ(s.amount_cap_yen(), 500000);
}

// Programme.yearly_adoption_limit: every party's adoptions in the call's
// fiscal year, each party failing on its own; unset, nothing is checked.
TEST(ScreeningTest, YearlyLimitChecksEveryParty) {
  v1::Proposal proposal;
  proposal.set_requested_amount_yen(500000);
  proposal.add_co_applicants("partners/kyodo-kai");
  v1::EligibilityFacts facts;
  facts.set_applicant_exists(true);
  facts.set_applicant_active(true);
  facts.set_applicant_kind(kyodo::partner::v1::NEIGHBOURHOOD_ASSOCIATION);
  facts.set_applicant_ward(kyodo::type::v1::ASAO);
  facts.set_continuation_year(1);
  v1::CoApplicantFacts* co = facts.add_co_applicants();
  co->set_partner("partners/kyodo-kai");
  co->set_exists(true);
  co->set_active(true);
  co->set_kind(kyodo::partner::v1::NEIGHBOURHOOD_ASSOCIATION);
  ApplicantRecords records;
  records.adoptions_in_programme = 2;
  records.adoptions_in_fiscal_year = 1;
  records.co_applicants = {PartyRecords{0, 2, 2}};

  v1::Programme programme = NeighbourhoodProgramme();
  EXPECT_EQ(Rules(Screen(programme, proposal, facts, records)),
            std::vector<std::string>{});
  programme.set_yearly_adoption_limit(2);
  v1::Screening s = Screen(programme, proposal, facts, records);
  EXPECT_EQ(Rules(s), (std::vector<std::string>{"YEARLY_LIMIT_REACHED"}));
  EXPECT_NE(s.failures(0).message().find("co-applicant partners/kyodo-kai"),
            std::string::npos)
      << s.failures(0).message();
  EXPECT_EQ(s.applicant_adoptions_in_fiscal_year(), 1);
  programme.set_yearly_adoption_limit(1);
  s = Screen(programme, proposal, facts, records);
  EXPECT_EQ(Rules(s), (std::vector<std::string>{"YEARLY_LIMIT_REACHED",
                                                "YEARLY_LIMIT_REACHED"}));
  EXPECT_NE(s.failures(0).message().find("the applicant"), std::string::npos);
}

TEST(ScreeningTest, CapOfAContinuationYear) {
  const v1::Programme p = NeighbourhoodProgramme();
  EXPECT_EQ(AmountCapFor(p, 1), 700000);
  EXPECT_EQ(AmountCapFor(p, 2), 500000);
  EXPECT_EQ(AmountCapFor(p, 7), 500000);  // the highest entry applies onwards
  v1::Programme later_only;
  auto* cap = later_only.add_amount_caps();
  cap->set_continuation_year(2);
  cap->set_max_amount_yen(1);
  EXPECT_EQ(AmountCapFor(later_only, 1), std::nullopt);
  EXPECT_EQ(FormatYen(1234567), "1,234,567");
  EXPECT_EQ(FormatYen(700), "700");
}

TEST(CallRulesTest, OnlyNamesAndALaterEndChangeOnceOpen) {
  v1::Call before;
  before.set_state(v1::Call::OPEN);
  before.set_display_name("公募");
  before.set_budget_yen(100);
  before.mutable_submission_end_time()->set_seconds(1000);
  v1::Call after = before;
  after.set_display_name("公募 (改)");
  after.mutable_submission_end_time()->set_seconds(2000);
  EXPECT_TRUE(CheckOpenCallChange(before, after,
                                  {"display_name", "submission_end_time"})
                  .ok());
  after.mutable_submission_end_time()->set_seconds(999);
  EXPECT_EQ(
      CheckOpenCallChange(before, after, {"submission_end_time"}).message(),
      "WINDOW_SHORTENED: an OPEN call's submission_end_time may be extended, "
      "never "
      "shortened");
  after = before;
  after.set_budget_yen(200);
  EXPECT_EQ(CheckOpenCallChange(before, after, {"budget_yen"}).code(),
            absl::StatusCode::kFailedPrecondition);
  // Echoing an unchanged rule is no change.
  EXPECT_TRUE(CheckOpenCallChange(before, before, {"budget_yen"}).ok());
  before.set_state(v1::Call::CLOSED);
  after = before;
  after.mutable_submission_end_time()->set_seconds(5000);
  EXPECT_FALSE(
      CheckOpenCallChange(before, after, {"submission_end_time"}).ok());
}

SelectionInput SmallInput() {
  SelectionInput in;
  in.criteria = {{3, 5}, {1, 10}};
  in.budget = 1000;
  in.max_adoptions = 2;
  in.pass_mark = 10;
  in.min_reviews = 1;
  in.tie_break = {{TieBreakKey::kHigherCriterionScore, 1},
                  {TieBreakKey::kName, 0}};
  in.rule = AdoptionRule::kGreedyStop;
  const absl::Time t = absl::FromUnixMicros(1780000000123456);
  in.candidates = {
      {"p/b",
       600,
       t,
       Candidate::State::kEligible,
       {{"r/2", {4, 9}, false}, {"r/1", {5, 10}, true}}},
      {"p/a",
       300,
       t + absl::Seconds(1),
       Candidate::State::kEligible,
       {{"r/1", {3, 3}, false}}},
      {"p/c", 100, t, Candidate::State::kWithdrawn, {}},
  };
  return in;
}

TEST(SelectionCodecTest, RoundTripIsExactAndCanonical) {
  const SelectionInput in = SmallInput();
  const std::string json = EncodeSelectionInput(in);
  absl::StatusOr<SelectionInput> back = DecodeSelectionInput(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(EncodeSelectionInput(*back), json);
  // Order of candidates and reviews does not matter to the encoding.
  SelectionInput shuffled = in;
  std::swap(shuffled.candidates[0], shuffled.candidates[2]);
  std::reverse(shuffled.candidates[2].reviews.begin(),
               shuffled.candidates[2].reviews.end());
  ASSERT_EQ(shuffled.candidates[2].reviews[0].reviewer, "r/1");
  EXPECT_EQ(EncodeSelectionInput(shuffled), json);
  EXPECT_EQ(back->candidates[0].name, "p/a");
  EXPECT_EQ(back->candidates[1].submit_time, in.candidates[0].submit_time);
  EXPECT_EQ(back->candidates[1].reviews[0].reviewer, "r/1");
  EXPECT_TRUE(back->candidates[1].reviews[0].conflicted);
  EXPECT_EQ(back->rule, AdoptionRule::kGreedyStop);
  EXPECT_EQ(back->tie_break[0].criterion_index, 1);
  // The same decision either way.
  auto a = Select(in);
  auto b = Select(*back);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->outcomes.size(), b->outcomes.size());
  for (size_t i = 0; i < a->outcomes.size(); ++i) {
    EXPECT_EQ(a->outcomes[i].name, b->outcomes[i].name);
    EXPECT_EQ(a->outcomes[i].reason, b->outcomes[i].reason);
    EXPECT_EQ(a->outcomes[i].score, b->outcomes[i].score);
  }
}

TEST(SelectionCodecTest, RefusesOtherDocuments) {
  EXPECT_FALSE(DecodeSelectionInput("not json").ok());
  EXPECT_FALSE(DecodeSelectionInput("{}").ok());
  std::string json = EncodeSelectionInput(SmallInput());
  json.replace(json.find("GREEDY_STOP"), 11, "GREEDY_WHAT");
  EXPECT_EQ(DecodeSelectionInput(json).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ContinuationYearTest, CountsConsecutivePriorYearsOnly) {
  EXPECT_EQ(ContinuationYear(2026, {}), 1);
  EXPECT_EQ(ContinuationYear(2026, {2025}), 2);
  EXPECT_EQ(ContinuationYear(2026, {2024, 2025}), 3);
  EXPECT_EQ(ContinuationYear(2026, {2023, 2024, 2025}), 4);
  // A gap resets: funded in 2023 and 2024, not 2025.
  EXPECT_EQ(ContinuationYear(2026, {2023, 2024}), 1);
  // The call's own year and later years do not count.
  EXPECT_EQ(ContinuationYear(2026, {2026, 2027}), 1);
  EXPECT_EQ(ContinuationYear(2026, {2025, 2026}), 2);
}

// Issue 13: co-applicants are screened like the applicant (each failure
// named with the partner) and count in the per-call and lifetime limits;
// a `continues` that names no readable project of the programme fails.
TEST(ScreeningTest, CoApplicantsAndTheContinuedProjectAreScreened) {
  v1::Proposal proposal;
  proposal.set_applicant("partners/app");
  proposal.add_co_applicants("partners/ghost");
  proposal.add_co_applicants("partners/dormant");
  proposal.add_co_applicants("partners/kaisha");
  proposal.add_co_applicants("partners/busy");
  proposal.set_continues("projects/nowhere");
  proposal.set_requested_amount_yen(1000);
  v1::EligibilityFacts facts;
  facts.set_applicant_exists(true);
  facts.set_applicant_active(true);
  facts.set_applicant_kind(kyodo::partner::v1::NEIGHBOURHOOD_ASSOCIATION);
  facts.set_applicant_ward(kyodo::type::v1::ASAO);
  facts.set_continuation_year(1);
  facts.set_continued_project_found(false);
  auto co = [&](const char* name, bool exists, bool active,
                kyodo::partner::v1::PartnerKind kind) {
    v1::CoApplicantFacts* f = facts.add_co_applicants();
    f->set_partner(name);
    f->set_exists(exists);
    f->set_active(active);
    f->set_kind(kind);
  };
  co("partners/ghost", false, false, kyodo::partner::v1::COMPANY);
  co("partners/dormant", true, false,
     kyodo::partner::v1::NEIGHBOURHOOD_ASSOCIATION);
  co("partners/kaisha", true, true, kyodo::partner::v1::COMPANY);
  co("partners/busy", true, true,
     kyodo::partner::v1::NEIGHBOURHOOD_ASSOCIATION);
  ApplicantRecords records;
  records.co_applicants = {{0, 0}, {0, 0}, {0, 0}, {1, 3}};
  const v1::Screening s =
      Screen(NeighbourhoodProgramme(), proposal, facts, records);
  EXPECT_EQ(s.result(), v1::Screening::INELIGIBLE);
  EXPECT_EQ(Rules(s),
            (std::vector<std::string>{
                "CO_APPLICANT_NOT_FOUND", "CO_APPLICANT_NOT_ACTIVE",
                "CO_APPLICANT_KIND_NOT_ELIGIBLE", "CONTINUED_PROJECT_NOT_FOUND",
                "TOO_MANY_PROPOSALS_IN_CALL", "LIFETIME_LIMIT_REACHED"}));
  EXPECT_NE(s.failures(0).message().find("partners/ghost"), std::string::npos);
  EXPECT_NE(s.failures(1).message().find("partners/dormant"),
            std::string::npos);
  EXPECT_NE(s.failures(2).message().find("partners/kaisha"), std::string::npos);
  EXPECT_NE(s.failures(4).message().find("partners/busy"), std::string::npos);
  EXPECT_NE(s.failures(5).message().find("partners/busy"), std::string::npos);

  // Found, but from another programme.
  facts.set_continued_project_found(true);
  facts.set_continued_project_in_programme(false);
  facts.clear_co_applicants();
  proposal.clear_co_applicants();
  const v1::Screening other =
      Screen(NeighbourhoodProgramme(), proposal, facts, ApplicantRecords{});
  EXPECT_EQ(Rules(other),
            (std::vector<std::string>{"CONTINUED_PROJECT_NOT_IN_PROGRAMME"}));
}

TEST(ScreeningTest, ContradictedFactNamesTheFirstFieldThatDiffers) {
  v1::EligibilityFacts records;
  records.set_applicant_exists(true);
  records.set_applicant_active(false);
  records.set_applicant_kind(kyodo::partner::v1::CIVIC_GROUP);
  records.set_continuation_year(3);
  v1::CoApplicantFacts* co = records.add_co_applicants();
  co->set_partner("partners/x");
  co->set_exists(true);
  co->set_active(true);
  v1::EligibilityFacts given;
  EXPECT_EQ(ContradictedFact(given, records, "facts"), "");
  given.set_applicant_exists(true);
  given.set_source_note("made up");  // not compared
  EXPECT_EQ(ContradictedFact(given, records, "facts"), "");
  given.set_continuation_year(1);
  EXPECT_EQ(ContradictedFact(given, records, "facts"),
            "facts.continuation_year");
  given.set_applicant_active(true);
  EXPECT_EQ(ContradictedFact(given, records, "facts"),
            "facts.applicant_active");
  given.clear_applicant_active();
  given.clear_continuation_year();
  given.add_co_applicants()->set_active(false);
  EXPECT_EQ(ContradictedFact(given, records, "facts"),
            "facts.co_applicants[0]");
}

}  // namespace
}  // namespace kyodo::proposal::domain
