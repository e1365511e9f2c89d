// Exact proposal scores, as defined by the API contract:
//
//   score = 100 * (sum_c w_c * mean_c / m_c) / (sum_c w_c)
//
// where mean_c is the mean of the non-conflicted reviewers' scores on
// criterion c, w_c its weight and m_c its max score. Every non-conflicted
// review scores every criterion, so all means have the same reviewer count n
// and the score is the integer fraction
//
//   score = 100 * sum_c (w_c * L / m_c) * S_c / (n * W * L)
//
// with S_c the score sum on c, W the total weight and L = lcm(m_c). The
// factors that depend only on the criteria are computed once per call
// (ScoreScale), so scoring a proposal costs one multiply-add per criterion.

#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_SCORING_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_SCORING_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proposal-service/domain/exact.h"
#include "proposal-service/domain/selection_types.h"

namespace kyodo::proposal::domain {

// Aggregate of one proposal's reviews, for display by the service.
struct ProposalScore {
  Rational score;  // 0..100, exact.
  // Mean raw score on each criterion (0..max_score), exact.
  std::vector<Rational> criterion_means;
  int32_t non_conflicted_reviews = 0;
};

// Scores one proposal. Conflicted reviews are ignored.
// Errors: INVALID_ARGUMENT (naming "criteria[i]..." or "reviews[j]...") when
// the input is out of the bounds in validation.h; FAILED_PRECONDITION when
// there is no non-conflicted review, since the score is then undefined.
absl::StatusOr<ProposalScore> ScoreProposal(
    const std::vector<Criterion>& criteria, const std::vector<Review>& reviews);

// Per-criterion score sums and reviewer count of one proposal.
struct ReviewTotals {
  std::vector<int64_t> sums;  // Indexed by criterion; each <= 200 * 10^6.
  int32_t count = 0;          // Non-conflicted reviews.
};

// Adds up the non-conflicted reviews. Precondition: the reviews passed
// ValidateReviews for `criterion_count` criteria (so no sum overflows).
ReviewTotals SumReviews(size_t criterion_count,
                        const std::vector<Review>& reviews);

// The per-call constant part of the score formula above.
class ScoreScale {
 public:
  // Precondition: ValidateCriteria(criteria) is OK.
  explicit ScoreScale(const std::vector<Criterion>& criteria);

  // The exact score of a proposal with these per-criterion sums over `count`
  // reviews. Preconditions: sums.size() == number of criteria, count >= 1.
  Rational Score(absl::Span<const int64_t> sums, int32_t count) const;

  // The two steps of Score(), for callers that also rank: the integer
  // X = sum_c (w_c * L / m_c) * S_c, where score = 100 * X / (count * W * L).
  // Precondition: sums.size() == number of criteria.
  Integer WeightedSum(absl::Span<const int64_t> sums) const;
  // 100 * weighted / (count * W * L), reduced. Precondition: count >= 1.
  Rational ScoreOf(const Integer& weighted, int32_t count) const;

 private:
  std::vector<Integer> factors_;  // w_c * L / m_c.
  Integer unit_denominator_;      // W * L.
};

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_SCORING_H_
