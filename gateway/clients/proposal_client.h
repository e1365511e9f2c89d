// gateway -> proposal-service: every call the gateway makes to it. Methods
// with a `done` callback: as in partner_client.h.
#ifndef KYODO_GATEWAY_CLIENTS_PROPOSAL_CLIENT_H_
#define KYODO_GATEWAY_CLIENTS_PROPOSAL_CLIENT_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/grpc/downstream.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"

namespace kyodo::gateway {

class ProposalClient {
 public:
  template <typename T>
  using Callback = common::grpc_client::Callback<T>;

  // The gateway's own short-lived credential (role screener), for the one
  // step it takes on its own authority: screening. Called per use, so a
  // renewed token is picked up.
  using ServiceToken = std::function<absl::StatusOr<std::string>()>;
  ProposalClient(const std::shared_ptr<grpc::Channel>& channel,
                 common::grpc_client::DownstreamOptions reads,
                 common::grpc_client::DownstreamOptions writes,
                 ServiceToken service_token)
      : stub_(proposal::v1::ProposalService::NewStub(channel)),
        reads_(std::move(reads)),
        writes_(std::move(writes)),
        service_token_(std::move(service_token)) {}

  absl::StatusOr<proposal::v1::Proposal> GetProposal(
      const common::server::CallContext& call, const std::string& name);
  void GetProposal(const common::server::CallContext& call,
                   const std::string& name,
                   Callback<proposal::v1::Proposal> done);
  absl::StatusOr<proposal::v1::Call> GetCall(
      const common::server::CallContext& call, const std::string& name);
  absl::StatusOr<proposal::v1::Programme> GetProgramme(
      const common::server::CallContext& call, const std::string& name);
  absl::StatusOr<proposal::v1::Proposal> Submit(
      const common::server::CallContext& call, const std::string& name,
      const std::string& etag, const std::string& request_id);
  // With the gateway's screening credential: applicants may not screen.
  // proposal-service gathers the facts itself.
  absl::StatusOr<proposal::v1::Proposal> Screen(
      const common::server::CallContext& call, const std::string& name,
      const std::string& request_id);
  // With the committee's rulings, if any (DecideCallRequest.rulings).
  absl::StatusOr<proposal::v1::Decision> Decide(
      const common::server::CallContext& call, const std::string& call_name,
      const std::string& request_id,
      const google::protobuf::RepeatedPtrField<proposal::v1::CommitteeRuling>&
          rulings = {});
  absl::StatusOr<proposal::v1::Call> Publish(
      const common::server::CallContext& call, const std::string& call_name,
      const std::string& request_id);
  absl::StatusOr<proposal::v1::Decision> GetDecision(
      const common::server::CallContext& call, const std::string& call_name);
  absl::StatusOr<proposal::v1::Proposal> LinkProject(
      const common::server::CallContext& call, const std::string& proposal,
      const std::string& project, const std::string& request_id);
  void ListProposals(const common::server::CallContext& call,
                     const std::string& parent, const std::string& filter,
                     int limit, bool* more,
                     Callback<std::vector<proposal::v1::Proposal>> done);
  // The proposals under `parent` matching `filter`, counted by state as the
  // caller reads them (ProposalService.SummarizeProposals).
  void SummarizeProposals(const common::server::CallContext& call,
                          const std::string& parent, const std::string& filter,
                          Callback<proposal::v1::ProposalSummary> done);
  // One page of every programme's calls matching `filter`, from `token`.
  absl::StatusOr<proposal::v1::ListCallsResponse> ListCallsPage(
      const common::server::CallContext& call, const std::string& filter,
      const std::string& token);
  void ListCalls(const common::server::CallContext& call,
                 const std::string& filter, int limit, bool* more,
                 Callback<std::vector<proposal::v1::Call>> done);

 private:
  common::grpc_client::DownstreamOptions Writes() const;

  std::unique_ptr<proposal::v1::ProposalService::Stub> stub_;
  common::grpc_client::DownstreamOptions reads_;
  common::grpc_client::DownstreamOptions writes_;
  ServiceToken service_token_;
};

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_CLIENTS_PROPOSAL_CLIENT_H_
