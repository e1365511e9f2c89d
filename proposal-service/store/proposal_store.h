// SQL for proposals and their parties.
#ifndef KYODO_PROPOSAL_SERVICE_STORE_PROPOSAL_STORE_H_
#define KYODO_PROPOSAL_SERVICE_STORE_PROPOSAL_STORE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/session.h"
#include "common/paging/filter.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::proposal::store {

struct ProposalRow {
  int64_t seq = 0;
  int64_t version = 0;
  std::string programme_id;
  std::string call_id;
  // The call's state: set by ListProposals only.
  v1::Call::State call_state = v1::Call::STATE_UNSPECIFIED;
  v1::Proposal proposal;  // with name, state, times and etag
};

absl::StatusOr<std::optional<ProposalRow>> GetProposal(common::db::Session& s,
                                                       absl::string_view id,
                                                       bool for_update = false);

// The proposal with `id` with what reading it depends on of its call, in
// one query (GetProposal's read); nullopt when either row is missing.
struct ProposalInCall {
  ProposalRow row;  // call_state set
  std::string call_programme_id;
  kyodo::type::v1::Ward call_ward = kyodo::type::v1::WARD_UNSPECIFIED;
};
absl::StatusOr<std::optional<ProposalInCall>> GetProposalInCall(
    common::db::Session& s, absl::string_view id);

// Inserts `proposal` (name, state and times set) as version 1 with its
// parties; `ward` and `fiscal_year` are its call's.
absl::Status InsertProposal(common::db::Session& s,
                            const v1::Proposal& proposal,
                            kyodo::type::v1::Ward ward, int32_t fiscal_year);

// Writes `proposal` over row version `version`; ABORTED when it moved on.
// The parties are left alone: see ReplaceParties.
absl::Status UpdateProposal(common::db::Session& s,
                            const v1::Proposal& proposal, int64_t version);

// Makes the stored parties of `proposal` its applicant and co-applicants.
// The decision's write of one proposal (its result, and ADOPTED or
// NOT_ADOPTED): version and update_time stay as they were, so that nothing
// the applicant reads of its proposal (etag, update_time) changes before
// publication. EtagMismatchError when `version` is not the stored one.
absl::Status RecordResult(common::db::Session& s, const v1::Proposal& proposal,
                          int64_t version);

// Publication: every non-draft, live proposal of the call gets a new
// version and update_time `when` (its applicant now reads its outcome).
absl::Status TouchDecided(common::db::Session& s, absl::string_view call_id,
                          absl::Time when);

absl::Status ReplaceParties(common::db::Session& s,
                            const v1::Proposal& proposal);

// Which proposals a List may return besides the parent and filter.
struct ProposalQuery {
  enum class Scope {
    kAll,
    // Non-draft proposals of the calls where `principal` sits on the
    // committee, and of PUBLISHED calls.
    kSeatsOrPublished,
    // The proposals of applicant `applicant_id`, and the non-draft ones of
    // PUBLISHED calls.
    kOwnOrPublished,
    // Non-draft proposals of PUBLISHED calls.
    kPublished,
  };
  std::string programme_id;  // "" = any
  std::string call_id;       // "" = any
  bool show_deleted = false;
  Scope scope = Scope::kPublished;
  std::string principal;
  std::string applicant_id;
};

// A keyset page by seq, with each row's call_state.
absl::StatusOr<std::vector<ProposalRow>> ListProposals(
    common::db::Session& s, const ProposalQuery& query,
    const common::paging::SqlFilter& filter, int64_t after_seq, int limit);

// The rows ListProposals would give for `query` and `filter`, counted and
// their requested yen summed by state, in SQL; an applicant's rows by the
// state it reads (see ApplicantFilterFields).
absl::StatusOr<v1::ProposalSummary> SummarizeProposals(
    common::db::Session& s, const ProposalQuery& query,
    const common::paging::SqlFilter& filter);

// state, applicant, ward, fiscal_year, project, create_time, update_time.
const std::vector<common::paging::FilterField>& ProposalFilterFields();
// The same for applicants: `state` is the state as the applicant reads it
// (ADOPTED and NOT_ADOPTED read ELIGIBLE until the call is PUBLISHED), so
// that filtering on it tells nothing before publication.
const std::vector<common::paging::FilterField>& ApplicantFilterFields();

// How many live DRAFT proposals `applicant_id` has in call `call_id`.
absl::StatusOr<int32_t> CountDrafts(common::db::Session& s,
                                    absl::string_view call_id,
                                    absl::string_view applicant_id);

// How many proposals in call `call_id` that `applicant_id` is a party to
// (applicant or co-applicant), other than `exclude_id`, are submitted and
// live (not DRAFT, not WITHDRAWN, not deleted).
absl::StatusOr<int32_t> CountOtherSubmitted(common::db::Session& s,
                                            absl::string_view call_id,
                                            absl::string_view applicant_id,
                                            absl::string_view exclude_id);

// How many proposals under programme `programme_id` that `applicant_id` is
// a party to (applicant or co-applicant) were ADOPTED in calls whose
// results are PUBLISHED. An adoption decided but not yet published does not
// count: the count is stored in the screening, which the applicant reads,
// and would tell it the outcome early. `in_fiscal_year` counts those of
// them in calls of fiscal year `fiscal_year`.
struct AdoptionCounts {
  int32_t in_programme = 0;
  int32_t in_fiscal_year = 0;
};
absl::StatusOr<AdoptionCounts> CountAdoptions(common::db::Session& s,
                                              absl::string_view programme_id,
                                              absl::string_view applicant_id,
                                              int32_t fiscal_year);

// What the decision needs of each non-draft, non-deleted proposal of a
// call: columns only, no document.
struct CandidateRow {
  std::string id;
  v1::Proposal::State state = v1::Proposal::STATE_UNSPECIFIED;
  int64_t requested_amount_yen = 0;
  absl::Time submit_time;
  std::string title;
  std::string applicant_id;
  int32_t stages_passed = 0;  // earlier stages passed (AdvanceStage)
};
absl::StatusOr<std::vector<CandidateRow>> DecisionCandidates(
    common::db::Session& s, absl::string_view call_id);

// (proposal id, partner id) of every party of the call's proposals.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> PartiesOfCall(
    common::db::Session& s, absl::string_view call_id);

// Records that proposals `ids` of call `call_id` passed `stages_passed`
// earlier stages (AdvanceStage). The column is never in a document: no
// applicant reads it.
absl::Status SetStagesPassed(common::db::Session& s, absl::string_view call_id,
                             const std::vector<std::string>& ids,
                             int32_t stages_passed);

// How many earlier stages proposal `id` passed.
absl::StatusOr<int32_t> StagesPassed(common::db::Session& s,
                                     absl::string_view id);

// The non-draft, non-deleted proposals of a call, whole.
absl::StatusOr<std::vector<ProposalRow>> ProposalsOfCall(
    common::db::Session& s, absl::string_view call_id);

}  // namespace kyodo::proposal::store

#endif  // KYODO_PROPOSAL_SERVICE_STORE_PROPOSAL_STORE_H_
