#include "gateway/clients/project_client.h"

#include "gateway/clients/list_all.h"

namespace kyodo::gateway {

using common::grpc_client::CallUnary;
using common::grpc_client::CallUnaryAsync;
using common::server::CallContext;
using Stub = project::v1::ProjectService::Stub;
// The stub's callback API (Stub::async() hides the type's name).
using AsyncStub = class project::v1::ProjectService::Stub::async;

namespace {

// A page of the projects matching `filter`.
project::v1::ListProjectsRequest ListRequest(const std::string& filter) {
  project::v1::ListProjectsRequest request;
  request.set_filter(filter);
  // 100 projects of the largest size the proto allows (about 450 KB) fit
  // the gateway's receive limit (gateway/main.cc); a page of 500 would not.
  request.set_page_size(100);
  return request;
}

}  // namespace

void ProjectClient::Get(const CallContext& call, const std::string& name,
                        Callback<project::v1::Project> done) {
  project::v1::GetProjectRequest request;
  request.set_name(name);
  CallUnaryAsync(call, reads_, stub_->async(), &AsyncStub::GetProject,
                 std::move(request), std::move(done));
}

absl::StatusOr<project::v1::Project> ProjectClient::Create(
    const CallContext& call, const project::v1::Project& project,
    const std::string& request_id) {
  project::v1::CreateProjectRequest request;
  *request.mutable_project() = project;
  request.set_request_id(request_id);
  common::grpc_client::DownstreamOptions options = writes_;
  options.retry_unavailable = true;  // safe: the request id dedupes
  return CallUnary(call, options, stub_.get(), &Stub::CreateProject, request);
}

absl::StatusOr<project::v1::ListProjectsResponse> ProjectClient::ListPage(
    const CallContext& call, const std::string& filter,
    const std::string& token) {
  project::v1::ListProjectsRequest request = ListRequest(filter);
  request.set_page_token(token);
  return CallUnary(call, reads_, stub_.get(), &Stub::ListProjects, request);
}

void ProjectClient::Summarize(const CallContext& call,
                              const std::string& filter,
                              Callback<project::v1::ProjectSummary> done) {
  project::v1::SummarizeProjectsRequest request;
  request.set_filter(filter);
  CallUnaryAsync(call, reads_, stub_->async(), &AsyncStub::SummarizeProjects,
                 std::move(request), std::move(done));
}

void ProjectClient::List(const CallContext& call, const std::string& filter,
                         int limit, bool* more,
                         Callback<std::vector<project::v1::Project>> done) {
  ListPages(call, reads_, stub_->async(), &AsyncStub::ListProjects,
            ListRequest(filter), &project::v1::ListProjectsResponse::projects,
            limit, more, std::move(done));
}

}  // namespace kyodo::gateway
