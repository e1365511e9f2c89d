// Stages in the selection engine (selection.h, "Stages"): a proposal below
// an earlier stage's pass mark goes no further, the final score is the last
// stage's or the declared weighted mean, a call without stages is decided
// as before, and stage reviews that contradict the pass marks are refused.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proposal-service/domain/selection.h"
#include "tests/proposal-service/domain/rulings_fixture.h"

namespace kyodo::proposal::domain {
namespace {

using rulings_fixture::Of;
using rulings_fixture::Proposal;
using rulings_fixture::ThreeProposals;
using rulings_fixture::TwoStages;
using ::testing::HasSubstr;

TEST(StagesTest, AProposalBelowAStagesPassMarkGoesNoFurther) {
  absl::StatusOr<SelectionResult> r = Select(TwoStages());
  ASSERT_TRUE(r.ok()) << r.status();
  const ProposalOutcome& a = Of(*r, "a");
  EXPECT_EQ(a.reason, Reason::kStageNotPassed);
  EXPECT_EQ(a.recommended_reason, Reason::kStageNotPassed);
  EXPECT_EQ(a.rank, 0);
  EXPECT_EQ(a.failed_stage, 1);
  ASSERT_EQ(a.stage_scores.size(), 1u);
  EXPECT_EQ(a.stage_scores[0], Rational(50));
  EXPECT_FALSE(a.score.has_value());
  // The last stage alone ranks the others: b 80 first, c 70.
  EXPECT_EQ(Of(*r, "b").rank, 1);
  EXPECT_EQ(Of(*r, "b").score, Rational(80));
  EXPECT_EQ(Of(*r, "b").stage_scores, std::vector<Rational>{Rational(60)});
  EXPECT_EQ(Of(*r, "c").rank, 2);
  EXPECT_EQ(r->outcomes.back().name, "a");  // unranked after the ranked
  // Its budget went to the others: 300 + 150 of 600.
  EXPECT_EQ(r->total_adopted_amount, 450);
  EXPECT_EQ(r->adopted_count, 2);
}

TEST(StagesTest, AWeightedCombinationRanksByTheExactMean) {
  SelectionInput input = TwoStages();
  // 書類 weight 2, プレゼン weight 1: b (2*60 + 80)/3 = 200/3,
  // c (2*90 + 70)/3 = 250/3, so c now ranks first.
  input.stages[0].weight = 2;
  input.last_stage_weight = 1;
  absl::StatusOr<SelectionResult> r = Select(input);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Of(*r, "c").rank, 1);
  EXPECT_EQ(Of(*r, "c").score, Rational(250, 3));
  EXPECT_EQ(Of(*r, "c").score_decimal, "83.3333");
  EXPECT_EQ(Of(*r, "b").rank, 2);
  EXPECT_EQ(Of(*r, "b").score, Rational(200, 3));
  // The call's pass mark applies to the combined score: 200/3 < 67.
  input.pass_mark = 67;
  r = Select(input);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Of(*r, "b").reason, Reason::kBelowPassMark);
  EXPECT_EQ(Of(*r, "c").reason, Reason::kAdopted);
}

TEST(StagesTest, EqualCombinedScoresTieAndFallToTheTieBreaks) {
  SelectionInput input = TwoStages();
  // b (60 + 80)/2 = 70 and c (90 + 50)/2 = 70: tied, the lower amount (c,
  // 150 yen) first.
  input.candidates[2].reviews = {Review{"r1", {50}, false}};
  input.stages[0].weight = 1;
  absl::StatusOr<SelectionResult> r = Select(input);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Of(*r, "c").rank, 1);
  EXPECT_TRUE(Of(*r, "c").tied_on_score);
  EXPECT_TRUE(Of(*r, "b").tied_on_score);
}

TEST(StagesTest, StageReviewsThatContradictThePassMarksAreRefused) {
  SelectionInput passed_but_stopped = TwoStages();
  passed_but_stopped.stages.push_back(Stage{{Criterion{1, 10}}, 0, 1, 0});
  absl::StatusOr<SelectionResult> r = Select(passed_but_stopped);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("candidates[1].stage_reviews[0]: passed stage 1"));

  SelectionInput failed_but_went_on = TwoStages();
  failed_but_went_on.stages.push_back(Stage{{Criterion{1, 10}}, 0, 1, 0});
  for (Candidate& c : failed_but_went_on.candidates) {
    c.stage_reviews.push_back({Review{"s2", {5}, false}});
  }
  r = Select(failed_but_went_on);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("candidates[0].stage_reviews[0]: below stage 1"));

  SelectionInput too_few = TwoStages();
  too_few.stages[0].min_reviews = 2;
  r = Select(too_few);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("stage 1 needs 2"));

  SelectionInput none = TwoStages();
  none.candidates[1].stage_reviews.clear();
  r = Select(none);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("candidates[1].stage_reviews"));

  SelectionInput ruled = TwoStages();
  ruled.candidates[0].ruling = Ruling::kNotAdopt;
  r = Select(ruled);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("candidates[0].ruling: a proposal that did not pass"));

  SelectionInput weight = TwoStages();
  weight.stages[0].weight = 1001;
  r = Select(weight);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("stages[0].weight"));

  SelectionInput criteria = TwoStages();
  criteria.stages[0].criteria[0].max_score = 0;
  r = Select(criteria);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("stages[0].criteria[0].max_score"));
}

TEST(StagesTest, OnlyThoseThatPassedEveryStageNeedLastStageReviews) {
  SelectionInput input = TwoStages();
  std::vector<MissingReview> missing = MissingReviews(input);
  EXPECT_TRUE(missing.empty());
  input.candidates[1].reviews.clear();
  missing = MissingReviews(input);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].name, "b");
}

}  // namespace
}  // namespace kyodo::proposal::domain
