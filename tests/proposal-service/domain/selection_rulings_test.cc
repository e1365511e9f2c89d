// The committee's rulings in the pure engine (selection.h, "Committee
// rulings"): reduced adoptions walk with their granted amount, adoptions
// against the ranking are set aside first, rejections use nothing, the
// recommendation is the walk without rulings, and the stored input keeps
// them (and reads as before without them).
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proposal-service/domain/selection.h"
#include "tests/proposal-service/domain/rulings_fixture.h"

namespace kyodo::proposal::domain {
namespace {

using ::testing::HasSubstr;

using rulings_fixture::Of;
using rulings_fixture::Proposal;
using rulings_fixture::ThreeProposals;

TEST(RulingsTest, WithoutRulingsTheRecommendationIsTheResult) {
  absl::StatusOr<SelectionResult> r = Select(ThreeProposals());
  ASSERT_TRUE(r.ok()) << r.status();
  for (const ProposalOutcome& o : r->outcomes) {
    EXPECT_EQ(o.recommended_reason, o.reason) << o.name;
    EXPECT_EQ(o.recommended_amount, o.adopted_amount) << o.name;
  }
  EXPECT_EQ(Of(*r, "b").reason, Reason::kBudgetExhausted);
  EXPECT_EQ(r->recommended_total_amount, 550);
  EXPECT_EQ(r->total_adopted_amount, 550);
}

TEST(RulingsTest, ReducedAdoptionFreesBudgetForTheNext) {
  SelectionInput input = ThreeProposals();
  input.candidates[0].ruling = Ruling::kReduce;
  input.candidates[0].granted_amount = 300;
  absl::StatusOr<SelectionResult> r = Select(input);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Of(*r, "a").adopted_amount, 300);
  EXPECT_EQ(Of(*r, "a").recommended_amount, 400);
  EXPECT_EQ(Of(*r, "b").reason, Reason::kAdopted);
  EXPECT_EQ(Of(*r, "b").recommended_reason, Reason::kBudgetExhausted);
  EXPECT_EQ(Of(*r, "c").reason, Reason::kBudgetExhausted);
  EXPECT_EQ(r->total_adopted_amount, 600);
  EXPECT_EQ(r->recommended_total_amount, 550);
  EXPECT_EQ(r->recommended_count, 2);
}

TEST(RulingsTest, ReductionBelowThePassMarkAdoptsNothing) {
  SelectionInput input = ThreeProposals();
  input.pass_mark = 75;
  input.candidates[2].ruling = Ruling::kReduce;
  input.candidates[2].granted_amount = 100;
  absl::StatusOr<SelectionResult> r = Select(input);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Of(*r, "c").reason, Reason::kBelowPassMark);
  EXPECT_EQ(Of(*r, "c").adopted_amount, 0);
}

TEST(RulingsTest, AdoptionsAreSetAsideFirstAndRejectionsUseNothing) {
  SelectionInput input = ThreeProposals();
  input.rule = AdoptionRule::kGreedyStop;
  input.pass_mark = 75;  // c is below it
  input.candidates[0].ruling = Ruling::kNotAdopt;
  input.candidates[2].ruling = Ruling::kAdopt;  // against the pass mark
  absl::StatusOr<SelectionResult> r = Select(input);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Of(*r, "a").reason, Reason::kCommitteeNotAdopted);
  EXPECT_EQ(Of(*r, "a").recommended_reason, Reason::kAdopted);
  EXPECT_EQ(Of(*r, "a").budget_left, 450);  // c's 150 set aside
  // A rejection does not stop GREEDY_STOP's walk.
  EXPECT_EQ(Of(*r, "b").reason, Reason::kAdopted);
  EXPECT_EQ(Of(*r, "c").reason, Reason::kAdopted);
  EXPECT_EQ(Of(*r, "c").adopted_amount, 150);
  EXPECT_EQ(Of(*r, "c").recommended_reason, Reason::kBelowPassMark);
  EXPECT_EQ(r->remaining_budget, 150);
  EXPECT_EQ(r->adopted_count, 2);
  EXPECT_STREQ(ReasonName(Reason::kCommitteeNotAdopted),
               "COMMITTEE_NOT_ADOPTED");
}

TEST(RulingsTest, AdoptionsThatDoNotFitAreRefused) {
  SelectionInput input = ThreeProposals();
  input.candidates[0].ruling = Ruling::kAdopt;
  input.candidates[1].ruling = Ruling::kAdopt;
  absl::StatusOr<SelectionResult> r = Select(input);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("RULINGS_EXCEED_BUDGET"));
  EXPECT_EQ(RulingsRefusalOf(r.status()), RulingsRefusal::kExceedBudget);
  input.candidates[1].granted_amount = 200;  // 400 + 200 fits in 600
  input.max_adoptions = 1;
  r = Select(input);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("RULINGS_EXCEED_ADOPTION_LIMIT"));
  EXPECT_EQ(RulingsRefusalOf(r.status()), RulingsRefusal::kExceedAdoptionLimit);
  // Any other refusal carries none.
  EXPECT_EQ(RulingsRefusalOf(absl::FailedPreconditionError(
                "RULINGS_EXCEED_BUDGET: only in the words")),
            std::nullopt);
  input.max_adoptions = 2;
  r = Select(input);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Of(*r, "c").reason, Reason::kAdoptionLimitReached);
  EXPECT_EQ(r->total_adopted_amount, 600);
}

TEST(RulingsTest, BadRulingsNameTheField) {
  const struct {
    Ruling ruling;
    std::optional<int64_t> amount;
    Candidate::State state;
    const char* field;
  } cases[] = {
      {Ruling::kReduce, std::nullopt, Candidate::State::kEligible,
       "candidates[0].granted_amount"},
      {Ruling::kReduce, 400, Candidate::State::kEligible,
       "candidates[0].granted_amount"},
      {Ruling::kAdopt, 401, Candidate::State::kEligible,
       "candidates[0].granted_amount"},
      {Ruling::kNotAdopt, 1, Candidate::State::kEligible,
       "candidates[0].granted_amount"},
      {Ruling::kNone, 1, Candidate::State::kEligible,
       "candidates[0].granted_amount"},
      {Ruling::kAdopt, std::nullopt, Candidate::State::kIneligible,
       "candidates[0].ruling"},
  };
  for (const auto& test : cases) {
    SelectionInput input = ThreeProposals();
    input.candidates[0].ruling = test.ruling;
    input.candidates[0].granted_amount = test.amount;
    input.candidates[0].state = test.state;
    absl::StatusOr<SelectionResult> r = Select(input);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
        << test.field;
    EXPECT_THAT(r.status().message(), HasSubstr(test.field));
  }
}

}  // namespace
}  // namespace kyodo::proposal::domain
