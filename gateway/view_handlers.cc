// Gateway.GetProjectDossier, GetPartnerProfile and GetWardDashboard: reads
// that gather from several services, in parallel (gateway/fan_out.h).
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/date.h"
#include "gateway/handlers.h"

namespace kyodo::gateway {

using common::server::CallContext;
namespace {

namespace pv1 = proposal::v1;
namespace prv1 = project::v1;

constexpr int kListLimit = 500;
// The dashboard's ACTIVE projects: one page (ProjectClient::List asks for
// 100 a page), since active_project_count gives the whole number; 500 took
// five pages in a row (docs/BENCHMARKS.md, "Issue 15").
constexpr int kDashboardActiveLimit = 100;

// Names `list` in a view's `truncated` when it holds only the first
// kListLimit entries of more (ListAll's `more`).
void SayCut(bool more, const char* list,
            google::protobuf::RepeatedPtrField<std::string>* truncated) {
  if (more) truncated->Add(list);
}

// A part the caller may not see is left out of a composed view rather than
// failing the whole view.
bool Hidden(const absl::Status& status) {
  return status.code() == absl::StatusCode::kPermissionDenied;
}

}  // namespace

absl::Status GetProjectDossier(const GatewayDeps& d, const CallContext& call,
                               const v1::GetProjectDossierRequest& r,
                               v1::ProjectDossier* out) {
  KYODO_RETURN_IF_ERROR(
      common::ParseName("name", r.name(), "projects").status());
  // The first round: the project, and what the last read of it named (a
  // guess, gateway/dossier_hints.h). The project decides what is kept.
  std::optional<DossierHints::Hint> guess;
  if (d.dossier_hints != nullptr) guess = d.dossier_hints->Find(r.name());
  absl::StatusOr<prv1::Project> project;
  absl::StatusOr<std::vector<partner::v1::Partner>> guessed_parties =
      std::vector<partner::v1::Partner>();
  absl::StatusOr<pv1::Proposal> guessed_source =
      absl::NotFoundError("no source proposal");
  {
    // GetProposal, the slowest of the three, first (docs/BENCHMARKS.md,
    // "Issue 15, fourth step").
    FanOut first(d.fan_out);
    if (guess.has_value() && !guess->source_proposal.empty()) {
      first.Add(&guessed_source, [&](auto done) {
        d.proposals->GetProposal(call, guess->source_proposal, std::move(done));
      });
    }
    first.Add(&project, [&](auto done) {
      d.projects->Get(call, r.name(), std::move(done));
    });
    if (guess.has_value() && !guess->parties.empty()) {
      first.Add(&guessed_parties, [&](auto done) {
        d.partners->BatchGet(call, guess->parties, std::move(done));
      });
    }
    KYODO_RETURN_IF_ERROR(first.Run());
  }
  if (!project.ok()) return project.status();
  DossierHints::Hint links;
  for (const auto& p : project->participants())
    links.parties.push_back(p.partner());
  links.source_proposal = project->source_proposal();
  if (d.dossier_hints != nullptr && (!guess.has_value() || *guess != links)) {
    d.dossier_hints->Put(r.name(), links);
  }

  // What the guess got right is kept; a failed guess counts for nothing,
  // and the second round asks again (its answer is the one returned).
  std::map<std::string, partner::v1::Partner> fetched;
  if (guessed_parties.ok()) {
    for (auto& p : *guessed_parties) {
      std::string name = p.name();
      fetched.emplace(std::move(name), std::move(p));
    }
  }
  std::vector<std::string> missing;
  for (const std::string& name : links.parties) {
    if (!fetched.contains(name) &&
        std::find(missing.begin(), missing.end(), name) == missing.end()) {
      missing.push_back(name);
    }
  }
  const std::string& source_name = links.source_proposal;
  const bool source_guessed =
      guess.has_value() && guess->source_proposal == source_name;
  absl::StatusOr<std::vector<partner::v1::Partner>> parties =
      std::vector<partner::v1::Partner>();
  absl::StatusOr<pv1::Proposal> source =
      source_guessed ? std::move(guessed_source)
                     : absl::NotFoundError("no source proposal");
  if (!missing.empty() || (!source_name.empty() && !source_guessed)) {
    FanOut second(d.fan_out);
    if (!missing.empty()) {
      second.Add(&parties, [&](auto done) {
        d.partners->BatchGet(call, missing, std::move(done));
      });
    }
    if (!source_name.empty() && !source_guessed) {
      second.Add(&source, [&](auto done) {
        d.proposals->GetProposal(call, source_name, std::move(done));
      });
    }
    KYODO_RETURN_IF_ERROR(second.Run());
  }
  if (!parties.ok()) return parties.status();
  for (auto& p : *parties) {
    std::string name = p.name();
    fetched.emplace(std::move(name), std::move(p));
  }
  if (!source.ok() && !source_name.empty() && !Hidden(source.status())) {
    return source.status();
  }
  for (const std::string& name : links.parties) {
    auto it = fetched.find(name);
    if (it == fetched.end()) {
      return absl::InternalError(
          absl::StrCat("partner-service did not return ", name));
    }
    *out->add_parties() = it->second;
  }
  if (source.ok() && !source_name.empty()) {
    if (source->has_result()) *out->mutable_result() = source->result();
    *out->mutable_source_proposal() = *std::move(source);
  }
  *out->mutable_project() = *std::move(project);
  return absl::OkStatus();
}

absl::Status GetPartnerProfile(const GatewayDeps& d, const CallContext& call,
                               const v1::GetPartnerProfileRequest& r,
                               v1::PartnerProfile* out) {
  KYODO_RETURN_IF_ERROR(
      common::ParseName("name", r.name(), "partners").status());
  const std::string quoted = absl::StrCat("\"", r.name(), "\"");
  absl::StatusOr<partner::v1::Partner> partner;
  absl::StatusOr<std::vector<partner::v1::Agreement>> agreements;
  absl::StatusOr<std::vector<partner::v1::Network>> networks;
  absl::StatusOr<std::vector<prv1::Project>> projects;
  absl::StatusOr<std::vector<pv1::Proposal>> proposals;
  // Set by the lists before fan.Run() returns.
  bool more_agreements = false;
  bool more_networks = false;
  bool more_projects = false;
  bool more_proposals = false;
  FanOut fan(d.fan_out);
  fan.Add(&partner,
          [&](auto done) { d.partners->Get(call, r.name(), std::move(done)); });
  fan.Add(&agreements, [&](auto done) {
    d.partners->AgreementsOf(call, r.name(), kListLimit, &more_agreements,
                             std::move(done));
  });
  fan.Add(&networks, [&](auto done) {
    d.partners->NetworksOf(call, r.name(), kListLimit, &more_networks,
                           std::move(done));
  });
  fan.Add(&projects, [&](auto done) {
    d.projects->List(call, absl::StrCat("participant = ", quoted), kListLimit,
                     &more_projects, std::move(done));
  });
  fan.Add(&proposals, [&](auto done) {
    d.proposals->ListProposals(call, "programmes/-/calls/-",
                               absl::StrCat("applicant = ", quoted), kListLimit,
                               &more_proposals, std::move(done));
  });
  KYODO_RETURN_IF_ERROR(fan.Run());
  if (!partner.ok()) return partner.status();
  for (const auto* status : {&agreements.status(), &networks.status(),
                             &projects.status(), &proposals.status()}) {
    if (!status->ok() && !Hidden(*status)) return *status;
  }
  *out->mutable_partner() = *std::move(partner);
  auto* truncated = out->mutable_truncated();
  if (agreements.ok()) {
    SayCut(more_agreements, "agreements", truncated);
    for (auto& a : *agreements) *out->add_agreements() = std::move(a);
  }
  if (networks.ok()) {
    SayCut(more_networks, "networks", truncated);
    for (auto& n : *networks) *out->add_networks() = std::move(n);
  }
  if (projects.ok()) {
    SayCut(more_projects, "projects", truncated);
    for (auto& p : *projects) *out->add_projects() = std::move(p);
  }
  if (proposals.ok()) {
    SayCut(more_proposals, "proposals", truncated);
    for (auto& p : *proposals) *out->add_proposals() = std::move(p);
  }
  return absl::OkStatus();
}

absl::Status GetWardDashboard(const GatewayDeps& d, const CallContext& call,
                              const v1::GetWardDashboardRequest& r,
                              v1::WardDashboard* out) {
  if (r.ward() == type::v1::WARD_UNSPECIFIED) {
    return common::InvalidArgumentError("ward", "required",
                                        kyodo::type::v1::FIELD_REQUIRED);
  }
  const int fiscal_year =
      r.fiscal_year() != 0 ? r.fiscal_year()
                           : common::FiscalYearOf(common::JapanDay(call.start));
  const std::string ward = type::v1::Ward_Name(r.ward());
  const std::string of_ward_and_year =
      absl::StrCat("ward = ", ward, " AND fiscal_year = ", fiscal_year);
  // The counts and sums are the owning services' (in SQL, exact at any
  // size); only the two short lists travel.
  absl::StatusOr<std::vector<pv1::Call>> open_calls;
  absl::StatusOr<pv1::ProposalSummary> proposals;
  absl::StatusOr<std::vector<prv1::Project>> active;
  absl::StatusOr<prv1::ProjectSummary> active_count;
  absl::StatusOr<prv1::ProjectSummary> of_year;
  // Set by the lists before fan.Run() returns.
  bool more_calls = false;
  bool more_active = false;
  FanOut fan(d.fan_out);
  fan.Add(&open_calls, [&](auto done) {
    d.proposals->ListCalls(call, absl::StrCat("state = OPEN AND ward = ", ward),
                           kListLimit, &more_calls, std::move(done));
  });
  fan.Add(&proposals, [&](auto done) {
    d.proposals->SummarizeProposals(call, "programmes/-/calls/-",
                                    of_ward_and_year, std::move(done));
  });
  const std::string active_filter =
      absl::StrCat("ward = ", ward, " AND state = ACTIVE");
  fan.Add(&active, [&](auto done) {
    d.projects->List(call, active_filter, kDashboardActiveLimit, &more_active,
                     std::move(done));
  });
  fan.Add(&active_count, [&](auto done) {
    d.projects->Summarize(call, active_filter, std::move(done));
  });
  fan.Add(&of_year, [&](auto done) {
    d.projects->Summarize(call, of_ward_and_year, std::move(done));
  });
  KYODO_RETURN_IF_ERROR(fan.Run());
  for (const auto* status :
       {&open_calls.status(), &proposals.status(), &active.status(),
        &active_count.status(), &of_year.status()}) {
    if (!status->ok()) return *status;
  }
  out->set_ward(r.ward());
  out->set_fiscal_year(fiscal_year);
  SayCut(more_calls, "open_calls", out->mutable_truncated());
  for (auto& c : *open_calls) *out->add_open_calls() = std::move(c);
  // By state name, as before the summaries (the console sorts them).
  std::map<std::string, int64_t> by_state;
  for (const auto& total : proposals->states()) {
    by_state[pv1::Proposal::State_Name(total.state())] += total.count();
  }
  for (const auto& [state, count] : by_state) {
    auto* entry = out->add_proposals_by_state();
    entry->set_state(state);
    entry->set_count(static_cast<int32_t>(
        std::min<int64_t>(count, std::numeric_limits<int32_t>::max())));
  }
  SayCut(more_active, "active_projects", out->mutable_truncated());
  for (auto& p : *active) *out->add_active_projects() = std::move(p);
  int64_t active_projects = 0;
  for (const auto& total : active_count->states()) {
    active_projects += total.count();
  }
  out->set_active_project_count(active_projects);
  int64_t committed = 0;
  for (const auto& total : of_year->states()) {
    if (total.state() == prv1::Project::CANCELLED) continue;
    for (const auto& form : total.contributions()) {
      if (form.form() == prv1::CONSIGNMENT || form.form() == prv1::SUBSIDY ||
          form.form() == prv1::GRANT) {
        // Saturates: a signed overflow is undefined (see open_data.cc).
        if (__builtin_add_overflow(committed, form.amount_yen(), &committed)) {
          committed = std::numeric_limits<int64_t>::max();
        }
      }
    }
  }
  out->set_committed_yen(committed);
  return absl::OkStatus();
}

}  // namespace kyodo::gateway
