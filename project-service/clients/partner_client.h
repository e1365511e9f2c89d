// project-service's calls to partner-service: the participants' records and
// the agreement a project rests on. Every call goes through
// common/grpc/downstream.h (deadline from the caller's, at most `budget` per
// attempt; the caller's token forwarded, so partner-service checks the
// caller's own rights; reads retried on UNAVAILABLE).
//
// Handlers call these BEFORE they open a transaction: a slow or absent
// partner-service never holds a database connection or a lock, and when it
// cannot answer nothing is written.
#ifndef KYODO_PROJECT_SERVICE_CLIENTS_PARTNER_CLIENT_H_
#define KYODO_PROJECT_SERVICE_CLIENTS_PARTNER_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/downstream.h"
#include "common/server/rpc.h"
#include "grpcpp/channel.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "project-service/domain/rules.h"

namespace kyodo::project {

class PartnerClient {
 public:
  explicit PartnerClient(std::shared_ptr<grpc::Channel> channel,
                         absl::Duration budget = absl::Seconds(2));

  // The partner-service records of `names` (distinct, well-formed partner
  // names), deleted and inactive ones included. FAILED_PRECONDITION
  // PARTICIPANT_NOT_FOUND (metadata `partner`) when one does not exist;
  // UNAVAILABLE or DEADLINE_EXCEEDED, reason PARTNER_SERVICE_UNAVAILABLE,
  // when partner-service cannot answer in time; its other errors as it
  // sent them.
  absl::StatusOr<domain::PartnersByName> GetPartners(
      const common::server::CallContext& call,
      const std::vector<std::string>& names) const;

  // FAILED_PRECONDITION AGREEMENT_NOT_FOUND when `name` does not exist or
  // is deleted; unavailability as for GetPartners.
  absl::Status CheckAgreement(const common::server::CallContext& call,
                              const std::string& name) const;

 private:
  std::unique_ptr<kyodo::partner::v1::PartnerService::StubInterface> stub_;
  // Both calls are reads: retried on UNAVAILABLE within `budget`.
  common::grpc_client::DownstreamOptions options_;
};

}  // namespace kyodo::project

#endif  // KYODO_PROJECT_SERVICE_CLIENTS_PARTNER_CLIENT_H_
