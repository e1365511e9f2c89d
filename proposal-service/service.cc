#include "proposal-service/service.h"

#include "proposal-service/handlers.h"

namespace kyodo::proposal {

using common::server::CallContext;

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

}  // namespace kyodo::proposal
