// Validation rules of proposal-service resources that need no database:
// what a programme, a call, a proposal, a reviewer and a review must hold,
// and which call fields may still change once the call is OPEN.
//
// Every error is INVALID_ARGUMENT naming the field by its request path
// (`field` is the prefix, e.g. "call"), or FAILED_PRECONDITION naming the
// rule for changes the call's state forbids.
#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_RULES_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_RULES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::proposal::domain {

// Amounts (budgets, requested and capped amounts) are 0..10^15 yen, the
// selection engine's bound.
absl::Status ValidateProgramme(const v1::Programme& p, absl::string_view field);

// Also fills adoption_rule GREEDY_SKIP when unspecified (the default).
absl::Status ValidateCall(v1::Call& c, absl::string_view field);

absl::Status ValidateProposal(const v1::Proposal& p, absl::string_view field);

absl::Status ValidateReviewer(const v1::Reviewer& r, absl::string_view field);

// One score per criterion of `call`'s stage `stage` (StageCriteria), each
// 0..max_score: INVALID_ARGUMENT naming "<field>.scores" or
// "<field>.scores[i]".
absl::Status ValidateScores(const v1::Call& call, int32_t stage,
                            const v1::Review& review, absl::string_view field);

// Stages (Call.stages), numbered from 1; the call's own criteria are the
// last stage, len(stages) + 1.
int32_t LastStage(const v1::Call& c);
// The stage under review: Call.current_stage, or the last when it is unset
// (a call that started its review before stages existed).
int32_t CurrentStage(const v1::Call& c);
// Stage `stage`'s criteria, pass mark and min_reviews (1..LastStage(c)).
const google::protobuf::RepeatedPtrField<v1::Criterion>& StageCriteria(
    const v1::Call& c, int32_t stage);
int32_t StagePassMark(const v1::Call& c, int32_t stage);
int32_t StageMinReviews(const v1::Call& c, int32_t stage);
// "書類審査" or "stage 2": how messages name a stage.
std::string StageLabel(const v1::Call& c, int32_t stage);
// Whether member `r` sits on stage `stage` (Reviewer.stages; empty = the
// last stage only).
bool SitsOn(const v1::Reviewer& r, const v1::Call& c, int32_t stage);

// Reviewer.stages against the call: each 1..LastStage(c), distinct.
// INVALID_ARGUMENT naming "<field>.stages[i]".
absl::Status ValidateMemberStages(const v1::Reviewer& r, const v1::Call& c,
                                  absl::string_view field);

// Each of c.tie_break as CreateCall checks it (a key; a criterion index
// only for HIGHER_CRITERION_SCORE, within c.criteria): INVALID_ARGUMENT
// naming "<field>.tie_break[i].key" or ".criterion".
absl::Status ValidateTieBreakList(const v1::Call& c, absl::string_view field);

// The call fields that may change once a call is OPEN (until the
// decision): display_name, description, and submission_end_time while the
// call is OPEN, extended only. FAILED_PRECONDITION RULES_FIXED naming the
// first other field `fields` changes between `before` and `after`, or
// WINDOW_SHORTENED.
absl::Status CheckOpenCallChange(const v1::Call& before, const v1::Call& after,
                                 const std::vector<std::string>& fields);

// The rule fields of a programme: those a running call (OPEN, CLOSED,
// UNDER_REVIEW) is screened by, so they stay fixed while one runs.
bool IsProgrammeRuleField(absl::string_view field);

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_RULES_H_
