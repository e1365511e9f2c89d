// Who may see and change what in proposal-service (see service.h for the
// summary). The rules that need a call's records are computed once per
// request into an Access; the rest are functions of the principal.
//
// Public fields of a proposal (what viewers, and anyone else, see of the
// ranked proposals of a PUBLISHED call: not drafts, not withdrawn ones,
// whose applicants took them back, and not ineligible ones, which took no
// part in the selection): name, applicant,
// co_applicants, title, requested_amount_yen, continues, state,
// submit_time, result (rank, aggregate score, reason: never a reviewer's
// scores) and project. Not public: issue and plan (the applicant's own
// text), the screening (facts gathered from other services), the
// bookkeeping times and the etag.
#ifndef KYODO_PROPOSAL_SERVICE_ACCESS_H_
#define KYODO_PROPOSAL_SERVICE_ACCESS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal.h"
#include "common/db/session.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "proposal-service/store/call_store.h"
#include "proposal-service/store/reviewer_store.h"

namespace kyodo::proposal {

// Admins and ward staff of any ward: they read everything but reviews and
// previews of decisions, so nothing is hidden from them by NOT_FOUND rules.
bool IsStaff(const common::auth::Principal& principal);

// What the caller may do with one call's records.
struct Access {
  // IsStaff(principal).
  bool staff = false;
  // Admin, or ward staff of the call's ward: may change the call's records
  // and read its reviews.
  bool manager = false;
  // The caller's seat on the call's committee (role reviewer, its claim a
  // live member's principal).
  std::optional<store::ReviewerRow> seat;
  v1::Call::State call_state = v1::Call::STATE_UNSPECIFIED;
};

absl::StatusOr<Access> AccessTo(common::db::Session& s,
                                const common::auth::Principal& principal,
                                const store::CallRow& call);
// The same from what it depends on: the call's id, ward and state.
absl::StatusOr<Access> AccessTo(common::db::Session& s,
                                const common::auth::Principal& principal,
                                absl::string_view call_id,
                                kyodo::type::v1::Ward ward,
                                v1::Call::State state);

// Whether the caller sees the call at all (DRAFT calls: staff only).
bool SeesCall(const Access& access);

// Whether the caller may see every submitted proposal of the call, so that
// one that does not exist is NOT_FOUND to it rather than PERMISSION_DENIED.
bool SeesAllProposals(const Access& access);

// How much of one proposal a caller sees.
enum class ProposalView {
  kNone,       // nothing: NOT_FOUND to those who see the call's other
               // proposals (a draft is theirs alone), else PERMISSION_DENIED
  kPublic,     // public fields (above)
  kOwner,      // its applicant (and the notifier, which mails it):
               // everything, the outcome once PUBLISHED
               // (until then ADOPTED and NOT_ADOPTED read ELIGIBLE)
  kCommittee,  // a member of the call's committee: everything, the result
               // once DECIDED
  kStaff,      // everything
};

ProposalView ViewOf(const common::auth::Principal& principal, bool staff,
                    bool sits, v1::Call::State call_state,
                    const v1::Proposal& proposal);
inline ProposalView ViewOf(const common::auth::Principal& principal,
                           const Access& access, const v1::Proposal& proposal) {
  return ViewOf(principal, access.staff, access.seat.has_value(),
                access.call_state, proposal);
}

// Whether a proposal in `state` is shown to the public once its call is
// PUBLISHED (see the top of this file).
bool IsPublished(v1::Proposal::State state);
// The same for one result of a published decision (GetDecision).
bool IsPublishedResult(const v1::ProposalResult& result);

// Clears what `view` may not see. Precondition: view != kNone.
void Redact(ProposalView view, v1::Call::State call_state,
            v1::Proposal* proposal);

}  // namespace kyodo::proposal

#endif  // KYODO_PROPOSAL_SERVICE_ACCESS_H_
