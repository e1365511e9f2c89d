// kyodo.gateway.v1.Gateway: the composed workflows (handlers in *_handler.cc).
// The forwarding of the services' own methods is proxy.h.
#ifndef KYODO_GATEWAY_SERVICE_H_
#define KYODO_GATEWAY_SERVICE_H_

#include <utility>

#include "common/server/rpc.h"
#include "gateway/handlers.h"
#include "kyodo/gateway/v1/gateway.grpc.pb.h"

namespace kyodo::gateway {

class GatewayServiceImpl final : public v1::Gateway::Service {
 public:
  GatewayServiceImpl(GatewayDeps deps, const common::server::RpcRunner* rpc)
      : deps_(std::move(deps)), rpc_(rpc) {}

  grpc::Status SubmitProposal(grpc::ServerContext* context,
                              const v1::SubmitProposalRequest* request,
                              v1::SubmitProposalResponse* response) override;
  grpc::Status FinalizeCall(grpc::ServerContext* context,
                            const v1::FinalizeCallRequest* request,
                            v1::FinalizeCallResponse* response) override;
  grpc::Status PublishResults(grpc::ServerContext* context,
                              const v1::PublishResultsRequest* request,
                              v1::PublishResultsResponse* response) override;
  grpc::Status GetProjectDossier(grpc::ServerContext* context,
                                 const v1::GetProjectDossierRequest* request,
                                 v1::ProjectDossier* response) override;
  grpc::Status GetPartnerProfile(grpc::ServerContext* context,
                                 const v1::GetPartnerProfileRequest* request,
                                 v1::PartnerProfile* response) override;
  grpc::Status GetWardDashboard(grpc::ServerContext* context,
                                const v1::GetWardDashboardRequest* request,
                                v1::WardDashboard* response) override;
  grpc::Status ExportOpenData(
      grpc::ServerContext* context, const v1::ExportOpenDataRequest* request,
      grpc::ServerWriter<v1::ExportChunk>* writer) override;

 private:
  GatewayDeps deps_;
  const common::server::RpcRunner* rpc_;
};

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_SERVICE_H_
