// What proposal-service asks other services while screening a proposal
// (issue 13: screening does not take its facts from the caller): partners'
// records from partner-service, projects from project-service; and, for a
// committee member's conflicts, networks and city units. Every call
// goes through common/grpc/downstream.h (deadline from the caller's, at most
// `budget` per attempt; the caller's token forwarded, so the other services
// check the caller's own rights; reads retried on UNAVAILABLE).
//
// Handlers call these BEFORE they open a transaction: a slow or absent
// service never holds a database connection or a lock, and when it cannot
// answer nothing is written (UNAVAILABLE or DEADLINE_EXCEEDED, reason
// RECORDS_UNAVAILABLE).
#ifndef KYODO_PROPOSAL_SERVICE_CLIENTS_RECORDS_CLIENT_H_
#define KYODO_PROPOSAL_SERVICE_CLIENTS_RECORDS_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/downstream.h"
#include "common/server/rpc.h"
#include "grpcpp/channel.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"

namespace kyodo::proposal {

// The interface the handlers use; tests of this service give a fake.
class Records {
 public:
  virtual ~Records() = default;
  // The partner `name` (deleted and inactive ones included); nullopt when
  // it does not exist or the caller may not read it.
  virtual absl::StatusOr<std::optional<partner::v1::Partner>> GetPartner(
      const common::server::CallContext& call,
      const std::string& name) const = 0;
  // The project `name`; nullopt when it does not exist or the caller may
  // not read it.
  virtual absl::StatusOr<std::optional<project::v1::Project>> GetProject(
      const common::server::CallContext& call,
      const std::string& name) const = 0;
  // Every network (every page) matching `filter`, e.g.
  // `member = "partners/x"`; the conflicts of a committee member
  // (committee.h).
  virtual absl::StatusOr<std::vector<partner::v1::Network>> ListNetworks(
      const common::server::CallContext& call,
      const std::string& filter) const = 0;
  // Every partner (every page) matching `filter`, e.g.
  // `parent = "partners/x"`.
  virtual absl::StatusOr<std::vector<partner::v1::Partner>> ListPartners(
      const common::server::CallContext& call,
      const std::string& filter) const = 0;
};

class RecordsClient : public Records {
 public:
  RecordsClient(std::shared_ptr<grpc::Channel> partners,
                std::shared_ptr<grpc::Channel> projects,
                absl::Duration budget = absl::Seconds(2));

  absl::StatusOr<std::optional<partner::v1::Partner>> GetPartner(
      const common::server::CallContext& call,
      const std::string& name) const override;
  absl::StatusOr<std::optional<project::v1::Project>> GetProject(
      const common::server::CallContext& call,
      const std::string& name) const override;
  absl::StatusOr<std::vector<partner::v1::Network>> ListNetworks(
      const common::server::CallContext& call,
      const std::string& filter) const override;
  absl::StatusOr<std::vector<partner::v1::Partner>> ListPartners(
      const common::server::CallContext& call,
      const std::string& filter) const override;

 private:
  std::unique_ptr<partner::v1::PartnerService::StubInterface> partners_;
  std::unique_ptr<project::v1::ProjectService::StubInterface> projects_;
  common::grpc_client::DownstreamOptions partner_options_;
  common::grpc_client::DownstreamOptions project_options_;
};

}  // namespace kyodo::proposal

#endif  // KYODO_PROPOSAL_SERVICE_CLIENTS_RECORDS_CLIENT_H_
