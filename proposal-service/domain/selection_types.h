// Plain input and output types of the selection engine (see selection.h).
//
// They mirror what the proposal service stores for a call and for its
// decision, without any protobuf or database dependency, so the engine can be
// tested and benchmarked on its own and a stored decision can be recomputed
// from its stored inputs.
//
// Bounds (validated by Select() and ScoreProposal(), see validation.h):
// 1..20 criteria, weight 1..1000, max_score 1..1000000, each score
// 0..max_score, at most 200 non-conflicted reviews per proposal, at most
// 100000 candidates, budget and amounts 0..10^15 yen, pass_mark 0..100.

#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_SELECTION_TYPES_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_SELECTION_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "proposal-service/domain/exact.h"

namespace kyodo::proposal::domain {

// One scoring criterion of a call. Criteria are identified by their index.
struct Criterion {
  int64_t weight = 1;
  int64_t max_score = 1;
};

// One reviewer's scores for one proposal, indexed like the call's criteria.
// A conflicted review is ignored everywhere (never counted, never validated)
// because the reviewer declared a conflict of interest.
struct Review {
  std::string reviewer;
  std::vector<int64_t> scores;
  bool conflicted = false;
};

// An earlier review stage of a call (e.g. 書類審査 before プレゼンテーション
// 審査; see selection.h, "Stages"). The call's own criteria, pass mark and
// min_reviews (SelectionInput) are the last stage.
struct Stage {
  std::vector<Criterion> criteria;
  int32_t pass_mark = 0;    // 0..100; a proposal below it goes no further.
  int32_t min_reviews = 1;  // 0 is treated as 1.
  // The stage's weight in the final score (0..1000); 0 = not counted.
  int64_t weight = 0;
};

// What the committee (審査会) ruled on one candidate beside the ranking
// (see selection.h, "Committee rulings").
enum class Ruling {
  kNone,      // The ranking decides.
  kReduce,    // 減額採択: adopted for granted_amount if the walk adopts it.
  kAdopt,     // Adopted against the ranking, set aside from the budget first.
  kNotAdopt,  // Not adopted against the ranking.
};

// A proposal taking part in the call.
struct Candidate {
  enum class State { kEligible, kIneligible, kWithdrawn };

  // Resource name; unique within the call, it is the final tie-break.
  std::string name;
  int64_t requested_amount = 0;  // Yen.
  absl::Time submit_time;
  State state = State::kEligible;
  // The reviews of the last stage (the call's own criteria).
  std::vector<Review> reviews;
  // Only on eligible candidates of a call with earlier stages: the reviews
  // of each earlier stage it was reviewed in, in stage order: one list per
  // stage when it passed them all, else up to the stage it did not pass
  // (Select checks that the lists agree with the pass marks).
  std::vector<std::vector<Review>> stage_reviews;
  // Only on eligible candidates. kReduce needs granted_amount in
  // 1..requested_amount-1; kAdopt may have one in 1..requested_amount
  // (unset: the requested amount); kNone and kNotAdopt have none.
  Ruling ruling = Ruling::kNone;
  std::optional<int64_t> granted_amount;
};

enum class TieBreakKey {
  kLowerRequestedAmount,
  kEarlierSubmission,
  kName,                  // Ascending bytewise on Candidate::name.
  kHigherCriterionScore,  // Higher mean on TieBreak::criterion_index first.
};

struct TieBreak {
  TieBreakKey key = TieBreakKey::kName;
  int32_t criterion_index = 0;  // Used only by kHigherCriterionScore.
};

enum class AdoptionRule {
  kGreedySkip,  // Pass over a proposal that does not fit and go on.
  kGreedyStop,  // Stop adopting at the first proposal that does not fit.
};

struct SelectionInput {
  std::vector<Criterion> criteria;
  int64_t budget = 0;         // Yen.
  int32_t max_adoptions = 0;  // 0 = no limit.
  int32_t pass_mark = 0;      // Whole points on the 0..100 scale; 0 = none.
  int32_t min_reviews = 1;    // 0 is treated as 1.
  // Applied in order after score descending; NAME is always appended last.
  // Empty means LOWER_REQUESTED_AMOUNT, EARLIER_SUBMISSION, NAME.
  std::vector<TieBreak> tie_break;
  AdoptionRule rule = AdoptionRule::kGreedySkip;
  // The earlier stages, in order (at most kMaxStages); empty = one stage.
  std::vector<Stage> stages;
  // The last stage's weight in the final score (1..1000), used only when
  // an earlier stage has a weight.
  int64_t last_stage_weight = 1;
  std::vector<Candidate> candidates;
};

enum class Reason {
  kAdopted,
  kBelowPassMark,
  kBudgetExhausted,
  kAdoptionLimitReached,
  kIneligible,
  kWithdrawn,
  kCommitteeNotAdopted,  // Ruling::kNotAdopt.
  kStageNotPassed,       // Below an earlier stage's pass mark.
};

// Upper-case contract name of a reason, e.g. "BELOW_PASS_MARK" (a static
// string; const char* because Debian's Abseil string_view is not std's).
const char* ReasonName(Reason reason);

// The decision for one candidate.
struct ProposalOutcome {
  std::string name;
  // 1-based position among all scored (eligible) proposals, including those
  // below the pass mark; 0 for ineligible and withdrawn ones.
  int32_t rank = 0;
  // Exact score on the 0..100 scale; empty when unranked.
  std::optional<Rational> score;
  // `score` rounded half-up to 4 decimals, e.g. "73.3333"; empty when
  // unranked. For display only.
  std::string score_decimal;
  Reason reason = Reason::kIneligible;
  // The amount adopted (the requested one, or the committee's granted
  // amount), else 0.
  int64_t adopted_amount = 0;
  // Remaining budget right after this proposal was processed in rank order;
  // for unranked proposals, the final remaining budget.
  int64_t budget_left = 0;
  // True when a ranked neighbour has an equal score, i.e. the position was
  // decided by the tie-break list rather than by the score.
  bool tied_on_score = false;
  // What the ranking alone gives (the same walk with every ruling left
  // out): the engine's recommendation, kept beside the final decision.
  // Equal to reason and adopted_amount when no candidate has a ruling.
  Reason recommended_reason = Reason::kIneligible;
  int64_t recommended_amount = 0;
  // With earlier stages: the exact score of each stage the candidate was
  // scored in, in stage order, and the 1-based stage it did not pass (0
  // when it passed them all, or has no stages).
  std::vector<Rational> stage_scores;
  int32_t failed_stage = 0;
};

struct SelectionResult {
  // Ranked proposals in rank order, then unranked ones by name.
  std::vector<ProposalOutcome> outcomes;
  int64_t total_adopted_amount = 0;
  int64_t remaining_budget = 0;
  int32_t adopted_count = 0;
  // The same totals of the recommendation (no rulings).
  int64_t recommended_total_amount = 0;
  int32_t recommended_count = 0;
};

// An eligible proposal that does not yet have min_reviews counted reviews.
struct MissingReview {
  std::string name;
  int32_t non_conflicted_reviews = 0;
};

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_SELECTION_TYPES_H_
