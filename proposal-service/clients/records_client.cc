#include "proposal-service/clients/records_client.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace kyodo::proposal {
namespace {

using common::grpc_client::CallDownstream;

// UNAVAILABLE and DEADLINE_EXCEEDED say which service failed; other
// statuses pass unchanged.
absl::Status Unavailable(absl::Status status, absl::string_view service) {
  if (status.code() != absl::StatusCode::kUnavailable &&
      status.code() != absl::StatusCode::kDeadlineExceeded) {
    return status;
  }
  return common::ErrorWithReason(
      status.code(), kyodo::type::v1::RECORDS_UNAVAILABLE,
      absl::StrCat(service,
                   " could not be asked for the records this step needs (",
                   status.message(), "); nothing was written, retry later"),
      {{"service", std::string(service)}});
}

// NOT_FOUND and PERMISSION_DENIED: the record is not there for this caller.
bool Absent(const absl::Status& status) {
  return status.code() == absl::StatusCode::kNotFound ||
         status.code() == absl::StatusCode::kPermissionDenied;
}

common::grpc_client::DownstreamOptions Reads(absl::Duration budget,
                                             const char* service) {
  common::grpc_client::DownstreamOptions o;
  o.budget = budget;
  o.retry_unavailable = true;
  o.service = service;
  return o;
}

}  // namespace

RecordsClient::RecordsClient(std::shared_ptr<grpc::Channel> partners,
                             std::shared_ptr<grpc::Channel> projects,
                             absl::Duration budget)
    : partners_(partner::v1::PartnerService::NewStub(std::move(partners))),
      projects_(project::v1::ProjectService::NewStub(std::move(projects))),
      partner_options_(Reads(budget, "partner-service")),
      project_options_(Reads(budget, "project-service")) {}

absl::StatusOr<std::optional<partner::v1::Partner>> RecordsClient::GetPartner(
    const common::server::CallContext& call, const std::string& name) const {
  partner::v1::GetPartnerRequest request;
  request.set_name(name);
  partner::v1::Partner partner;
  absl::Status status =
      CallDownstream(call, partner_options_, [&](grpc::ClientContext* context) {
        partner.Clear();
        return partners_->GetPartner(context, request, &partner);
      });
  if (Absent(status)) return std::nullopt;
  if (!status.ok()) return Unavailable(std::move(status), "partner-service");
  return partner;
}

absl::StatusOr<std::optional<project::v1::Project>> RecordsClient::GetProject(
    const common::server::CallContext& call, const std::string& name) const {
  project::v1::GetProjectRequest request;
  request.set_name(name);
  project::v1::Project project;
  absl::Status status =
      CallDownstream(call, project_options_, [&](grpc::ClientContext* context) {
        project.Clear();
        return projects_->GetProject(context, request, &project);
      });
  if (Absent(status)) return std::nullopt;
  if (!status.ok()) return Unavailable(std::move(status), "project-service");
  return project;
}

namespace {

// Every page of a List call: `list(page_token, response)` answers one page.
template <typename Item, typename Response>
absl::StatusOr<std::vector<Item>> AllPages(
    const common::server::CallContext& call,
    const common::grpc_client::DownstreamOptions& options,
    absl::string_view service,
    const std::function<grpc::Status(grpc::ClientContext*, const std::string&,
                                     Response*)>& list,
    const std::function<google::protobuf::RepeatedPtrField<Item>*(Response&)>&
        items) {
  std::vector<Item> out;
  std::string token;
  do {
    Response page;
    absl::Status status =
        CallDownstream(call, options, [&](grpc::ClientContext* context) {
          page.Clear();
          return list(context, token, &page);
        });
    if (!status.ok()) return Unavailable(std::move(status), service);
    for (Item& item : *items(page)) out.push_back(std::move(item));
    token = page.next_page_token();
  } while (!token.empty());
  return out;
}

}  // namespace

absl::StatusOr<std::vector<partner::v1::Network>> RecordsClient::ListNetworks(
    const common::server::CallContext& call, const std::string& filter) const {
  using Response = partner::v1::ListNetworksResponse;
  return AllPages<partner::v1::Network, Response>(
      call, partner_options_, "partner-service",
      [&](grpc::ClientContext* context, const std::string& token,
          Response* page) {
        partner::v1::ListNetworksRequest request;
        request.set_filter(filter);
        request.set_page_size(500);
        request.set_page_token(token);
        return partners_->ListNetworks(context, request, page);
      },
      [](Response& page) { return page.mutable_networks(); });
}

absl::StatusOr<std::vector<partner::v1::Partner>> RecordsClient::ListPartners(
    const common::server::CallContext& call, const std::string& filter) const {
  using Response = partner::v1::ListPartnersResponse;
  return AllPages<partner::v1::Partner, Response>(
      call, partner_options_, "partner-service",
      [&](grpc::ClientContext* context, const std::string& token,
          Response* page) {
        partner::v1::ListPartnersRequest request;
        request.set_filter(filter);
        request.set_page_size(500);
        request.set_page_token(token);
        return partners_->ListPartners(context, request, page);
      },
      [](Response& page) { return page.mutable_partners(); });
}

}  // namespace kyodo::proposal
