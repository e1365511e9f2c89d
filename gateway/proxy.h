// Forwarding of every method of the three services through the gateway's
// address, byte for byte: the request is not parsed, the caller's metadata
// (token, x-request-id) and deadline travel with it, and the service's
// answer, status details included, comes back unchanged. Each service
// checks the token itself. The gateway gives each forwarded call its call
// id (x-request-id) and a span of the caller's trace (traceparent,
// common/log/trace.h), sends both on, and logs and counts the call as it
// does its own (method "PartnerService.GetPartner", field forwarded=true).
#ifndef KYODO_GATEWAY_PROXY_H_
#define KYODO_GATEWAY_PROXY_H_

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/server/rpc.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/async_generic_service.h"

namespace kyodo::gateway {

class Proxy final : public grpc::CallbackGenericService {
 public:
  // `routes` maps a full service name ("kyodo.partner.v1.PartnerService") to
  // the channel of the service that implements it. Calls without a deadline
  // get `default_deadline`.
  // `observer` (may be empty) is told of every forwarded call, as the
  // gateway's RpcRunner is of its own (metrics).
  Proxy(std::map<std::string, std::shared_ptr<grpc::Channel>> routes,
        absl::Duration default_deadline,
        common::server::CallObserver observer = nullptr)
      : routes_(std::move(routes)),
        default_deadline_(default_deadline),
        observer_(std::move(observer)) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

  // The channel for `method` ("/pkg.Service/Method"), or nullptr.
  std::shared_ptr<grpc::Channel> Route(const std::string& method) const;

 private:
  std::map<std::string, std::shared_ptr<grpc::Channel>> routes_;
  absl::Duration default_deadline_;
  common::server::CallObserver observer_;
};

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_PROXY_H_
