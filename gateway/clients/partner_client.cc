#include "gateway/clients/partner_client.h"

#include "absl/strings/str_cat.h"
#include "gateway/clients/list_all.h"

namespace kyodo::gateway {

using common::grpc_client::CallUnary;
using common::server::CallContext;
using Stub = partner::v1::PartnerService::Stub;

absl::StatusOr<partner::v1::Partner> PartnerClient::Get(
    const CallContext& call, const std::string& name) {
  partner::v1::GetPartnerRequest request;
  request.set_name(name);
  return CallUnary(call, reads_, stub_.get(), &Stub::GetPartner, request);
}

absl::StatusOr<std::vector<partner::v1::Partner>> PartnerClient::BatchGet(
    const CallContext& call, const std::vector<std::string>& names) {
  if (names.empty()) return std::vector<partner::v1::Partner>();
  partner::v1::BatchGetPartnersRequest request;
  for (const std::string& name : names) request.add_names(name);
  auto response =
      CallUnary(call, reads_, stub_.get(), &Stub::BatchGetPartners, request);
  if (!response.ok()) return response.status();
  return std::vector<partner::v1::Partner>(response->partners().begin(),
                                           response->partners().end());
}

absl::StatusOr<std::vector<partner::v1::Agreement>> PartnerClient::AgreementsOf(
    const CallContext& call, const std::string& partner, int limit) {
  return ListAll<partner::v1::Agreement>(
      limit,
      [&](const std::string& token, std::vector<partner::v1::Agreement>* out)
          -> absl::StatusOr<std::string> {
        partner::v1::ListAgreementsRequest request;
        request.set_filter(absl::StrCat("party = \"", partner, "\""));
        request.set_page_size(500);
        request.set_page_token(token);
        auto page = CallUnary(call, reads_, stub_.get(), &Stub::ListAgreements,
                              request);
        if (!page.ok()) return page.status();
        out->insert(out->end(), page->agreements().begin(),
                    page->agreements().end());
        return page->next_page_token();
      });
}

absl::StatusOr<std::vector<partner::v1::Network>> PartnerClient::NetworksOf(
    const CallContext& call, const std::string& partner, int limit) {
  return ListAll<partner::v1::Network>(
      limit,
      [&](const std::string& token, std::vector<partner::v1::Network>* out)
          -> absl::StatusOr<std::string> {
        partner::v1::ListNetworksRequest request;
        request.set_filter(absl::StrCat("member = \"", partner, "\""));
        request.set_page_size(500);
        request.set_page_token(token);
        auto page =
            CallUnary(call, reads_, stub_.get(), &Stub::ListNetworks, request);
        if (!page.ok()) return page.status();
        out->insert(out->end(), page->networks().begin(),
                    page->networks().end());
        return page->next_page_token();
      });
}

}  // namespace kyodo::gateway
