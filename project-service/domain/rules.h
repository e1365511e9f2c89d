// The rules of collaboration projects (協働・連携事業) that need no database
// and no network: what a valid project looks like, the rules docs/DOMAIN.md
// states (two parties, the parties and principles of a 協働型事業, outcomes
// before the review) and the state machine
//
//   PLANNED -> ACTIVE -> COMPLETED -> REVIEWED,  PLANNED | ACTIVE -> CANCELLED.
//
// Pure functions over the API messages; partner facts come in as the
// partner-service records the caller fetched. Errors: INVALID_ARGUMENT naming
// the request field for bad input, FAILED_PRECONDITION naming the rule
// (ErrorInfo reason) for what the project's state or parties forbid.
#ifndef KYODO_PROJECT_SERVICE_DOMAIN_RULES_H_
#define KYODO_PROJECT_SERVICE_DOMAIN_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::project::domain {

using PartnersByName =
    absl::flat_hash_map<std::string, kyodo::partner::v1::Partner>;

// True when `text` holds nothing but white space (ASCII or the ideographic
// space U+3000).
bool IsBlank(absl::string_view text);

// Whether the public may see `project` and its public documents: started
// (ACTIVE, COMPLETED or REVIEWED) and not deleted. The gateway's open data
// (gateway/domain/open_data.h, IsPublishedProject) publishes the same ones.
bool IsPublished(const kyodo::project::v1::Project& project);

// Programme COOPERATIVE_PROJECT implies cooperative_project.
void Normalise(kyodo::project::v1::Project& project);

// The input checks of a project as Create and Update write it; `field` is
// its path in the request ("project"). INVALID_ARGUMENT naming the field:
// title, issue and programme required; patterns and principles known and
// unique; fiscal_year 1900..9999 or a valid (possibly partial) period whose
// end is not before its start; participants well-named, with a role, each
// partner once; contributions with a form, amounts only on money forms and
// never negative, from/to partners among the participants; outcomes named,
// with a finite value; source_proposal and agreement well-formed names.
absl::Status ValidateProject(const kyodo::project::v1::Project& project,
                             absl::string_view field);

// The participants alone (as ValidateProject checks them), for a handler
// that must ask partner-service about them before anything else.
absl::Status ValidateParticipants(const kyodo::project::v1::Project& project,
                                  absl::string_view field);

// Outcome indicators under `field` (e.g. "project.outcomes").
absl::Status ValidateOutcomes(
    const google::protobuf::RepeatedPtrField<
        kyodo::project::v1::OutcomeIndicator>& outcomes,
    absl::string_view field);

// FAILED_PRECONDITION PARTICIPANTS_TOO_FEW below two (distinct) parties.
absl::Status CheckParticipantCount(const kyodo::project::v1::Project& project);

// The partner names of the participants, in order.
std::vector<std::string> ParticipantNames(
    const kyodo::project::v1::Project& project);

// Checks every participant against its partner-service record and copies
// display_name, partner_kind and ward into it. FAILED_PRECONDITION
// PARTICIPANT_NOT_FOUND (no record), PARTICIPANT_NOT_ACTIVE (deleted or
// INACTIVE), CITY_ROLE_NEEDS_CITY_UNIT (role CITY on another kind); metadata
// `partner` names the participant.
absl::Status ApplyPartners(const PartnersByName& partners,
                           kyodo::project::v1::Project& project);

// Fills the derived output fields: wards (of the CITY_UNIT participants, in
// enum order) and start_fiscal_year.
void Derive(kyodo::project::v1::Project& project);

// The fiscal year the project starts in: fiscal_year, or that of
// period.start_date when it has at least a month; nullopt otherwise (a year
// alone straddles two 年度).
std::optional<int> StartFiscalYear(const kyodo::project::v1::Project& project);

// A 協働型事業 has a CIVIC_GROUP and a CITY_UNIT party: FAILED_PRECONDITION
// COOPERATIVE_PROJECT_NEEDS_CIVIC_GROUP_AND_CITY. Other projects pass.
absl::Status CheckCooperativeParties(
    const kyodo::project::v1::Project& project);

// University patterns (大学との連携の取組パターン ①-④) describe work with a
// university: a project listing any has a UNIVERSITY party, else
// FAILED_PRECONDITION PATTERNS_NEED_UNIVERSITY. Needs the participants'
// partner_kind (ApplyPartners). Projects without patterns pass.
absl::Status CheckPatternParties(const kyodo::project::v1::Project& project);

// A 協働型事業 addresses all six principles with non-blank notes:
// FAILED_PRECONDITION PRINCIPLES_NOT_ADDRESSED, metadata `missing` listing
// the principles (comma-separated enum names). Other projects pass.
absl::Status CheckPrinciples(const kyodo::project::v1::Project& project);

// Every rule a stored project must satisfy in its state: two parties, the
// parties of a 協働型事業, a UNIVERSITY party for university patterns, and,
// once it has left PLANNED, its principles.
absl::Status CheckRules(const kyodo::project::v1::Project& project);

// Update may change the project: FAILED_PRECONDITION PROJECT_DELETED, or
// PROJECT_CLOSED once REVIEWED or CANCELLED.
absl::Status CheckEditable(const kyodo::project::v1::Project& project);

// source_proposal is immutable once set: FAILED_PRECONDITION
// SOURCE_PROPOSAL_IMMUTABLE.
absl::Status CheckSourceProposalKept(const kyodo::project::v1::Project& before,
                                     const kyodo::project::v1::Project& after);

// The proposal a project names as its source_proposal, as proposal-service
// answered it (to the caller), with its call's fiscal year.
struct SourceProposal {
  kyodo::proposal::v1::Proposal proposal;
  int32_t fiscal_year = 0;
};

// A project may be made from `source` (nullopt: it does not exist or
// cannot be read) only as the decision allows (issue 13; FAILED_PRECONDITION
// with metadata `source_proposal`):
//   SOURCE_PROPOSAL_NOT_FOUND    the proposal does not exist, or cannot be
//                                read by the caller
//   SOURCE_PROPOSAL_NOT_ADOPTED  it is not ADOPTED
//   SOURCE_PROPOSAL_MISMATCH     the project's LEAD is not its applicant,
//                                its start_fiscal_year (when known) is not
//                                the call's fiscal year, or its CONSIGNMENT
//                                contributions add up to more than the
//                                adopted amount
absl::Status CheckSourceProposal(const kyodo::project::v1::Project& project,
                                 const std::optional<SourceProposal>& source);

// The transitions. Each refuses a deleted project (PROJECT_DELETED) and a
// project in another state (WRONG_STATE, metadata `state` and `allowed`),
// then changes `project`.
// PLANNED -> ACTIVE, after CheckRules of the started project.
absl::Status Start(kyodo::project::v1::Project& project);
// ACTIVE -> COMPLETED.
absl::Status Complete(kyodo::project::v1::Project& project);

// What ReviewProject records.
struct ReviewInput {
  std::string text;
  // Appended to the project's outcomes.
  std::vector<kyodo::project::v1::OutcomeIndicator> outcomes;
  std::string reviewed_by;
  google::protobuf::Timestamp review_time;
};
// The request checks of ReviewProject: review_text required (INVALID_ARGUMENT
// naming `review_text`), outcomes valid (`outcomes[i]...`).
absl::Status ValidateReview(
    absl::string_view text,
    const google::protobuf::RepeatedPtrField<
        kyodo::project::v1::OutcomeIndicator>& outcomes);
// COMPLETED -> REVIEWED with the review; FAILED_PRECONDITION
// OUTCOMES_REQUIRED when no outcome indicator is recorded or given.
absl::Status Review(kyodo::project::v1::Project& project,
                    const ReviewInput& review);
// PLANNED or ACTIVE -> CANCELLED, keeping `reason`.
absl::Status Cancel(kyodo::project::v1::Project& project,
                    absl::string_view reason);
// Soft delete, PLANNED or CANCELLED only; ALREADY_DELETED when deleted.
absl::Status Delete(kyodo::project::v1::Project& project,
                    const google::protobuf::Timestamp& now);

}  // namespace kyodo::project::domain

#endif  // KYODO_PROJECT_SERVICE_DOMAIN_RULES_H_
