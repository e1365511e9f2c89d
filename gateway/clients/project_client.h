// gateway -> project-service: every call the gateway makes to it. Methods
// with a `done` callback: as in partner_client.h.
#ifndef KYODO_GATEWAY_CLIENTS_PROJECT_CLIENT_H_
#define KYODO_GATEWAY_CLIENTS_PROJECT_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/grpc/downstream.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"

namespace kyodo::gateway {

class ProjectClient {
 public:
  template <typename T>
  using Callback = common::grpc_client::Callback<T>;

  ProjectClient(const std::shared_ptr<grpc::Channel>& channel,
                common::grpc_client::DownstreamOptions reads,
                common::grpc_client::DownstreamOptions writes)
      : stub_(project::v1::ProjectService::NewStub(channel)),
        reads_(std::move(reads)),
        writes_(std::move(writes)) {}

  void Get(const common::server::CallContext& call, const std::string& name,
           Callback<project::v1::Project> done);
  // Creates with `request_id` (retried on UNAVAILABLE: the id makes it safe).
  absl::StatusOr<project::v1::Project> Create(
      const common::server::CallContext& call,
      const project::v1::Project& project, const std::string& request_id);
  // Every project matching `filter`, up to `limit`.
  void List(const common::server::CallContext& call, const std::string& filter,
            int limit, bool* more,
            Callback<std::vector<project::v1::Project>> done);
  // The projects matching `filter` counted by state, with their
  // contributions by form (ProjectService.SummarizeProjects).
  void Summarize(const common::server::CallContext& call,
                 const std::string& filter,
                 Callback<project::v1::ProjectSummary> done);
  // One page, for streaming exports.
  absl::StatusOr<project::v1::ListProjectsResponse> ListPage(
      const common::server::CallContext& call, const std::string& filter,
      const std::string& token);

 private:
  std::unique_ptr<project::v1::ProjectService::Stub> stub_;
  common::grpc_client::DownstreamOptions reads_;
  common::grpc_client::DownstreamOptions writes_;
};

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_CLIENTS_PROJECT_CLIENT_H_
