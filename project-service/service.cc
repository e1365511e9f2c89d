#include "project-service/service.h"

#include "common/documents/flags.h"
#include "common/documents/serve.h"
#include "project-service/handlers.h"

namespace kyodo::project {

using common::server::CallContext;

ProjectServiceImpl::ProjectServiceImpl(ServiceDeps deps) : deps_(deps) {
  if (deps_.feed == nullptr) {
    own_feed_ = std::make_unique<common::events::Feed>();
    deps_.feed = own_feed_.get();
  }
  if (deps_.documents == nullptr) {
    own_documents_ =
        common::documents::DefaultDocuments(deps_.pool, deps_.pages);
    deps_.documents = own_documents_.get();
  }
}

// Each RPC: RpcRunner (call id, token, request checks, deadline, logging,
// status mapping) around its handler in *_handlers.cc.
// NOLINTBEGIN(bugprone-macro-parentheses): Request and Response are
// types, which cannot be parenthesized.
#define KYODO_PROJECT_RPC(Method, Request, Response)                        \
  grpc::Status ProjectServiceImpl::Method(grpc::ServerContext* context,     \
                                          const Request* request,           \
                                          Response* response) {             \
    return deps_.rpc->Run(context, *request, [&](const CallContext& call) { \
      return project::Method(deps_, call, *request, response);              \
    });                                                                     \
  }
// NOLINTEND(bugprone-macro-parentheses)

KYODO_PROJECT_RPC(GetProject, v1::GetProjectRequest, v1::Project)
KYODO_PROJECT_RPC(ListProjects, v1::ListProjectsRequest,
                  v1::ListProjectsResponse)
KYODO_PROJECT_RPC(SummarizeProjects, v1::SummarizeProjectsRequest,
                  v1::ProjectSummary)
KYODO_PROJECT_RPC(CreateProject, v1::CreateProjectRequest, v1::Project)
KYODO_PROJECT_RPC(UpdateProject, v1::UpdateProjectRequest, v1::Project)
KYODO_PROJECT_RPC(DeleteProject, v1::DeleteProjectRequest, v1::Project)
KYODO_PROJECT_RPC(StartProject, v1::StartProjectRequest, v1::Project)
KYODO_PROJECT_RPC(CompleteProject, v1::CompleteProjectRequest, v1::Project)
KYODO_PROJECT_RPC(ReviewProject, v1::ReviewProjectRequest, v1::Project)
KYODO_PROJECT_RPC(CancelProject, v1::CancelProjectRequest, v1::Project)
KYODO_PROJECT_RPC(ListAuditEvents, kyodo::type::v1::ListAuditEventsRequest,
                  kyodo::type::v1::ListAuditEventsResponse)
KYODO_PROJECT_RPC(ListEvents, v1::ListEventsRequest, v1::ListEventsResponse)
#undef KYODO_PROJECT_RPC

grpc::Status ProjectServiceImpl::WatchEvents(
    grpc::ServerContext* context, const v1::WatchEventsRequest* request,
    grpc::ServerWriter<v1::Event>* writer) {
  return deps_.rpc->Run(
      context, *request,
      [&](const CallContext& call) {
        return project::WatchEvents(deps_, call, *request, writer);
      },
      deps_.feed->options().max_watch_time + absl::Seconds(1));
}

KYODO_DOCUMENT_METHODS_DEFINE(ProjectServiceImpl, *deps_.rpc, deps_.documents,
                              DocumentPolicy())

}  // namespace kyodo::project
