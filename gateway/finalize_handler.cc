// Gateway.FinalizeCall (the decision) and Gateway.PublishResults
// (publication, then one consignment project per adopted proposal, linked
// back). The projects are made only once the results are published: until
// then nothing outside proposal-service's staff and committee views may
// follow from the outcome (a project names its lead and the adopted yen; a
// link changes the proposal's etag). Every step is keyed so that running
// either again after a failure anywhere completes the work without
// duplicates:
// The request ids are HMACs of the step names under the gateway's secret
// (StepRequestId), and request ids are scoped to the caller and method, so
// no applicant can send one of them first and block a step (issue 13).
//   DecideCall        request id from the call and the committee's rulings
//                     (replay: the same decision; already decided by
//                     anyone: GetDecision, refused as ALREADY_DECIDED when
//                     it does not carry the rulings asked for)
//   PublishResults    request id from the call    (already published by
//                     anyone: go on)
//   CreateProject     request id from the proposal (and project-service
//                     refuses a second project for one proposal, naming the
//                     first, which is then used)
//   LinkProject       request id from proposal and project (idempotent)
#include "absl/strings/str_cat.h"
#include "common/crypto/sha256.h"
#include "common/idempotency/idempotency.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/validate/request.h"
#include "gateway/handlers.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"

namespace kyodo::gateway {

using common::server::CallContext;
namespace {

namespace pv1 = proposal::v1;
namespace prv1 = project::v1;

using Rulings = google::protobuf::RepeatedPtrField<pv1::CommitteeRuling>;

// The step's request id: from the call alone without rulings (as before
// rulings existed), else from the call and the rulings' bytes, so that a
// retry with other rulings is a new request rather than REQUEST_ID_REUSED.
std::string DecideStep(const GatewayDeps& d, const std::string& call_name,
                       const Rulings& rulings) {
  if (rulings.empty()) {
    return StepRequestId(d, absl::StrCat("finalize/decide/", call_name));
  }
  pv1::DecideCallRequest only_rulings;
  *only_rulings.mutable_rulings() = rulings;
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  {
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    only_rulings.SerializeToCodedStream(&coded);
  }
  return StepRequestId(d, absl::StrCat("finalize/decide/", call_name, "/",
                                       common::Sha256Hex(bytes)));
}

// Whether the stored `decision` carries exactly `rulings`.
bool CarriesRulings(const pv1::Decision& decision, const Rulings& rulings) {
  int stored = 0;
  for (const pv1::ProposalResult& result : decision.results()) {
    if (!result.has_ruling()) continue;
    ++stored;
    bool asked = false;
    for (const pv1::CommitteeRuling& ruling : rulings) {
      if (google::protobuf::util::MessageDifferencer::Equals(ruling,
                                                             result.ruling())) {
        asked = true;
      }
    }
    if (!asked) return false;
  }
  return stored == rulings.size();
}

absl::StatusOr<pv1::Decision> Decide(const GatewayDeps& d,
                                     const CallContext& call,
                                     const std::string& call_name,
                                     const Rulings& rulings) {
  absl::StatusOr<pv1::Decision> decision = d.proposals->Decide(
      call, call_name, DecideStep(d, call_name, rulings), rulings);
  if (decision.ok()) return decision;
  // Decided before (by an earlier FinalizeCall or by DecideCall itself).
  if (decision.status().code() == absl::StatusCode::kFailedPrecondition) {
    absl::StatusOr<pv1::Call> c = d.proposals->GetCall(call, call_name);
    if (c.ok() && (c->state() == pv1::Call::DECIDED ||
                   c->state() == pv1::Call::PUBLISHED)) {
      absl::StatusOr<pv1::Decision> stored =
          d.proposals->GetDecision(call, call_name);
      // Rulings asked for that the decision made does not carry are not
      // silently dropped.
      if (stored.ok() && !rulings.empty() &&
          !CarriesRulings(*stored, rulings)) {
        return common::FailedPreconditionError(
            kyodo::type::v1::ALREADY_DECIDED,
            absl::StrCat(call_name,
                         " was decided with other committee rulings"));
      }
      return stored;
    }
  }
  return decision.status();
}

prv1::Programme ProjectProgramme(pv1::Programme::Kind kind) {
  switch (kind) {
    case pv1::Programme::WARD_CITIZEN_PROPOSAL:
      return prv1::WARD_CITIZEN_PROPOSAL;
    case pv1::Programme::NEIGHBOURHOOD_ASSOCIATION_PROPOSAL:
      return prv1::NEIGHBOURHOOD_ASSOCIATION_PROPOSAL;
    default:
      return prv1::OTHER_PROGRAMME;
  }
}

// The consignment project of an adopted proposal.
prv1::Project ConsignmentProject(const pv1::Programme& programme,
                                 const pv1::Call& c, const pv1::Proposal& p,
                                 int64_t amount) {
  prv1::Project project;
  project.set_title(p.title());
  project.set_issue(p.issue());
  project.set_activities(p.plan());
  project.set_programme(ProjectProgramme(programme.kind()));
  project.set_fiscal_year(c.fiscal_year());
  project.set_source_proposal(p.name());
  auto* lead = project.add_participants();
  lead->set_partner(p.applicant());
  lead->set_role(prv1::Participant::LEAD);
  for (const std::string& co : p.co_applicants()) {
    auto* partner = project.add_participants();
    partner->set_partner(co);
    partner->set_role(prv1::Participant::PARTNER);
  }
  auto* city = project.add_participants();
  city->set_partner(programme.consigning_unit());
  city->set_role(prv1::Participant::CITY);
  auto* consignment = project.add_contributions();
  consignment->set_form(prv1::CONSIGNMENT);
  consignment->set_from_partner(programme.consigning_unit());
  consignment->set_to_partner(p.applicant());
  consignment->set_amount_yen(amount);
  consignment->set_description(absl::StrCat(c.display_name(), "による委託"));
  return project;
}

// The project made for `proposal` (made now, or found from an earlier run).
absl::StatusOr<std::pair<std::string, bool>> EnsureProject(
    const GatewayDeps& d, const CallContext& call,
    const pv1::Programme& programme, const pv1::Call& c,
    const pv1::Proposal& proposal, int64_t amount) {
  if (!proposal.project().empty())
    return std::make_pair(proposal.project(), false);
  absl::StatusOr<prv1::Project> created = d.projects->Create(
      call, ConsignmentProject(programme, c, proposal, amount),
      StepRequestId(d, absl::StrCat("finalize/project/", proposal.name())));
  if (created.ok()) return std::make_pair(created->name(), true);
  // A project exists for it already (made by an earlier run whose reply was
  // lost): use that one.
  if (common::HasReason(created.status(),
                        kyodo::type::v1::PROPOSAL_ALREADY_HAS_PROJECT)) {
    auto info = common::GetErrorInfo(created.status());
    if (info.has_value()) {
      auto it = info->metadata().find("project");
      if (it != info->metadata().end()) {
        return std::make_pair(it->second, false);
      }
    }
  }
  return created.status();
}

// The consignment projects of a PUBLISHED call's adopted proposals, made
// and linked where missing.
absl::Status EnsureProjects(
    const GatewayDeps& d, const CallContext& call, const std::string& call_name,
    const pv1::Decision& decision,
    google::protobuf::RepeatedPtrField<v1::FinalizedProposal>* out) {
  KYODO_ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      common::ParseNestedName("name", call_name, "programmes/*/calls/*"));
  KYODO_ASSIGN_OR_RETURN(pv1::Call c, d.proposals->GetCall(call, call_name));
  KYODO_ASSIGN_OR_RETURN(
      pv1::Programme programme,
      d.proposals->GetProgramme(call, absl::StrCat("programmes/", ids[0])));
  for (const pv1::ProposalResult& result : decision.results()) {
    if (result.reason() != pv1::ProposalResult::ADOPTED) continue;
    KYODO_ASSIGN_OR_RETURN(pv1::Proposal proposal,
                           d.proposals->GetProposal(call, result.proposal()));
    KYODO_ASSIGN_OR_RETURN(auto project,
                           EnsureProject(d, call, programme, c, proposal,
                                         result.adopted_amount_yen()));
    if (proposal.project() != project.first) {
      KYODO_RETURN_IF_ERROR(
          d.proposals
              ->LinkProject(call, proposal.name(), project.first,
                            StepRequestId(d, absl::StrCat("finalize/link/",
                                                          proposal.name(), "/",
                                                          project.first)))
              .status());
    }
    auto* done = out->Add();
    done->set_proposal(proposal.name());
    done->set_project(project.first);
    done->set_adopted_amount_yen(result.adopted_amount_yen());
    done->set_created_now(project.second);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FinalizeCall(const GatewayDeps& d, const CallContext& call,
                          const v1::FinalizeCallRequest& r,
                          v1::FinalizeCallResponse* out) {
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_RETURN_IF_ERROR(
      common::ParseNestedName("name", r.name(), "programmes/*/calls/*")
          .status());
  KYODO_ASSIGN_OR_RETURN(pv1::Decision decision,
                         Decide(d, call, r.name(), r.rulings()));
  KYODO_ASSIGN_OR_RETURN(pv1::Call c, d.proposals->GetCall(call, r.name()));
  // Published already (by PublishResults, or straight through
  // proposal-service): complete the projects, as PublishResults would.
  if (c.state() == pv1::Call::PUBLISHED) {
    KYODO_RETURN_IF_ERROR(
        EnsureProjects(d, call, r.name(), decision, out->mutable_projects()));
  }
  *out->mutable_decision() = std::move(decision);
  return absl::OkStatus();
}

absl::Status PublishResults(const GatewayDeps& d, const CallContext& call,
                            const v1::PublishResultsRequest& r,
                            v1::PublishResultsResponse* out) {
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_RETURN_IF_ERROR(
      common::ParseNestedName("name", r.name(), "programmes/*/calls/*")
          .status());
  absl::StatusOr<pv1::Call> published = d.proposals->Publish(
      call, r.name(),
      StepRequestId(d, absl::StrCat("finalize/publish/", r.name())));
  // Published before (by an earlier run whose reply was lost, or by
  // ProposalService.PublishResults itself): go on to the projects.
  if (!published.ok() &&
      common::HasReason(published.status(),
                        kyodo::type::v1::ALREADY_PUBLISHED)) {
    published = d.proposals->GetCall(call, r.name());
  }
  if (!published.ok()) return published.status();
  KYODO_ASSIGN_OR_RETURN(pv1::Decision decision,
                         d.proposals->GetDecision(call, r.name()));
  KYODO_RETURN_IF_ERROR(
      EnsureProjects(d, call, r.name(), decision, out->mutable_projects()));
  *out->mutable_call() = *std::move(published);
  return absl::OkStatus();
}

}  // namespace kyodo::gateway
