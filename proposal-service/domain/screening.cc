#include "proposal-service/domain/screening.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace kyodo::proposal::domain {
namespace {

using kyodo::partner::v1::PartnerKind;
using kyodo::partner::v1::PartnerKind_Name;
using kyodo::type::v1::Ward_Name;

void Fail(v1::Screening& s, absl::string_view rule, std::string message) {
  v1::RuleFailure* f = s.add_failures();
  f->set_rule(std::string(rule));
  f->set_message(std::move(message));
}

void CheckApplicant(const v1::Programme& programme,
                    const v1::EligibilityFacts& facts, v1::Screening& s) {
  if (!facts.applicant_exists()) {
    Fail(s, "APPLICANT_NOT_FOUND",
         "the applicant has no partner record (or it is deleted)");
    return;
  }
  if (!facts.applicant_active()) {
    Fail(s, "APPLICANT_NOT_ACTIVE",
         "the applicant's partner record is not ACTIVE");
  }
  const auto& kinds = programme.eligible_partner_kinds();
  if (std::find(kinds.begin(), kinds.end(), facts.applicant_kind()) ==
      kinds.end()) {
    std::string eligible;
    for (int kind : kinds) {
      absl::StrAppend(&eligible, eligible.empty() ? "" : ", ",
                      PartnerKind_Name(static_cast<PartnerKind>(kind)));
    }
    Fail(s, "KIND_NOT_ELIGIBLE",
         absl::StrCat("the applicant is a ",
                      PartnerKind_Name(facts.applicant_kind()),
                      "; this programme accepts ", eligible));
  }
  if (programme.same_ward_required() &&
      facts.applicant_ward() != programme.ward()) {
    Fail(
        s, "NOT_IN_WARD",
        absl::StrCat("the applicant must be based in ",
                     Ward_Name(programme.ward()), "; it is based in ",
                     facts.applicant_ward() == kyodo::type::v1::WARD_UNSPECIFIED
                         ? std::string("no ward")
                         : Ward_Name(facts.applicant_ward())));
  }
}

}  // namespace

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
  if (facts.continuation_year() < 1 || facts.continuation_year() > 100) {
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

  CheckApplicant(programme, facts, s);
  const int32_t year = facts.continuation_year();
  if (programme.max_continuation_years() > 0 &&
      year > programme.max_continuation_years()) {
    Fail(s, "CONTINUATION_YEARS_EXCEEDED",
         absl::StrCat("this would be continuation year ", year,
                      "; the programme funds at most ",
                      programme.max_continuation_years(), " years"));
  }
  if (std::optional<int64_t> cap = AmountCapFor(programme, year)) {
    s.set_amount_cap_yen(*cap);
    if (proposal.requested_amount_yen() > *cap) {
      Fail(
          s, "AMOUNT_OVER_CAP",
          absl::StrCat("requested ", FormatYen(proposal.requested_amount_yen()),
                       " yen; the cap in continuation year ", year, " is ",
                       FormatYen(*cap), " yen"));
    }
  }
  if (programme.one_proposal_per_applicant() && records.proposals_in_call > 0) {
    Fail(s, "TOO_MANY_PROPOSALS_IN_CALL",
         absl::StrCat(
             "the applicant already has ", records.proposals_in_call,
             " other submitted proposal(s) in this call; one is allowed"));
  }
  if (programme.lifetime_adoption_limit() > 0 &&
      records.adoptions_in_programme >= programme.lifetime_adoption_limit()) {
    Fail(s, "LIFETIME_LIMIT_REACHED",
         absl::StrCat("the applicant was adopted ",
                      records.adoptions_in_programme,
                      " time(s) under this programme; the limit is ",
                      programme.lifetime_adoption_limit()));
  }
  s.set_result(s.failures_size() == 0 ? v1::Screening::ELIGIBLE
                                      : v1::Screening::INELIGIBLE);
  return s;
}

}  // namespace kyodo::proposal::domain
