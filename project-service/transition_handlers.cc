// Handlers of the state transitions: Start, Complete, Review, Cancel.
#include <functional>

#include "common/resource/names.h"
#include "common/server/mutation.h"
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

// One transition of project `name` through common::server::Mutate: `change`
// edits the loaded project (the domain checks the state).
absl::Status Transition(const ServiceDeps& d, const CallContext& call,
                        const std::string& name, const std::string& etag,
                        const std::string& request_id,
                        const google::protobuf::Message& request, Project* out,
                        std::function<absl::Status(Project&)> change) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                    "change the state of projects"));
  KYODO_RETURN_IF_ERROR(common::ValidateRequestId("request_id", request_id));
  KYODO_RETURN_IF_ERROR(common::ParseName("name", name, "projects").status());
  common::server::Mutation<Project> m;
  m.name = name;
  m.etag = etag;
  m.request_id = request_id;
  m.request = &request;
  m.load = [&](Session& s) { return LoadForUpdate(s, name); };
  m.authorize = [&](const Project* p) { return AuthorizeChange(call, p); };
  m.write = store::UpdateProject;
  m.emit = [&](Session& s, const Project& before, const Project& after) {
    return EmitProjectEvent(s, call.start, &before, after);
  };
  m.change = [&](Session&, const Project&, Project& after) {
    return change(after);
  };
  KYODO_RETURN_IF_ERROR(common::server::Mutate(*d.pool, call, m, out));
  d.feed->bell().Ring();
  return absl::OkStatus();
}

}  // namespace

absl::Status StartProject(const ServiceDeps& d, const CallContext& call,
                          const v1::StartProjectRequest& r, Project* out) {
  return Transition(d, call, r.name(), r.etag(), r.request_id(), r, out,
                    [](Project& p) { return domain::Start(p); });
}

absl::Status CompleteProject(const ServiceDeps& d, const CallContext& call,
                             const v1::CompleteProjectRequest& r,
                             Project* out) {
  return Transition(d, call, r.name(), r.etag(), r.request_id(), r, out,
                    [](Project& p) { return domain::Complete(p); });
}

absl::Status ReviewProject(const ServiceDeps& d, const CallContext& call,
                           const v1::ReviewProjectRequest& r, Project* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "review projects"));
  KYODO_RETURN_IF_ERROR(domain::ValidateReview(r.review_text(), r.outcomes()));
  domain::ReviewInput review;
  review.text = r.review_text();
  review.outcomes.assign(r.outcomes().begin(), r.outcomes().end());
  review.reviewed_by = call.principal.subject;
  review.review_time = common::store::ToTimestamp(call.start);
  return Transition(d, call, r.name(), r.etag(), r.request_id(), r, out,
                    [&](Project& p) { return domain::Review(p, review); });
}

absl::Status CancelProject(const ServiceDeps& d, const CallContext& call,
                           const v1::CancelProjectRequest& r, Project* out) {
  return Transition(d, call, r.name(), r.etag(), r.request_id(), r, out,
                    [&](Project& p) { return domain::Cancel(p, r.reason()); });
}

}  // namespace kyodo::project
