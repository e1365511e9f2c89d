// Forwarding of every method of the three services through the gateway's
// address, byte for byte: the request is not parsed, the caller's metadata
// (token, x-request-id) and deadline travel with it, and the service's
// answer, status details included, comes back unchanged. Each service
// checks the token itself.
#ifndef KYODO_GATEWAY_PROXY_H_
#define KYODO_GATEWAY_PROXY_H_

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/async_generic_service.h"

namespace kyodo::gateway {

class Proxy final : public grpc::CallbackGenericService {
 public:
  // `routes` maps a full service name ("kyodo.partner.v1.PartnerService") to
  // the channel of the service that implements it. Calls without a deadline
  // get `default_deadline`.
  Proxy(std::map<std::string, std::shared_ptr<grpc::Channel>> routes,
        absl::Duration default_deadline)
      : routes_(std::move(routes)), default_deadline_(default_deadline) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

  // The channel for `method` ("/pkg.Service/Method"), or nullptr.
  std::shared_ptr<grpc::Channel> Route(const std::string& method) const;

 private:
  std::map<std::string, std::shared_ptr<grpc::Channel>> routes_;
  absl::Duration default_deadline_;
};

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_PROXY_H_
