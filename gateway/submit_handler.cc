// Gateway.SubmitProposal: submit, then screen (資格審査) on the gateway's own
// authority. proposal-service gathers the screening's facts from the
// records itself (partner-service, project-service, its own store), so a
// proposal naming an unknown project, or unknown or inactive co-applicants,
// is screened INELIGIBLE with the failed rules (CONTINUED_PROJECT_NOT_FOUND,
// CO_APPLICANT_NOT_FOUND, ...) rather than left SUBMITTED and unscreened,
// where it would block the decision (NOT_SCREENED).
//
// Both steps carry request ids derived from the caller's request_id (or the
// call id) under the gateway's secret: a retry of a call that failed between
// them (the one failure left: a service that cannot answer) submits nothing
// twice and finishes the screening.
#include "absl/strings/str_cat.h"
#include "common/resource/names.h"
#include "common/status/macros.h"
#include "common/validate/request.h"
#include "gateway/handlers.h"

namespace kyodo::gateway {

using common::server::CallContext;

namespace pv1 = proposal::v1;

absl::Status SubmitProposal(const GatewayDeps& d, const CallContext& call,
                            const v1::SubmitProposalRequest& r,
                            v1::SubmitProposalResponse* out) {
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_RETURN_IF_ERROR(
      common::ParseNestedName("name", r.name(),
                              "programmes/*/calls/*/proposals/*")
          .status());
  // Without a request id, one per attempt: then only this attempt is
  // protected against duplicates. The screening runs as the gateway, for
  // every caller: its key names the caller and the proposal too, so two
  // callers' request ids never meet there.
  const std::string key =
      absl::StrCat(r.name(), "/", call.principal.subject, "/",
                   r.request_id().empty() ? call.call_id : r.request_id());
  KYODO_RETURN_IF_ERROR(
      d.proposals
          ->Submit(call, r.name(), r.etag(),
                   StepRequestId(d, absl::StrCat("submit/", key)))
          .status());
  KYODO_ASSIGN_OR_RETURN(
      pv1::Proposal screened,
      d.proposals->Screen(call, r.name(),
                          StepRequestId(d, absl::StrCat("screen/", key))));
  *out->mutable_proposal() = std::move(screened);
  return absl::OkStatus();
}

}  // namespace kyodo::gateway
