// SQL for committee members (審査会の委員) of a call.
//
// A reviewer's document keeps its DECLARED conflicts only; AFFILIATION
// conflicts follow from the proposals' parties and are computed by the
// caller whenever a reviewer is shown or a review counted
// (PartnersConflicts below).
#ifndef KYODO_PROPOSAL_SERVICE_STORE_REVIEWER_STORE_H_
#define KYODO_PROPOSAL_SERVICE_STORE_REVIEWER_STORE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::proposal::store {

struct ReviewerRow {
  int64_t seq = 0;
  int64_t version = 0;
  std::string call_id;
  v1::Reviewer reviewer;  // with name, times, etag; DECLARED conflicts only
};

absl::StatusOr<std::optional<ReviewerRow>> GetReviewer(common::db::Session& s,
                                                       absl::string_view id,
                                                       bool for_update = false);

// The member of call `call_id` whose principal is `principal` and that is
// not deleted, or nullopt.
absl::StatusOr<std::optional<ReviewerRow>> FindSeat(
    common::db::Session& s, absl::string_view call_id,
    absl::string_view principal);

// Inserts `reviewer` (name and times set) as version 1. ALREADY_EXISTS
// REVIEWER_PRINCIPAL_TAKEN when another live member of the call has its
// principal.
absl::Status InsertReviewer(common::db::Session& s,
                            const v1::Reviewer& reviewer);

// Writes `reviewer` over row version `version`; ABORTED when it moved on,
// ALREADY_EXISTS as for InsertReviewer.
absl::Status UpdateReviewer(common::db::Session& s,
                            const v1::Reviewer& reviewer, int64_t version);

// A keyset page of the call's members by seq.
absl::StatusOr<std::vector<ReviewerRow>> ListReviewers(
    common::db::Session& s, absl::string_view call_id, bool show_deleted,
    int64_t after_seq, int limit);

// Every member of the call that is not deleted, by seq.
absl::StatusOr<std::vector<ReviewerRow>> LiveReviewers(
    common::db::Session& s, absl::string_view call_id);

// The ids of the calls where `principal` is a live member of the committee.
absl::StatusOr<std::vector<std::string>> SeatCalls(common::db::Session& s,
                                                   absl::string_view principal);

// The non-draft, non-deleted proposals of call `call_id` that have one of
// `partner_ids` as applicant or co-applicant, as (proposal id, partner id)
// pairs ordered by both: the conflicts a member's affiliations and related
// parties imply.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ProposalsWithParties(common::db::Session& s, absl::string_view call_id,
                     const std::vector<std::string>& partner_ids);

}  // namespace kyodo::proposal::store

#endif  // KYODO_PROPOSAL_SERVICE_STORE_REVIEWER_STORE_H_
