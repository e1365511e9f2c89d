#include "proposal-service/domain/screening.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace kyodo::proposal::domain {
namespace {

using kyodo::partner::v1::PartnerKind;
using kyodo::partner::v1::PartnerKind_Name;
using kyodo::type::v1::Ward_Name;

void Fail(v1::Screening& s, v1::RuleFailure::Rule rule, std::string message) {
  v1::RuleFailure* f = s.add_failures();
  f->set_rule(v1::RuleFailure::Rule_Name(rule));
  f->set_message(std::move(message));
}

std::string KindList(const v1::Programme& programme) {
  std::string eligible;
  for (int kind : programme.eligible_partner_kinds()) {
    absl::StrAppend(&eligible, eligible.empty() ? "" : ", ",
                    PartnerKind_Name(static_cast<PartnerKind>(kind)));
  }
  return eligible;
}

void CheckApplicant(const v1::Programme& programme,
                    const v1::EligibilityFacts& facts, v1::Screening& s) {
  if (!facts.applicant_exists()) {
    Fail(s, v1::RuleFailure::APPLICANT_NOT_FOUND,
         "the applicant has no partner record (or it is deleted)");
    return;
  }
  if (!facts.applicant_active()) {
    Fail(s, v1::RuleFailure::APPLICANT_NOT_ACTIVE,
         "the applicant's partner record is not ACTIVE");
  }
  const auto& kinds = programme.eligible_partner_kinds();
  if (std::find(kinds.begin(), kinds.end(), facts.applicant_kind()) ==
      kinds.end()) {
    Fail(s, v1::RuleFailure::KIND_NOT_ELIGIBLE,
         absl::StrCat("the applicant is a ",
                      PartnerKind_Name(facts.applicant_kind()),
                      "; this programme accepts ", KindList(programme)));
  }
  if (programme.same_ward_required() &&
      facts.applicant_ward() != programme.ward()) {
    Fail(
        s, v1::RuleFailure::NOT_IN_WARD,
        absl::StrCat("the applicant must be based in ",
                     Ward_Name(programme.ward()), "; it is based in ",
                     facts.applicant_ward() == kyodo::type::v1::WARD_UNSPECIFIED
                         ? std::string("no ward")
                         : Ward_Name(facts.applicant_ward())));
  }
}

void CheckCoApplicants(const v1::Programme& programme,
                       const v1::EligibilityFacts& facts, v1::Screening& s) {
  const auto& kinds = programme.eligible_partner_kinds();
  for (const v1::CoApplicantFacts& co : facts.co_applicants()) {
    if (!co.exists()) {
      Fail(s, v1::RuleFailure::CO_APPLICANT_NOT_FOUND,
           absl::StrCat("co-applicant ", co.partner(),
                        " has no partner record (or it is deleted)"));
      continue;
    }
    if (!co.active()) {
      Fail(s, v1::RuleFailure::CO_APPLICANT_NOT_ACTIVE,
           absl::StrCat("co-applicant ", co.partner(),
                        "'s partner record is not ACTIVE"));
    }
    if (std::find(kinds.begin(), kinds.end(), co.kind()) == kinds.end()) {
      Fail(s, v1::RuleFailure::CO_APPLICANT_KIND_NOT_ELIGIBLE,
           absl::StrCat("co-applicant ", co.partner(), " is a ",
                        PartnerKind_Name(co.kind()),
                        "; this programme accepts ", KindList(programme)));
    }
  }
}

void CheckContinued(const v1::Proposal& proposal,
                    const v1::EligibilityFacts& facts, v1::Screening& s) {
  if (proposal.continues().empty()) return;
  if (!facts.continued_project_found()) {
    Fail(s, v1::RuleFailure::CONTINUED_PROJECT_NOT_FOUND,
         absl::StrCat("the project it continues, ", proposal.continues(),
                      ", does not exist or cannot be read"));
  } else if (!facts.continued_project_in_programme()) {
    Fail(s, v1::RuleFailure::CONTINUED_PROJECT_NOT_IN_PROGRAMME,
         absl::StrCat("the project it continues, ", proposal.continues(),
                      ", was not made from a proposal of this programme"));
  }
}

}  // namespace

std::string ContradictedFact(const v1::EligibilityFacts& given,
                             const v1::EligibilityFacts& records,
                             absl::string_view field) {
  auto named = [&](absl::string_view name) {
    return absl::StrCat(field, ".", name);
  };
  if (given.has_applicant_exists() &&
      given.applicant_exists() != records.applicant_exists())
    return named("applicant_exists");
  // Without a record there is no kind or ward to contradict.
  const bool known = records.applicant_exists();
  if (given.has_applicant_active() &&
      given.applicant_active() != records.applicant_active())
    return named("applicant_active");
  if (known && given.has_applicant_kind() &&
      given.applicant_kind() != records.applicant_kind())
    return named("applicant_kind");
  if (known && given.has_applicant_ward() &&
      given.applicant_ward() != records.applicant_ward())
    return named("applicant_ward");
  if (given.has_continuation_year() &&
      given.continuation_year() != records.continuation_year())
    return named("continuation_year");
  if (given.has_continued_project_found() &&
      given.continued_project_found() != records.continued_project_found())
    return named("continued_project_found");
  if (given.has_continued_project_in_programme() &&
      given.continued_project_in_programme() !=
          records.continued_project_in_programme())
    return named("continued_project_in_programme");
  if (given.co_applicants_size() > 0) {
    if (given.co_applicants_size() != records.co_applicants_size())
      return named("co_applicants");
    for (int i = 0; i < given.co_applicants_size(); ++i) {
      const v1::CoApplicantFacts& g = given.co_applicants(i);
      const v1::CoApplicantFacts& r = records.co_applicants(i);
      if ((g.has_partner() && g.partner() != r.partner()) ||
          (g.has_exists() && g.exists() != r.exists()) ||
          (g.has_active() && g.active() != r.active()) ||
          (r.exists() && g.has_kind() && g.kind() != r.kind())) {
        return absl::StrCat(field, ".co_applicants[", i, "]");
      }
    }
  }
  return "";
}

std::string FormatYen(int64_t amount) {
  std::string digits = absl::StrCat(amount < 0 ? -amount : amount);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return amount < 0 ? absl::StrCat("-", out) : out;
}

std::optional<int64_t> AmountCapFor(const v1::Programme& programme,
                                    int32_t continuation_year) {
  std::optional<int64_t> cap;
  int32_t best_year = 0;
  for (const v1::AmountCap& entry : programme.amount_caps()) {
    if (entry.continuation_year() <= continuation_year &&
        entry.continuation_year() > best_year) {
      best_year = entry.continuation_year();
      cap = entry.max_amount_yen();
    }
  }
  return cap;
}

absl::Status ValidateFacts(const v1::EligibilityFacts& facts,
                           absl::string_view field) {
  if (facts.has_continuation_year() &&
      (facts.continuation_year() < 1 || facts.continuation_year() > 100)) {
    return common::InvalidArgumentError(
        absl::StrCat(field, ".continuation_year"),
        "must be 1..100 (1 = a new project, 2 = its second year...)");
  }
  return absl::OkStatus();
}

v1::Screening Screen(const v1::Programme& programme,
                     const v1::Proposal& proposal,
                     const v1::EligibilityFacts& facts,
                     const ApplicantRecords& records) {
  v1::Screening s;
  *s.mutable_facts() = facts;
  s.set_applicant_proposals_in_call(records.proposals_in_call);
  s.set_applicant_adoptions_in_programme(records.adoptions_in_programme);
  if (programme.yearly_adoption_limit() > 0) {
    s.set_applicant_adoptions_in_fiscal_year(records.adoptions_in_fiscal_year);
  }

  CheckApplicant(programme, facts, s);
  CheckCoApplicants(programme, facts, s);
  CheckContinued(proposal, facts, s);
  const int32_t year = std::max(1, facts.continuation_year());
  if (programme.max_continuation_years() > 0 &&
      year > programme.max_continuation_years()) {
    Fail(s, v1::RuleFailure::CONTINUATION_YEARS_EXCEEDED,
         absl::StrCat("this would be continuation year ", year,
                      "; the programme funds at most ",
                      programme.max_continuation_years(), " years"));
  }
  if (std::optional<int64_t> cap = AmountCapFor(programme, year)) {
    s.set_amount_cap_yen(*cap);
    if (proposal.requested_amount_yen() > *cap) {
      Fail(
          s, v1::RuleFailure::AMOUNT_OVER_CAP,
          absl::StrCat("requested ", FormatYen(proposal.requested_amount_yen()),
                       " yen; the cap in continuation year ", year, " is ",
                       FormatYen(*cap), " yen"));
    }
  }
  // The applicant first, then each co-applicant in order.
  std::vector<std::pair<std::string, PartyRecords>> parties = {
      {"the applicant",
       PartyRecords{records.proposals_in_call, records.adoptions_in_programme,
                    records.adoptions_in_fiscal_year}}};
  for (size_t i = 0; i < records.co_applicants.size(); ++i) {
    const int index = static_cast<int>(i);
    parties.emplace_back(
        absl::StrCat("co-applicant ", index < proposal.co_applicants_size()
                                          ? proposal.co_applicants(index)
                                          : std::string("?")),
        records.co_applicants[i]);
  }
  if (programme.one_proposal_per_applicant()) {
    for (const auto& [who, party] : parties) {
      if (party.proposals_in_call == 0) continue;
      Fail(s, v1::RuleFailure::TOO_MANY_PROPOSALS_IN_CALL,
           absl::StrCat(who, " is already a party to ", party.proposals_in_call,
                        " other submitted proposal(s) in this call; one is "
                        "allowed"));
    }
  }
  if (programme.lifetime_adoption_limit() > 0) {
    for (const auto& [who, party] : parties) {
      if (party.adoptions_in_programme < programme.lifetime_adoption_limit())
        continue;
      Fail(s, v1::RuleFailure::LIFETIME_LIMIT_REACHED,
           absl::StrCat(who, " was adopted ", party.adoptions_in_programme,
                        " time(s) under this programme; the limit is ",
                        programme.lifetime_adoption_limit()));
    }
  }
  if (programme.yearly_adoption_limit() > 0) {
    for (const auto& [who, party] : parties) {
      if (party.adoptions_in_fiscal_year < programme.yearly_adoption_limit())
        continue;
      Fail(s, v1::RuleFailure::YEARLY_LIMIT_REACHED,
           absl::StrCat(who, " was adopted ", party.adoptions_in_fiscal_year,
                        " time(s) under this programme in this fiscal year; "
                        "the limit is ",
                        programme.yearly_adoption_limit(), " a year"));
    }
  }
  s.set_result(s.failures_size() == 0 ? v1::Screening::ELIGIBLE
                                      : v1::Screening::INELIGIBLE);
  return s;
}

}  // namespace kyodo::proposal::domain
