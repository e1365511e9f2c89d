// kyodo.project.v1.ProjectService: handlers that validate, authorise, ask
// partner-service about the parties (before any transaction), run the
// domain rules and the store inside one transaction, and shape the answer.
// No SQL here (store/), no rules that need no database (domain/), no gRPC
// client code (clients/).
//
// Permissions (docs/API.md): every authenticated caller reads projects. Admins
// create and change any project; ward staff those "of its ward": projects
// with a CITY_UNIT participant whose ward (from partner-service) is the
// staff's ward, judged on the stored project for a change and on the
// request's participants for a creation; an update may not move a project
// out of the staff's ward. Other roles only read. Changes are authorised
// before existence is revealed (viewers get PERMISSION_DENIED, never
// NOT_FOUND). The audit trail of a project is readable by admins and by the
// staff of one of its wards.
#ifndef KYODO_PROJECT_SERVICE_SERVICE_H_
#define KYODO_PROJECT_SERVICE_SERVICE_H_

#include <memory>

#include "common/db/pool.h"
#include "common/documents/documents.h"
#include "common/documents/serve.h"
#include "common/events/outbox.h"
#include "common/paging/page_token.h"
#include "common/server/rpc.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "project-service/clients/partner_client.h"
#include "project-service/clients/proposal_client.h"

namespace kyodo::project {

struct ServiceDeps {
  common::db::ConnectionPool* pool = nullptr;
  const common::server::RpcRunner* rpc = nullptr;
  const common::paging::PageTokenCodec* pages = nullptr;
  const PartnerClient* partners = nullptr;
  // proposal-service, asked about a project's source_proposal.
  const SourceProposals* proposals = nullptr;
  // The change feed's options and streams; ProjectServiceImpl makes one
  // with the default options when it is not given.
  common::events::Feed* feed = nullptr;
  // Projects' documents (common/documents/documents.h); made with the
  // default limits when not given.
  const common::documents::Documents* documents = nullptr;
};

class ProjectServiceImpl final : public v1::ProjectService::Service {
 public:
  explicit ProjectServiceImpl(ServiceDeps deps);

  grpc::Status GetProject(grpc::ServerContext* context,
                          const v1::GetProjectRequest* request,
                          v1::Project* response) override;
  grpc::Status ListProjects(grpc::ServerContext* context,
                            const v1::ListProjectsRequest* request,
                            v1::ListProjectsResponse* response) override;
  grpc::Status SummarizeProjects(grpc::ServerContext* context,
                                 const v1::SummarizeProjectsRequest* request,
                                 v1::ProjectSummary* response) override;
  grpc::Status CreateProject(grpc::ServerContext* context,
                             const v1::CreateProjectRequest* request,
                             v1::Project* response) override;
  grpc::Status UpdateProject(grpc::ServerContext* context,
                             const v1::UpdateProjectRequest* request,
                             v1::Project* response) override;
  grpc::Status DeleteProject(grpc::ServerContext* context,
                             const v1::DeleteProjectRequest* request,
                             v1::Project* response) override;
  grpc::Status StartProject(grpc::ServerContext* context,
                            const v1::StartProjectRequest* request,
                            v1::Project* response) override;
  grpc::Status CompleteProject(grpc::ServerContext* context,
                               const v1::CompleteProjectRequest* request,
                               v1::Project* response) override;
  grpc::Status ReviewProject(grpc::ServerContext* context,
                             const v1::ReviewProjectRequest* request,
                             v1::Project* response) override;
  grpc::Status CancelProject(grpc::ServerContext* context,
                             const v1::CancelProjectRequest* request,
                             v1::Project* response) override;
  grpc::Status ListAuditEvents(
      grpc::ServerContext* context,
      const kyodo::type::v1::ListAuditEventsRequest* request,
      kyodo::type::v1::ListAuditEventsResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context,
                          const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;
  grpc::Status WatchEvents(grpc::ServerContext* context,
                           const v1::WatchEventsRequest* request,
                           grpc::ServerWriter<v1::Event>* writer) override;

  // A project's documents (document_handlers.cc).
  KYODO_DOCUMENT_METHODS_DECLARE()

 private:
  std::unique_ptr<common::events::Feed> own_feed_;
  std::shared_ptr<const common::documents::Documents> own_documents_;
  ServiceDeps deps_;
};

}  // namespace kyodo::project

#endif  // KYODO_PROJECT_SERVICE_SERVICE_H_
