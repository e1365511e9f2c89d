#include "gateway/clients/proposal_client.h"

#include "gateway/clients/list_all.h"

namespace kyodo::gateway {

using common::grpc_client::Await;
using common::grpc_client::CallUnary;
using common::grpc_client::CallUnaryAsync;
using common::server::CallContext;
using Stub = proposal::v1::ProposalService::Stub;
// The stub's callback API (Stub::async() hides the type's name).
using AsyncStub = class proposal::v1::ProposalService::Stub::async;
namespace v1 = proposal::v1;

common::grpc_client::DownstreamOptions ProposalClient::Writes() const {
  common::grpc_client::DownstreamOptions options = writes_;
  options.retry_unavailable = true;  // every write here carries a request id
  return options;
}

absl::StatusOr<v1::Proposal> ProposalClient::GetProposal(
    const CallContext& call, const std::string& name) {
  return Await<v1::Proposal>([&](Callback<v1::Proposal> done) {
    GetProposal(call, name, std::move(done));
  });
}

void ProposalClient::GetProposal(const CallContext& call,
                                 const std::string& name,
                                 Callback<v1::Proposal> done) {
  v1::GetProposalRequest request;
  request.set_name(name);
  CallUnaryAsync(call, reads_, stub_->async(), &AsyncStub::GetProposal,
                 std::move(request), std::move(done));
}

absl::StatusOr<v1::Call> ProposalClient::GetCall(const CallContext& call,
                                                 const std::string& name) {
  v1::GetCallRequest request;
  request.set_name(name);
  return CallUnary(call, reads_, stub_.get(), &Stub::GetCall, request);
}

absl::StatusOr<v1::Programme> ProposalClient::GetProgramme(
    const CallContext& call, const std::string& name) {
  v1::GetProgrammeRequest request;
  request.set_name(name);
  return CallUnary(call, reads_, stub_.get(), &Stub::GetProgramme, request);
}

absl::StatusOr<v1::Proposal> ProposalClient::Submit(
    const CallContext& call, const std::string& name, const std::string& etag,
    const std::string& request_id) {
  v1::SubmitProposalRequest request;
  request.set_name(name);
  if (!etag.empty()) request.set_etag(etag);
  request.set_request_id(request_id);
  return CallUnary(call, Writes(), stub_.get(), &Stub::SubmitProposal, request);
}

absl::StatusOr<v1::Proposal> ProposalClient::Screen(
    const CallContext& call, const std::string& name,
    const std::string& request_id) {
  v1::ScreenProposalRequest request;
  request.set_name(name);
  request.set_request_id(request_id);
  common::grpc_client::DownstreamOptions options = Writes();
  absl::StatusOr<std::string> token = service_token_();
  if (!token.ok()) return token.status();
  options.bearer_token = *std::move(token);
  return CallUnary(call, options, stub_.get(), &Stub::ScreenProposal, request);
}

absl::StatusOr<v1::Decision> ProposalClient::Decide(
    const CallContext& call, const std::string& call_name,
    const std::string& request_id,
    const google::protobuf::RepeatedPtrField<v1::CommitteeRuling>& rulings) {
  v1::DecideCallRequest request;
  request.set_name(call_name);
  request.set_request_id(request_id);
  *request.mutable_rulings() = rulings;
  return CallUnary(call, Writes(), stub_.get(), &Stub::DecideCall, request);
}

absl::StatusOr<v1::Call> ProposalClient::Publish(
    const CallContext& call, const std::string& call_name,
    const std::string& request_id) {
  v1::PublishResultsRequest request;
  request.set_name(call_name);
  request.set_request_id(request_id);
  return CallUnary(call, Writes(), stub_.get(), &Stub::PublishResults, request);
}

absl::StatusOr<v1::Decision> ProposalClient::GetDecision(
    const CallContext& call, const std::string& call_name) {
  v1::GetDecisionRequest request;
  request.set_name(call_name);
  return CallUnary(call, reads_, stub_.get(), &Stub::GetDecision, request);
}

absl::StatusOr<v1::Proposal> ProposalClient::LinkProject(
    const CallContext& call, const std::string& proposal,
    const std::string& project, const std::string& request_id) {
  v1::LinkProjectRequest request;
  request.set_name(proposal);
  request.set_project(project);
  request.set_request_id(request_id);
  return CallUnary(call, Writes(), stub_.get(), &Stub::LinkProject, request);
}

void ProposalClient::ListProposals(const CallContext& call,
                                   const std::string& parent,
                                   const std::string& filter, int limit,
                                   bool* more,
                                   Callback<std::vector<v1::Proposal>> done) {
  v1::ListProposalsRequest request;
  request.set_parent(parent);
  request.set_filter(filter);
  request.set_page_size(500);
  ListPages(call, reads_, stub_->async(), &AsyncStub::ListProposals,
            std::move(request), &v1::ListProposalsResponse::proposals, limit,
            more, std::move(done));
}

void ProposalClient::SummarizeProposals(const CallContext& call,
                                        const std::string& parent,
                                        const std::string& filter,
                                        Callback<v1::ProposalSummary> done) {
  v1::SummarizeProposalsRequest request;
  request.set_parent(parent);
  request.set_filter(filter);
  CallUnaryAsync(call, reads_, stub_->async(), &AsyncStub::SummarizeProposals,
                 std::move(request), std::move(done));
}

absl::StatusOr<v1::ListCallsResponse> ProposalClient::ListCallsPage(
    const CallContext& call, const std::string& filter,
    const std::string& token) {
  v1::ListCallsRequest request;
  request.set_parent("programmes/-");
  request.set_filter(filter);
  request.set_page_size(500);
  request.set_page_token(token);
  return CallUnary(call, reads_, stub_.get(), &Stub::ListCalls, request);
}

void ProposalClient::ListCalls(const CallContext& call,
                               const std::string& filter, int limit, bool* more,
                               Callback<std::vector<v1::Call>> done) {
  v1::ListCallsRequest request;
  request.set_parent("programmes/-");
  request.set_filter(filter);
  request.set_page_size(500);
  ListPages(call, reads_, stub_->async(), &AsyncStub::ListCalls,
            std::move(request), &v1::ListCallsResponse::calls, limit, more,
            std::move(done));
}

}  // namespace kyodo::gateway
