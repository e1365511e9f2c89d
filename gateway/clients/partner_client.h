// gateway -> partner-service: every call the gateway makes to it.
//
// Methods that take a `done` callback return at once and call it once with
// the result, from one of gRPC's threads (common/grpc/downstream.h,
// Callback): the gateway's fan-outs (gateway/fan_out.h) use them. `call`
// must outlive the call.
#ifndef KYODO_GATEWAY_CLIENTS_PARTNER_CLIENT_H_
#define KYODO_GATEWAY_CLIENTS_PARTNER_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/grpc/downstream.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"

namespace kyodo::gateway {

class PartnerClient {
 public:
  template <typename T>
  using Callback = common::grpc_client::Callback<T>;

  PartnerClient(const std::shared_ptr<grpc::Channel>& channel,
                common::grpc_client::DownstreamOptions reads)
      : stub_(partner::v1::PartnerService::NewStub(channel)),
        reads_(std::move(reads)) {}

  void Get(const common::server::CallContext& call, const std::string& name,
           Callback<partner::v1::Partner> done);
  absl::StatusOr<std::vector<partner::v1::Partner>> BatchGet(
      const common::server::CallContext& call,
      const std::vector<std::string>& names);
  void BatchGet(const common::server::CallContext& call,
                const std::vector<std::string>& names,
                Callback<std::vector<partner::v1::Partner>> done);
  // Agreements the partner is a party to / networks it belongs to (first
  // `limit`).
  void AgreementsOf(const common::server::CallContext& call,
                    const std::string& partner, int limit, bool* more,
                    Callback<std::vector<partner::v1::Agreement>> done);
  void NetworksOf(const common::server::CallContext& call,
                  const std::string& partner, int limit, bool* more,
                  Callback<std::vector<partner::v1::Network>> done);

 private:
  std::unique_ptr<partner::v1::PartnerService::Stub> stub_;
  common::grpc_client::DownstreamOptions reads_;
};

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_CLIENTS_PARTNER_CLIENT_H_
