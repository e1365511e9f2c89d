// Input bounds of the selection engine and their validation.
//
// The bounds are part of the API contract: they are what makes the exact
// arithmetic's cost predictable and every amount sum fit in int64_t
// (100000 proposals x 10^15 yen would not, but only amounts that fit the
// budget are ever added up). Each error names the offending field with its
// path in the input, e.g. "criteria[2].weight", so that the service can pass
// it on to the caller unchanged.

#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_VALIDATION_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_VALIDATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "proposal-service/domain/selection_types.h"

namespace kyodo::proposal::domain {

inline constexpr int kMaxCriteria = 20;
inline constexpr int64_t kMaxWeight = 1000;
inline constexpr int64_t kMaxMaxScore = 1000000;
inline constexpr int kMaxReviewsPerProposal = 200;  // Non-conflicted ones.
inline constexpr int kMaxCandidates = 100000;
inline constexpr int64_t kMaxAmount = 1000000000000000;  // 10^15 yen.
inline constexpr int32_t kMaxPassMark = 100;
inline constexpr int kMaxStages = 3;  // Earlier stages, before the last.

// OK when there are 1..kMaxCriteria criteria, each within the bounds above.
// Errors: INVALID_ARGUMENT naming "criteria" or "criteria[i].weight" /
// "criteria[i].max_score".
absl::Status ValidateCriteria(const std::vector<Criterion>& criteria);

// OK when every non-conflicted review has one score per criterion within
// 0..max_score, there are at most kMaxReviewsPerProposal of them and their
// reviewers are distinct. Conflicted reviews are not looked at. `field` is
// the path of the list used in messages, e.g. "candidates[3].reviews".
// Precondition: ValidateCriteria(criteria) is OK.
// Errors: INVALID_ARGUMENT naming e.g. "<field>[1].scores[0]".
absl::Status ValidateReviews(const std::vector<Criterion>& criteria,
                             const std::vector<Review>& reviews,
                             const std::string& field);

// OK when the whole input is within bounds: the criteria, budget, limits,
// tie-break list and rule, and every candidate (unique non-empty name,
// amount, state, and for eligible ones their reviews).
// Errors: INVALID_ARGUMENT naming the first offending field.
absl::Status ValidateSelectionInput(const SelectionInput& input);

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_VALIDATION_H_
