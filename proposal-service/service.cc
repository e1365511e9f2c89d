#include "proposal-service/service.h"

#include "common/documents/flags.h"
#include "common/documents/serve.h"
#include "proposal-service/handlers.h"

namespace kyodo::proposal {

using common::server::CallContext;

ProposalServiceImpl::ProposalServiceImpl(ServiceDeps deps) : deps_(deps) {
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
#define KYODO_PROPOSAL_RPC(Method, Request, Response)                       \
  grpc::Status ProposalServiceImpl::Method(grpc::ServerContext* context,    \
                                           const Request* request,          \
                                           Response* response) {            \
    return deps_.rpc->Run(context, *request, [&](const CallContext& call) { \
      return proposal::Method(deps_, call, *request, response);             \
    });                                                                     \
  }
// NOLINTEND(bugprone-macro-parentheses)
KYODO_PROPOSAL_RPCS(KYODO_PROPOSAL_RPC)
#undef KYODO_PROPOSAL_RPC

grpc::Status ProposalServiceImpl::WatchEvents(
    grpc::ServerContext* context, const v1::WatchEventsRequest* request,
    grpc::ServerWriter<v1::Event>* writer) {
  return deps_.rpc->Run(
      context, *request,
      [&](const CallContext& call) {
        return proposal::WatchEvents(deps_, call, *request, writer);
      },
      deps_.feed->options().max_watch_time + absl::Seconds(1));
}

KYODO_DOCUMENT_METHODS_DEFINE(ProposalServiceImpl, *deps_.rpc, deps_.documents,
                              DocumentPolicy())

}  // namespace kyodo::proposal
