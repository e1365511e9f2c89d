#include "project-service/clients/partner_client.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/downstream.h"
#include "common/status/errors.h"

namespace kyodo::project {
namespace {

using common::grpc_client::CallDownstream;

constexpr char kPartnerService[] = "kyodo.partner.v1.PartnerService";

// UNAVAILABLE and DEADLINE_EXCEEDED say which dependency failed; other
// statuses pass unchanged.
absl::Status Unavailable(absl::Status status) {
  if (status.code() != absl::StatusCode::kUnavailable &&
      status.code() != absl::StatusCode::kDeadlineExceeded) {
    return status;
  }
  return common::ErrorWithReason(
      status.code(), kyodo::type::v1::PARTNER_SERVICE_UNAVAILABLE,
      absl::StrCat("partner-service could not be asked about the partners (",
                   status.message(), "); nothing was written, retry later"),
      {{"service", kPartnerService}});
}

// The `resource` of a NOT_FOUND from partner-service, or "".
std::string MissingResource(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kNotFound) return "";
  std::optional<google::rpc::ErrorInfo> info = common::GetErrorInfo(status);
  if (!info.has_value()) return "";
  auto it = info->metadata().find("resource");
  return it == info->metadata().end() ? "" : it->second;
}

}  // namespace

PartnerClient::PartnerClient(std::shared_ptr<grpc::Channel> channel,
                             absl::Duration budget)
    : stub_(kyodo::partner::v1::PartnerService::NewStub(std::move(channel))) {
  options_.budget = budget;
  options_.retry_unavailable = true;
  options_.service = "partner-service";
}

absl::StatusOr<domain::PartnersByName> PartnerClient::GetPartners(
    const common::server::CallContext& call,
    const std::vector<std::string>& names) const {
  kyodo::partner::v1::BatchGetPartnersRequest request;
  for (const std::string& name : names) request.add_names(name);
  kyodo::partner::v1::BatchGetPartnersResponse response;
  absl::Status status =
      CallDownstream(call, options_, [&](grpc::ClientContext* context) {
        response.Clear();
        return stub_->BatchGetPartners(context, request, &response);
      });
  if (const std::string missing = MissingResource(status); !missing.empty()) {
    return common::ErrorWithReason(
        absl::StatusCode::kFailedPrecondition,
        kyodo::type::v1::PARTICIPANT_NOT_FOUND,
        absl::StrCat(missing, " is not a partner; register it first"),
        {{"partner", missing}});
  }
  if (!status.ok()) return Unavailable(std::move(status));
  domain::PartnersByName partners;
  for (auto& partner : *response.mutable_partners()) {
    std::string name = partner.name();
    partners.emplace(std::move(name), std::move(partner));
  }
  return partners;
}

absl::Status PartnerClient::CheckAgreement(
    const common::server::CallContext& call, const std::string& name) const {
  kyodo::partner::v1::GetAgreementRequest request;
  request.set_name(name);
  kyodo::partner::v1::Agreement agreement;
  absl::Status status =
      CallDownstream(call, options_, [&](grpc::ClientContext* context) {
        return stub_->GetAgreement(context, request, &agreement);
      });
  if (status.code() == absl::StatusCode::kNotFound ||
      (status.ok() && agreement.has_delete_time())) {
    return common::ErrorWithReason(
        absl::StatusCode::kFailedPrecondition,
        kyodo::type::v1::AGREEMENT_NOT_FOUND,
        absl::StrCat(name, status.ok() ? " is deleted" : " does not exist"),
        {{"agreement", name}});
  }
  return Unavailable(std::move(status));
}

}  // namespace kyodo::project
