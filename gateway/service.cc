#include "gateway/service.h"

#include "common/idempotency/idempotency.h"

namespace kyodo::gateway {

using common::server::CallContext;

std::string StepRequestId(const GatewayDeps& d, absl::string_view step) {
  return common::idempotency::DeriveRequestId(step, d.step_key);
}

// NOLINTBEGIN(bugprone-macro-parentheses): Request and Response are
// types, which cannot be parenthesized.
#define KYODO_GATEWAY_RPC(Method, Request, Response)                    \
  grpc::Status GatewayServiceImpl::Method(grpc::ServerContext* context, \
                                          const Request* request,       \
                                          Response* response) {         \
    return rpc_->Run(context, *request, [&](const CallContext& call) {  \
      return gateway::Method(deps_, call, *request, response);          \
    });                                                                 \
  }
// NOLINTEND(bugprone-macro-parentheses)

KYODO_GATEWAY_RPC(SubmitProposal, v1::SubmitProposalRequest,
                  v1::SubmitProposalResponse)
KYODO_GATEWAY_RPC(FinalizeCall, v1::FinalizeCallRequest,
                  v1::FinalizeCallResponse)
KYODO_GATEWAY_RPC(PublishResults, v1::PublishResultsRequest,
                  v1::PublishResultsResponse)
KYODO_GATEWAY_RPC(GetProjectDossier, v1::GetProjectDossierRequest,
                  v1::ProjectDossier)
KYODO_GATEWAY_RPC(GetPartnerProfile, v1::GetPartnerProfileRequest,
                  v1::PartnerProfile)
KYODO_GATEWAY_RPC(GetWardDashboard, v1::GetWardDashboardRequest,
                  v1::WardDashboard)
#undef KYODO_GATEWAY_RPC

grpc::Status GatewayServiceImpl::ExportOpenData(
    grpc::ServerContext* context, const v1::ExportOpenDataRequest* request,
    grpc::ServerWriter<v1::ExportChunk>* writer) {
  return rpc_->Run(
      context, *request,
      [&](const CallContext& call) {
        return gateway::ExportOpenData(deps_, call, *request, writer);
      },
      deps_.export_deadline);
}

}  // namespace kyodo::gateway
