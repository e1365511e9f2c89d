#include "project-service/clients/proposal_client.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace kyodo::project {
namespace {

using common::grpc_client::CallDownstream;
namespace pv1 = kyodo::proposal::v1;

constexpr char kProposalService[] = "kyodo.proposal.v1.ProposalService";

bool Absent(const absl::Status& status) {
  return status.code() == absl::StatusCode::kNotFound ||
         status.code() == absl::StatusCode::kPermissionDenied;
}

absl::Status Unavailable(absl::Status status) {
  if (status.code() != absl::StatusCode::kUnavailable &&
      status.code() != absl::StatusCode::kDeadlineExceeded) {
    return status;
  }
  return common::ErrorWithReason(
      status.code(), kyodo::type::v1::PROPOSAL_SERVICE_UNAVAILABLE,
      absl::StrCat("proposal-service could not be asked about the source "
                   "proposal (",
                   status.message(), "); nothing was written, retry later"),
      {{"service", kProposalService}});
}

}  // namespace

ProposalClient::ProposalClient(std::shared_ptr<grpc::Channel> channel,
                               absl::Duration budget)
    : stub_(pv1::ProposalService::NewStub(std::move(channel))) {
  options_.budget = budget;
  options_.retry_unavailable = true;
  options_.service = "proposal-service";
}

absl::StatusOr<std::optional<domain::SourceProposal>> ProposalClient::Get(
    const common::server::CallContext& call, const std::string& name) const {
  pv1::GetProposalRequest request;
  request.set_name(name);
  domain::SourceProposal source;
  absl::Status status =
      CallDownstream(call, options_, [&](grpc::ClientContext* context) {
        source.proposal.Clear();
        return stub_->GetProposal(context, request, &source.proposal);
      });
  if (Absent(status)) return std::nullopt;
  if (!status.ok()) return Unavailable(std::move(status));
  pv1::GetCallRequest get_call;
  get_call.set_name(name.substr(0, name.find("/proposals/")));
  pv1::Call c;
  status = CallDownstream(call, options_, [&](grpc::ClientContext* context) {
    c.Clear();
    return stub_->GetCall(context, get_call, &c);
  });
  if (Absent(status)) return std::nullopt;
  if (!status.ok()) return Unavailable(std::move(status));
  source.fiscal_year = c.fiscal_year();
  return source;
}

}  // namespace kyodo::project
