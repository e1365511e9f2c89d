#include "proposal-service/access.h"

#include "common/status/macros.h"

namespace kyodo::proposal {

using common::auth::Principal;
using common::auth::Role;

bool IsStaff(const Principal& principal) {
  return principal.role == Role::kAdmin || principal.role == Role::kWardStaff;
}

absl::StatusOr<Access> AccessTo(common::db::Session& s,
                                const Principal& principal,
                                const store::CallRow& call) {
  return AccessTo(s, principal, store::IdOf(call.call.name()), call.call.ward(),
                  call.call.state());
}

absl::StatusOr<Access> AccessTo(common::db::Session& s,
                                const Principal& principal,
                                absl::string_view call_id,
                                kyodo::type::v1::Ward ward,
                                v1::Call::State state) {
  Access access;
  access.staff = IsStaff(principal);
  access.manager = principal.CanManageWard(ward);
  access.call_state = state;
  if (principal.role == Role::kReviewer && !principal.reviewer.empty()) {
    KYODO_ASSIGN_OR_RETURN(access.seat,
                           store::FindSeat(s, call_id, principal.reviewer));
  }
  return access;
}

bool SeesCall(const Access& access) {
  return access.staff || access.call_state != v1::Call::DRAFT;
}

bool SeesAllProposals(const Access& access) {
  return access.staff || (access.call_state != v1::Call::DRAFT &&
                          (access.seat.has_value() ||
                           access.call_state == v1::Call::PUBLISHED));
}

ProposalView ViewOf(const Principal& principal, bool staff, bool sits,
                    v1::Call::State call_state, const v1::Proposal& proposal) {
  if (staff) return ProposalView::kStaff;
  if (principal.role == Role::kApplicant && !principal.partner.empty() &&
      principal.partner == proposal.applicant()) {
    return ProposalView::kOwner;
  }
  const bool submitted = proposal.state() != v1::Proposal::DRAFT;
  // The notifier mails each applicant what that applicant may read.
  if (principal.role == Role::kNotifier && submitted)
    return ProposalView::kOwner;
  if (sits && submitted) return ProposalView::kCommittee;
  if (call_state == v1::Call::PUBLISHED && IsPublished(proposal.state()))
    return ProposalView::kPublic;
  return ProposalView::kNone;
}

bool IsPublished(v1::Proposal::State state) {
  return state != v1::Proposal::DRAFT && state != v1::Proposal::WITHDRAWN &&
         state != v1::Proposal::INELIGIBLE;
}

bool IsPublishedResult(const v1::ProposalResult& result) {
  return result.reason() != v1::ProposalResult::WITHDRAWN &&
         result.reason() != v1::ProposalResult::INELIGIBLE;
}

void Redact(ProposalView view, v1::Call::State call_state, v1::Proposal* p) {
  const bool decided =
      call_state == v1::Call::DECIDED || call_state == v1::Call::PUBLISHED;
  switch (view) {
    case ProposalView::kNone:
    case ProposalView::kStaff:
      return;
    case ProposalView::kCommittee:
      if (!decided) p->clear_result();
      return;
    case ProposalView::kOwner:
      // Until publication the applicant does not learn the outcome, from
      // the result or from anything that follows from it.
      if (call_state != v1::Call::PUBLISHED) {
        p->clear_result();
        p->clear_project();
        if (p->state() == v1::Proposal::ADOPTED ||
            p->state() == v1::Proposal::NOT_ADOPTED) {
          p->set_state(v1::Proposal::ELIGIBLE);
        }
      }
      return;
    case ProposalView::kPublic: {
      v1::Proposal shown;
      shown.set_name(p->name());
      shown.set_applicant(p->applicant());
      *shown.mutable_co_applicants() = p->co_applicants();
      shown.set_title(p->title());
      shown.set_requested_amount_yen(p->requested_amount_yen());
      if (!p->continues().empty()) shown.set_continues(p->continues());
      shown.set_state(p->state());
      if (p->has_submit_time()) *shown.mutable_submit_time() = p->submit_time();
      if (p->has_result()) *shown.mutable_result() = p->result();
      if (!p->project().empty()) shown.set_project(p->project());
      *p = std::move(shown);
      return;
    }
  }
}

}  // namespace kyodo::proposal
