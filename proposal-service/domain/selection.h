// The selection engine: decides which citizen proposals of a call are
// adopted, from the reviews, the budget and the call's settings.
//
// Rule (API contract): each eligible proposal gets the exact score defined in
// scoring.h. Proposals are ranked by score descending, then by the call's
// tie-break list, then by name, so the order is total. A proposal whose score
// is below the pass mark gets BELOW_PASS_MARK. The others are walked in rank
// order with the budget as what remains: while the adoption count is under
// max_adoptions, one that fits is ADOPTED and its amount is subtracted; one
// that does not fit gets BUDGET_EXHAUSTED, and then GREEDY_SKIP goes on with
// the next while GREEDY_STOP gives BUDGET_EXHAUSTED to all the rest. Once the
// limit is reached the rest get ADOPTION_LIMIT_REACHED. Ineligible and
// withdrawn proposals get INELIGIBLE / WITHDRAWN and no rank.
//
// Committee rulings (Candidate::ruling): the ranking is never changed by
// them, only the walk. kAdopt candidates are adopted whatever their score or
// place: their amounts are set aside from the budget and their number from
// max_adoptions before the walk starts (FAILED_PRECONDITION
// RULINGS_EXCEED_BUDGET / RULINGS_EXCEED_ADOPTION_LIMIT when they do not
// fit). kNotAdopt candidates get COMMITTEE_NOT_ADOPTED and use nothing.
// kReduce candidates are walked like the others but with their granted
// amount, so a reduction leaves budget for those ranked after them. Each
// outcome also carries the recommendation: the same walk without any
// ruling.
//
// Stages (SelectionInput::stages): a call may review in earlier stages
// (書類審査) before its own criteria, the last stage (プレゼンテーション
// 審査). Each eligible candidate is scored in each earlier stage it was
// reviewed in, with that stage's criteria, by the formula of scoring.h; one
// below a stage's pass mark goes no further: STAGE_NOT_PASSED, no rank, its
// stage scores kept. The others are ranked by their final score: the last
// stage's, or, when an earlier stage has a weight, the weighted mean
// (sum_k w_k * s_k + w_last * s_last) / (sum_k w_k + w_last), exact. The
// pass mark, the tie-breaks (HIGHER_CRITERION_SCORE names a last-stage
// criterion) and the walk then apply as above. Without stages nothing of
// this applies and the result is as before.
//
// The engine is a pure function of its input: no I/O, no clock, no
// randomness, and the result does not depend on the order of the candidates
// or of their reviews. A stored decision can therefore be recomputed from its
// stored inputs and compared.

#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_SELECTION_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_SELECTION_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "proposal-service/domain/exact.h"
#include "proposal-service/domain/scoring.h"
#include "proposal-service/domain/selection_types.h"

namespace kyodo::proposal::domain {

// Decimal places of ProposalOutcome::score_decimal.
inline constexpr int kScoreDecimalDigits = 4;

// The version of the rule above, recorded on every decision
// (Decision.engine_version, docs/API.md "Selecting proposals"). It goes up
// by one with any change that could give other results for the same stored
// inputs; the Pabulib goldens and the differential test hold the rule a
// version names. 1: the rule with rulings; 2: with stages (the same
// results as 1 for a call without stages).
inline constexpr int kEngineVersion = 2;

// Whether an exact score reaches a pass mark (whole points, 0..100): a
// score equal to the mark passes. The one comparison of every stage and of
// the final pass mark, also used by the service to let proposals through a
// stage.
bool Passes(const Rational& score, int32_t pass_mark);

// Why Select() refused committee rulings that do not fit (see above). The
// engine knows no protobuf: the refusal travels as a payload of its status
// (RulingsRefusalOf reads it), and proposal-service maps each to its
// declared ErrorReason (decision_input.cc), so no caller parses a message.
enum class RulingsRefusal { kExceedBudget, kExceedAdoptionLimit };

// The refusal a status from Select() carries, if it is one.
std::optional<RulingsRefusal> RulingsRefusalOf(const absl::Status& status);

// Runs the selection.
// Errors: INVALID_ARGUMENT naming the first field outside the bounds of
// validation.h (e.g. "criteria[2].weight"), or a candidate's stage reviews
// that contradict its stages (fewer than a stage's min_reviews, reviewed
// after failing, or stopped after passing), or a ruling on a candidate that
// did not pass a stage (the committee rules on what the last stage ranks);
// FAILED_PRECONDITION when the call
// is not decidable, i.e. MissingReviews(input) is not empty (the message
// names the first few such proposals), or when the committee's adoptions do
// not fit (with a RulingsRefusal).
absl::StatusOr<SelectionResult> Select(const SelectionInput& input);

// Whether candidate `c` did not pass one of the earlier stages it was
// reviewed in. Never fails: a stage review list Select() would refuse (bad
// scores, no counted review) counts as passed, so that the candidate still
// shows among those missing reviews rather than vanish.
bool StoppedEarly(const SelectionInput& input, const Candidate& c);

// The eligible proposals (but those that stopped at an earlier stage) that
// have fewer than min_reviews (at least 1) non-conflicted last-stage reviews,
// with how many they have, sorted by name. Empty means the call is decidable.
// Never fails: it only counts, so it can be shown to the user even for input
// that Select() would reject.
std::vector<MissingReview> MissingReviews(const SelectionInput& input);

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_SELECTION_H_
