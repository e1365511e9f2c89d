// Handlers of the standard methods: Get, List, Create, Update, Delete.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/db/transaction.h"
#include "common/idempotency/idempotency.h"
#include "common/paging/filter.h"
#include "common/paging/page_token.h"
#include "common/resource/names.h"
#include "common/resource/update_mask.h"
#include "common/server/mutation.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/validate/request.h"
#include "project-service/domain/rules.h"
#include "project-service/handlers.h"
#include "project-service/store/project_store.h"

namespace kyodo::project {

using common::server::CallContext;
using common::server::RequireRole;
namespace {

using common::auth::Role;
using common::db::Session;
using v1::Project;
namespace doc = common::store;

const absl::flat_hash_set<std::string>& MutableFields() {
  static const auto* fields =
      new absl::flat_hash_set<std::string>{"title",
                                           "issue",
                                           "activities",
                                           "programme",
                                           "cooperative_project",
                                           "patterns",
                                           "fiscal_year",
                                           "period",
                                           "participants",
                                           "contributions",
                                           "principles",
                                           "outcomes",
                                           "source_proposal",
                                           "agreement"};
  return *fields;
}

// Every mutable field, in descriptor order.
std::vector<std::string> AllMutableFields() {
  std::vector<std::string> fields;
  const auto* d = Project::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    if (MutableFields().contains(d->field(i)->name())) {
      fields.push_back(d->field(i)->name());
    }
  }
  return fields;
}

// Asks partner-service about the participants (copying their names, kinds
// and wards in) and, when set, the agreement. Before any transaction.
absl::Status ResolveParties(const ServiceDeps& d, const CallContext& call,
                            Project& p) {
  KYODO_ASSIGN_OR_RETURN(
      domain::PartnersByName partners,
      d.partners->GetPartners(call, domain::ParticipantNames(p)));
  KYODO_RETURN_IF_ERROR(domain::ApplyPartners(partners, p));
  if (!p.agreement().empty()) {
    KYODO_RETURN_IF_ERROR(d.partners->CheckAgreement(call, p.agreement()));
  }
  return absl::OkStatus();
}

// A service built without proposal-service takes no source_proposal.
absl::Status RequireSources(const ServiceDeps& d) {
  if (d.proposals != nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "this project-service has no proposal-service to check "
      "source_proposal with");
}

// Ward staff may only write projects of their ward; `why` says what the
// caller tried.
absl::Status RequireOwnWard(const CallContext& call, const Project& p,
                            absl::string_view why) {
  if (MayChange(call.principal, p)) return absl::OkStatus();
  return common::PermissionDeniedError(absl::StrCat(
      why,
      ": ward staff write only projects with a CITY_UNIT participant of "
      "their own ward"));
}

// A replayed request whose stored answer vanished between the check before
// the transaction and the transaction (purged ids): the caller retries.
absl::Status AnswerVanished() {
  return absl::AbortedError(
      "the first answer to this request_id expired; retry");
}

}  // namespace

absl::Status GetProject(const ServiceDeps& d, const CallContext& call,
                        const v1::GetProjectRequest& r, Project* out) {
  KYODO_ASSIGN_OR_RETURN(std::string id,
                         common::ParseName("name", r.name(), "projects"));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetProject(s, id));
        if (!row.has_value()) return common::NotFoundError(r.name());
        *out = std::move(row->project);
        return absl::OkStatus();
      });
}

absl::Status ListProjects(const ServiceDeps& d, const CallContext& call,
                          const v1::ListProjectsRequest& r,
                          v1::ListProjectsResponse* out) {
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  KYODO_ASSIGN_OR_RETURN(
      auto filter,
      common::paging::ParseFilter(r.filter(), store::ProjectFilterFields()));
  const std::string query =
      absl::StrCat("ListProjects|", r.filter(), "|", r.show_deleted());
  KYODO_ASSIGN_OR_RETURN(auto cursor, d.pages->Decode(r.page_token(), query));
  std::vector<store::ProjectRow> rows;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(rows,
                               store::ListProjects(s, filter, r.show_deleted(),
                                                   cursor.last_seq, size + 1));
        return absl::OkStatus();
      }));
  out->set_next_page_token(
      common::paging::FinishPage(rows, size, *d.pages, query));
  for (auto& row : rows) *out->add_projects() = std::move(row.project);
  return absl::OkStatus();
}

absl::Status SummarizeProjects(const ServiceDeps& d, const CallContext& call,
                               const v1::SummarizeProjectsRequest& r,
                               v1::ProjectSummary* out) {
  KYODO_ASSIGN_OR_RETURN(
      auto filter,
      common::paging::ParseFilter(r.filter(), store::ProjectFilterFields()));
  // One transaction: its two queries read one snapshot, so the counts and
  // the sums agree under concurrent writes.
  return common::db::RunInTransaction(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(*out, store::SummarizeProjects(s, filter));
        return absl::OkStatus();
      });
}

absl::Status CreateProject(const ServiceDeps& d, const CallContext& call,
                           const v1::CreateProjectRequest& r, Project* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "create projects"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  Project p;
  common::ApplyFields(r.project(), AllMutableFields(), &p);
  domain::Normalise(p);
  KYODO_RETURN_IF_ERROR(domain::ValidateProject(p, "project"));
  KYODO_RETURN_IF_ERROR(domain::CheckParticipantCount(p));
  KYODO_ASSIGN_OR_RETURN(const bool answered,
                         AlreadyAnswered(d, call, r.request_id()));
  if (!answered) {
    KYODO_RETURN_IF_ERROR(ResolveParties(d, call, p));
    domain::Derive(p);
    KYODO_RETURN_IF_ERROR(
        RequireOwnWard(call, p, "none of the participants is of your ward"));
    KYODO_RETURN_IF_ERROR(domain::CheckCooperativeParties(p));
    KYODO_RETURN_IF_ERROR(domain::CheckPatternParties(p));
    if (!p.source_proposal().empty()) {
      KYODO_RETURN_IF_ERROR(RequireSources(d));
      KYODO_ASSIGN_OR_RETURN(auto source,
                             d.proposals->Get(call, p.source_proposal()));
      KYODO_RETURN_IF_ERROR(domain::CheckSourceProposal(p, source));
    }
  }
  KYODO_RETURN_IF_ERROR(
      common::db::RunInTransaction(*d.pool, call.deadline, [&](Session& s) {
        return common::idempotency::Run(
            s, r.request_id(), call.principal.subject, call.method, r, out,
            [&]() -> absl::Status {
              if (answered) return AnswerVanished();
              Project created = p;
              created.set_name(absl::StrCat("projects/", common::NewId()));
              created.set_state(Project::PLANNED);
              *created.mutable_create_time() = doc::ToTimestamp(call.start);
              *created.mutable_update_time() = doc::ToTimestamp(call.start);
              created.set_etag(doc::Etag(1));
              KYODO_RETURN_IF_ERROR(store::InsertProject(s, created));
              KYODO_RETURN_IF_ERROR(
                  common::audit::Record(s, call.AuditActor(r.request_id()),
                                        created.name(), nullptr, &created));
              KYODO_RETURN_IF_ERROR(
                  EmitProjectEvent(s, call.start, nullptr, created));
              *out = std::move(created);
              return absl::OkStatus();
            });
      }));
  d.feed->bell().Ring();
  return absl::OkStatus();
}

absl::Status UpdateProject(const ServiceDeps& d, const CallContext& call,
                           const v1::UpdateProjectRequest& r, Project* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "edit projects"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  const std::string& name = r.project().name();
  KYODO_RETURN_IF_ERROR(
      common::ParseName("project.name", name, "projects").status());
  KYODO_ASSIGN_OR_RETURN(
      std::vector<std::string> fields,
      common::ResolveUpdateMask(r.update_mask(), r.project(), MutableFields()));
  auto changes = [&](absl::string_view f) {
    return std::find(fields.begin(), fields.end(), f) != fields.end();
  };
  // New participants and agreement are checked with partner-service first.
  Project parties;
  const bool new_parties = changes("participants");
  if (new_parties) {
    *parties.mutable_participants() = r.project().participants();
    KYODO_RETURN_IF_ERROR(domain::ValidateParticipants(parties, "project"));
    KYODO_RETURN_IF_ERROR(domain::CheckParticipantCount(parties));
  }
  if (changes("agreement") && !r.project().agreement().empty()) {
    parties.set_agreement(r.project().agreement());
    KYODO_RETURN_IF_ERROR(common::ParseName("project.agreement",
                                            parties.agreement(), "agreements")
                              .status());
  }
  KYODO_ASSIGN_OR_RETURN(const bool answered,
                         AlreadyAnswered(d, call, r.request_id()));
  if (!answered && new_parties) {
    KYODO_ASSIGN_OR_RETURN(
        domain::PartnersByName partners,
        d.partners->GetPartners(call, domain::ParticipantNames(parties)));
    KYODO_RETURN_IF_ERROR(domain::ApplyPartners(partners, parties));
  }
  if (!answered && !parties.agreement().empty()) {
    KYODO_RETURN_IF_ERROR(
        d.partners->CheckAgreement(call, parties.agreement()));
  }
  // A source proposal set by this update is checked with proposal-service
  // (against the project as updated, in the transaction below).
  const bool new_source =
      changes("source_proposal") && !r.project().source_proposal().empty();
  std::optional<domain::SourceProposal> source;
  if (!answered && new_source) {
    KYODO_RETURN_IF_ERROR(RequireSources(d));
    KYODO_ASSIGN_OR_RETURN(
        source, d.proposals->Get(call, r.project().source_proposal()));
  }

  common::server::Mutation<Project> m;
  m.name = name;
  m.etag = r.project().etag();
  m.request_id = r.request_id();
  m.request = &r;
  m.load = [&](Session& s) { return LoadForUpdate(s, name); };
  m.authorize = [&](const Project* p) { return AuthorizeChange(call, p); };
  m.write = store::UpdateProject;
  m.emit = [&](Session& s, const Project& before, const Project& after) {
    return EmitProjectEvent(s, call.start, &before, after);
  };
  m.change = [&](Session&, const Project& before,
                 Project& after) -> absl::Status {
    if (answered) return AnswerVanished();
    KYODO_RETURN_IF_ERROR(domain::CheckEditable(before));
    common::ApplyFields(r.project(), fields, &after);
    if (new_parties) *after.mutable_participants() = parties.participants();
    domain::Normalise(after);
    domain::Derive(after);
    KYODO_RETURN_IF_ERROR(RequireOwnWard(
        call, after,
        "the new participants would move the project out of your ward"));
    KYODO_RETURN_IF_ERROR(domain::ValidateProject(after, "project"));
    KYODO_RETURN_IF_ERROR(domain::CheckSourceProposalKept(before, after));
    if (new_source && before.source_proposal().empty()) {
      KYODO_RETURN_IF_ERROR(domain::CheckSourceProposal(after, source));
    }
    return domain::CheckRules(after);
  };
  KYODO_RETURN_IF_ERROR(common::server::Mutate(*d.pool, call, m, out));
  d.feed->bell().Ring();
  return absl::OkStatus();
}

absl::Status DeleteProject(const ServiceDeps& d, const CallContext& call,
                           const v1::DeleteProjectRequest& r, Project* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "delete projects"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_RETURN_IF_ERROR(
      common::ParseName("name", r.name(), "projects").status());
  common::server::Mutation<Project> m;
  m.name = r.name();
  m.etag = r.etag();
  m.request_id = r.request_id();
  m.request = &r;
  m.load = [&](Session& s) { return LoadForUpdate(s, r.name()); };
  m.authorize = [&](const Project* p) { return AuthorizeChange(call, p); };
  m.write = store::UpdateProject;
  m.emit = [&](Session& s, const Project& before, const Project& after) {
    return EmitProjectEvent(s, call.start, &before, after);
  };
  m.change = [&](Session&, const Project&, Project& after) {
    return domain::Delete(after, doc::ToTimestamp(call.start));
  };
  KYODO_RETURN_IF_ERROR(common::server::Mutate(*d.pool, call, m, out));
  d.feed->bell().Ring();
  return absl::OkStatus();
}

}  // namespace kyodo::project
