// Input checks, partner facts and the standing rules of a project.
#include "project-service/domain/rules.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/date.h"

namespace kyodo::project::domain {
namespace {

using common::InvalidArgumentError;
using kyodo::partner::v1::Partner;
using kyodo::project::v1::Contribution;
using kyodo::project::v1::OutcomeIndicator;
using kyodo::project::v1::Participant;
using kyodo::project::v1::Project;

constexpr absl::string_view kIdeographicSpace = "\xE3\x80\x80";
constexpr int64_t kMaxAmountYen = 1000000000000000;  // 10^15

std::string At(absl::string_view field, absl::string_view list, int i,
               absl::string_view member = "") {
  std::string at = absl::StrCat(field, ".", list, "[", i, "]");
  if (!member.empty()) absl::StrAppend(&at, ".", member);
  return at;
}

absl::Status Required(absl::string_view field) {
  return InvalidArgumentError(field, "required",
                              kyodo::type::v1::FIELD_REQUIRED);
}

// The last day a (possibly partial) date can mean.
absl::CivilDay LastDay(const google::type::Date& d) {
  if (d.month() == 0) return absl::CivilDay(d.year(), 12, 31);
  if (d.day() == 0) {
    return absl::CivilDay(absl::CivilMonth(d.year(), d.month()) + 1) - 1;
  }
  return common::ToCivilDay(d);
}

absl::Status ValidateTiming(const Project& p, absl::string_view field) {
  if (p.has_fiscal_year() &&
      (p.fiscal_year() < 1900 || p.fiscal_year() > 9999)) {
    return InvalidArgumentError(absl::StrCat(field, ".fiscal_year"),
                                "must be a year from 1900 to 9999 (年度)");
  }
  if (!p.has_period()) return absl::OkStatus();
  const auto& period = p.period();
  const std::string start = absl::StrCat(field, ".period.start_date");
  const std::string end = absl::StrCat(field, ".period.end_date");
  if (!period.has_start_date()) return Required(start);
  KYODO_RETURN_IF_ERROR(
      common::ValidatePartialDate(start, period.start_date()));
  if (!period.has_end_date()) return absl::OkStatus();
  KYODO_RETURN_IF_ERROR(common::ValidatePartialDate(end, period.end_date()));
  if (LastDay(period.end_date()) < common::ToCivilDay(period.start_date())) {
    return InvalidArgumentError(end, "is before start_date");
  }
  return absl::OkStatus();
}

absl::Status ValidateParticipantList(const Project& p,
                                     absl::string_view field) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < p.participants_size(); ++i) {
    const Participant& x = p.participants(i);
    const std::string at = At(field, "participants", i, "partner");
    KYODO_RETURN_IF_ERROR(
        common::ParseName(at, x.partner(), "partners").status());
    if (!seen.insert(x.partner()).second) {
      return InvalidArgumentError(
          at,
          absl::StrCat(x.partner(), " is listed twice; list each party once"),
          kyodo::type::v1::DUPLICATE_PARTICIPANT);
    }
    if (x.role() == Participant::ROLE_UNSPECIFIED) {
      return Required(At(field, "participants", i, "role"));
    }
  }
  return absl::OkStatus();
}

bool IsMoneyForm(kyodo::project::v1::ContributionForm form) {
  return form == v1::CONSIGNMENT || form == v1::SUBSIDY || form == v1::GRANT ||
         form == v1::DONATION;
}

absl::Status CheckContributionParty(const Project& p, absl::string_view at,
                                    const std::string& name) {
  if (name.empty()) return absl::OkStatus();
  KYODO_RETURN_IF_ERROR(common::ParseName(at, name, "partners").status());
  for (const Participant& x : p.participants()) {
    if (x.partner() == name) return absl::OkStatus();
  }
  return InvalidArgumentError(
      at, absl::StrCat(name, " is not a participant of the project"),
      kyodo::type::v1::PARTY_NOT_PARTICIPANT);
}

// A contribution's expense lines (project_service.proto, ExpenseLine): on a
// form with an amount, each line an item and a non-negative amount (OTHER
// with a description), and together exactly the contribution's amount.
absl::Status ValidateExpenseLines(const Contribution& c,
                                  const std::string& lines) {
  if (c.expense_lines().empty()) return absl::OkStatus();
  if (!IsMoneyForm(c.form()) || !c.has_amount_yen()) {
    return InvalidArgumentError(
        lines,
        "itemise an amount: only a CONSIGNMENT, SUBSIDY, GRANT or "
        "DONATION with amount_yen has expense lines");
  }
  int64_t sum = 0;
  for (int j = 0; j < c.expense_lines_size(); ++j) {
    const v1::ExpenseLine& line = c.expense_lines(j);
    const std::string at = absl::StrCat(lines, "[", j, "]");
    if (line.item() == v1::ExpenseLine::ITEM_UNSPECIFIED) {
      return Required(absl::StrCat(at, ".item"));
    }
    if (!line.has_amount_yen())
      return Required(absl::StrCat(at, ".amount_yen"));
    if (line.amount_yen() < 0) {
      return InvalidArgumentError(absl::StrCat(at, ".amount_yen"),
                                  "must be a non-negative number of yen",
                                  kyodo::type::v1::NEGATIVE_AMOUNT);
    }
    if (line.amount_yen() > kMaxAmountYen) {
      return InvalidArgumentError(absl::StrCat(at, ".amount_yen"),
                                  "must be at most 10^15 yen",
                                  kyodo::type::v1::AMOUNT_TOO_LARGE);
    }
    if (line.item() == v1::ExpenseLine::OTHER && IsBlank(line.description())) {
      return InvalidArgumentError(absl::StrCat(at, ".description"),
                                  "says what an OTHER expense is",
                                  kyodo::type::v1::FIELD_REQUIRED);
    }
    sum += line.amount_yen();  // at most 50 lines of at most 10^15 each
  }
  if (sum != c.amount_yen()) {
    return InvalidArgumentError(lines, absl::StrCat("add up to ", sum,
                                                    " yen; the contribution's "
                                                    "amount_yen is ",
                                                    c.amount_yen(), " yen"));
  }
  return absl::OkStatus();
}

absl::Status ValidateContributions(const Project& p, absl::string_view field) {
  for (int i = 0; i < p.contributions_size(); ++i) {
    const Contribution& c = p.contributions(i);
    if (c.form() == v1::CONTRIBUTION_FORM_UNSPECIFIED) {
      return Required(At(field, "contributions", i, "form"));
    }
    const std::string amount = At(field, "contributions", i, "amount_yen");
    if (c.has_amount_yen() && c.amount_yen() < 0) {
      return InvalidArgumentError(amount,
                                  "must be a non-negative number of yen",
                                  kyodo::type::v1::NEGATIVE_AMOUNT);
    }
    // The bound of kyodo's amounts (proposal-service's too), so that sums
    // of them (open data, dashboards) stay far inside int64.
    if (c.amount_yen() > kMaxAmountYen) {
      return InvalidArgumentError(amount, "must be at most 10^15 yen",
                                  kyodo::type::v1::AMOUNT_TOO_LARGE);
    }
    if (c.has_amount_yen() && !IsMoneyForm(c.form())) {
      return InvalidArgumentError(
          amount,
          absl::StrCat("applies to CONSIGNMENT, SUBSIDY, GRANT and DONATION, "
                       "not ",
                       v1::ContributionForm_Name(c.form())));
    }
    KYODO_RETURN_IF_ERROR(ValidateExpenseLines(
        c, At(field, "contributions", i, "expense_lines")));
    KYODO_RETURN_IF_ERROR(CheckContributionParty(
        p, At(field, "contributions", i, "from_partner"), c.from_partner()));
    KYODO_RETURN_IF_ERROR(CheckContributionParty(
        p, At(field, "contributions", i, "to_partner"), c.to_partner()));
  }
  return absl::OkStatus();
}

absl::Status ValidateLists(const Project& p, absl::string_view field) {
  absl::flat_hash_set<int> patterns;
  for (int i = 0; i < p.patterns_size(); ++i) {
    const std::string at = absl::StrCat(field, ".patterns[", i, "]");
    if (p.patterns(i) == v1::UNIVERSITY_PATTERN_UNSPECIFIED)
      return Required(at);
    if (!patterns.insert(p.patterns(i)).second) {
      return InvalidArgumentError(at, "is listed twice");
    }
  }
  absl::flat_hash_set<int> principles;
  for (int i = 0; i < p.principles_size(); ++i) {
    const std::string at = At(field, "principles", i, "principle");
    const v1::Principle principle = p.principles(i).principle();
    if (principle == v1::PRINCIPLE_UNSPECIFIED) return Required(at);
    if (!principles.insert(principle).second) {
      return InvalidArgumentError(at, "is listed twice; one note per principle",
                                  kyodo::type::v1::DUPLICATE_PRINCIPLE);
    }
  }
  return ValidateOutcomes(p.outcomes(), absl::StrCat(field, ".outcomes"));
}

bool HasPartyOfKind(const Project& p, kyodo::partner::v1::PartnerKind kind) {
  const std::string& name = kyodo::partner::v1::PartnerKind_Name(kind);
  return std::any_of(
      p.participants().begin(), p.participants().end(),
      [&](const Participant& x) { return x.partner_kind() == name; });
}

absl::string_view PrincipleTitle(v1::Principle p) {
  switch (p) {
    case v1::SHARED_PURPOSE:
      return "目的の共有";
    case v1::EQUAL_RELATIONSHIP:
      return "対等の関係";
    case v1::MUTUAL_UNDERSTANDING:
      return "相互理解";
    case v1::OPENNESS:
      return "公開性・透明性";
    case v1::ROLES_AND_RESPONSIBILITIES:
      return "役割分担と責任範囲の確認";
    case v1::REVIEW_OF_OUTCOMES:
      return "成果の振り返り";
    default:
      return "";
  }
}

}  // namespace

bool IsBlank(absl::string_view text) {
  while (!text.empty()) {
    if (absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
      text.remove_prefix(1);
    } else if (absl::StartsWith(text, kIdeographicSpace)) {
      text.remove_prefix(kIdeographicSpace.size());
    } else {
      return false;
    }
  }
  return true;
}

bool IsPublished(const Project& project) {
  return !project.has_delete_time() && (project.state() == Project::ACTIVE ||
                                        project.state() == Project::COMPLETED ||
                                        project.state() == Project::REVIEWED);
}

void Normalise(Project& project) {
  if (project.programme() == v1::COOPERATIVE_PROJECT) {
    project.set_cooperative_project(true);
  }
}

absl::Status ValidateOutcomes(
    const google::protobuf::RepeatedPtrField<OutcomeIndicator>& outcomes,
    absl::string_view field) {
  for (int i = 0; i < outcomes.size(); ++i) {
    const OutcomeIndicator& o = outcomes[i];
    const std::string at = absl::StrCat(field, "[", i, "]");
    if (IsBlank(o.name())) return Required(absl::StrCat(at, ".name"));
    if (!o.has_value()) return Required(absl::StrCat(at, ".value"));
    if (!std::isfinite(o.value())) {
      return InvalidArgumentError(absl::StrCat(at, ".value"),
                                  "must be a finite number");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateProject(const Project& p, absl::string_view field) {
  if (IsBlank(p.title())) return Required(absl::StrCat(field, ".title"));
  if (IsBlank(p.issue())) {
    return InvalidArgumentError(
        absl::StrCat(field, ".issue"),
        "required: a cooperation that does not aim at an issue (課題) is not "
        "協働・連携",
        kyodo::type::v1::FIELD_REQUIRED);
  }
  if (p.programme() == v1::PROGRAMME_UNSPECIFIED) {
    return Required(absl::StrCat(field, ".programme"));
  }
  KYODO_RETURN_IF_ERROR(ValidateTiming(p, field));
  KYODO_RETURN_IF_ERROR(ValidateParticipantList(p, field));
  KYODO_RETURN_IF_ERROR(ValidateContributions(p, field));
  KYODO_RETURN_IF_ERROR(ValidateLists(p, field));
  if (!p.source_proposal().empty()) {
    KYODO_RETURN_IF_ERROR(
        common::ParseNestedName(absl::StrCat(field, ".source_proposal"),
                                p.source_proposal(),
                                "programmes/*/calls/*/proposals/*")
            .status());
  }
  if (!p.agreement().empty()) {
    KYODO_RETURN_IF_ERROR(common::ParseName(absl::StrCat(field, ".agreement"),
                                            p.agreement(), "agreements")
                              .status());
  }
  return absl::OkStatus();
}

absl::Status ValidateParticipants(const Project& p, absl::string_view field) {
  return ValidateParticipantList(p, field);
}

absl::Status CheckParticipantCount(const Project& p) {
  if (p.participants_size() >= 2) return absl::OkStatus();
  return common::FailedPreconditionError(
      kyodo::type::v1::PARTICIPANTS_TOO_FEW,
      absl::StrCat("a project needs at least two parties; it has ",
                   p.participants_size()));
}

std::vector<std::string> ParticipantNames(const Project& p) {
  std::vector<std::string> names;
  for (const Participant& x : p.participants()) names.push_back(x.partner());
  return names;
}

absl::Status ApplyPartners(const PartnersByName& partners, Project& project) {
  for (Participant& x : *project.mutable_participants()) {
    auto it = partners.find(x.partner());
    if (it == partners.end()) {
      return common::ErrorWithReason(
          absl::StatusCode::kFailedPrecondition,
          kyodo::type::v1::PARTICIPANT_NOT_FOUND,
          absl::StrCat(x.partner(), " is not a partner; register it first"),
          {{"partner", x.partner()}});
    }
    const Partner& partner = it->second;
    if (partner.has_delete_time() || partner.state() != Partner::ACTIVE) {
      return common::ErrorWithReason(
          absl::StatusCode::kFailedPrecondition,
          kyodo::type::v1::PARTICIPANT_NOT_ACTIVE,
          absl::StrCat(x.partner(), " (", partner.display_name(), ") is ",
                       partner.has_delete_time()
                           ? "deleted"
                           : Partner::State_Name(partner.state())),
          {{"partner", x.partner()}});
    }
    if (x.role() == Participant::CITY &&
        partner.kind() != kyodo::partner::v1::CITY_UNIT) {
      return common::ErrorWithReason(
          absl::StatusCode::kFailedPrecondition,
          kyodo::type::v1::CITY_ROLE_NEEDS_CITY_UNIT,
          absl::StrCat(x.partner(), " is a ",
                       kyodo::partner::v1::PartnerKind_Name(partner.kind()),
                       "; role CITY is for the city's own units"),
          {{"partner", x.partner()}});
    }
    x.set_display_name(partner.display_name());
    x.set_partner_kind(kyodo::partner::v1::PartnerKind_Name(partner.kind()));
    if (partner.ward() != kyodo::type::v1::WARD_UNSPECIFIED) {
      x.set_ward(partner.ward());
    } else {
      x.clear_ward();
    }
  }
  return absl::OkStatus();
}

std::optional<int> StartFiscalYear(const Project& p) {
  if (p.has_fiscal_year()) return p.fiscal_year();
  if (p.has_period() && p.period().has_start_date() &&
      p.period().start_date().month() != 0) {
    return common::FiscalYearOf(common::ToCivilDay(p.period().start_date()));
  }
  return std::nullopt;
}

void Derive(Project& project) {
  std::vector<int> wards;
  const std::string& city =
      kyodo::partner::v1::PartnerKind_Name(kyodo::partner::v1::CITY_UNIT);
  for (const Participant& x : project.participants()) {
    if (x.partner_kind() == city &&
        x.ward() != kyodo::type::v1::WARD_UNSPECIFIED &&
        std::find(wards.begin(), wards.end(), x.ward()) == wards.end()) {
      wards.push_back(x.ward());
    }
  }
  std::sort(wards.begin(), wards.end());
  project.clear_wards();
  for (int w : wards) project.add_wards(static_cast<kyodo::type::v1::Ward>(w));
  if (std::optional<int> year = StartFiscalYear(project)) {
    project.set_start_fiscal_year(*year);
  } else {
    project.clear_start_fiscal_year();
  }
}

absl::Status CheckCooperativeParties(const Project& p) {
  if (!p.cooperative_project()) return absl::OkStatus();
  if (HasPartyOfKind(p, kyodo::partner::v1::CIVIC_GROUP) &&
      HasPartyOfKind(p, kyodo::partner::v1::CITY_UNIT)) {
    return absl::OkStatus();
  }
  return common::FailedPreconditionError(
      kyodo::type::v1::COOPERATIVE_PROJECT_NEEDS_CIVIC_GROUP_AND_CITY,
      "a 協働型事業 is between the city and civic groups: it needs a "
      "CIVIC_GROUP and a CITY_UNIT party (大学や企業等との連携は協働型事業に"
      "該当しない)");
}

absl::Status CheckPatternParties(const Project& p) {
  if (p.patterns().empty() ||
      HasPartyOfKind(p, kyodo::partner::v1::UNIVERSITY)) {
    return absl::OkStatus();
  }
  return common::FailedPreconditionError(
      kyodo::type::v1::PATTERNS_NEED_UNIVERSITY,
      "university patterns (大学との連携の取組パターン) are for projects with "
      "a UNIVERSITY party; add one, or clear patterns");
}

absl::Status CheckPrinciples(const Project& p) {
  if (!p.cooperative_project()) return absl::OkStatus();
  std::vector<std::string> missing, titles;
  for (int v = v1::SHARED_PURPOSE; v <= v1::REVIEW_OF_OUTCOMES; ++v) {
    const bool addressed =
        std::any_of(p.principles().begin(), p.principles().end(),
                    [&](const v1::PrincipleNote& n) {
                      return n.principle() == v && !IsBlank(n.note());
                    });
    if (addressed) continue;
    missing.push_back(v1::Principle_Name(static_cast<v1::Principle>(v)));
    titles.emplace_back(PrincipleTitle(static_cast<v1::Principle>(v)));
  }
  if (missing.empty()) return absl::OkStatus();
  const std::string list = absl::StrJoin(missing, ",");
  return common::ErrorWithReason(
      absl::StatusCode::kFailedPrecondition,
      kyodo::type::v1::PRINCIPLES_NOT_ADDRESSED,
      absl::StrCat(
          "a 協働型事業 addresses the six principles before it starts; "
          "write a note for ",
          list, " (", absl::StrJoin(titles, "、"), ")"),
      {{"missing", list}});
}

absl::Status CheckRules(const Project& p) {
  KYODO_RETURN_IF_ERROR(CheckParticipantCount(p));
  KYODO_RETURN_IF_ERROR(CheckCooperativeParties(p));
  KYODO_RETURN_IF_ERROR(CheckPatternParties(p));
  if (p.state() != Project::PLANNED) KYODO_RETURN_IF_ERROR(CheckPrinciples(p));
  return absl::OkStatus();
}

}  // namespace kyodo::project::domain
