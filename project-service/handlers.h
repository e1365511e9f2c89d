// The handler bodies of ProjectService, one function per RPC, each called by
// service.cc through RpcRunner (authentication and request checks done), and
// the helpers they share. Internal to project-service.
#ifndef KYODO_PROJECT_SERVICE_HANDLERS_H_
#define KYODO_PROJECT_SERVICE_HANDLERS_H_

#include <initializer_list>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/session.h"
#include "common/server/mutation.h"
#include "common/server/rpc.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "project-service/service.h"

namespace kyodo::project {

// Admin, or ward staff of one of the project's wards.
bool MayChange(const common::auth::Principal& principal,
               const v1::Project& project);

// Mutation::authorize for changes of a project: admins pass; ward staff pass
// for a project of their ward, and for one that does not exist (staff read
// every project, so NOT_FOUND tells them nothing new); PERMISSION_DENIED
// otherwise.
absl::Status AuthorizeChange(const common::server::CallContext& call,
                             const v1::Project* project);

// Whether `request_id` (possibly empty) already has its answer stored, so the
// partner-service checks before the transaction can be skipped and the
// transaction replays the answer.
absl::StatusOr<bool> AlreadyAnswered(const ServiceDeps& d,
                                     const common::server::CallContext& call,
                                     const std::string& request_id);

// Loads project `name` FOR UPDATE, for common::server::Mutate.
absl::StatusOr<std::optional<common::server::Versioned<v1::Project>>>
LoadForUpdate(common::db::Session& s, const std::string& name);

absl::Status GetProject(const ServiceDeps& d,
                        const common::server::CallContext& call,
                        const v1::GetProjectRequest& r, v1::Project* out);
absl::Status ListProjects(const ServiceDeps& d,
                          const common::server::CallContext& call,
                          const v1::ListProjectsRequest& r,
                          v1::ListProjectsResponse* out);
absl::Status SummarizeProjects(const ServiceDeps& d,
                               const common::server::CallContext& call,
                               const v1::SummarizeProjectsRequest& r,
                               v1::ProjectSummary* out);
absl::Status CreateProject(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::CreateProjectRequest& r, v1::Project* out);
absl::Status UpdateProject(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::UpdateProjectRequest& r, v1::Project* out);
absl::Status DeleteProject(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::DeleteProjectRequest& r, v1::Project* out);
absl::Status StartProject(const ServiceDeps& d,
                          const common::server::CallContext& call,
                          const v1::StartProjectRequest& r, v1::Project* out);
absl::Status CompleteProject(const ServiceDeps& d,
                             const common::server::CallContext& call,
                             const v1::CompleteProjectRequest& r,
                             v1::Project* out);
absl::Status ReviewProject(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::ReviewProjectRequest& r, v1::Project* out);
absl::Status CancelProject(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::CancelProjectRequest& r, v1::Project* out);
absl::Status ListAuditEvents(const ServiceDeps& d,
                             const common::server::CallContext& call,
                             const kyodo::type::v1::ListAuditEventsRequest& r,
                             kyodo::type::v1::ListAuditEventsResponse* out);

// The change feed (event_handlers.cc).
absl::Status ListEvents(const ServiceDeps& d,
                        const common::server::CallContext& call,
                        const v1::ListEventsRequest& r,
                        v1::ListEventsResponse* out);
absl::Status WatchEvents(const ServiceDeps& d,
                         const common::server::CallContext& call,
                         const v1::WatchEventsRequest& r,
                         grpc::ServerWriter<v1::Event>* writer);

// A project's documents (document_handlers.cc): who reads and changes
// them.
const common::documents::Policy& DocumentPolicy();
// Appends the event of a project's change from `before` (nullptr: created)
// to `after` to the feed, in the change's transaction, as its last step.
absl::Status EmitProjectEvent(common::db::Session& s, absl::Time time,
                              const v1::Project* before,
                              const v1::Project& after);

}  // namespace kyodo::project

#endif  // KYODO_PROJECT_SERVICE_HANDLERS_H_
