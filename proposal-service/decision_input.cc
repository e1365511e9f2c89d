#include "proposal-service/decision_input.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "proposal-service/committee.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/domain/selection.h"
#include "proposal-service/domain/selection_codec.h"
#include "proposal-service/domain/validation.h"
#include "proposal-service/store/ids.h"
#include "proposal-service/store/proposal_store.h"
#include "proposal-service/store/reviewer_store.h"
#include "proposal-service/store/stage_store.h"

namespace kyodo::proposal {
namespace {

using domain::Candidate;
using domain::TieBreakKey;

// How many proposal names an error carries (the full list is in
// PreviewDecision's missing_reviews).
constexpr size_t kNamesInError = 20;

domain::TieBreak ToDomain(const v1::TieBreak& t) {
  switch (t.key()) {
    case v1::TieBreak::LOWER_REQUESTED_AMOUNT:
      return {TieBreakKey::kLowerRequestedAmount, 0};
    case v1::TieBreak::EARLIER_SUBMISSION:
      return {TieBreakKey::kEarlierSubmission, 0};
    case v1::TieBreak::HIGHER_CRITERION_SCORE:
      return {TieBreakKey::kHigherCriterionScore, t.criterion()};
    default:
      return {TieBreakKey::kName, 0};
  }
}

v1::ProposalResult::Reason ToProto(domain::Reason reason) {
  switch (reason) {
    case domain::Reason::kAdopted:
      return v1::ProposalResult::ADOPTED;
    case domain::Reason::kBelowPassMark:
      return v1::ProposalResult::BELOW_PASS_MARK;
    case domain::Reason::kBudgetExhausted:
      return v1::ProposalResult::BUDGET_EXHAUSTED;
    case domain::Reason::kAdoptionLimitReached:
      return v1::ProposalResult::ADOPTION_LIMIT_REACHED;
    case domain::Reason::kIneligible:
      return v1::ProposalResult::INELIGIBLE;
    case domain::Reason::kWithdrawn:
      return v1::ProposalResult::WITHDRAWN;
    case domain::Reason::kCommitteeNotAdopted:
      return v1::ProposalResult::COMMITTEE_NOT_ADOPTED;
    case domain::Reason::kStageNotPassed:
      return v1::ProposalResult::STAGE_NOT_PASSED;
  }
  return v1::ProposalResult::REASON_UNSPECIFIED;
}

int32_t CountedReviews(const Candidate& c) {
  return static_cast<int32_t>(
      std::count_if(c.reviews.begin(), c.reviews.end(),
                    [](const domain::Review& r) { return !r.conflicted; }));
}

void SetSettings(const v1::Call& c, std::optional<int64_t> budget_yen,
                 std::optional<int32_t> max_adoptions,
                 domain::SelectionInput& in) {
  for (const v1::Criterion& k : c.criteria()) {
    in.criteria.push_back({k.weight(), k.max_score()});
  }
  in.budget = budget_yen.value_or(c.budget_yen());
  in.max_adoptions = max_adoptions.value_or(c.max_adoptions());
  in.pass_mark = c.pass_mark();
  in.min_reviews = c.min_reviews();
  for (const v1::TieBreak& t : c.tie_break())
    in.tie_break.push_back(ToDomain(t));
  in.rule = c.adoption_rule() == v1::Call::GREEDY_STOP
                ? domain::AdoptionRule::kGreedyStop
                : domain::AdoptionRule::kGreedySkip;
  for (const v1::ReviewStage& stage : c.stages()) {
    domain::Stage& out = in.stages.emplace_back();
    for (const v1::Criterion& k : stage.criteria()) {
      out.criteria.push_back({k.weight(), k.max_score()});
    }
    out.pass_mark = stage.pass_mark();
    out.min_reviews = stage.min_reviews();
    out.weight = stage.weight();
  }
  if (c.has_last_stage_weight()) in.last_stage_weight = c.last_stage_weight();
}

// The earlier stages' reviews of each eligible candidate, as the stages
// that closed counted them (stage_results), never the live reviews.
absl::Status AddStageReviews(
    common::db::Session& s, const std::string& call_id,
    const absl::flat_hash_map<std::string, size_t>& eligible,
    const std::string& prefix, DecisionInput& out) {
  if (out.input.stages.empty()) return absl::OkStatus();
  KYODO_ASSIGN_OR_RETURN(std::vector<store::StageResultRow> rows,
                         store::StageResultsOfCall(s, call_id));
  for (const store::StageResultRow& row : rows) {
    auto it = eligible.find(row.proposal_id);
    if (it == eligible.end()) continue;
    Candidate& c = out.input.candidates[it->second];
    // Rows come by proposal, then stage: each stage follows the one before.
    if (static_cast<size_t>(row.stage) != c.stage_reviews.size() + 1) {
      return absl::DataLossError(
          absl::StrCat("stage_results of ", row.proposal_id, ": stage ",
                       row.stage, " follows ", c.stage_reviews.size()));
    }
    KYODO_ASSIGN_OR_RETURN(std::vector<domain::Review> reviews,
                           domain::DecodeReviewList(row.reviews));
    out.shown[absl::StrCat(prefix, row.proposal_id)].stage_reviews.push_back(
        static_cast<int32_t>(std::count_if(
            reviews.begin(), reviews.end(),
            [](const domain::Review& r) { return !r.conflicted; })));
    c.stage_reviews.push_back(std::move(reviews));
  }
  return absl::OkStatus();
}

// Adds the candidates of `rows` (ids under `prefix`) to `out` with what
// their results show, and lists the unscreened ones. Returns the eligible
// ones' positions by proposal id, for their reviews.
absl::flat_hash_map<std::string, size_t> AddCandidates(
    const std::string& prefix, std::vector<store::CandidateRow>& rows,
    DecisionInput& out) {
  absl::flat_hash_map<std::string, size_t> eligible;
  std::vector<Candidate>& candidates = out.input.candidates;
  candidates.reserve(rows.size());
  out.shown.reserve(rows.size());
  for (store::CandidateRow& row : rows) {
    Candidate candidate;
    switch (row.state) {
      case v1::Proposal::ELIGIBLE:
      case v1::Proposal::ADOPTED:
      case v1::Proposal::NOT_ADOPTED:
        candidate.state = Candidate::State::kEligible;
        eligible[row.id] = candidates.size();
        break;
      case v1::Proposal::INELIGIBLE:
        candidate.state = Candidate::State::kIneligible;
        break;
      case v1::Proposal::WITHDRAWN:
        candidate.state = Candidate::State::kWithdrawn;
        break;
      case v1::Proposal::SUBMITTED:
        out.not_screened.push_back(absl::StrCat(prefix, row.id));
        continue;
      default:
        continue;
    }
    candidate.name = absl::StrCat(prefix, row.id);
    candidate.requested_amount = row.requested_amount_yen;
    candidate.submit_time = row.submit_time;
    out.shown[candidate.name] = {std::move(row.title),
                                 absl::StrCat("partners/", row.applicant_id),
                                 row.requested_amount_yen};
    candidates.push_back(std::move(candidate));
  }
  std::sort(out.not_screened.begin(), out.not_screened.end());
  return eligible;
}

}  // namespace

void SetStageScore(const domain::Rational& score, int32_t stage, bool passed,
                   v1::StageScore* out) {
  out->set_stage(stage);
  out->set_score(domain::ToDecimalString(score, domain::kScoreDecimalDigits));
  out->set_score_numerator(boost::multiprecision::numerator(score).str());
  out->set_score_denominator(boost::multiprecision::denominator(score).str());
  out->set_passed(passed);
}

namespace {

void AddResult(const DecisionInput& in, const domain::ProposalOutcome& o,
               int32_t reviews, v1::ProposalResult* r) {
  r->set_proposal(o.name);
  if (auto it = in.shown.find(o.name); it != in.shown.end()) {
    r->set_title(it->second.title);
    r->set_applicant(it->second.applicant);
    r->set_requested_amount_yen(it->second.requested_amount_yen);
    r->set_conflicted_members(it->second.conflicted_members);
  }
  r->set_rank(o.rank);
  if (o.score.has_value()) {
    r->set_score(o.score_decimal);
    r->set_score_numerator(boost::multiprecision::numerator(*o.score).str());
    r->set_score_denominator(
        boost::multiprecision::denominator(*o.score).str());
  }
  r->set_reason(ToProto(o.reason));
  r->set_adopted_amount_yen(o.adopted_amount);
  r->set_budget_left_yen(o.budget_left);
  r->set_tied_on_score(o.tied_on_score);
  r->set_reviews(reviews);
  r->set_recommended_reason(ToProto(o.recommended_reason));
  r->set_recommended_amount_yen(o.recommended_amount);
  r->set_failed_stage(o.failed_stage);
  for (size_t k = 0; k < o.stage_scores.size(); ++k) {
    v1::StageScore* stage = r->add_stage_scores();
    SetStageScore(o.stage_scores[k], static_cast<int32_t>(k + 1),
                  o.failed_stage != static_cast<int32_t>(k + 1), stage);
    if (auto it = in.shown.find(o.name);
        it != in.shown.end() && k < it->second.stage_reviews.size()) {
      stage->set_reviews(it->second.stage_reviews[k]);
    }
  }
  if (auto it = in.rulings.find(o.name); it != in.rulings.end()) {
    *r->mutable_ruling() = it->second;
  }
}

// For a preview that is not decidable: the input without the eligible
// proposals that have no counted review (listed in `*unreviewed`), each
// other proposal ranked on the reviews it has.
domain::SelectionInput Provisional(const domain::SelectionInput& in,
                                   std::vector<const Candidate*>* unreviewed) {
  domain::SelectionInput provisional = in;
  provisional.min_reviews = 1;
  provisional.candidates.clear();
  for (const Candidate& c : in.candidates) {
    if (c.state == Candidate::State::kEligible && CountedReviews(c) == 0 &&
        !domain::StoppedEarly(in, c)) {
      unreviewed->push_back(&c);
    } else {
      provisional.candidates.push_back(c);
    }
  }
  return provisional;
}

// The results in rank order, then the unranked ones (including
// `unreviewed`, reason REASON_UNSPECIFIED) by name.
void AddResults(const DecisionInput& in, const domain::SelectionInput& used,
                const domain::SelectionResult& result,
                const std::vector<const Candidate*>& unreviewed,
                v1::Decision* d) {
  absl::flat_hash_map<std::string, int32_t> counted;
  for (const Candidate& c : used.candidates)
    counted[c.name] = CountedReviews(c);
  std::vector<v1::ProposalResult> unranked;
  for (const domain::ProposalOutcome& o : result.outcomes) {
    AddResult(in, o, counted[o.name],
              o.rank > 0 ? d->add_results() : &unranked.emplace_back());
  }
  for (const Candidate* c : unreviewed) {
    domain::ProposalOutcome o;
    o.name = c->name;
    o.budget_left = result.remaining_budget;
    AddResult(in, o, 0, &unranked.emplace_back());
    unranked.back().set_reason(v1::ProposalResult::REASON_UNSPECIFIED);
    unranked.back().set_recommended_reason(
        v1::ProposalResult::REASON_UNSPECIFIED);
  }
  std::sort(unranked.begin(), unranked.end(),
            [](const v1::ProposalResult& a, const v1::ProposalResult& b) {
              return a.proposal() < b.proposal();
            });
  for (v1::ProposalResult& r : unranked) *d->add_results() = std::move(r);
}

}  // namespace

absl::StatusOr<DecisionInput> LoadDecisionInput(
    common::db::Session& s, const v1::Call& call,
    std::optional<int64_t> budget_yen, std::optional<int32_t> max_adoptions) {
  const std::string call_id = store::IdOf(call.name());
  const std::string prefix = absl::StrCat(call.name(), "/proposals/");
  DecisionInput out;
  SetSettings(call, budget_yen, max_adoptions, out.input);
  KYODO_ASSIGN_OR_RETURN(std::vector<store::CandidateRow> rows,
                         store::DecisionCandidates(s, call_id));
  const absl::flat_hash_map<std::string, size_t> eligible =
      AddCandidates(prefix, rows, out);
  KYODO_RETURN_IF_ERROR(AddStageReviews(s, call_id, eligible, prefix, out));
  KYODO_ASSIGN_OR_RETURN(std::vector<Member> members, LoadMembers(s, call_id));
  // The last stage's committee: its members' reviews are the ones scored
  // live (the earlier stages' were kept when they closed).
  const int32_t last = domain::LastStage(call);
  KYODO_ASSIGN_OR_RETURN(CallParties parties, CallParties::Load(s, call_id));
  // A member with a conflict (committee.h) does not score the proposal;
  // how many of the members assigned it are set aside is shown on its
  // result, so that it is never silent (issue 13).
  for (const auto& entry : eligible) {
    const std::string& proposal_id = entry.first;
    int32_t conflicted = 0;
    for (const Member& member : members) {
      if (member.SitsOn(last, last) && member.Assigned(proposal_id) &&
          member.ConflictOn(proposal_id, parties.Of(proposal_id))) {
        ++conflicted;
      }
    }
    out.shown[absl::StrCat(prefix, proposal_id)].conflicted_members =
        conflicted;
  }
  KYODO_RETURN_IF_ERROR(ForEachStageReview(
      s, call_id, last, last, members, parties, eligible,
      [&](size_t i, domain::Review review) {
        out.input.candidates[i].reviews.push_back(std::move(review));
      }));
  return out;
}

absl::Status CheckRulings(const std::string& call_name,
                          const Rulings& rulings) {
  const std::string prefix = absl::StrCat(call_name, "/proposals/");
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < rulings.size(); ++i) {
    const v1::CommitteeRuling& ruling = rulings[i];
    const auto field = [i](absl::string_view name) {
      return absl::StrCat("rulings[", i, "].", name);
    };
    if (!absl::StartsWith(ruling.proposal(), prefix) ||
        ruling.proposal().size() == prefix.size()) {
      return common::InvalidArgumentError(
          field("proposal"), absl::StrCat("must name a proposal of ", call_name,
                                          " (", prefix, "...)"));
    }
    if (!seen.insert(ruling.proposal()).second) {
      return common::InvalidArgumentError(field("proposal"),
                                          "a proposal has at most one ruling");
    }
    if (ruling.action() == v1::CommitteeRuling::ACTION_UNSPECIFIED ||
        !v1::CommitteeRuling::Action_IsValid(ruling.action())) {
      return common::InvalidArgumentError(
          field("action"), "required: REDUCE, ADOPT or NOT_ADOPT");
    }
    if (ruling.reason().empty()) {
      return common::InvalidArgumentError(
          field("reason"), "required: it is published with the result",
          kyodo::type::v1::FIELD_REQUIRED);
    }
    const bool has_amount = ruling.has_adopted_amount_yen();
    if (ruling.action() == v1::CommitteeRuling::REDUCE && !has_amount) {
      return common::InvalidArgumentError(
          field("adopted_amount_yen"),
          "required: the reduced amount adopted (減額採択)",
          kyodo::type::v1::FIELD_REQUIRED);
    }
    if (ruling.action() == v1::CommitteeRuling::NOT_ADOPT && has_amount) {
      return common::InvalidArgumentError(field("adopted_amount_yen"),
                                          "NOT_ADOPT takes no amount");
    }
    if (has_amount && (ruling.adopted_amount_yen() < 1 ||
                       ruling.adopted_amount_yen() > domain::kMaxAmount)) {
      return common::InvalidArgumentError(field("adopted_amount_yen"),
                                          "must be 1..10^15 yen");
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyRulings(const Rulings& rulings, DecisionInput& in) {
  absl::flat_hash_map<std::string, Candidate*> by_name;
  for (Candidate& c : in.input.candidates) by_name[c.name] = &c;
  for (int i = 0; i < rulings.size(); ++i) {
    const v1::CommitteeRuling& ruling = rulings[i];
    const auto field = [i](absl::string_view name) {
      return absl::StrCat("rulings[", i, "].", name);
    };
    auto it = by_name.find(ruling.proposal());
    if (it == by_name.end() ||
        it->second->state != Candidate::State::kEligible) {
      return common::InvalidArgumentError(
          field("proposal"),
          absl::StrCat(ruling.proposal(),
                       " is not an ELIGIBLE proposal of the call"));
    }
    Candidate& c = *it->second;
    if (domain::StoppedEarly(in.input, c)) {
      return common::InvalidArgumentError(
          field("proposal"),
          absl::StrCat(ruling.proposal(),
                       " did not pass an earlier stage; the committee rules "
                       "on the proposals of the last stage"));
    }
    switch (ruling.action()) {
      case v1::CommitteeRuling::REDUCE:
        if (ruling.adopted_amount_yen() >= c.requested_amount) {
          return common::InvalidArgumentError(
              field("adopted_amount_yen"),
              absl::StrCat("a reduced adoption is below the requested ",
                           c.requested_amount, " yen"));
        }
        c.ruling = domain::Ruling::kReduce;
        break;
      case v1::CommitteeRuling::ADOPT:
        if (ruling.has_adopted_amount_yen() &&
            ruling.adopted_amount_yen() > c.requested_amount) {
          return common::InvalidArgumentError(
              field("adopted_amount_yen"),
              absl::StrCat("at most the requested ", c.requested_amount,
                           " yen"));
        }
        c.ruling = domain::Ruling::kAdopt;
        break;
      default:
        c.ruling = domain::Ruling::kNotAdopt;
        break;
    }
    if (ruling.has_adopted_amount_yen()) {
      c.granted_amount = ruling.adopted_amount_yen();
    }
    in.rulings[c.name] = ruling;
  }
  return absl::OkStatus();
}

absl::Status CheckScreened(const DecisionInput& in) {
  if (in.not_screened.empty()) return absl::OkStatus();
  const size_t shown = std::min(in.not_screened.size(), kNamesInError);
  const std::vector<std::string> names(in.not_screened.begin(),
                                       in.not_screened.begin() + shown);
  absl::Status status = common::FailedPreconditionError(
      kyodo::type::v1::NOT_SCREENED,
      absl::StrCat(in.not_screened.size(),
                   " submitted proposal(s) are not screened yet: ",
                   absl::StrJoin(names, ", "),
                   shown < in.not_screened.size() ? ", ..." : ""));
  google::rpc::ErrorInfo info;
  info.set_reason(common::ReasonName(kyodo::type::v1::NOT_SCREENED));
  (*info.mutable_metadata())["proposals"] = absl::StrJoin(names, ",");
  (*info.mutable_metadata())["count"] = absl::StrCat(in.not_screened.size());
  common::SetErrorInfo(status, info);
  return status;
}

absl::Status ReviewsMissingError(
    const std::vector<domain::MissingReview>& missing, int32_t min_reviews) {
  if (missing.empty()) return absl::OkStatus();
  std::vector<std::string> names, described;
  for (size_t i = 0; i < missing.size() && i < kNamesInError; ++i) {
    names.push_back(missing[i].name);
    described.push_back(absl::StrCat(missing[i].name, " (",
                                     missing[i].non_conflicted_reviews, " of ",
                                     min_reviews, ")"));
  }
  absl::Status status(
      absl::StatusCode::kFailedPrecondition,
      absl::StrCat("REVIEWS_MISSING: ", missing.size(),
                   " eligible proposal(s) lack counted reviews: ",
                   absl::StrJoin(described, ", "),
                   names.size() < missing.size() ? ", ..." : ""));
  google::rpc::ErrorInfo info;
  info.set_reason(common::ReasonName(kyodo::type::v1::REVIEWS_MISSING));
  (*info.mutable_metadata())["proposals"] = absl::StrJoin(names, ",");
  (*info.mutable_metadata())["count"] = absl::StrCat(missing.size());
  (*info.mutable_metadata())["min_reviews"] = absl::StrCat(min_reviews);
  common::SetErrorInfo(status, info);
  return status;
}

absl::Status CheckReviews(const DecisionInput& in) {
  return ReviewsMissingError(domain::MissingReviews(in.input),
                             in.input.min_reviews);
}

absl::StatusOr<v1::Decision> ComputeDecision(const v1::Call& call,
                                             const DecisionInput& in,
                                             bool preview) {
  v1::Decision d;
  d.set_call(call.name());
  d.set_preview(preview);
  d.set_engine_version(domain::kEngineVersion);
  d.set_budget_yen(in.input.budget);
  d.set_max_adoptions(in.input.max_adoptions);
  d.set_pass_mark(in.input.pass_mark);
  d.set_adoption_rule(in.input.rule == domain::AdoptionRule::kGreedyStop
                          ? v1::Call::GREEDY_STOP
                          : v1::Call::GREEDY_SKIP);
  *d.mutable_tie_break() = call.tie_break();
  const std::vector<domain::MissingReview> missing =
      domain::MissingReviews(in.input);
  if (!missing.empty() && !preview) return CheckReviews(in);
  d.set_decidable(missing.empty());
  for (const domain::MissingReview& m : missing) {
    v1::MissingReviews* entry = d.add_missing_reviews();
    entry->set_proposal(m.name);
    entry->set_counted_reviews(m.non_conflicted_reviews);
    entry->set_min_reviews(std::max(in.input.min_reviews, 1));
  }
  std::vector<const Candidate*> unreviewed;
  domain::SelectionInput provisional;
  if (!missing.empty()) provisional = Provisional(in.input, &unreviewed);
  const domain::SelectionInput& used = missing.empty() ? in.input : provisional;
  absl::StatusOr<domain::SelectionResult> result = domain::Select(used);
  if (std::optional<domain::RulingsRefusal> refusal =
          domain::RulingsRefusalOf(result.status());
      !result.ok() && refusal.has_value()) {
    // The committee's adoptions do not fit (selection.h).
    return common::ErrorWithReason(
        absl::StatusCode::kFailedPrecondition,
        *refusal == domain::RulingsRefusal::kExceedBudget
            ? kyodo::type::v1::RULINGS_EXCEED_BUDGET
            : kyodo::type::v1::RULINGS_EXCEED_ADOPTION_LIMIT,
        result.status().message());
  }
  if (!result.ok()) {
    // The stored records passed the same bounds when written.
    return absl::InternalError(
        absl::StrCat("the selection engine refused the stored records: ",
                     result.status().message()));
  }
  AddResults(in, used, *result, unreviewed, &d);
  d.set_total_adopted_yen(result->total_adopted_amount);
  d.set_remaining_budget_yen(result->remaining_budget);
  d.set_adopted_count(result->adopted_count);
  d.set_recommended_total_adopted_yen(result->recommended_total_amount);
  d.set_recommended_adopted_count(result->recommended_count);
  return d;
}

}  // namespace kyodo::proposal
