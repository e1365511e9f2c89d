#include "proposal-service/domain/selection_codec.h"

#include <algorithm>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace kyodo::proposal::domain {
namespace {

using nlohmann::json;

constexpr char kTimeFormat[] = "%Y-%m-%d%ET%H:%M:%E6SZ";

const char* StateName(Candidate::State state) {
  switch (state) {
    case Candidate::State::kEligible:
      return "ELIGIBLE";
    case Candidate::State::kIneligible:
      return "INELIGIBLE";
    case Candidate::State::kWithdrawn:
      return "WITHDRAWN";
  }
  return "";
}

const char* KeyName(TieBreakKey key) {
  switch (key) {
    case TieBreakKey::kLowerRequestedAmount:
      return "LOWER_REQUESTED_AMOUNT";
    case TieBreakKey::kEarlierSubmission:
      return "EARLIER_SUBMISSION";
    case TieBreakKey::kName:
      return "NAME";
    case TieBreakKey::kHigherCriterionScore:
      return "HIGHER_CRITERION_SCORE";
  }
  return "";
}

const char* RulingName(Ruling ruling) {
  switch (ruling) {
    case Ruling::kNone:
      return "NONE";
    case Ruling::kReduce:
      return "REDUCE";
    case Ruling::kAdopt:
      return "ADOPT";
    case Ruling::kNotAdopt:
      return "NOT_ADOPT";
  }
  return "";
}

const char* RuleName(AdoptionRule rule) {
  return rule == AdoptionRule::kGreedyStop ? "GREEDY_STOP" : "GREEDY_SKIP";
}

// A review list sorted by reviewer (the engine's result does not depend on
// the order).
json EncodeReviews(const std::vector<Review>& list) {
  std::vector<const Review*> reviews;
  reviews.reserve(list.size());
  for (const Review& r : list) reviews.push_back(&r);
  std::sort(reviews.begin(), reviews.end(),
            [](const Review* a, const Review* b) {
              return a->reviewer < b->reviewer;
            });
  json out_reviews = json::array();
  for (const Review* r : reviews) {
    out_reviews.push_back({{"reviewer", r->reviewer},
                           {"scores", r->scores},
                           {"conflicted", r->conflicted}});
  }
  return out_reviews;
}

std::vector<Review> DecodeReviews(const json& j) {
  std::vector<Review> reviews;
  for (const json& r : j) {
    reviews.push_back(Review{r.at("reviewer").get<std::string>(),
                             r.at("scores").get<std::vector<int64_t>>(),
                             r.at("conflicted").get<bool>()});
  }
  return reviews;
}

json EncodeCriteria(const std::vector<Criterion>& list) {
  json criteria = json::array();
  for (const Criterion& c : list) {
    criteria.push_back({{"weight", c.weight}, {"max_score", c.max_score}});
  }
  return criteria;
}

std::vector<Criterion> DecodeCriteria(const json& j) {
  std::vector<Criterion> criteria;
  for (const json& c : j) {
    criteria.push_back(Criterion{c.at("weight").get<int64_t>(),
                                 c.at("max_score").get<int64_t>()});
  }
  return criteria;
}

json EncodeCandidate(const Candidate& c) {
  json out_reviews = EncodeReviews(c.reviews);
  json out = {{"name", c.name},
              {"state", StateName(c.state)},
              {"requested_amount", c.requested_amount},
              {"submit_time", absl::FormatTime(kTimeFormat, c.submit_time,
                                               absl::UTCTimeZone())},
              {"reviews", std::move(out_reviews)}};
  // Only when set, so that the inputs (and SHA-256) of decisions without
  // rulings read as they always did.
  if (c.ruling != Ruling::kNone) out["ruling"] = RulingName(c.ruling);
  if (c.granted_amount.has_value()) out["granted_amount"] = *c.granted_amount;
  // Likewise only with stages.
  if (!c.stage_reviews.empty()) {
    json stages = json::array();
    for (const std::vector<Review>& list : c.stage_reviews) {
      stages.push_back(EncodeReviews(list));
    }
    out["stage_reviews"] = std::move(stages);
  }
  return out;
}

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("not a ", kSelectionInputFormat, " document: ", what));
}

// Each Parse* throws nlohmann::json::exception on a type mismatch; the
// caller turns it into INVALID_ARGUMENT.
absl::StatusOr<Candidate> DecodeCandidate(const json& j) {
  Candidate c;
  c.name = j.at("name").get<std::string>();
  const std::string state = j.at("state").get<std::string>();
  if (state == "ELIGIBLE") {
    c.state = Candidate::State::kEligible;
  } else if (state == "INELIGIBLE") {
    c.state = Candidate::State::kIneligible;
  } else if (state == "WITHDRAWN") {
    c.state = Candidate::State::kWithdrawn;
  } else {
    return Bad(absl::StrCat("unknown candidate state ", state));
  }
  c.requested_amount = j.at("requested_amount").get<int64_t>();
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full,
                       j.at("submit_time").get<std::string>(), &c.submit_time,
                       &error)) {
    return Bad(absl::StrCat("submit_time: ", error));
  }
  c.reviews = DecodeReviews(j.at("reviews"));
  if (j.contains("stage_reviews")) {
    for (const json& list : j.at("stage_reviews")) {
      c.stage_reviews.push_back(DecodeReviews(list));
    }
  }
  if (j.contains("ruling")) {
    const std::string ruling = j.at("ruling").get<std::string>();
    bool known = false;
    for (Ruling r :
         {Ruling::kNone, Ruling::kReduce, Ruling::kAdopt, Ruling::kNotAdopt}) {
      if (ruling == RulingName(r)) {
        c.ruling = r;
        known = true;
      }
    }
    if (!known) return Bad(absl::StrCat("unknown ruling ", ruling));
  }
  if (j.contains("granted_amount")) {
    c.granted_amount = j.at("granted_amount").get<int64_t>();
  }
  return c;
}

absl::StatusOr<TieBreak> DecodeTieBreak(const json& j) {
  const std::string key = j.at("key").get<std::string>();
  for (TieBreakKey k :
       {TieBreakKey::kLowerRequestedAmount, TieBreakKey::kEarlierSubmission,
        TieBreakKey::kName, TieBreakKey::kHigherCriterionScore}) {
    if (key == KeyName(k)) {
      return TieBreak{
          k, j.contains("criterion") ? j.at("criterion").get<int32_t>() : 0};
    }
  }
  return Bad(absl::StrCat("unknown tie-break key ", key));
}

absl::StatusOr<SelectionInput> Decode(const json& j) {
  if (!j.is_object() || j.value("format", "") != kSelectionInputFormat) {
    return Bad("format");
  }
  SelectionInput input;
  input.criteria = DecodeCriteria(j.at("criteria"));
  if (j.contains("stages")) {
    for (const json& s : j.at("stages")) {
      input.stages.push_back(Stage{
          DecodeCriteria(s.at("criteria")), s.at("pass_mark").get<int32_t>(),
          s.at("min_reviews").get<int32_t>(), s.at("weight").get<int64_t>()});
    }
    input.last_stage_weight = j.at("last_stage_weight").get<int64_t>();
  }
  input.budget = j.at("budget").get<int64_t>();
  input.max_adoptions = j.at("max_adoptions").get<int32_t>();
  input.pass_mark = j.at("pass_mark").get<int32_t>();
  input.min_reviews = j.at("min_reviews").get<int32_t>();
  for (const json& t : j.at("tie_break")) {
    absl::StatusOr<TieBreak> tie = DecodeTieBreak(t);
    if (!tie.ok()) return tie.status();
    input.tie_break.push_back(*tie);
  }
  const std::string rule = j.at("rule").get<std::string>();
  if (rule != "GREEDY_SKIP" && rule != "GREEDY_STOP") {
    return Bad(absl::StrCat("unknown rule ", rule));
  }
  input.rule = rule == "GREEDY_STOP" ? AdoptionRule::kGreedyStop
                                     : AdoptionRule::kGreedySkip;
  for (const json& c : j.at("candidates")) {
    absl::StatusOr<Candidate> candidate = DecodeCandidate(c);
    if (!candidate.ok()) return candidate.status();
    input.candidates.push_back(*std::move(candidate));
  }
  return input;
}

}  // namespace

std::string EncodeSelectionInput(const SelectionInput& input) {
  json criteria = EncodeCriteria(input.criteria);
  json tie_break = json::array();
  for (const TieBreak& t : input.tie_break) {
    json entry = {{"key", KeyName(t.key)}};
    if (t.key == TieBreakKey::kHigherCriterionScore) {
      entry["criterion"] = t.criterion_index;
    }
    tie_break.push_back(std::move(entry));
  }
  std::vector<const Candidate*> order;
  order.reserve(input.candidates.size());
  for (const Candidate& c : input.candidates) order.push_back(&c);
  std::sort(
      order.begin(), order.end(),
      [](const Candidate* a, const Candidate* b) { return a->name < b->name; });
  json candidates = json::array();
  for (const Candidate* c : order) candidates.push_back(EncodeCandidate(*c));
  json doc = {{"format", kSelectionInputFormat},
              {"criteria", std::move(criteria)},
              {"budget", input.budget},
              {"max_adoptions", input.max_adoptions},
              {"pass_mark", input.pass_mark},
              {"min_reviews", input.min_reviews},
              {"tie_break", std::move(tie_break)},
              {"rule", RuleName(input.rule)},
              {"candidates", std::move(candidates)}};
  // Only with stages, so that the inputs (and SHA-256) of single-stage
  // decisions read as they always did.
  if (!input.stages.empty()) {
    json stages = json::array();
    for (const Stage& s : input.stages) {
      stages.push_back({{"criteria", EncodeCriteria(s.criteria)},
                        {"pass_mark", s.pass_mark},
                        {"min_reviews", s.min_reviews},
                        {"weight", s.weight}});
    }
    doc["stages"] = std::move(stages);
    doc["last_stage_weight"] = input.last_stage_weight;
  }
  // nlohmann::json objects keep their keys sorted: the dump is canonical.
  return doc.dump(-1, ' ', false, json::error_handler_t::strict);
}

std::string EncodeReviewList(const std::vector<Review>& reviews) {
  return EncodeReviews(reviews).dump(-1, ' ', false,
                                     json::error_handler_t::strict);
}

absl::StatusOr<std::vector<Review>> DecodeReviewList(absl::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_array()) return Bad("not a review list");
  try {
    return DecodeReviews(j);
  } catch (const json::exception& e) {
    return Bad(e.what());
  }
}

absl::StatusOr<SelectionInput> DecodeSelectionInput(absl::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return Bad("not JSON");
  try {
    return Decode(j);
  } catch (const json::exception& e) {
    return Bad(e.what());
  }
}

}  // namespace kyodo::proposal::domain
