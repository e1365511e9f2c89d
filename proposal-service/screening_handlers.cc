// Handlers of ScreenProposal (資格審査, by the programme's managers) and
// LinkProject (the consignment project made from an adopted proposal).
// ScreenProposal gathers its facts from the records itself (issue 13):
// partner-service and project-service through ServiceDeps.records, before
// its transaction, and this service's store inside it.
#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/transaction.h"
#include "common/idempotency/idempotency.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/validate/request.h"
#include "proposal-service/domain/continuation.h"
#include "proposal-service/domain/screening.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/programme_store.h"
#include "proposal-service/store/proposal_store.h"

namespace kyodo::proposal {

using common::auth::Role;
using common::db::Session;
using common::server::CallContext;
using common::server::RequireRole;
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
    return StateError(kyodo::type::v1::PROPOSAL_NOT_SUBMITTED,
                      "only a submitted proposal is screened",
                      Proposal::State_Name(state));
  }
  if (c.state() != Call::OPEN && c.state() != Call::CLOSED) {
    return StateError(
        kyodo::type::v1::REVIEW_STARTED,
        "a screened proposal is screened again only until the review "
        "starts",
        Call::State_Name(c.state()));
  }
  return absl::OkStatus();
}

// What ScreenProposal read before its transaction.
struct Gathered {
  Proposal proposal;
  int32_t fiscal_year = 0;  // the call's
  v1::EligibilityFacts facts;
};

bool SameParties(const Proposal& a, const Proposal& b) {
  return a.applicant() == b.applicant() && a.continues() == b.continues() &&
         std::equal(a.co_applicants().begin(), a.co_applicants().end(),
                    b.co_applicants().begin(), b.co_applicants().end());
}

// A partner record's facts: exists (not deleted), active, kind, ward.
struct PartnerFacts {
  bool exists = false;
  bool active = false;
  kyodo::partner::v1::PartnerKind kind =
      kyodo::partner::v1::PARTNER_KIND_UNSPECIFIED;
  std::optional<kyodo::type::v1::Ward> ward;
};

absl::StatusOr<PartnerFacts> PartnerFactsOf(const ServiceDeps& d,
                                            const CallContext& call,
                                            const std::string& name) {
  KYODO_ASSIGN_OR_RETURN(auto partner, d.records->GetPartner(call, name));
  PartnerFacts f;
  if (!partner.has_value() || partner->has_delete_time()) return f;
  f.exists = true;
  f.active = partner->state() == kyodo::partner::v1::Partner::ACTIVE;
  f.kind = partner->kind();
  if (partner->has_ward()) f.ward = partner->ward();
  return f;
}

// The screening's facts from the records: the parties' partner records
// (partner-service), and the continuation year from the chain of projects
// the proposal `continues` (project-service; each link's earlier proposal
// from this service's store). Other projects of the applicant do not count:
// a new, unrelated project is in its first year (proposal_service.proto,
// EligibilityFacts.continuation_year).
absl::StatusOr<v1::EligibilityFacts> GatherFacts(const ServiceDeps& d,
                                                 const CallContext& call,
                                                 const Proposal& proposal,
                                                 const std::string& programme,
                                                 int32_t fiscal_year) {
  if (d.records == nullptr) {
    return absl::FailedPreconditionError(
        "this proposal-service has no partner- and project-service to ask");
  }
  v1::EligibilityFacts facts;
  KYODO_ASSIGN_OR_RETURN(PartnerFacts applicant,
                         PartnerFactsOf(d, call, proposal.applicant()));
  facts.set_applicant_exists(applicant.exists);
  facts.set_applicant_active(applicant.exists && applicant.active);
  if (applicant.exists) {
    facts.set_applicant_kind(applicant.kind);
    if (applicant.ward.has_value()) facts.set_applicant_ward(*applicant.ward);
  }
  for (const std::string& name : proposal.co_applicants()) {
    KYODO_ASSIGN_OR_RETURN(PartnerFacts co, PartnerFactsOf(d, call, name));
    v1::CoApplicantFacts* f = facts.add_co_applicants();
    f->set_partner(name);
    f->set_exists(co.exists);
    f->set_active(co.exists && co.active);
    if (co.exists) f->set_kind(co.kind);
  }

  std::set<int> years;
  std::vector<std::string> sources;
  // Follow `continues` back through earlier proposals of the programme.
  std::string next = proposal.continues();
  for (int step = 0; !next.empty() && step < 20; ++step) {
    KYODO_ASSIGN_OR_RETURN(auto p, d.records->GetProject(call, next));
    const bool found = p.has_value() && !p->has_delete_time();
    const bool in_programme =
        found && absl::StartsWith(p->source_proposal(), programme + "/");
    if (step == 0) {
      facts.set_continued_project_found(found);
      facts.set_continued_project_in_programme(in_programme);
    }
    if (!in_programme) break;
    if (p->state() != kyodo::project::v1::Project::CANCELLED) {
      years.insert(p->start_fiscal_year());
      sources.push_back(
          absl::StrCat(p->name(), " (", p->start_fiscal_year(), ")"));
    }
    // The earlier proposal, from this service's own records.
    std::optional<store::ProposalRow> earlier;
    KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
        *d.pool, call.deadline, [&](Session& s) -> absl::Status {
          KYODO_ASSIGN_OR_RETURN(
              earlier,
              store::GetProposal(s, store::IdOf(p->source_proposal())));
          return absl::OkStatus();
        }));
    if (!earlier.has_value()) break;
    next = earlier->proposal.continues();
  }
  facts.set_continuation_year(domain::ContinuationYear(fiscal_year, years));
  facts.set_source_note(absl::StrCat(
      "gathered by proposal-service: partner-service ", proposal.applicant(),
      proposal.co_applicants().empty() ? "" : " and co-applicants", "; ",
      sources.empty()
          ? "continues no project of this programme"
          : absl::StrCat("continues: ", absl::StrJoin(sources, ", "))));
  return facts;
}

// One party's counts in this service's records.
absl::StatusOr<domain::PartyRecords> CountParty(Session& s,
                                                const std::string& programme_id,
                                                const std::string& call_id,
                                                const std::string& proposal_id,
                                                const std::string& partner,
                                                int32_t fiscal_year) {
  domain::PartyRecords records;
  const std::string partner_id = store::IdOf(partner);
  KYODO_ASSIGN_OR_RETURN(
      records.proposals_in_call,
      store::CountOtherSubmitted(s, call_id, partner_id, proposal_id));
  KYODO_ASSIGN_OR_RETURN(
      store::AdoptionCounts adoptions,
      store::CountAdoptions(s, programme_id, partner_id, fiscal_year));
  records.adoptions_in_programme = adoptions.in_programme;
  records.adoptions_in_fiscal_year = adoptions.in_fiscal_year;
  return records;
}

}  // namespace

absl::Status ScreenProposal(const ServiceDeps& d, const CallContext& call,
                            const v1::ScreenProposalRequest& r, Proposal* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff, Role::kScreener},
                  "screen proposals"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  if (r.has_facts()) {
    KYODO_RETURN_IF_ERROR(domain::ValidateFacts(r.facts(), "facts"));
  }
  if (r.has_continues()) {
    KYODO_RETURN_IF_ERROR(
        RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                    "correct the project a proposal continues"));
    if (!r.continues().empty()) {
      KYODO_RETURN_IF_ERROR(
          common::ParseName("continues", r.continues(), "projects").status());
    }
  }
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseProposalName("name", r.name()));
  // The facts, from the records, before any transaction. A replayed
  // request_id needs none: its stored answer is returned.
  std::optional<Gathered> gathered;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            bool answered,
            common::idempotency::IsAnswered(
                s, r.request_id(), call.principal.subject, call.method));
        if (answered) return absl::OkStatus();
        KYODO_ASSIGN_OR_RETURN(
            auto c, LoadCall(s, {ids.programme, ids.call}, store::Lock::kNone));
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetProposal(s, ids.child));
        // Missing, or not to be screened: ChangeProposal answers below.
        if (!c.has_value() || !row.has_value() || row->call_id != ids.call)
          return absl::OkStatus();
        const Proposal::State state = row->proposal.state();
        if (state != Proposal::SUBMITTED && state != Proposal::ELIGIBLE &&
            state != Proposal::INELIGIBLE)
          return absl::OkStatus();
        gathered = Gathered{row->proposal, c->call.fiscal_year(), {}};
        if (r.has_continues()) gathered->proposal.set_continues(r.continues());
        return absl::OkStatus();
      }));
  if (gathered.has_value()) {
    KYODO_ASSIGN_OR_RETURN(
        gathered->facts, GatherFacts(d, call, gathered->proposal,
                                     absl::StrCat("programmes/", ids.programme),
                                     gathered->fiscal_year));
  }
  ProposalChangeOptions options;
  options.applicant_may = false;
  options.screener_may = true;
  return ChangeProposal(
      d, call, r.name(), "", r.request_id(), r, out, options,
      [&](Session& s, const store::CallRow& c, const Proposal& before,
          Proposal& after) -> absl::Status {
        KYODO_RETURN_IF_ERROR(CheckScreenable(c.call, before));
        // Staff's correction of `continues`; the applicant's declaration is
        // kept (also across later screenings).
        std::optional<std::string> declared;
        if (before.screening().has_declared_continues()) {
          declared = before.screening().declared_continues();
        }
        if (r.has_continues() && r.continues() != before.continues()) {
          if (!declared.has_value()) declared = before.continues();
          after.set_continues(r.continues());
        }
        // The parties and `continues` cannot change once submitted (but by
        // the correction above); if the proposal was replaced meanwhile, the
        // facts are of another one.
        if (!gathered.has_value() || !SameParties(gathered->proposal, after)) {
          return absl::AbortedError(
              "the proposal changed while its facts were gathered; retry");
        }
        if (r.has_facts()) {
          const std::string field =
              domain::ContradictedFact(r.facts(), gathered->facts, "facts");
          if (!field.empty()) {
            return common::InvalidArgumentError(
                field, absl::StrCat("contradicts the records (",
                                    gathered->facts.source_note(),
                                    "); leave it out or correct it"));
          }
        }
        KYODO_ASSIGN_OR_RETURN(auto programme,
                               store::GetProgramme(s, c.programme_id));
        if (!programme.has_value())
          return absl::InternalError("call without programme");
        const std::string call_id = store::IdOf(c.call.name());
        const std::string proposal_id = store::IdOf(before.name());
        KYODO_ASSIGN_OR_RETURN(
            domain::PartyRecords applicant,
            CountParty(s, c.programme_id, call_id, proposal_id,
                       before.applicant(), c.call.fiscal_year()));
        domain::ApplicantRecords records;
        records.proposals_in_call = applicant.proposals_in_call;
        records.adoptions_in_programme = applicant.adoptions_in_programme;
        records.adoptions_in_fiscal_year = applicant.adoptions_in_fiscal_year;
        for (const std::string& co : before.co_applicants()) {
          KYODO_ASSIGN_OR_RETURN(
              domain::PartyRecords party,
              CountParty(s, c.programme_id, call_id, proposal_id, co,
                         c.call.fiscal_year()));
          records.co_applicants.push_back(party);
        }
        v1::Screening screening = domain::Screen(programme->programme, after,
                                                 gathered->facts, records);
        if (declared.has_value() && *declared != after.continues()) {
          screening.set_declared_continues(*declared);
        }
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
      [&](Session&, const store::CallRow& c, const Proposal& before,
          Proposal& after) -> absl::Status {
        // Until publication nothing may follow from the outcome: a link
        // would change the proposal's etag and update_time.
        if (c.call.state() != Call::PUBLISHED) {
          return StateError(
              kyodo::type::v1::RESULTS_NOT_PUBLISHED,
              "a consignment project is linked once the results are published",
              Call::State_Name(c.call.state()));
        }
        if (before.state() != Proposal::ADOPTED) {
          return StateError(
              kyodo::type::v1::PROPOSAL_NOT_ADOPTED,
              "only an adopted proposal becomes a consignment project",
              Proposal::State_Name(before.state()));
        }
        if (before.project() == r.project()) return Unchanged();
        if (!before.project().empty()) {
          return common::ErrorWithReason(
              absl::StatusCode::kFailedPrecondition,
              kyodo::type::v1::PROJECT_ALREADY_LINKED,
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
