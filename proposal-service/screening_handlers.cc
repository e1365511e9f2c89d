// Handlers of ScreenProposal (資格審査, by the programme's managers) and
// LinkProject (the consignment project made from an adopted proposal).
#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "proposal-service/domain/screening.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/programme_store.h"
#include "proposal-service/store/proposal_store.h"

namespace kyodo::proposal {

using common::auth::Role;
using common::db::Session;
using v1::Call;
using v1::Proposal;
namespace doc = common::store;

namespace {

// First screening: while the proposal is SUBMITTED, up to the decision.
// Screening again: until the review starts (reviews are of the proposals
// found ELIGIBLE then).
absl::Status CheckScreenable(const Call& c, const Proposal& p) {
  const Proposal::State state = p.state();
  if (state == Proposal::SUBMITTED) return absl::OkStatus();
  if (state != Proposal::ELIGIBLE && state != Proposal::INELIGIBLE) {
    return StateError("PROPOSAL_NOT_SUBMITTED",
                      "only a submitted proposal is screened",
                      Proposal::State_Name(state));
  }
  if (c.state() != Call::OPEN && c.state() != Call::CLOSED) {
    return StateError(
        "REVIEW_STARTED",
        "a screened proposal is screened again only until the review "
        "starts",
        Call::State_Name(c.state()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ScreenProposal(const ServiceDeps& d, const CallContext& call,
                            const v1::ScreenProposalRequest& r, Proposal* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff, Role::kScreener},
                  "screen proposals"));
  if (!r.has_facts()) {
    return common::InvalidArgumentError("facts", "required", "FIELD_REQUIRED");
  }
  KYODO_RETURN_IF_ERROR(domain::ValidateFacts(r.facts(), "facts"));
  ProposalChangeOptions options;
  options.applicant_may = false;
  options.screener_may = true;
  return ChangeProposal(
      d, call, r.name(), "", r.request_id(), r, out, options,
      [&](Session& s, const store::CallRow& c, const Proposal& before,
          Proposal& after) -> absl::Status {
        KYODO_RETURN_IF_ERROR(CheckScreenable(c.call, before));
        KYODO_ASSIGN_OR_RETURN(auto programme,
                               store::GetProgramme(s, c.programme_id));
        if (!programme.has_value())
          return absl::InternalError("call without programme");
        const std::string applicant_id = store::IdOf(before.applicant());
        domain::ApplicantRecords records;
        KYODO_ASSIGN_OR_RETURN(records.proposals_in_call,
                               store::CountOtherSubmitted(
                                   s, store::IdOf(c.call.name()), applicant_id,
                                   store::IdOf(before.name())));
        KYODO_ASSIGN_OR_RETURN(
            records.adoptions_in_programme,
            store::CountAdoptions(s, c.programme_id, applicant_id));
        v1::Screening screening =
            domain::Screen(programme->programme, before, r.facts(), records);
        screening.set_screened_by(call.principal.subject);
        *screening.mutable_screen_time() = doc::ToTimestamp(call.start);
        after.set_state(screening.result() == v1::Screening::ELIGIBLE
                            ? Proposal::ELIGIBLE
                            : Proposal::INELIGIBLE);
        *after.mutable_screening() = std::move(screening);
        return absl::OkStatus();
      });
}

absl::Status LinkProject(const ServiceDeps& d, const CallContext& call,
                         const v1::LinkProjectRequest& r, Proposal* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "link projects"));
  KYODO_RETURN_IF_ERROR(
      common::ParseName("project", r.project(), "projects").status());
  ProposalChangeOptions options;
  options.applicant_may = false;
  options.after_decision = true;
  absl::Status status = ChangeProposal(
      d, call, r.name(), "", r.request_id(), r, out, options,
      [&](Session&, const store::CallRow&, const Proposal& before,
          Proposal& after) -> absl::Status {
        if (before.state() != Proposal::ADOPTED) {
          return StateError(
              "PROPOSAL_NOT_ADOPTED",
              "only an adopted proposal becomes a consignment project",
              Proposal::State_Name(before.state()));
        }
        if (before.project() == r.project()) return Unchanged();
        if (!before.project().empty()) {
          return common::ErrorWithReason(
              absl::StatusCode::kFailedPrecondition, "PROJECT_ALREADY_LINKED",
              absl::StrCat("PROJECT_ALREADY_LINKED: the proposal is linked to ",
                           before.project()),
              {{"project", before.project()}});
        }
        after.set_project(r.project());
        return absl::OkStatus();
      });
  if (!IsUnchanged(status)) return status;
  // Linked already to this very project: the proposal as it is, unchanged
  // (same etag), as if this call had made the link.
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseProposalName("name", r.name()));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetProposal(s, ids.child));
        if (!row.has_value()) return common::NotFoundError(r.name());
        *out = std::move(row->proposal);
        return absl::OkStatus();
      });
}

}  // namespace kyodo::proposal
