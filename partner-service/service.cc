#include "partner-service/service.h"

#include "common/documents/flags.h"
#include "common/documents/serve.h"
#include "partner-service/handlers.h"

namespace kyodo::partner {

using common::server::CallContext;

PartnerServiceImpl::PartnerServiceImpl(ServiceDeps deps) : deps_(deps) {
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
#define KYODO_PARTNER_RPC(Method, Request, Response)                        \
  grpc::Status PartnerServiceImpl::Method(grpc::ServerContext* context,     \
                                          const Request* request,           \
                                          Response* response) {             \
    return deps_.rpc->Run(context, *request, [&](const CallContext& call) { \
      return partner::Method(deps_, call, *request, response);              \
    });                                                                     \
  }
// NOLINTEND(bugprone-macro-parentheses)

KYODO_PARTNER_RPC(GetPartner, v1::GetPartnerRequest, v1::Partner)
KYODO_PARTNER_RPC(ListPartners, v1::ListPartnersRequest,
                  v1::ListPartnersResponse)
KYODO_PARTNER_RPC(CreatePartner, v1::CreatePartnerRequest, v1::Partner)
KYODO_PARTNER_RPC(UpdatePartner, v1::UpdatePartnerRequest, v1::Partner)
KYODO_PARTNER_RPC(SearchPartners, v1::SearchPartnersRequest,
                  v1::SearchPartnersResponse)
KYODO_PARTNER_RPC(BatchGetPartners, v1::BatchGetPartnersRequest,
                  v1::BatchGetPartnersResponse)
KYODO_PARTNER_RPC(GetAgreement, v1::GetAgreementRequest, v1::Agreement)
KYODO_PARTNER_RPC(ListAgreements, v1::ListAgreementsRequest,
                  v1::ListAgreementsResponse)
KYODO_PARTNER_RPC(CreateAgreement, v1::CreateAgreementRequest, v1::Agreement)
KYODO_PARTNER_RPC(UpdateAgreement, v1::UpdateAgreementRequest, v1::Agreement)
KYODO_PARTNER_RPC(DeleteAgreement, v1::DeleteAgreementRequest, v1::Agreement)
KYODO_PARTNER_RPC(GetNetwork, v1::GetNetworkRequest, v1::Network)
KYODO_PARTNER_RPC(ListNetworks, v1::ListNetworksRequest,
                  v1::ListNetworksResponse)
KYODO_PARTNER_RPC(CreateNetwork, v1::CreateNetworkRequest, v1::Network)
KYODO_PARTNER_RPC(UpdateNetwork, v1::UpdateNetworkRequest, v1::Network)
KYODO_PARTNER_RPC(DeleteNetwork, v1::DeleteNetworkRequest, v1::Network)
KYODO_PARTNER_RPC(ListAuditEvents, kyodo::type::v1::ListAuditEventsRequest,
                  kyodo::type::v1::ListAuditEventsResponse)
KYODO_PARTNER_RPC(ListEvents, v1::ListEventsRequest, v1::ListEventsResponse)
#undef KYODO_PARTNER_RPC

grpc::Status PartnerServiceImpl::WatchEvents(
    grpc::ServerContext* context, const v1::WatchEventsRequest* request,
    grpc::ServerWriter<v1::Event>* writer) {
  return deps_.rpc->Run(
      context, *request,
      [&](const CallContext& call) {
        return partner::WatchEvents(deps_, call, *request, writer);
      },
      deps_.feed->options().max_watch_time + absl::Seconds(1));
}

KYODO_DOCUMENT_METHODS_DEFINE(PartnerServiceImpl, *deps_.rpc, deps_.documents,
                              DocumentPolicy())

// The four state changes share one handler.
#define KYODO_PARTNER_CHANGE(Method, Request, Change)                        \
  grpc::Status PartnerServiceImpl::Method(grpc::ServerContext* context,      \
                                          const Request* request,            \
                                          v1::Partner* response) {           \
    return deps_.rpc->Run(context, *request, [&](const CallContext& call) {  \
      return ChangePartner(deps_, call, Change, request->name(),             \
                           request->etag(), request->request_id(), *request, \
                           response);                                        \
    });                                                                      \
  }

KYODO_PARTNER_CHANGE(DeletePartner, v1::DeletePartnerRequest,
                     PartnerChange::kDelete)
KYODO_PARTNER_CHANGE(UndeletePartner, v1::UndeletePartnerRequest,
                     PartnerChange::kUndelete)
KYODO_PARTNER_CHANGE(ActivatePartner, v1::ActivatePartnerRequest,
                     PartnerChange::kActivate)
KYODO_PARTNER_CHANGE(DeactivatePartner, v1::DeactivatePartnerRequest,
                     PartnerChange::kDeactivate)
#undef KYODO_PARTNER_CHANGE

}  // namespace kyodo::partner
