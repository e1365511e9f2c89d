// From a call's stored records to the selection engine's input, and from
// the engine's outcomes to the Decision message: shared by PreviewDecision
// and DecideCall, which must see exactly the same thing.
//
// What the decision reads (columns only, no JSON documents, so that a call
// of 5,000 proposals with 75,000 reviews is read quickly):
// - the call's settings (criteria, budget, limit, pass mark, min_reviews,
//   tie-breaks, adoption rule);
// - its non-draft, non-deleted proposals: ELIGIBLE (and, on a decided call,
//   ADOPTED / NOT_ADOPTED) take part; INELIGIBLE and WITHDRAWN are listed
//   unranked; SUBMITTED ones are not screened yet (the call cannot be
//   decided);
// - with stages (Call.stages), each earlier stage's reviews as the stage
//   counted them when it closed (stage_results, AdvanceStage), and how far
//   each proposal went;
// - the last stage's reviews by live members of it assigned the proposal (a
//   deleted member's reviews, and those of a member assigned other
//   proposals, do not count), each marked conflicted when its author has a
//   conflict with the proposal (committee.h: declared, or an affiliation or
//   related party is its applicant or a co-applicant).
#ifndef KYODO_PROPOSAL_SERVICE_DECISION_INPUT_H_
#define KYODO_PROPOSAL_SERVICE_DECISION_INPUT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/db/session.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "proposal-service/domain/selection_types.h"

namespace kyodo::proposal {

struct DecisionInput {
  domain::SelectionInput input;
  // What a ProposalResult shows beside the outcome, by proposal name.
  struct Shown {
    std::string title;
    std::string applicant;
    int64_t requested_amount_yen = 0;
    // Committee members who do not score it because of a conflict.
    int32_t conflicted_members = 0;
    // Counted reviews in each earlier stage it was under review in.
    std::vector<int32_t> stage_reviews;
  };
  absl::flat_hash_map<std::string, Shown> shown;
  // Names of SUBMITTED proposals not screened yet, sorted.
  std::vector<std::string> not_screened;
  // The committee's rulings (ApplyRulings), by proposal name.
  absl::flat_hash_map<std::string, v1::CommitteeRuling> rulings;
};

using Rulings = google::protobuf::RepeatedPtrField<v1::CommitteeRuling>;

// What can be checked of `rulings` (the request field "rulings") before
// anything is read: each names a proposal of `call_name`, at most once, has
// an action and a reason, and an amount only where its action takes one
// (REDUCE: required, ADOPT: optional, NOT_ADOPT: none), at least 1 yen.
// INVALID_ARGUMENT naming the field, e.g. "rulings[1].reason".
absl::Status CheckRulings(const std::string& call_name, const Rulings& rulings);

// Puts checked `rulings` on `in`'s candidates (domain::Candidate::ruling
// and granted_amount) and in `in.rulings`. INVALID_ARGUMENT
// "rulings[i].proposal" when it names no ELIGIBLE proposal of the call (or
// one that did not pass an earlier stage), and
// "rulings[i].adopted_amount_yen" when the amount is not below (REDUCE) or
// up to (ADOPT) the requested amount.
absl::Status ApplyRulings(const Rulings& rulings, DecisionInput& in);

// Reads the input of `call`'s decision. `budget_yen` and `max_adoptions`
// replace the call's own when set (PreviewDecision's what-ifs).
absl::StatusOr<DecisionInput> LoadDecisionInput(
    common::db::Session& s, const v1::Call& call,
    std::optional<int64_t> budget_yen = std::nullopt,
    std::optional<int32_t> max_adoptions = std::nullopt);

// A stage score as results show it (v1::StageScore).
void SetStageScore(const domain::Rational& score, int32_t stage, bool passed,
                   v1::StageScore* out);

// FAILED_PRECONDITION NOT_SCREENED naming (some of) `in.not_screened`, or
// OK when it is empty.
absl::Status CheckScreened(const DecisionInput& in);

// FAILED_PRECONDITION REVIEWS_MISSING naming the first proposals that lack
// reviews (message and ErrorInfo metadata "proposals", "count"), or OK.
absl::Status CheckReviews(const DecisionInput& in);
// The same error for `missing` (sorted by name), of `min_reviews` each.
absl::Status ReviewsMissingError(
    const std::vector<domain::MissingReview>& missing, int32_t min_reviews);

// Runs the engine. When every eligible proposal has its reviews: the
// decision (decidable true). Otherwise, only when `preview`: decidable
// false, missing_reviews listing them all, and the provisional standings of
// the proposals that have at least one counted review (the others unranked,
// reason REASON_UNSPECIFIED); not `preview`: REVIEWS_MISSING.
absl::StatusOr<v1::Decision> ComputeDecision(const v1::Call& call,
                                             const DecisionInput& in,
                                             bool preview);

}  // namespace kyodo::proposal

#endif  // KYODO_PROPOSAL_SERVICE_DECISION_INPUT_H_
