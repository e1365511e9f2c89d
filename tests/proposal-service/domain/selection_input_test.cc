// Input-side tests of the selection engine: bounds validation, missing
// reviews, ScoreProposal, independence from input order, and exactness at
// the extreme bounds against an independent slow reference.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proposal-service/domain/scoring.h"
#include "proposal-service/domain/selection.h"
#include "proposal-service/domain/validation.h"

namespace kyodo::proposal::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A proposal with the given reviews, each a list of scores per criterion.
Candidate Reviewed(std::string name, int64_t amount,
                   std::vector<std::vector<int64_t>> reviews) {
  Candidate candidate;
  candidate.name = std::move(name);
  candidate.requested_amount = amount;
  for (size_t r = 0; r < reviews.size(); ++r) {
    candidate.reviews.push_back(
        Review{absl::StrCat("reviewer", r), std::move(reviews[r]), false});
  }
  return candidate;
}

// A small valid call: two criteria, two proposals with two reviews each.
SelectionInput ValidCall() {
  SelectionInput input;
  input.criteria = {Criterion{2, 10}, Criterion{1, 5}};
  input.budget = 1000;
  input.candidates = {Reviewed("p0", 100, {{8, 4}, {6, 5}}),
                      Reviewed("p1", 200, {{9, 1}, {7, 2}})};
  return input;
}

struct InvalidCase {
  std::string field;  // Expected at the start of the message.
  std::function<void(SelectionInput&)> mutate;
};

TEST(ValidationTest, ErrorsNameTheField) {
  const std::vector<InvalidCase> cases = {
      {"criteria", [](SelectionInput& in) { in.criteria.clear(); }},
      {"criteria", [](SelectionInput& in) { in.criteria.resize(21); }},
      {"criteria[1].weight",
       [](SelectionInput& in) { in.criteria[1].weight = 0; }},
      {"criteria[1].weight",
       [](SelectionInput& in) { in.criteria[1].weight = 1001; }},
      {"criteria[0].max_score",
       [](SelectionInput& in) { in.criteria[0].max_score = 0; }},
      {"criteria[0].max_score",
       [](SelectionInput& in) { in.criteria[0].max_score = 1000001; }},
      {"budget", [](SelectionInput& in) { in.budget = -1; }},
      {"budget", [](SelectionInput& in) { in.budget = kMaxAmount + 1; }},
      {"max_adoptions", [](SelectionInput& in) { in.max_adoptions = -1; }},
      {"pass_mark", [](SelectionInput& in) { in.pass_mark = 101; }},
      {"pass_mark", [](SelectionInput& in) { in.pass_mark = -1; }},
      {"min_reviews", [](SelectionInput& in) { in.min_reviews = -1; }},
      {"rule",
       [](SelectionInput& in) { in.rule = static_cast<AdoptionRule>(7); }},
      {"tie_break[1].key",
       [](SelectionInput& in) {
         in.tie_break = {{TieBreakKey::kName}, {static_cast<TieBreakKey>(9)}};
       }},
      {"tie_break[0].criterion_index",
       [](SelectionInput& in) {
         in.tie_break = {{TieBreakKey::kHigherCriterionScore, 2}};
       }},
      {"tie_break[0].criterion_index",
       [](SelectionInput& in) {
         in.tie_break = {{TieBreakKey::kHigherCriterionScore, -1}};
       }},
      {"candidates[1].name",
       [](SelectionInput& in) { in.candidates[1].name = ""; }},
      {"candidates[1].name",
       [](SelectionInput& in) { in.candidates[1].name = "p0"; }},
      {"candidates[0].requested_amount",
       [](SelectionInput& in) { in.candidates[0].requested_amount = -1; }},
      {"candidates[0].requested_amount",
       [](SelectionInput& in) {
         in.candidates[0].requested_amount = kMaxAmount + 1;
       }},
      {"candidates[0].state",
       [](SelectionInput& in) {
         in.candidates[0].state = static_cast<Candidate::State>(5);
       }},
      {"candidates[1].reviews[0].scores[1]",
       [](SelectionInput& in) { in.candidates[1].reviews[0].scores[1] = 6; }},
      {"candidates[1].reviews[1].scores[0]",
       [](SelectionInput& in) { in.candidates[1].reviews[1].scores[0] = -1; }},
      {"candidates[0].reviews[1].scores",
       [](SelectionInput& in) {
         in.candidates[0].reviews[1].scores.pop_back();
       }},
      {"candidates[0].reviews",
       [](SelectionInput& in) {
         in.candidates[0].reviews[1].reviewer =
             in.candidates[0].reviews[0].reviewer;
       }},
      {"candidates[0].reviews",
       [](SelectionInput& in) {
         for (int r = 2; r <= kMaxReviewsPerProposal; ++r) {
           in.candidates[0].reviews.push_back(
               {absl::StrCat("x", r), {1, 1}, false});
         }
       }},
      {"candidates",
       [](SelectionInput& in) {
         in.candidates.resize(kMaxCandidates + 1, in.candidates[0]);
       }},
  };
  for (const InvalidCase& test_case : cases) {
    SelectionInput input = ValidCall();
    test_case.mutate(input);
    const absl::Status status = Select(input).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << test_case.field;
    EXPECT_THAT(std::string(status.message()),
                testing::StartsWith(test_case.field + ":"));
  }
}

TEST(ValidationTest, AcceptsTheBoundsThemselves) {
  SelectionInput input = ValidCall();
  input.criteria[0] = Criterion{kMaxWeight, kMaxMaxScore};
  input.candidates[0].reviews[0].scores[0] = kMaxMaxScore;
  input.candidates[0].reviews[1].scores[0] = 0;
  input.budget = kMaxAmount;
  input.candidates[1].requested_amount = kMaxAmount;
  input.pass_mark = kMaxPassMark;
  for (int r = 2; r < kMaxReviewsPerProposal; ++r) {
    input.candidates[1].reviews.push_back(
        {absl::StrCat("x", r), {1, 1}, false});
  }
  // Conflicted reviews do not count against the limit.
  input.candidates[1].reviews.push_back({"conflicted", {1, 1}, true});
  EXPECT_TRUE(Select(input).ok()) << Select(input).status();
  EXPECT_TRUE(ValidateSelectionInput(input).ok());
}

TEST(MissingReviewsTest, ListsEligibleProposalsShortOfReviews) {
  SelectionInput input = ValidCall();
  input.min_reviews = 2;
  Candidate c = Reviewed("c", 1, {{1, 1}});
  Candidate a = Reviewed("a", 1, {});
  Candidate b = Reviewed("b", 1, {{1, 1}, {2, 2}});
  b.reviews[1].conflicted = true;
  Candidate d = Reviewed("d", 1, {});
  d.state = Candidate::State::kWithdrawn;
  input.candidates.insert(input.candidates.begin(), {c, a, b, d});
  const std::vector<MissingReview> missing = MissingReviews(input);
  ASSERT_EQ(missing.size(), 3u);
  EXPECT_EQ(missing[0].name, "a");
  EXPECT_EQ(missing[0].non_conflicted_reviews, 0);
  EXPECT_EQ(missing[1].name, "b");
  EXPECT_EQ(missing[1].non_conflicted_reviews, 1);
  EXPECT_EQ(missing[2].name, "c");
  const absl::Status status = Select(input).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("\"a\" (0)"));
  input.min_reviews = 0;  // Treated as 1.
  ASSERT_EQ(MissingReviews(input).size(), 1u);
  EXPECT_EQ(MissingReviews(input)[0].name, "a");
}

TEST(MissingReviewsTest, ErrorNamesOnlyTheFirstFew) {
  SelectionInput input = ValidCall();
  for (int i = 0; i < 8; ++i) {
    input.candidates.push_back(Reviewed(absl::StrCat("empty", i), 1, {}));
  }
  const absl::Status status = Select(input).status();
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("\"empty4\" (0) and 3 more"));
}

TEST(ScoreProposalTest, ScoresAndMeans) {
  const std::vector<Criterion> criteria = {Criterion{2, 10}, Criterion{1, 5}};
  // Means 7 and 4.5: (2 * 7/10 + 1 * 4.5/5) / 3 * 100 = 230/3.
  const std::vector<Review> reviews = {Review{"a", {8, 4}, false},
                                       Review{"b", {6, 5}, false},
                                       Review{"c", {0, 0}, true}};
  absl::StatusOr<ProposalScore> score = ScoreProposal(criteria, reviews);
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_EQ(score->score, Rational(230, 3));
  EXPECT_EQ(ToDecimalString(score->score, 4), "76.6667");
  EXPECT_EQ(score->non_conflicted_reviews, 2);
  ASSERT_EQ(score->criterion_means.size(), 2u);
  EXPECT_EQ(score->criterion_means[0], Rational(7));
  EXPECT_EQ(score->criterion_means[1], Rational(9, 2));
}

TEST(ScoreProposalTest, Errors) {
  const std::vector<Criterion> criteria = {Criterion{2, 10}, Criterion{1, 5}};
  EXPECT_EQ(
      ScoreProposal(criteria, {Review{"c", {1, 1}, true}}).status().code(),
      absl::StatusCode::kFailedPrecondition);
  const absl::Status status =
      ScoreProposal(criteria, {Review{"a", {1, 9}, false}}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              testing::StartsWith("reviews[0].scores[1]:"));
  EXPECT_EQ(ScoreProposal({}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kyodo::proposal::domain
