#include "proposal-service/domain/rules.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/resource/names.h"
#include "common/resource/update_mask.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/text/text.h"
#include "proposal-service/domain/validation.h"

namespace kyodo::proposal::domain {
namespace {

using common::InvalidArgumentError;

absl::Status Required(absl::string_view field, bool present) {
  if (present) return absl::OkStatus();
  return InvalidArgumentError(field, "required",
                              kyodo::type::v1::FIELD_REQUIRED);
}

absl::Status InRange(absl::string_view field, int64_t value, int64_t lo,
                     int64_t hi) {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return InvalidArgumentError(field, absl::StrCat("must be ", lo, "..", hi));
}

std::string F(absl::string_view prefix, absl::string_view name) {
  return absl::StrCat(prefix, ".", name);
}

std::string Fi(absl::string_view prefix, absl::string_view name, int i) {
  return absl::StrCat(prefix, ".", name, "[", i, "]");
}

// A list of partner names: each `partners/{id}`, no repeats.
absl::Status PartnerList(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<std::string>& names) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < names.size(); ++i) {
    const std::string path = absl::StrCat(field, "[", i, "]");
    KYODO_RETURN_IF_ERROR(
        common::ParseName(path, names[i], "partners").status());
    if (!seen.insert(names[i]).second) {
      return InvalidArgumentError(path, "is listed twice");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidTimestamp(absl::string_view field,
                            const google::protobuf::Timestamp& t) {
  // RFC 3339's range (0001-01-01 to 9999-12-31), as google.protobuf.Timestamp.
  constexpr int64_t kMinSeconds = -62135596800;
  constexpr int64_t kMaxSeconds = 253402300799;
  if (t.seconds() >= kMinSeconds && t.seconds() <= kMaxSeconds &&
      t.nanos() >= 0 && t.nanos() < 1000000000) {
    return absl::OkStatus();
  }
  return InvalidArgumentError(field, "is not a valid timestamp");
}

absl::Status ValidateCriteria(
    const google::protobuf::RepeatedPtrField<v1::Criterion>& criteria,
    absl::string_view field) {
  if (criteria.size() < 1) {
    return InvalidArgumentError(F(field, "criteria"),
                                "at least one criterion is required",
                                kyodo::type::v1::FIELD_REQUIRED);
  }
  for (int i = 0; i < criteria.size(); ++i) {
    const v1::Criterion& k = criteria[i];
    const std::string at = Fi(field, "criteria", i);
    KYODO_RETURN_IF_ERROR(
        Required(F(at, "display_name"), !k.display_name().empty()));
    KYODO_RETURN_IF_ERROR(InRange(F(at, "weight"), k.weight(), 1, kMaxWeight));
    KYODO_RETURN_IF_ERROR(
        InRange(F(at, "max_score"), k.max_score(), 1, kMaxMaxScore));
  }
  return absl::OkStatus();
}

absl::Status ValidateTieBreaks(const v1::Call& c, absl::string_view field) {
  for (int i = 0; i < c.tie_break_size(); ++i) {
    const v1::TieBreak& t = c.tie_break(i);
    const std::string at = Fi(field, "tie_break", i);
    if (t.key() == v1::TieBreak::KEY_UNSPECIFIED) {
      return InvalidArgumentError(F(at, "key"), "required",
                                  kyodo::type::v1::FIELD_REQUIRED);
    }
    if (t.key() == v1::TieBreak::HIGHER_CRITERION_SCORE) {
      KYODO_RETURN_IF_ERROR(
          InRange(F(at, "criterion"), t.criterion(), 0, c.criteria_size() - 1));
    } else if (t.criterion() != 0) {
      return InvalidArgumentError(
          F(at, "criterion"), "only HIGHER_CRITERION_SCORE names a criterion");
    }
  }
  return absl::OkStatus();
}

bool Before(const google::protobuf::Timestamp& a,
            const google::protobuf::Timestamp& b) {
  return a.seconds() < b.seconds() ||
         (a.seconds() == b.seconds() && a.nanos() < b.nanos());
}

// The bytes of one top-level field of `m` (equal values, equal bytes).
std::string FieldBytes(const v1::Call& m, const std::string& field) {
  v1::Call only;
  common::ApplyFields(m, {field}, &only);
  return only.SerializeAsString();
}

}  // namespace

absl::Status ValidateProgramme(const v1::Programme& p,
                               absl::string_view field) {
  KYODO_RETURN_IF_ERROR(
      Required(F(field, "display_name"), !p.display_name().empty()));
  KYODO_RETURN_IF_ERROR(Required(
      F(field, "ward"), p.ward() != kyodo::type::v1::WARD_UNSPECIFIED));
  KYODO_RETURN_IF_ERROR(
      Required(F(field, "kind"), p.kind() != v1::Programme::KIND_UNSPECIFIED));
  KYODO_RETURN_IF_ERROR(common::ParseName(F(field, "consigning_unit"),
                                          p.consigning_unit(), "partners")
                            .status());
  if (p.eligible_partner_kinds_size() == 0) {
    return InvalidArgumentError(F(field, "eligible_partner_kinds"),
                                "at least one kind is required",
                                kyodo::type::v1::FIELD_REQUIRED);
  }
  absl::flat_hash_set<int> kinds;
  for (int i = 0; i < p.eligible_partner_kinds_size(); ++i) {
    const int kind = p.eligible_partner_kinds(i);
    const std::string at = Fi(field, "eligible_partner_kinds", i);
    if (kind == kyodo::partner::v1::PARTNER_KIND_UNSPECIFIED) {
      return InvalidArgumentError(at, "must name a kind");
    }
    if (!kinds.insert(kind).second)
      return InvalidArgumentError(at, "is listed twice");
  }
  absl::flat_hash_set<int32_t> years;
  for (int i = 0; i < p.amount_caps_size(); ++i) {
    const v1::AmountCap& cap = p.amount_caps(i);
    const std::string at = Fi(field, "amount_caps", i);
    KYODO_RETURN_IF_ERROR(
        InRange(F(at, "continuation_year"), cap.continuation_year(), 1, 100));
    if (!years.insert(cap.continuation_year()).second) {
      return InvalidArgumentError(F(at, "continuation_year"),
                                  "is listed twice");
    }
    KYODO_RETURN_IF_ERROR(
        Required(F(at, "max_amount_yen"), cap.has_max_amount_yen()));
    KYODO_RETURN_IF_ERROR(
        InRange(F(at, "max_amount_yen"), cap.max_amount_yen(), 0, kMaxAmount));
  }
  KYODO_RETURN_IF_ERROR(InRange(F(field, "max_continuation_years"),
                                p.max_continuation_years(), 0, 100));
  KYODO_RETURN_IF_ERROR(InRange(F(field, "lifetime_adoption_limit"),
                                p.lifetime_adoption_limit(), 0, 1000));
  return InRange(F(field, "yearly_adoption_limit"), p.yearly_adoption_limit(),
                 0, 1000);
}

// The earlier stages (at most kMaxStages), each as complete as the call's
// own last stage, and the last stage's weight.
absl::Status ValidateStages(const v1::Call& c, absl::string_view field) {
  if (c.stages_size() > kMaxStages) {
    return InvalidArgumentError(
        F(field, "stages"),
        absl::StrCat("at most ", kMaxStages,
                     " earlier stages; the call's own criteria are the last"));
  }
  for (int i = 0; i < c.stages_size(); ++i) {
    const v1::ReviewStage& stage = c.stages(i);
    const std::string at = Fi(field, "stages", i);
    KYODO_RETURN_IF_ERROR(
        Required(F(at, "display_name"), !stage.display_name().empty()));
    KYODO_RETURN_IF_ERROR(ValidateCriteria(stage.criteria(), at));
    KYODO_RETURN_IF_ERROR(
        InRange(F(at, "pass_mark"), stage.pass_mark(), 0, kMaxPassMark));
    KYODO_RETURN_IF_ERROR(
        Required(F(at, "min_reviews"), stage.has_min_reviews()));
    KYODO_RETURN_IF_ERROR(InRange(F(at, "min_reviews"), stage.min_reviews(), 1,
                                  kMaxReviewsPerProposal));
    KYODO_RETURN_IF_ERROR(
        InRange(F(at, "weight"), stage.weight(), 0, kMaxWeight));
  }
  if (c.has_last_stage_weight()) {
    KYODO_RETURN_IF_ERROR(InRange(F(field, "last_stage_weight"),
                                  c.last_stage_weight(), 1, kMaxWeight));
  }
  return absl::OkStatus();
}

absl::Status ValidateCall(v1::Call& c, absl::string_view field) {
  KYODO_RETURN_IF_ERROR(
      Required(F(field, "display_name"), !c.display_name().empty()));
  KYODO_RETURN_IF_ERROR(Required(F(field, "fiscal_year"), c.has_fiscal_year()));
  KYODO_RETURN_IF_ERROR(
      InRange(F(field, "fiscal_year"), c.fiscal_year(), 2000, 2200));
  KYODO_RETURN_IF_ERROR(Required(F(field, "submission_start_time"),
                                 c.has_submission_start_time()));
  KYODO_RETURN_IF_ERROR(
      Required(F(field, "submission_end_time"), c.has_submission_end_time()));
  KYODO_RETURN_IF_ERROR(ValidTimestamp(F(field, "submission_start_time"),
                                       c.submission_start_time()));
  KYODO_RETURN_IF_ERROR(
      ValidTimestamp(F(field, "submission_end_time"), c.submission_end_time()));
  if (!Before(c.submission_start_time(), c.submission_end_time())) {
    return InvalidArgumentError(F(field, "submission_end_time"),
                                "must be after submission_start_time");
  }
  KYODO_RETURN_IF_ERROR(Required(F(field, "budget_yen"), c.has_budget_yen()));
  KYODO_RETURN_IF_ERROR(
      InRange(F(field, "budget_yen"), c.budget_yen(), 0, kMaxAmount));
  KYODO_RETURN_IF_ERROR(
      InRange(F(field, "max_adoptions"), c.max_adoptions(), 0, kMaxCandidates));
  KYODO_RETURN_IF_ERROR(ValidateCriteria(c.criteria(), field));
  KYODO_RETURN_IF_ERROR(
      InRange(F(field, "pass_mark"), c.pass_mark(), 0, kMaxPassMark));
  KYODO_RETURN_IF_ERROR(Required(F(field, "min_reviews"), c.has_min_reviews()));
  KYODO_RETURN_IF_ERROR(InRange(F(field, "min_reviews"), c.min_reviews(), 1,
                                kMaxReviewsPerProposal));
  KYODO_RETURN_IF_ERROR(ValidateTieBreaks(c, field));
  KYODO_RETURN_IF_ERROR(ValidateStages(c, field));
  if (c.adoption_rule() == v1::Call::ADOPTION_RULE_UNSPECIFIED) {
    c.set_adoption_rule(v1::Call::GREEDY_SKIP);
  }
  return absl::OkStatus();
}

absl::Status ValidateProposal(const v1::Proposal& p, absl::string_view field) {
  KYODO_RETURN_IF_ERROR(
      common::ParseName(F(field, "applicant"), p.applicant(), "partners")
          .status());
  KYODO_RETURN_IF_ERROR(
      PartnerList(F(field, "co_applicants"), p.co_applicants()));
  for (int i = 0; i < p.co_applicants_size(); ++i) {
    if (p.co_applicants(i) == p.applicant()) {
      return InvalidArgumentError(Fi(field, "co_applicants", i),
                                  "is the applicant itself");
    }
  }
  KYODO_RETURN_IF_ERROR(Required(F(field, "title"), !p.title().empty()));
  KYODO_RETURN_IF_ERROR(Required(F(field, "issue"), !p.issue().empty()));
  KYODO_RETURN_IF_ERROR(
      Required(F(field, "requested_amount_yen"), p.has_requested_amount_yen()));
  KYODO_RETURN_IF_ERROR(InRange(F(field, "requested_amount_yen"),
                                p.requested_amount_yen(), 0, kMaxAmount));
  if (!p.continues().empty()) {
    KYODO_RETURN_IF_ERROR(
        common::ParseName(F(field, "continues"), p.continues(), "projects")
            .status());
  }
  return absl::OkStatus();
}

absl::Status ValidateReviewer(const v1::Reviewer& r, absl::string_view field) {
  KYODO_RETURN_IF_ERROR(
      Required(F(field, "display_name"), !r.display_name().empty()));
  KYODO_RETURN_IF_ERROR(
      Required(F(field, "principal"), !r.principal().empty()));
  if (r.has_email() && !common::IsMailAddress(r.email())) {
    return InvalidArgumentError(F(field, "email"),
                                "is not a mail address kyodo can send to");
  }
  return PartnerList(F(field, "affiliations"), r.affiliations());
}

absl::Status ValidateScores(const v1::Call& call, int32_t stage,
                            const v1::Review& review, absl::string_view field) {
  const auto& criteria = StageCriteria(call, stage);
  if (review.scores_size() != criteria.size()) {
    return InvalidArgumentError(
        F(field, "scores"),
        absl::StrCat("needs ", criteria.size(),
                     " scores, one per criterion of ",
                     call.stages_size() > 0 ? StageLabel(call, stage)
                                            : std::string("the call"),
                     " in order; got ", review.scores_size()));
  }
  for (int i = 0; i < review.scores_size(); ++i) {
    const int64_t max = criteria[i].max_score();
    if (review.scores(i) < 0 || review.scores(i) > max) {
      return InvalidArgumentError(
          Fi(field, "scores", i),
          absl::StrCat("must be 0..", max, " (", criteria[i].display_name(),
                       ")"));
    }
  }
  return absl::OkStatus();
}

int32_t LastStage(const v1::Call& c) { return c.stages_size() + 1; }

int32_t CurrentStage(const v1::Call& c) {
  if (c.current_stage() < 1 || c.current_stage() > LastStage(c)) {
    return LastStage(c);
  }
  return c.current_stage();
}

const google::protobuf::RepeatedPtrField<v1::Criterion>& StageCriteria(
    const v1::Call& c, int32_t stage) {
  if (stage >= 1 && stage <= c.stages_size()) {
    return c.stages(stage - 1).criteria();
  }
  return c.criteria();
}

int32_t StagePassMark(const v1::Call& c, int32_t stage) {
  if (stage >= 1 && stage <= c.stages_size()) {
    return c.stages(stage - 1).pass_mark();
  }
  return c.pass_mark();
}

int32_t StageMinReviews(const v1::Call& c, int32_t stage) {
  if (stage >= 1 && stage <= c.stages_size()) {
    return c.stages(stage - 1).min_reviews();
  }
  return c.min_reviews();
}

std::string StageLabel(const v1::Call& c, int32_t stage) {
  const std::string& name = stage >= 1 && stage <= c.stages_size()
                                ? c.stages(stage - 1).display_name()
                                : c.last_stage_display_name();
  if (name.empty()) return absl::StrCat("stage ", stage);
  return absl::StrCat("stage ", stage, " (", name, ")");
}

bool SitsOn(const v1::Reviewer& r, const v1::Call& c, int32_t stage) {
  if (r.stages().empty()) return stage == LastStage(c);
  return std::find(r.stages().begin(), r.stages().end(), stage) !=
         r.stages().end();
}

absl::Status ValidateMemberStages(const v1::Reviewer& r, const v1::Call& c,
                                  absl::string_view field) {
  absl::flat_hash_set<int32_t> seen;
  for (int i = 0; i < r.stages_size(); ++i) {
    const std::string at = Fi(field, "stages", i);
    KYODO_RETURN_IF_ERROR(InRange(at, r.stages(i), 1, LastStage(c)));
    if (!seen.insert(r.stages(i)).second) {
      return InvalidArgumentError(at, "is listed twice");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOpenCallChange(const v1::Call& before, const v1::Call& after,
                                 const std::vector<std::string>& fields) {
  for (const std::string& field : fields) {
    if (FieldBytes(before, field) == FieldBytes(after, field)) continue;
    if (field == "display_name" || field == "description") continue;
    if (field == "submission_end_time" && before.state() == v1::Call::OPEN) {
      if (Before(after.submission_end_time(), before.submission_end_time())) {
        return common::FailedPreconditionError(
            kyodo::type::v1::WINDOW_SHORTENED,
            "an OPEN call's submission_end_time may be extended, never "
            "shortened");
      }
      continue;
    }
    return common::ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, kyodo::type::v1::RULES_FIXED,
        absl::StrCat("RULES_FIXED: ", field,
                     " is fixed once the call is OPEN; only ",
                     "display_name, description and (while OPEN) a later "
                     "submission_end_time may change"),
        {{"field", field}});
  }
  return absl::OkStatus();
}

bool IsProgrammeRuleField(absl::string_view field) {
  static const auto* kRules =
      new absl::flat_hash_set<std::string>{"kind",
                                           "consigning_unit",
                                           "eligible_partner_kinds",
                                           "same_ward_required",
                                           "amount_caps",
                                           "max_continuation_years",
                                           "one_proposal_per_applicant",
                                           "lifetime_adoption_limit",
                                           "yearly_adoption_limit",
                                           "network_conflicts",
                                           "city_unit_conflicts"};
  return kRules->contains(field);
}

absl::Status ValidateTieBreakList(const v1::Call& c, absl::string_view field) {
  return ValidateTieBreaks(c, field);
}

}  // namespace kyodo::proposal::domain
