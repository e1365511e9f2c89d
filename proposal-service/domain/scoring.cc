#include "proposal-service/domain/scoring.h"

#include <utility>

#include "absl/status/status.h"
#include "proposal-service/domain/validation.h"

namespace kyodo::proposal::domain {
namespace {

constexpr uint64_t kScoreScale = 100;  // Scores are on a 0..100 scale.

}  // namespace

ScoreScale::ScoreScale(const std::vector<Criterion>& criteria) {
  // L = lcm of the max scores. It can exceed 64 bits (20 coprime maxima near
  // 10^6 give about 10^120), hence Integer.
  Integer lcm = 1;
  uint64_t total_weight = 0;
  for (const Criterion& criterion : criteria) {
    lcm = boost::multiprecision::lcm(lcm, Integer(criterion.max_score));
    total_weight += static_cast<uint64_t>(criterion.weight);
  }
  factors_.reserve(criteria.size());
  for (const Criterion& criterion : criteria) {
    factors_.emplace_back(lcm / criterion.max_score * criterion.weight);
  }
  unit_denominator_ = lcm * total_weight;
}

Rational ScoreScale::Score(absl::Span<const int64_t> sums,
                           int32_t count) const {
  return ScoreOf(WeightedSum(sums), count);
}

Integer ScoreScale::WeightedSum(absl::Span<const int64_t> sums) const {
  Integer weighted;
  for (size_t c = 0; c < factors_.size(); ++c) {
    weighted += factors_[c] * sums[c];
  }
  return weighted;
}

Rational ScoreScale::ScoreOf(const Integer& weighted, int32_t count) const {
  // count >= 1 and W, L >= 1, so the denominator is never 0. The two-part
  // constructor reduces the fraction.
  return Rational(weighted * kScoreScale, unit_denominator_ * count);
}

ReviewTotals SumReviews(size_t criterion_count,
                        const std::vector<Review>& reviews) {
  ReviewTotals totals;
  totals.sums.assign(criterion_count, 0);
  for (const Review& review : reviews) {
    if (review.conflicted) continue;
    for (size_t c = 0; c < criterion_count; ++c) {
      totals.sums[c] += review.scores[c];
    }
    ++totals.count;
  }
  return totals;
}

absl::StatusOr<ProposalScore> ScoreProposal(
    const std::vector<Criterion>& criteria,
    const std::vector<Review>& reviews) {
  absl::Status status = ValidateCriteria(criteria);
  if (status.ok()) status = ValidateReviews(criteria, reviews, "reviews");
  if (!status.ok()) return status;
  const ReviewTotals totals = SumReviews(criteria.size(), reviews);
  if (totals.count == 0) {
    return absl::FailedPreconditionError(
        "reviews: no non-conflicted review, so there is no score");
  }
  ProposalScore result;
  result.score = ScoreScale(criteria).Score(totals.sums, totals.count);
  result.non_conflicted_reviews = totals.count;
  for (const int64_t sum : totals.sums) {
    result.criterion_means.emplace_back(Integer(sum), Integer(totals.count));
  }
  return result;
}

}  // namespace kyodo::proposal::domain
