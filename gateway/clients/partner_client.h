// gateway -> partner-service: every call the gateway makes to it.
#ifndef KYODO_GATEWAY_CLIENTS_PARTNER_CLIENT_H_
#define KYODO_GATEWAY_CLIENTS_PARTNER_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/grpc/downstream.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"

namespace kyodo::gateway {

class PartnerClient {
 public:
  PartnerClient(std::shared_ptr<grpc::Channel> channel,
                common::grpc_client::DownstreamOptions reads)
      : stub_(partner::v1::PartnerService::NewStub(channel)), reads_(reads) {}

  absl::StatusOr<partner::v1::Partner> Get(
      const common::server::CallContext& call, const std::string& name);
  absl::StatusOr<std::vector<partner::v1::Partner>> BatchGet(
      const common::server::CallContext& call,
      const std::vector<std::string>& names);
  // Agreements the partner is a party to / networks it belongs to (first
  // `limit`).
  absl::StatusOr<std::vector<partner::v1::Agreement>> AgreementsOf(
      const common::server::CallContext& call, const std::string& partner,
      int limit);
  absl::StatusOr<std::vector<partner::v1::Network>> NetworksOf(
      const common::server::CallContext& call, const std::string& partner,
      int limit);

 private:
  std::unique_ptr<partner::v1::PartnerService::Stub> stub_;
  common::grpc_client::DownstreamOptions reads_;
};

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_CLIENTS_PARTNER_CLIENT_H_
