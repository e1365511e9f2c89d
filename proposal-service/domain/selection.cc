#include "proposal-service/domain/selection.h"

#include <algorithm>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "proposal-service/domain/exact.h"
#include "proposal-service/domain/validation.h"

namespace kyodo::proposal::domain {
namespace {

// How many undecidable proposals a FAILED_PRECONDITION message names; the
// service gets the full list from MissingReviews().
constexpr size_t kMaxNamesInError = 5;

const std::vector<TieBreak>& DefaultTieBreaks() {
  static const auto* const kDefault = new std::vector<TieBreak>{
      {TieBreakKey::kLowerRequestedAmount, 0},
      {TieBreakKey::kEarlierSubmission, 0},
      {TieBreakKey::kName, 0},
  };
  return *kDefault;
}

// A scored eligible proposal; computed once so that sorting only compares.
struct Entry {
  const Candidate* candidate = nullptr;
  ReviewTotals totals;
  Rational score;
  // An integer proportional to the score with the same factor for every
  // proposal of the call (see ScaleRankKeys), so ranking compares integers and
  // never multiplies.
  Integer rank_key;
  bool below_pass_mark = false;
  // The earlier stages' scores (all passed), in stage order.
  std::vector<Rational> stage_scores;
};

// An eligible candidate that did not pass an earlier stage.
struct StageFailure {
  const Candidate* candidate = nullptr;
  std::vector<Rational> stage_scores;  // up to the failed stage
  int32_t failed_stage = 0;            // 1-based
};

// Strict weak (in fact total, thanks to the final name key) order "ranks
// before" over entries.
class RanksBefore {
 public:
  explicit RanksBefore(const std::vector<TieBreak>& keys) : keys_(keys) {}

  bool operator()(const Entry* a, const Entry* b) const {
    // Higher score first.
    if (const int by_score = b->rank_key.compare(a->rank_key); by_score != 0) {
      return by_score < 0;
    }
    for (const TieBreak& key : keys_) {
      if (const std::strong_ordering by_key = Compare(key, *a, *b);
          std::is_neq(by_key)) {
        return std::is_lt(by_key);
      }
    }
    return a->candidate->name < b->candidate->name;
  }

 private:
  // `less` when `a` goes first on this key alone.
  static std::strong_ordering Compare(const TieBreak& key, const Entry& a,
                                      const Entry& b) {
    switch (key.key) {
      case TieBreakKey::kLowerRequestedAmount:
        return a.candidate->requested_amount <=> b.candidate->requested_amount;
      case TieBreakKey::kEarlierSubmission:
        if (a.candidate->submit_time == b.candidate->submit_time) break;
        return a.candidate->submit_time < b.candidate->submit_time
                   ? std::strong_ordering::less
                   : std::strong_ordering::greater;
      case TieBreakKey::kName:
        return a.candidate->name.compare(b.candidate->name) <=> 0;
      case TieBreakKey::kHigherCriterionScore: {
        // Higher mean S/n first: compare S_a * n_b with S_b * n_a. Both are
        // at most (200 * 10^6) * 200 = 4 * 10^10, far inside int64_t. The
        // max score cancels out because both means are on the same criterion.
        const size_t c = static_cast<size_t>(key.criterion_index);
        return b.totals.sums[c] * a.totals.count <=>
               a.totals.sums[c] * b.totals.count;
      }
    }
    return std::strong_ordering::equal;
  }

  const std::vector<TieBreak>& keys_;
};

// Turns each rank_key from X into X * (M / n), with X the entry's weighted
// sum (see ScoreScale), n its review count and M the lcm of all counts.
// Since score = 100 * X / (n * W * L), every key is the score times the same
// positive M * W * L / 100: keys order and tie exactly like the scores.
// (M is at most lcm(1..200), about 2^288, so keys stay a few hundred bits.)
void ScaleRankKeys(std::vector<Entry>& entries) {
  Integer counts_lcm = 1;
  for (const Entry& entry : entries) {
    counts_lcm =
        boost::multiprecision::lcm(counts_lcm, Integer(entry.totals.count));
  }
  // Counts are 1..kMaxReviewsPerProposal, so cache M / n per count.
  std::vector<Integer> multiplier(kMaxReviewsPerProposal + 1);
  for (Entry& entry : entries) {
    Integer& factor = multiplier[static_cast<size_t>(entry.totals.count)];
    if (factor.is_zero()) factor = counts_lcm / entry.totals.count;
    entry.rank_key *= factor;
  }
}

// Turns each rank_key into score * D, with D the lcm of the scores'
// denominators: used when the scores are weighted combinations of stages,
// which share no common form as single-stage scores do.
void ScaleRankKeysByScore(std::vector<Entry>& entries) {
  Integer denominators_lcm = 1;
  for (const Entry& entry : entries) {
    denominators_lcm =
        boost::multiprecision::lcm(denominators_lcm, denominator(entry.score));
  }
  for (Entry& entry : entries) {
    entry.rank_key =
        numerator(entry.score) * (denominators_lcm / denominator(entry.score));
  }
}

// The score scale of each earlier stage, in order.
std::vector<ScoreScale> StageScales(const SelectionInput& input) {
  std::vector<ScoreScale> scales;
  scales.reserve(input.stages.size());
  for (const Stage& stage : input.stages) scales.emplace_back(stage.criteria);
  return scales;
}

bool Weighted(const SelectionInput& input) {
  return std::any_of(input.stages.begin(), input.stages.end(),
                     [](const Stage& stage) { return stage.weight > 0; });
}

// Scores `c` in the earlier stages it has reviews for. Returns the stage it
// failed (1-based) or 0. CheckStages() made sure the scores exist.
int32_t JudgeStages(const SelectionInput& input,
                    const std::vector<ScoreScale>& scales, const Candidate& c,
                    std::vector<Rational>* scores) {
  for (size_t k = 0; k < c.stage_reviews.size(); ++k) {
    const ReviewTotals totals =
        SumReviews(input.stages[k].criteria.size(), c.stage_reviews[k]);
    scores->push_back(scales[k].Score(totals.sums, totals.count));
    if (!Passes(scores->back(), input.stages[k].pass_mark)) {
      return static_cast<int32_t>(k + 1);
    }
  }
  return 0;
}

// The final score: the last stage's, or with weighted earlier stages
// (sum_k w_k * s_k + w_last * s_last) / (sum_k w_k + w_last).
Rational FinalScore(const SelectionInput& input, const Rational& last,
                    const std::vector<Rational>& stage_scores) {
  Rational weighted = last * input.last_stage_weight;
  int64_t total_weight = input.last_stage_weight;
  for (size_t k = 0; k < stage_scores.size(); ++k) {
    weighted += stage_scores[k] * input.stages[k].weight;
    total_weight += input.stages[k].weight;
  }
  return weighted / total_weight;
}

std::vector<Entry> ScoreEligible(const SelectionInput& input,
                                 std::vector<StageFailure>* failures) {
  const ScoreScale scale(input.criteria);
  const std::vector<ScoreScale> stage_scales = StageScales(input);
  const bool weighted = Weighted(input);
  std::vector<Entry> entries;
  entries.reserve(input.candidates.size());
  for (const Candidate& candidate : input.candidates) {
    if (candidate.state != Candidate::State::kEligible) continue;
    Entry entry;
    entry.candidate = &candidate;
    if (const int32_t failed =
            JudgeStages(input, stage_scales, candidate, &entry.stage_scores);
        failed > 0) {
      failures->push_back({&candidate, std::move(entry.stage_scores), failed});
      continue;
    }
    entry.totals = SumReviews(input.criteria.size(), candidate.reviews);
    entry.rank_key = scale.WeightedSum(entry.totals.sums);
    entry.score = scale.ScoreOf(entry.rank_key, entry.totals.count);
    if (weighted) {
      entry.score = FinalScore(input, entry.score, entry.stage_scores);
    }
    entry.below_pass_mark = !Passes(entry.score, input.pass_mark);
    entries.push_back(std::move(entry));
  }
  if (weighted) {
    ScaleRankKeysByScore(entries);
  } else {
    ScaleRankKeys(entries);
  }
  return entries;
}

std::vector<const Entry*> Rank(const SelectionInput& input,
                               const std::vector<Entry>& entries) {
  std::vector<const Entry*> order;
  order.reserve(entries.size());
  for (const Entry& entry : entries) order.push_back(&entry);
  const std::vector<TieBreak>& keys =
      input.tie_break.empty() ? DefaultTieBreaks() : input.tie_break;
  std::sort(order.begin(), order.end(), RanksBefore(keys));
  return order;
}

// The amount a candidate is adopted for: the committee's granted amount
// (減額採択, or an adoption for less) or the requested one.
int64_t AmountOf(const Candidate& c, bool rulings) {
  if (rulings && c.granted_amount.has_value()) return *c.granted_amount;
  return c.requested_amount;
}

// The greedy walk over the ranking; see the rule in selection.h. With
// `rulings`, the committee's adoptions are set aside first (their amounts
// off the budget, their number off the limit), its rejections are passed
// over, and the others are walked with their granted amounts.
class AdoptionWalk {
 public:
  AdoptionWalk(const SelectionInput& input, bool rulings)
      : rule_(input.rule),
        max_adoptions_(input.max_adoptions),
        remaining_(input.budget),
        rulings_(rulings) {
    if (!rulings_) return;
    // CheckRulingsFit() made sure these fit in the budget and the limit.
    for (const Candidate& c : input.candidates) {
      if (c.state == Candidate::State::kEligible &&
          c.ruling == Ruling::kAdopt) {
        remaining_ -= AmountOf(c, true);
        ++adopted_count_;
      }
    }
  }

  // The reason for `entry`, and in `*amount` what it is adopted for.
  Reason Decide(const Entry& entry, int64_t* amount) {
    *amount = 0;
    const Candidate& c = *entry.candidate;
    if (rulings_ && c.ruling == Ruling::kNotAdopt) {
      return Reason::kCommitteeNotAdopted;
    }
    if (rulings_ && c.ruling == Ruling::kAdopt) {
      *amount = AmountOf(c, true);  // set aside at the start
      return Reason::kAdopted;
    }
    if (entry.below_pass_mark) return Reason::kBelowPassMark;
    if (max_adoptions_ > 0 && adopted_count_ >= max_adoptions_) {
      return Reason::kAdoptionLimitReached;
    }
    if (stopped_) return Reason::kBudgetExhausted;
    const int64_t wanted = AmountOf(c, rulings_);
    if (wanted > remaining_) {
      stopped_ = rule_ == AdoptionRule::kGreedyStop;
      return Reason::kBudgetExhausted;
    }
    remaining_ -= wanted;
    ++adopted_count_;
    *amount = wanted;
    return Reason::kAdopted;
  }

  int64_t remaining() const { return remaining_; }
  int32_t adopted_count() const { return adopted_count_; }

 private:
  AdoptionRule rule_;
  int32_t max_adoptions_;
  int64_t remaining_;
  bool rulings_;
  int32_t adopted_count_ = 0;
  bool stopped_ = false;
};

bool HasRulings(const SelectionInput& input) {
  return std::any_of(
      input.candidates.begin(), input.candidates.end(),
      [](const Candidate& c) { return c.ruling != Ruling::kNone; });
}

SelectionResult Walk(const SelectionInput& input,
                     const std::vector<const Entry*>& order) {
  SelectionResult result;
  const bool rulings = HasRulings(input);
  AdoptionWalk walk(input, rulings);
  // The recommendation: the same ranking walked without the rulings.
  AdoptionWalk recommended(input, false);
  result.outcomes.reserve(input.candidates.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const Entry& entry = *order[i];
    ProposalOutcome outcome;
    outcome.name = entry.candidate->name;
    outcome.rank = static_cast<int32_t>(i + 1);
    outcome.score = entry.score;
    outcome.score_decimal = ToDecimalString(entry.score, kScoreDecimalDigits);
    outcome.stage_scores = entry.stage_scores;
    outcome.reason = walk.Decide(entry, &outcome.adopted_amount);
    if (rulings) {
      outcome.recommended_reason =
          recommended.Decide(entry, &outcome.recommended_amount);
    } else {
      outcome.recommended_reason = outcome.reason;
      outcome.recommended_amount = outcome.adopted_amount;
    }
    outcome.budget_left = walk.remaining();
    // Equal rank keys are equal scores (see ScaleRankKeys). Comparing the
    // integers is also much cheaper than Boost 1.74's cpp_rational ==, which
    // runs a full ordering rather than comparing the reduced parts.
    outcome.tied_on_score =
        (i > 0 && order[i - 1]->rank_key == entry.rank_key) ||
        (i + 1 < order.size() && order[i + 1]->rank_key == entry.rank_key);
    result.outcomes.push_back(std::move(outcome));
  }
  result.remaining_budget = walk.remaining();
  result.total_adopted_amount = input.budget - walk.remaining();
  result.adopted_count = walk.adopted_count();
  const AdoptionWalk& plain = rulings ? recommended : walk;
  result.recommended_total_amount = input.budget - plain.remaining();
  result.recommended_count = plain.adopted_count();
  return result;
}

// The candidates without a rank, by name: those that did not pass an
// earlier stage (with their stage scores), the ineligible and the withdrawn.
void AppendUnranked(const SelectionInput& input,
                    const std::vector<StageFailure>& failures,
                    SelectionResult* result) {
  std::vector<ProposalOutcome> unranked;
  for (const StageFailure& failure : failures) {
    ProposalOutcome outcome;
    outcome.name = failure.candidate->name;
    outcome.reason = Reason::kStageNotPassed;
    outcome.stage_scores = failure.stage_scores;
    outcome.failed_stage = failure.failed_stage;
    unranked.push_back(std::move(outcome));
  }
  for (const Candidate& candidate : input.candidates) {
    if (candidate.state == Candidate::State::kEligible) continue;
    ProposalOutcome outcome;
    outcome.name = candidate.name;
    outcome.reason = candidate.state == Candidate::State::kWithdrawn
                         ? Reason::kWithdrawn
                         : Reason::kIneligible;
    unranked.push_back(std::move(outcome));
  }
  std::sort(unranked.begin(), unranked.end(),
            [](const ProposalOutcome& a, const ProposalOutcome& b) {
              return a.name < b.name;
            });
  for (ProposalOutcome& outcome : unranked) {
    outcome.recommended_reason = outcome.reason;
    outcome.budget_left = result->remaining_budget;
    result->outcomes.push_back(std::move(outcome));
  }
}

// With earlier stages, what each eligible candidate's stage reviews record
// must hold: every stage it was reviewed in has that stage's min_reviews
// counted reviews, and one that stopped before the last stage failed the
// stage it stopped at (and passed those before). INVALID_ARGUMENT naming
// "candidates[i].stage_reviews[k]".
absl::Status CheckStages(const SelectionInput& input) {
  if (input.stages.empty()) return absl::OkStatus();
  const std::vector<ScoreScale> scales = StageScales(input);
  for (size_t i = 0; i < input.candidates.size(); ++i) {
    const Candidate& c = input.candidates[i];
    if (c.state != Candidate::State::kEligible) continue;
    for (size_t k = 0; k < c.stage_reviews.size(); ++k) {
      const Stage& stage = input.stages[k];
      const ReviewTotals totals =
          SumReviews(stage.criteria.size(), c.stage_reviews[k]);
      const std::string field =
          absl::StrCat("candidates[", i, "].stage_reviews[", k, "]");
      if (totals.count < std::max(stage.min_reviews, 1)) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": has ", totals.count, " counted reviews, stage ", k + 1,
            " needs ", std::max(stage.min_reviews, 1), " (proposal \"", c.name,
            "\")"));
      }
      const bool passed =
          Passes(scales[k].Score(totals.sums, totals.count), stage.pass_mark);
      const bool last_given = k + 1 == c.stage_reviews.size();
      const bool stopped = c.stage_reviews.size() < input.stages.size();
      if (!passed && !last_given) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": below stage ", k + 1,
            "'s pass mark, yet reviewed in a later stage (proposal \"", c.name,
            "\")"));
      }
      if (!passed && c.ruling != Ruling::kNone) {
        // The committee rules on what the last stage ranks.
        return absl::InvalidArgumentError(absl::StrCat(
            "candidates[", i, "].ruling: a proposal that did not pass stage ",
            k + 1, " takes no ruling (proposal \"", c.name, "\")"));
      }
      if (passed && last_given && stopped) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": passed stage ", k + 1,
                         " but has no reviews for the next stage (proposal \"",
                         c.name, "\")"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDecidable(const SelectionInput& input) {
  const std::vector<MissingReview> missing = MissingReviews(input);
  if (missing.empty()) return absl::OkStatus();
  std::string message =
      absl::StrCat("call is not decidable: ", missing.size(),
                   " eligible proposal(s) have fewer than ",
                   std::max(input.min_reviews, 1), " non-conflicted reviews: ");
  for (size_t i = 0; i < missing.size() && i < kMaxNamesInError; ++i) {
    absl::StrAppend(&message, i > 0 ? ", " : "", "\"", missing[i].name, "\" (",
                    missing[i].non_conflicted_reviews, ")");
  }
  if (missing.size() > kMaxNamesInError) {
    absl::StrAppend(&message, " and ", missing.size() - kMaxNamesInError,
                    " more");
  }
  return absl::FailedPreconditionError(message);
}

constexpr absl::string_view kRulingsRefusalPayload =
    "kyodo.dev/selection-rulings-refusal";

absl::Status RulingsRefused(RulingsRefusal refusal, absl::string_view message) {
  absl::Status status = absl::FailedPreconditionError(message);
  status.SetPayload(
      kRulingsRefusalPayload,
      absl::Cord(refusal == RulingsRefusal::kExceedBudget ? "budget"
                                                          : "adoption_limit"));
  return status;
}

// The committee's adoptions must fit in the budget and the adoption limit
// together: they are set aside before the walk.
absl::Status CheckRulingsFit(const SelectionInput& input) {
  int64_t set_aside = 0;
  int32_t count = 0;
  for (const Candidate& c : input.candidates) {
    if (c.state != Candidate::State::kEligible || c.ruling != Ruling::kAdopt) {
      continue;
    }
    // Each amount is at most 10^15 and the sum stays at most the budget
    // (also 10^15) before the next is added, so nothing overflows.
    set_aside += AmountOf(c, true);
    ++count;
    if (set_aside > input.budget) {
      return RulingsRefused(
          RulingsRefusal::kExceedBudget,
          absl::StrCat("RULINGS_EXCEED_BUDGET: the committee's adoptions "
                       "need more than the budget of ",
                       input.budget, " yen (at \"", c.name, "\")"));
    }
  }
  if (input.max_adoptions > 0 && count > input.max_adoptions) {
    return RulingsRefused(
        RulingsRefusal::kExceedAdoptionLimit,
        absl::StrCat("RULINGS_EXCEED_ADOPTION_LIMIT: the committee adopts ",
                     count,
                     " proposals against the ranking, more than "
                     "max_adoptions ",
                     input.max_adoptions));
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<RulingsRefusal> RulingsRefusalOf(const absl::Status& status) {
  const auto payload = status.GetPayload(kRulingsRefusalPayload);
  if (!payload.has_value()) return std::nullopt;
  return *payload == "budget" ? RulingsRefusal::kExceedBudget
                              : RulingsRefusal::kExceedAdoptionLimit;
}

bool Passes(const Rational& score, int32_t pass_mark) {
  // score = a/b >= pass_mark exactly when a >= pass_mark * b, b > 0;
  // cheaper than comparing two fractions. A score equal to the mark passes.
  return numerator(score) >= denominator(score) * pass_mark;
}

bool StoppedEarly(const SelectionInput& input, const Candidate& c) {
  for (size_t k = 0; k < c.stage_reviews.size() && k < input.stages.size();
       ++k) {
    const Stage& stage = input.stages[k];
    if (!ValidateCriteria(stage.criteria).ok() ||
        !ValidateReviews(stage.criteria, c.stage_reviews[k], "").ok()) {
      return false;
    }
    const ReviewTotals totals =
        SumReviews(stage.criteria.size(), c.stage_reviews[k]);
    if (totals.count == 0) return false;
    if (!Passes(ScoreScale(stage.criteria).Score(totals.sums, totals.count),
                stage.pass_mark)) {
      return true;
    }
  }
  return false;
}

const char* ReasonName(Reason reason) {
  switch (reason) {
    case Reason::kAdopted:
      return "ADOPTED";
    case Reason::kBelowPassMark:
      return "BELOW_PASS_MARK";
    case Reason::kBudgetExhausted:
      return "BUDGET_EXHAUSTED";
    case Reason::kAdoptionLimitReached:
      return "ADOPTION_LIMIT_REACHED";
    case Reason::kIneligible:
      return "INELIGIBLE";
    case Reason::kWithdrawn:
      return "WITHDRAWN";
    case Reason::kCommitteeNotAdopted:
      return "COMMITTEE_NOT_ADOPTED";
    case Reason::kStageNotPassed:
      return "STAGE_NOT_PASSED";
  }
  return "UNKNOWN";
}

absl::StatusOr<SelectionResult> Select(const SelectionInput& input) {
  absl::Status status = ValidateSelectionInput(input);
  if (status.ok()) status = CheckStages(input);
  if (status.ok()) status = CheckDecidable(input);
  if (status.ok()) status = CheckRulingsFit(input);
  if (!status.ok()) return status;
  std::vector<StageFailure> failures;
  const std::vector<Entry> entries = ScoreEligible(input, &failures);
  SelectionResult result = Walk(input, Rank(input, entries));
  AppendUnranked(input, failures, &result);
  return result;
}

std::vector<MissingReview> MissingReviews(const SelectionInput& input) {
  const int32_t required = std::max(input.min_reviews, 1);
  std::vector<MissingReview> missing;
  for (const Candidate& candidate : input.candidates) {
    if (candidate.state != Candidate::State::kEligible) continue;
    // One that did not pass an earlier stage needs no last-stage review.
    if (StoppedEarly(input, candidate)) continue;
    const auto counted =
        std::count_if(candidate.reviews.begin(), candidate.reviews.end(),
                      [](const Review& review) { return !review.conflicted; });
    if (counted < required) {
      missing.push_back({candidate.name, static_cast<int32_t>(counted)});
    }
  }
  std::sort(missing.begin(), missing.end(),
            [](const MissingReview& a, const MissingReview& b) {
              return a.name < b.name;
            });
  return missing;
}

}  // namespace kyodo::proposal::domain
