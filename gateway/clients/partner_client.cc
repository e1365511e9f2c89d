#include "gateway/clients/partner_client.h"

#include "absl/strings/str_cat.h"
#include "gateway/clients/list_all.h"

namespace kyodo::gateway {

using common::grpc_client::CallUnaryAsync;
using common::server::CallContext;
// The stub's callback API (Stub::async() hides the type's name).
using Stub = class partner::v1::PartnerService::Stub::async;
namespace v1 = partner::v1;

void PartnerClient::Get(const CallContext& call, const std::string& name,
                        Callback<v1::Partner> done) {
  v1::GetPartnerRequest request;
  request.set_name(name);
  CallUnaryAsync(call, reads_, stub_->async(), &Stub::GetPartner,
                 std::move(request), std::move(done));
}

absl::StatusOr<std::vector<v1::Partner>> PartnerClient::BatchGet(
    const CallContext& call, const std::vector<std::string>& names) {
  return common::grpc_client::Await<std::vector<v1::Partner>>(
      [&](Callback<std::vector<v1::Partner>> done) {
        BatchGet(call, names, std::move(done));
      });
}

void PartnerClient::BatchGet(const CallContext& call,
                             const std::vector<std::string>& names,
                             Callback<std::vector<v1::Partner>> done) {
  if (names.empty()) return done(std::vector<v1::Partner>());
  v1::BatchGetPartnersRequest request;
  for (const std::string& name : names) request.add_names(name);
  CallUnaryAsync(
      call, reads_, stub_->async(), &Stub::BatchGetPartners, std::move(request),
      Callback<v1::BatchGetPartnersResponse>(
          [done = std::move(done)](
              absl::StatusOr<v1::BatchGetPartnersResponse> response) mutable {
            if (!response.ok()) return done(response.status());
            done(std::vector<v1::Partner>(response->partners().begin(),
                                          response->partners().end()));
          }));
}

void PartnerClient::AgreementsOf(const CallContext& call,
                                 const std::string& partner, int limit,
                                 bool* more,
                                 Callback<std::vector<v1::Agreement>> done) {
  v1::ListAgreementsRequest request;
  request.set_filter(absl::StrCat("party = \"", partner, "\""));
  request.set_page_size(500);
  ListPages(call, reads_, stub_->async(), &Stub::ListAgreements,
            std::move(request), &v1::ListAgreementsResponse::agreements, limit,
            more, std::move(done));
}

void PartnerClient::NetworksOf(const CallContext& call,
                               const std::string& partner, int limit,
                               bool* more,
                               Callback<std::vector<v1::Network>> done) {
  v1::ListNetworksRequest request;
  request.set_filter(absl::StrCat("member = \"", partner, "\""));
  request.set_page_size(500);
  ListPages(call, reads_, stub_->async(), &Stub::ListNetworks,
            std::move(request), &v1::ListNetworksResponse::networks, limit,
            more, std::move(done));
}

}  // namespace kyodo::gateway
