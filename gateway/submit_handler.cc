// Gateway.SubmitProposal: submit, gather the facts other services hold,
// screen.
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/idempotency/idempotency.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/validate/request.h"
#include "gateway/domain/continuation.h"
#include "gateway/handlers.h"

namespace kyodo::gateway {
namespace {

namespace pv1 = proposal::v1;

// `programmes/{p}/calls/{c}/proposals/{x}` -> its call and programme names.
struct Parents {
  std::string call;
  std::string programme;
};

absl::StatusOr<Parents> ParentsOf(const std::string& proposal) {
  KYODO_ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      common::ParseNestedName("name", proposal,
                              "programmes/*/calls/*/proposals/*"));
  return Parents{absl::StrCat("programmes/", ids[0], "/calls/", ids[1]),
                 absl::StrCat("programmes/", ids[0])};
}

// Fiscal years in which this applicant, or the chain of projects the
// proposal continues, was funded under `programme`.
absl::StatusOr<std::set<int>> AdoptedYears(const GatewayDeps& d,
                                           const CallContext& call,
                                           const pv1::Proposal& proposal,
                                           const std::string& programme,
                                           std::vector<std::string>* sources) {
  std::set<int> years;
  const std::string filter =
      absl::StrCat("source_programme = \"", programme, "\" AND lead = \"",
                   proposal.applicant(), "\"");
  KYODO_ASSIGN_OR_RETURN(std::vector<project::v1::Project> own,
                         d.projects->List(call, filter, 200));
  for (const auto& p : own) {
    if (p.state() == project::v1::Project::CANCELLED || p.has_delete_time())
      continue;
    years.insert(p.start_fiscal_year());
    sources->push_back(
        absl::StrCat(p.name(), " (", p.start_fiscal_year(), ")"));
  }
  // Follow `continues` back through earlier proposals of the programme.
  std::string next = proposal.continues();
  for (int step = 0; !next.empty() && step < 20; ++step) {
    KYODO_ASSIGN_OR_RETURN(project::v1::Project p, d.projects->Get(call, next));
    if (!absl::StartsWith(p.source_proposal(), programme + "/")) break;
    if (p.state() != project::v1::Project::CANCELLED) {
      years.insert(p.start_fiscal_year());
      sources->push_back(
          absl::StrCat(p.name(), " (", p.start_fiscal_year(), ", continued)"));
    }
    KYODO_ASSIGN_OR_RETURN(pv1::Proposal earlier,
                           d.proposals->GetProposal(call, p.source_proposal()));
    next = earlier.continues();
  }
  return years;
}

absl::StatusOr<pv1::EligibilityFacts> GatherFacts(const GatewayDeps& d,
                                                  const CallContext& call,
                                                  const pv1::Proposal& proposal,
                                                  const Parents& parents) {
  pv1::EligibilityFacts facts;
  absl::StatusOr<partner::v1::Partner> applicant =
      d.partners->Get(call, proposal.applicant());
  if (applicant.ok()) {
    facts.set_applicant_exists(!applicant->has_delete_time());
    facts.set_applicant_active(applicant->state() ==
                                   partner::v1::Partner::ACTIVE &&
                               !applicant->has_delete_time());
    facts.set_applicant_kind(applicant->kind());
    if (applicant->has_ward()) facts.set_applicant_ward(applicant->ward());
  } else if (applicant.status().code() == absl::StatusCode::kNotFound) {
    facts.set_applicant_exists(false);
    facts.set_applicant_active(false);
  } else {
    return applicant.status();
  }
  KYODO_ASSIGN_OR_RETURN(pv1::Call c, d.proposals->GetCall(call, parents.call));
  std::vector<std::string> sources;
  KYODO_ASSIGN_OR_RETURN(
      std::set<int> years,
      AdoptedYears(d, call, proposal, parents.programme, &sources));
  facts.set_continuation_year(domain::ContinuationYear(c.fiscal_year(), years));
  facts.set_source_note(
      sources.empty()
          ? "no earlier projects under this programme"
          : absl::StrCat("earlier projects: ", absl::StrJoin(sources, ", ")));
  return facts;
}

}  // namespace

absl::Status SubmitProposal(const GatewayDeps& d, const CallContext& call,
                            const v1::SubmitProposalRequest& r,
                            v1::SubmitProposalResponse* out) {
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_ASSIGN_OR_RETURN(Parents parents, ParentsOf(r.name()));
  // Without a request id, one per attempt: then only this attempt is
  // protected against duplicates.
  const std::string key =
      r.request_id().empty() ? call.call_id : r.request_id();
  KYODO_ASSIGN_OR_RETURN(
      pv1::Proposal submitted,
      d.proposals->Submit(
          call, r.name(), r.etag(),
          common::idempotency::DeriveRequestId(absl::StrCat("submit/", key))));
  KYODO_ASSIGN_OR_RETURN(pv1::EligibilityFacts facts,
                         GatherFacts(d, call, submitted, parents));
  // Keyed by the facts too: a retry after the facts changed screens again
  // with the new ones rather than failing as a reused request id.
  KYODO_ASSIGN_OR_RETURN(
      pv1::Proposal screened,
      d.proposals->Screen(
          call, r.name(), facts,
          common::idempotency::DeriveRequestId(
              absl::StrCat("screen/", key, "/", facts.SerializeAsString()))));
  *out->mutable_proposal() = std::move(screened);
  return absl::OkStatus();
}

}  // namespace kyodo::gateway
