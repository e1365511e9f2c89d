// Screening (資格審査) of a proposal against its programme's rules (要綱).
//
// Screen applies EVERY rule and reports every failure, so one answer tells
// the applicant all that is wrong. The facts held by other services (the
// applicant's record, the continuation year) are gathered by the handler
// (screening_handlers.cc) from those services; the facts this service holds
// (the applicant's other proposals in the call, its adoptions under the
// programme) are counted by the handler from the store. Pure: no
// database, no gRPC.
//
// Rules and their reasons (RuleFailure.rule):
//   APPLICANT_NOT_FOUND          the applicant does not exist; the three
//                                rules below need its record and are then
//                                not applied (they could only repeat it)
//   APPLICANT_NOT_ACTIVE         its partner record is not ACTIVE
//   KIND_NOT_ELIGIBLE            its kind is not an eligible partner kind
//   NOT_IN_WARD                  same_ward_required and it is based in
//                                another ward (or none)
//   CO_APPLICANT_NOT_FOUND       a co-applicant has no partner record (or
//                                it is deleted); one failure per
//                                co-applicant, and the two rules below are
//                                then not applied to it
//   CO_APPLICANT_NOT_ACTIVE      a co-applicant's record is not ACTIVE
//   CO_APPLICANT_KIND_NOT_ELIGIBLE  a co-applicant's kind is not eligible
//   CONTINUED_PROJECT_NOT_FOUND  the project named in `continues` does not
//                                exist, is deleted or cannot be read
//   CONTINUED_PROJECT_NOT_IN_PROGRAMME  it was not made from a proposal of
//                                this programme
//   CONTINUATION_YEARS_EXCEEDED  continuation_year > max_continuation_years
//   AMOUNT_OVER_CAP              requested more than the cap of its
//                                continuation year
//   TOO_MANY_PROPOSALS_IN_CALL   one_proposal_per_applicant and a party
//                                (the applicant or a co-applicant) is a
//                                party to another live (submitted, not
//                                withdrawn) proposal in the call; one
//                                failure per such party
//   LIFETIME_LIMIT_REACHED       a party's adoptions (as any party) under
//                                the programme reached
//                                lifetime_adoption_limit; one per party
//   YEARLY_LIMIT_REACHED         a party's adoptions (as any party) under
//                                the programme in the call's fiscal year
//                                reached yearly_adoption_limit; one per
//                                party
#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_SCREENING_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_SCREENING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::proposal::domain {

// What this service's own records say about one party of the proposal.
struct PartyRecords {
  // Other proposals in the same call it is a party to (applicant or
  // co-applicant) that are submitted (SUBMITTED, ELIGIBLE, INELIGIBLE,
  // ADOPTED, NOT_ADOPTED): not drafts, not withdrawn, not deleted.
  int32_t proposals_in_call = 0;
  // ADOPTED proposals under the programme, in any call, it is a party to.
  int32_t adoptions_in_programme = 0;
  // Those of them in calls of the call's fiscal year.
  int32_t adoptions_in_fiscal_year = 0;
};

// The applicant's records and each co-applicant's, in the proposal's
// order.
struct ApplicantRecords {
  int32_t proposals_in_call = 0;
  int32_t adoptions_in_programme = 0;
  int32_t adoptions_in_fiscal_year = 0;
  std::vector<PartyRecords> co_applicants;
};

// The cap for a proposal in its `continuation_year`-th year: the amount of
// the cap entry with the highest year not above it; nullopt when no entry
// applies (no cap).
std::optional<int64_t> AmountCapFor(const v1::Programme& programme,
                                    int32_t continuation_year);

// INVALID_ARGUMENT naming e.g. "facts.continuation_year" unless the facts
// are usable: continuation_year, when given, 1..100 (1 = a new project).
absl::Status ValidateFacts(const v1::EligibilityFacts& facts,
                           absl::string_view field);

// The screening of `proposal` under `programme` given `facts` and
// `records`: result, every failure in the order of the rule list above
// (co-applicants' and parties' failures in the proposal's order),
// the facts, the added facts and the cap that applied. screened_by and
// screen_time are left to the caller. Precondition: ValidateFacts is OK.
v1::Screening Screen(const v1::Programme& programme,
                     const v1::Proposal& proposal,
                     const v1::EligibilityFacts& facts,
                     const ApplicantRecords& records);

// "1,234,567".
std::string FormatYen(int64_t amount);

// The first field of `given` (as set by a caller) that differs from
// `records` (as gathered), named under `field`, e.g.
// "facts.applicant_active"; "" when none does. source_note is not compared,
// nor a kind or ward the records cannot know (no partner record).
std::string ContradictedFact(const v1::EligibilityFacts& given,
                             const v1::EligibilityFacts& records,
                             absl::string_view field);

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_SCREENING_H_
