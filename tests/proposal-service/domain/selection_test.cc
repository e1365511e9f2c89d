// Behaviour tests of the selection engine: ranking, tie-breaks, pass mark,
// adoption rules and limits, conflicts, exactness and determinism.

#include "proposal-service/domain/selection.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kyodo::proposal::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// One criterion with max 100 and one review: the score is the review score.
SelectionInput OneCriterionCall(int64_t budget) {
  SelectionInput input;
  input.criteria = {Criterion{1, 100}};
  input.budget = budget;
  return input;
}

Candidate Proposal(std::string name, int64_t amount, int64_t score,
                   absl::Time submitted = absl::UnixEpoch()) {
  Candidate candidate;
  candidate.name = std::move(name);
  candidate.requested_amount = amount;
  candidate.submit_time = submitted;
  candidate.reviews = {Review{"r1", {score}, false}};
  return candidate;
}

SelectionResult MustSelect(const SelectionInput& input) {
  absl::StatusOr<SelectionResult> result = Select(input);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : SelectionResult();
}

std::vector<std::string> Names(const SelectionResult& result) {
  std::vector<std::string> names;
  for (const ProposalOutcome& outcome : result.outcomes) {
    names.push_back(outcome.name);
  }
  return names;
}

std::vector<std::string> Reasons(const SelectionResult& result) {
  std::vector<std::string> reasons;
  for (const ProposalOutcome& outcome : result.outcomes) {
    reasons.emplace_back(ReasonName(outcome.reason));
  }
  return reasons;
}

std::vector<int64_t> BudgetLeft(const SelectionResult& result) {
  std::vector<int64_t> left;
  for (const ProposalOutcome& outcome : result.outcomes) {
    left.push_back(outcome.budget_left);
  }
  return left;
}

TEST(SelectTest, EmptyCall) {
  const SelectionResult result = MustSelect(OneCriterionCall(500));
  EXPECT_TRUE(result.outcomes.empty());
  EXPECT_EQ(result.remaining_budget, 500);
  EXPECT_EQ(result.total_adopted_amount, 0);
  EXPECT_EQ(result.adopted_count, 0);
}

TEST(SelectTest, SingleProposal) {
  SelectionInput input = OneCriterionCall(500);
  input.candidates = {Proposal("p", 200, 80)};
  const SelectionResult result = MustSelect(input);
  ASSERT_EQ(result.outcomes.size(), 1u);
  const ProposalOutcome& outcome = result.outcomes[0];
  EXPECT_EQ(outcome.rank, 1);
  EXPECT_EQ(outcome.reason, Reason::kAdopted);
  EXPECT_EQ(outcome.score, Rational(80));
  EXPECT_EQ(outcome.score_decimal, "80.0000");
  EXPECT_EQ(outcome.adopted_amount, 200);
  EXPECT_EQ(outcome.budget_left, 300);
  EXPECT_FALSE(outcome.tied_on_score);
  EXPECT_EQ(result.remaining_budget, 300);
  EXPECT_EQ(result.total_adopted_amount, 200);
  EXPECT_EQ(result.adopted_count, 1);
}

TEST(SelectTest, RanksByScoreAndWalksTheBudget) {
  SelectionInput input = OneCriterionCall(1000);
  input.candidates = {Proposal("low", 100, 40), Proposal("top", 600, 90),
                      Proposal("mid", 500, 70), Proposal("cheap", 300, 60)};
  const SelectionResult result = MustSelect(input);
  EXPECT_THAT(Names(result), ElementsAre("top", "mid", "cheap", "low"));
  EXPECT_THAT(Reasons(result),
              ElementsAre("ADOPTED", "BUDGET_EXHAUSTED", "ADOPTED", "ADOPTED"));
  EXPECT_THAT(BudgetLeft(result), ElementsAre(400, 400, 100, 0));
  EXPECT_EQ(result.outcomes[1].adopted_amount, 0);
  EXPECT_EQ(result.outcomes[3].rank, 4);
  EXPECT_EQ(result.adopted_count, 3);
  EXPECT_EQ(result.total_adopted_amount, 1000);
}

TEST(SelectTest, TieBreakLowerRequestedAmount) {
  SelectionInput input = OneCriterionCall(1000);
  input.candidates = {Proposal("a", 200, 50), Proposal("b", 100, 50)};
  input.tie_break = {{TieBreakKey::kLowerRequestedAmount}};
  EXPECT_THAT(Names(MustSelect(input)), ElementsAre("b", "a"));
  input.tie_break = {{TieBreakKey::kName}};
  EXPECT_THAT(Names(MustSelect(input)), ElementsAre("a", "b"));
}

TEST(SelectTest, TieBreakEarlierSubmission) {
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  SelectionInput input = OneCriterionCall(1000);
  input.candidates = {Proposal("a", 100, 50, t0 + absl::Seconds(1)),
                      Proposal("b", 200, 50, t0)};
  input.tie_break = {{TieBreakKey::kEarlierSubmission}};
  EXPECT_THAT(Names(MustSelect(input)), ElementsAre("b", "a"));
  input.tie_break = {{TieBreakKey::kLowerRequestedAmount}};
  EXPECT_THAT(Names(MustSelect(input)), ElementsAre("a", "b"));
}

TEST(SelectTest, TieBreakNameExplicitAndImplicit) {
  SelectionInput input = OneCriterionCall(1000);
  input.candidates = {Proposal("b", 100, 50), Proposal("a", 100, 50),
                      Proposal("B", 100, 50)};
  input.tie_break = {{TieBreakKey::kName}};
  // Bytewise: upper case sorts before lower case.
  EXPECT_THAT(Names(MustSelect(input)), ElementsAre("B", "a", "b"));
  // Equal on the only listed key: the implicit final name key decides.
  input.tie_break = {{TieBreakKey::kLowerRequestedAmount}};
  EXPECT_THAT(Names(MustSelect(input)), ElementsAre("B", "a", "b"));
}

TEST(SelectTest, TieBreakHigherCriterionScore) {
  SelectionInput input;
  input.criteria = {Criterion{1, 10}, Criterion{1, 10}};
  input.budget = 1000;
  Candidate a = Proposal("a", 100, 0);
  a.reviews = {Review{"r1", {8, 6}, false}};  // Mean 7 overall.
  Candidate b = Proposal("b", 100, 0);
  // Two reviewers: criterion means 6 and 8, also 7 overall.
  b.reviews = {Review{"r1", {5, 9}, false}, Review{"r2", {7, 7}, false}};
  input.candidates = {a, b};
  input.tie_break = {{TieBreakKey::kHigherCriterionScore, 1}};
  SelectionResult result = MustSelect(input);
  EXPECT_THAT(Names(result), ElementsAre("b", "a"));
  EXPECT_EQ(result.outcomes[0].score, result.outcomes[1].score);
  EXPECT_TRUE(result.outcomes[0].tied_on_score);
  input.tie_break = {{TieBreakKey::kHigherCriterionScore, 0}};
  EXPECT_THAT(Names(MustSelect(input)), ElementsAre("a", "b"));
}

TEST(SelectTest, DefaultTieBreakIsAmountThenSubmissionThenName) {
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  SelectionInput input = OneCriterionCall(1000);
  input.candidates = {Proposal("w", 100, 50, t0 + absl::Seconds(2)),
                      Proposal("x", 100, 50, t0 + absl::Seconds(1)),
                      Proposal("y", 50, 50, t0 + absl::Seconds(3)),
                      Proposal("v", 100, 50, t0 + absl::Seconds(1))};
  EXPECT_THAT(Names(MustSelect(input)), ElementsAre("y", "v", "x", "w"));
}

TEST(SelectTest, TiedOnScoreFlagsOnlyEqualNeighbours) {
  SelectionInput input = OneCriterionCall(1000);
  input.candidates = {Proposal("a", 1, 90), Proposal("b", 1, 80),
                      Proposal("c", 2, 80), Proposal("d", 1, 70)};
  const SelectionResult result = MustSelect(input);
  ASSERT_THAT(Names(result), ElementsAre("a", "b", "c", "d"));
  EXPECT_FALSE(result.outcomes[0].tied_on_score);
  EXPECT_TRUE(result.outcomes[1].tied_on_score);
  EXPECT_TRUE(result.outcomes[2].tied_on_score);
  EXPECT_FALSE(result.outcomes[3].tied_on_score);
}

TEST(SelectTest, PassMarkEqualPassesJustBelowFails) {
  SelectionInput input;
  input.criteria = {Criterion{1, 1000000}};
  input.budget = 1000;
  input.pass_mark = 60;
  Candidate equal = Proposal("equal", 100, 600000);   // Exactly 60.
  Candidate below = Proposal("below", 100, 599999);   // 59.9999.
  Candidate above = Proposal("above", 5000, 700000);  // Does not fit.
  input.candidates = {below, equal, above};
  const SelectionResult result = MustSelect(input);
  EXPECT_THAT(Names(result), ElementsAre("above", "equal", "below"));
  EXPECT_THAT(Reasons(result),
              ElementsAre("BUDGET_EXHAUSTED", "ADOPTED", "BELOW_PASS_MARK"));
  EXPECT_EQ(result.outcomes[2].rank, 3);  // Below the mark is still ranked.
  EXPECT_EQ(result.outcomes[2].score_decimal, "59.9999");
  EXPECT_EQ(result.outcomes[2].budget_left, 900);
}

TEST(SelectTest, PassMarkZeroMeansNone) {
  SelectionInput input = OneCriterionCall(1000);
  input.candidates = {Proposal("zero", 100, 0)};
  EXPECT_THAT(Reasons(MustSelect(input)), ElementsAre("ADOPTED"));
  input.pass_mark = 1;
  EXPECT_THAT(Reasons(MustSelect(input)), ElementsAre("BELOW_PASS_MARK"));
}

TEST(SelectTest, AdoptionLimit) {
  SelectionInput input = OneCriterionCall(1000);
  input.max_adoptions = 2;
  input.pass_mark = 30;
  input.candidates = {Proposal("a", 100, 90), Proposal("b", 100, 80),
                      Proposal("c", 100, 70), Proposal("d", 100, 20),
                      Proposal("e", 100, 60)};
  const SelectionResult result = MustSelect(input);
  EXPECT_THAT(Names(result), ElementsAre("a", "b", "c", "e", "d"));
  EXPECT_THAT(Reasons(result),
              ElementsAre("ADOPTED", "ADOPTED", "ADOPTION_LIMIT_REACHED",
                          "ADOPTION_LIMIT_REACHED", "BELOW_PASS_MARK"));
  EXPECT_EQ(result.adopted_count, 2);
  input.max_adoptions = 0;  // No limit.
  EXPECT_EQ(MustSelect(input).adopted_count, 4);
}

TEST(SelectTest, BudgetExactlyUsedUp) {
  SelectionInput input = OneCriterionCall(300);
  input.candidates = {Proposal("a", 100, 90), Proposal("b", 200, 80),
                      Proposal("c", 1, 70), Proposal("d", 0, 60)};
  const SelectionResult result = MustSelect(input);
  // A zero amount always fits, even with nothing left.
  EXPECT_THAT(Reasons(result),
              ElementsAre("ADOPTED", "ADOPTED", "BUDGET_EXHAUSTED", "ADOPTED"));
  EXPECT_THAT(BudgetLeft(result), ElementsAre(200, 0, 0, 0));
  EXPECT_EQ(result.remaining_budget, 0);
  EXPECT_EQ(result.total_adopted_amount, 300);
}

TEST(SelectTest, ZeroBudget) {
  SelectionInput input = OneCriterionCall(0);
  input.candidates = {Proposal("a", 1, 90), Proposal("b", 0, 80)};
  const SelectionResult result = MustSelect(input);
  EXPECT_THAT(Reasons(result), ElementsAre("BUDGET_EXHAUSTED", "ADOPTED"));
  EXPECT_EQ(result.remaining_budget, 0);
}

TEST(SelectTest, GreedyStopVersusSkip) {
  SelectionInput input = OneCriterionCall(100);
  input.pass_mark = 20;
  input.candidates = {Proposal("a", 60, 90), Proposal("b", 50, 80),
                      Proposal("c", 30, 70), Proposal("d", 10, 10)};
  input.rule = AdoptionRule::kGreedySkip;
  SelectionResult skip = MustSelect(input);
  EXPECT_THAT(Reasons(skip), ElementsAre("ADOPTED", "BUDGET_EXHAUSTED",
                                         "ADOPTED", "BELOW_PASS_MARK"));
  EXPECT_EQ(skip.remaining_budget, 10);
  input.rule = AdoptionRule::kGreedyStop;
  SelectionResult stop = MustSelect(input);
  EXPECT_THAT(Reasons(stop),
              ElementsAre("ADOPTED", "BUDGET_EXHAUSTED", "BUDGET_EXHAUSTED",
                          "BELOW_PASS_MARK"));
  EXPECT_EQ(stop.remaining_budget, 40);
  EXPECT_THAT(BudgetLeft(stop), ElementsAre(40, 40, 40, 40));
}

TEST(SelectTest, ConflictedReviewsAreExcluded) {
  SelectionInput input = OneCriterionCall(1000);
  Candidate a = Proposal("a", 100, 0);
  // The conflicted review would pull the mean to 50; its scores are not even
  // looked at (the wrong count would be INVALID_ARGUMENT otherwise).
  a.reviews = {Review{"r1", {90}, false}, Review{"r2", {10}, true},
               Review{"r3", {}, true}};
  Candidate b = Proposal("b", 100, 85);
  input.candidates = {b, a};
  const SelectionResult result = MustSelect(input);
  EXPECT_THAT(Names(result), ElementsAre("a", "b"));
  EXPECT_EQ(result.outcomes[0].score, Rational(90));
  input.min_reviews = 2;  // Only one of a's reviews counts.
  EXPECT_EQ(Select(input).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// The mean-of-ratios formula evaluated naively in doubles, in criterion
// order, the way an implementation without exact arithmetic would.
double NaiveDoubleScore(const std::vector<Criterion>& criteria,
                        const std::vector<int64_t>& scores) {
  double total = 0;
  double weights = 0;
  for (size_t c = 0; c < criteria.size(); ++c) {
    total += static_cast<double>(criteria[c].weight) *
             static_cast<double>(scores[c]) /
             static_cast<double>(criteria[c].max_score);
    weights += static_cast<double>(criteria[c].weight);
  }
  return 100 * total / weights;
}

TEST(SelectTest, ScoresEqualAsRationalsButNotAsDoublesTie) {
  SelectionInput input;
  input.criteria = {Criterion{1, 3}, Criterion{1, 3}, Criterion{1, 3}};
  input.budget = 1000;
  // Both are (1/3 + 2/3 + 3/3) / 3 = 200/3, summed in a different order.
  Candidate up = Proposal("up", 200, 0);
  up.reviews = {Review{"r1", {1, 2, 3}, false}};
  Candidate down = Proposal("down", 100, 0);
  down.reviews = {Review{"r1", {3, 2, 1}, false}};
  const double up_double = NaiveDoubleScore(input.criteria, {1, 2, 3});
  const double down_double = NaiveDoubleScore(input.criteria, {3, 2, 1});
  ASSERT_NE(up_double, down_double);  // Doubles would rank "up" first.
  ASSERT_GT(up_double, down_double);
  input.candidates = {up, down};
  const SelectionResult result = MustSelect(input);
  // Exact tie, so the lower amount ("down") wins the default tie-break.
  EXPECT_THAT(Names(result), ElementsAre("down", "up"));
  EXPECT_EQ(result.outcomes[0].score, result.outcomes[1].score);
  EXPECT_EQ(result.outcomes[0].score, Rational(200, 3));
  EXPECT_EQ(result.outcomes[0].score_decimal, "66.6667");
  EXPECT_TRUE(result.outcomes[0].tied_on_score);
  EXPECT_TRUE(result.outcomes[1].tied_on_score);
}

TEST(SelectTest, UnrankedProposals) {
  SelectionInput input = OneCriterionCall(1000);
  Candidate gone = Proposal("gone", 100, 100);
  gone.state = Candidate::State::kWithdrawn;
  Candidate bad = Proposal("bad", 100, 100);
  bad.state = Candidate::State::kIneligible;
  bad.reviews = {Review{"r1", {999999}, false}};  // Not validated: unused.
  Candidate none = Proposal("aaa", 100, 0);
  none.state = Candidate::State::kIneligible;
  none.reviews.clear();  // No reviews needed: not part of MissingReviews.
  input.candidates = {gone, Proposal("ok", 300, 50), bad, none};
  const SelectionResult result = MustSelect(input);
  EXPECT_THAT(Names(result), ElementsAre("ok", "aaa", "bad", "gone"));
  EXPECT_THAT(Reasons(result),
              ElementsAre("ADOPTED", "INELIGIBLE", "INELIGIBLE", "WITHDRAWN"));
  for (size_t i = 1; i < result.outcomes.size(); ++i) {
    EXPECT_EQ(result.outcomes[i].rank, 0);
    EXPECT_FALSE(result.outcomes[i].score.has_value());
    EXPECT_EQ(result.outcomes[i].score_decimal, "");
    EXPECT_EQ(result.outcomes[i].budget_left, 700);
    EXPECT_EQ(result.outcomes[i].adopted_amount, 0);
  }
}

}  // namespace
}  // namespace kyodo::proposal::domain
