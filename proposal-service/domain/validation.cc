#include "proposal-service/domain/validation.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace kyodo::proposal::domain {
namespace {

absl::Status OutOfRange(absl::string_view field, int64_t value, int64_t low,
                        int64_t high) {
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": ", value, " is out of range [", low, ", ", high, "]"));
}

absl::Status CheckRange(absl::string_view field, int64_t value, int64_t low,
                        int64_t high) {
  if (value < low || value > high) return OutOfRange(field, value, low, high);
  return absl::OkStatus();
}

// Enum values arrive from protobuf conversions, so out-of-range casts are
// possible and must be rejected rather than fall through a switch.
bool IsKnown(TieBreakKey key) {
  switch (key) {
    case TieBreakKey::kLowerRequestedAmount:
    case TieBreakKey::kEarlierSubmission:
    case TieBreakKey::kName:
    case TieBreakKey::kHigherCriterionScore:
      return true;
  }
  return false;
}

bool IsKnown(AdoptionRule rule) {
  return rule == AdoptionRule::kGreedySkip || rule == AdoptionRule::kGreedyStop;
}

bool IsKnown(Candidate::State state) {
  return state == Candidate::State::kEligible ||
         state == Candidate::State::kIneligible ||
         state == Candidate::State::kWithdrawn;
}

// Checks one counted review. `field` renders the review's path; it is only
// called on error, because building paths for every review of a large call
// would cost more than the checks themselves.
template <typename Field>
absl::Status ValidateReviewScores(const std::vector<Criterion>& criteria,
                                  const Review& review, const Field& field) {
  if (review.scores.size() != criteria.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field(), ".scores: has ", review.scores.size(),
                     " scores, the call has ", criteria.size(), " criteria"));
  }
  for (size_t c = 0; c < criteria.size(); ++c) {
    if (review.scores[c] < 0 || review.scores[c] > criteria[c].max_score) {
      return OutOfRange(absl::StrCat(field(), ".scores[", c, "]"),
                        review.scores[c], 0, criteria[c].max_score);
    }
  }
  return absl::OkStatus();
}

// ValidateReviews with a lazily rendered list path `field`.
template <typename Field>
absl::Status ValidateReviewList(const std::vector<Criterion>& criteria,
                                const std::vector<Review>& reviews,
                                const Field& field) {
  std::vector<std::string_view> reviewers;
  reviewers.reserve(reviews.size());
  for (size_t r = 0; r < reviews.size(); ++r) {
    if (reviews[r].conflicted) continue;
    absl::Status status = ValidateReviewScores(criteria, reviews[r], [&] {
      return absl::StrCat(field(), "[", r, "]");
    });
    if (!status.ok()) return status;
    reviewers.push_back(reviews[r].reviewer);
  }
  if (reviewers.size() > static_cast<size_t>(kMaxReviewsPerProposal)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field(), ": has ", reviewers.size(),
                     " non-conflicted reviews, at most ",
                     kMaxReviewsPerProposal, " are allowed"));
  }
  // Sorting a copy keeps the check O(n log n) without a hash set.
  std::sort(reviewers.begin(), reviewers.end());
  const auto duplicate = std::adjacent_find(reviewers.begin(), reviewers.end());
  if (duplicate != reviewers.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field(), ": reviewer \"", std::string(*duplicate),
                     "\" has more than one non-conflicted review"));
  }
  return absl::OkStatus();
}

// ValidateCriteria with the list's path `field` ("criteria",
// "stages[0].criteria").
absl::Status ValidateCriteriaAt(const std::vector<Criterion>& criteria,
                                absl::string_view field) {
  if (criteria.empty() || criteria.size() > static_cast<size_t>(kMaxCriteria)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": has ", criteria.size(),
                     " entries, must have 1 to ", kMaxCriteria));
  }
  for (size_t c = 0; c < criteria.size(); ++c) {
    absl::Status status = CheckRange(absl::StrCat(field, "[", c, "].weight"),
                                     criteria[c].weight, 1, kMaxWeight);
    if (status.ok()) {
      status = CheckRange(absl::StrCat(field, "[", c, "].max_score"),
                          criteria[c].max_score, 1, kMaxMaxScore);
    }
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// The earlier stages: at most kMaxStages, each with its criteria, pass mark,
// min_reviews and weight in bounds; the last stage's weight too.
absl::Status ValidateStages(const SelectionInput& input) {
  if (input.stages.size() > static_cast<size_t>(kMaxStages)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stages: has ", input.stages.size(), " entries, at most ",
                     kMaxStages, " are allowed"));
  }
  for (size_t k = 0; k < input.stages.size(); ++k) {
    const Stage& stage = input.stages[k];
    const std::string field = absl::StrCat("stages[", k, "]");
    absl::Status status =
        ValidateCriteriaAt(stage.criteria, absl::StrCat(field, ".criteria"));
    if (status.ok()) {
      status = CheckRange(absl::StrCat(field, ".pass_mark"), stage.pass_mark, 0,
                          kMaxPassMark);
    }
    if (status.ok()) {
      status = CheckRange(absl::StrCat(field, ".min_reviews"),
                          stage.min_reviews, 0, INT32_MAX);
    }
    if (status.ok()) {
      status = CheckRange(absl::StrCat(field, ".weight"), stage.weight, 0,
                          kMaxWeight);
    }
    if (!status.ok()) return status;
  }
  return CheckRange("last_stage_weight", input.last_stage_weight, 1,
                    kMaxWeight);
}

absl::Status ValidateTieBreaks(const SelectionInput& input) {
  for (size_t i = 0; i < input.tie_break.size(); ++i) {
    const TieBreak& tie_break = input.tie_break[i];
    if (!IsKnown(tie_break.key)) {
      return OutOfRange(absl::StrCat("tie_break[", i, "].key"),
                        static_cast<int64_t>(tie_break.key), 0, 3);
    }
    if (tie_break.key != TieBreakKey::kHigherCriterionScore) continue;
    absl::Status status =
        CheckRange(absl::StrCat("tie_break[", i, "].criterion_index"),
                   tie_break.criterion_index, 0,
                   static_cast<int64_t>(input.criteria.size()) - 1);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status ValidateCallSettings(const SelectionInput& input) {
  absl::Status status = ValidateCriteria(input.criteria);
  if (status.ok()) status = CheckRange("budget", input.budget, 0, kMaxAmount);
  if (status.ok()) {
    status = CheckRange("max_adoptions", input.max_adoptions, 0, INT32_MAX);
  }
  if (status.ok()) {
    status = CheckRange("pass_mark", input.pass_mark, 0, kMaxPassMark);
  }
  if (status.ok()) {
    status = CheckRange("min_reviews", input.min_reviews, 0, INT32_MAX);
  }
  if (status.ok() && !IsKnown(input.rule)) {
    status = OutOfRange("rule", static_cast<int64_t>(input.rule), 0, 1);
  }
  if (status.ok()) status = ValidateTieBreaks(input);
  if (status.ok()) status = ValidateStages(input);
  return status;
}

// A committee ruling only on an eligible candidate, with a granted amount
// where its kind takes one (selection_types.h).
absl::Status ValidateRuling(const Candidate& c, const std::string& field) {
  if (c.ruling == Ruling::kNone && !c.granted_amount.has_value()) {
    return absl::OkStatus();
  }
  if (c.state != Candidate::State::kEligible) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".ruling: only an eligible proposal can have a ruling"));
  }
  switch (c.ruling) {
    case Ruling::kReduce:
      if (!c.granted_amount.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ".granted_amount: a reduced adoption needs the amount"));
      }
      return CheckRange(absl::StrCat(field, ".granted_amount"),
                        *c.granted_amount, 1, c.requested_amount - 1);
    case Ruling::kAdopt:
      if (!c.granted_amount.has_value()) return absl::OkStatus();
      return CheckRange(absl::StrCat(field, ".granted_amount"),
                        *c.granted_amount, 1, c.requested_amount);
    case Ruling::kNone:
    case Ruling::kNotAdopt:
      if (c.granted_amount.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field,
                         ".granted_amount: only a reduced adoption or "
                         "an adoption takes an amount"));
      }
      return absl::OkStatus();
  }
  return OutOfRange(absl::StrCat(field, ".ruling"),
                    static_cast<int64_t>(c.ruling), 0, 3);
}

// The reviews of each earlier stage an eligible candidate was reviewed in:
// one list per stage at most, and at least one when the call has stages.
// (That it fails the last stage it has when it has fewer is Select's
// check, since it needs the scores.)
absl::Status ValidateStageReviews(const SelectionInput& input,
                                  const Candidate& candidate,
                                  const std::string& field) {
  if (candidate.state != Candidate::State::kEligible || input.stages.empty()) {
    if (candidate.stage_reviews.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        field,
        ".stage_reviews: only an eligible proposal of a call with stages has "
        "stage reviews"));
  }
  if (candidate.stage_reviews.empty() ||
      candidate.stage_reviews.size() > input.stages.size()) {
    return OutOfRange(absl::StrCat(field, ".stage_reviews"),
                      static_cast<int64_t>(candidate.stage_reviews.size()), 1,
                      static_cast<int64_t>(input.stages.size()));
  }
  for (size_t k = 0; k < candidate.stage_reviews.size(); ++k) {
    absl::Status status = ValidateReviewList(
        input.stages[k].criteria, candidate.stage_reviews[k],
        [&] { return absl::StrCat(field, ".stage_reviews[", k, "]"); });
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status ValidateCandidate(const SelectionInput& input,
                               const Candidate& candidate, size_t index) {
  const std::vector<Criterion>& criteria = input.criteria;
  const auto field = [index] {
    return absl::StrCat("candidates[", index, "]");
  };
  if (candidate.name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field(), ".name: must not be empty"));
  }
  absl::Status status = absl::OkStatus();
  if (candidate.requested_amount < 0 ||
      candidate.requested_amount > kMaxAmount) {
    status = OutOfRange(absl::StrCat(field(), ".requested_amount"),
                        candidate.requested_amount, 0, kMaxAmount);
  }
  if (status.ok() && !IsKnown(candidate.state)) {
    status = OutOfRange(absl::StrCat(field(), ".state"),
                        static_cast<int64_t>(candidate.state), 0, 2);
  }
  if (status.ok()) status = ValidateRuling(candidate, field());
  if (status.ok()) status = ValidateStageReviews(input, candidate, field());
  // Reviews of ineligible or withdrawn proposals never reach a score, so a
  // stale review there must not block the whole call.
  if (status.ok() && candidate.state == Candidate::State::kEligible) {
    status = ValidateReviewList(criteria, candidate.reviews, [&] {
      return absl::StrCat(field(), ".reviews");
    });
  }
  if (status.ok()) return status;
  return absl::Status(
      status.code(),
      absl::StrCat(status.message(), " (proposal \"", candidate.name, "\")"));
}

// Names are the last tie-break; duplicates would make the order depend on
// the input order.
absl::Status ValidateUniqueNames(const std::vector<Candidate>& candidates) {
  std::vector<size_t> order(candidates.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return candidates[a].name < candidates[b].name;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    const std::string& name = candidates[order[i]].name;
    if (name != candidates[order[i - 1]].name) continue;
    const size_t later = std::max(order[i], order[i - 1]);
    return absl::InvalidArgumentError(
        absl::StrCat("candidates[", later, "].name: \"", name,
                     "\" is used by more than one candidate"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateCriteria(const std::vector<Criterion>& criteria) {
  return ValidateCriteriaAt(criteria, "criteria");
}

absl::Status ValidateReviews(const std::vector<Criterion>& criteria,
                             const std::vector<Review>& reviews,
                             const std::string& field) {
  return ValidateReviewList(criteria, reviews, [&] { return field; });
}

absl::Status ValidateSelectionInput(const SelectionInput& input) {
  absl::Status status = ValidateCallSettings(input);
  if (!status.ok()) return status;
  if (input.candidates.size() > static_cast<size_t>(kMaxCandidates)) {
    return absl::InvalidArgumentError(
        absl::StrCat("candidates: has ", input.candidates.size(),
                     " entries, at most ", kMaxCandidates, " are allowed"));
  }
  for (size_t i = 0; i < input.candidates.size(); ++i) {
    status = ValidateCandidate(input, input.candidates[i], i);
    if (!status.ok()) return status;
  }
  return ValidateUniqueNames(input.candidates);
}

}  // namespace kyodo::proposal::domain
