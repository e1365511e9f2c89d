// project-service's calls to proposal-service: the proposal a project says
// it was selected from (source_proposal), so that no project can claim a
// proposal the decision did not adopt (issue 13: projects are the history
// that continuation years are counted from). Through
// common/grpc/downstream.h like the partner client (the caller's token
// forwarded; reads retried on UNAVAILABLE), and called BEFORE any
// transaction: when proposal-service cannot answer, nothing is written.
#ifndef KYODO_PROJECT_SERVICE_CLIENTS_PROPOSAL_CLIENT_H_
#define KYODO_PROJECT_SERVICE_CLIENTS_PROPOSAL_CLIENT_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/downstream.h"
#include "common/server/rpc.h"
#include "grpcpp/channel.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "project-service/domain/rules.h"

namespace kyodo::project {

// The interface the handlers use; the service's own tests give a fake.
class SourceProposals {
 public:
  virtual ~SourceProposals() = default;
  // The proposal `name` and its call's fiscal year; nullopt when it does
  // not exist or the caller may not read it. UNAVAILABLE or
  // DEADLINE_EXCEEDED, reason PROPOSAL_SERVICE_UNAVAILABLE, when
  // proposal-service cannot answer in time.
  virtual absl::StatusOr<std::optional<domain::SourceProposal>> Get(
      const common::server::CallContext& call,
      const std::string& name) const = 0;
};

class ProposalClient : public SourceProposals {
 public:
  explicit ProposalClient(std::shared_ptr<grpc::Channel> channel,
                          absl::Duration budget = absl::Seconds(2));

  absl::StatusOr<std::optional<domain::SourceProposal>> Get(
      const common::server::CallContext& call,
      const std::string& name) const override;

 private:
  std::unique_ptr<kyodo::proposal::v1::ProposalService::StubInterface> stub_;
  common::grpc_client::DownstreamOptions options_;
};

}  // namespace kyodo::project

#endif  // KYODO_PROJECT_SERVICE_CLIENTS_PROPOSAL_CLIENT_H_
