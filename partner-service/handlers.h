// The handler bodies of PartnerService, one function per RPC, each called by
// service.cc through RpcRunner (authentication and request checks done).
// Internal to partner-service.
#ifndef KYODO_PARTNER_SERVICE_HANDLERS_H_
#define KYODO_PARTNER_SERVICE_HANDLERS_H_

#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "common/db/session.h"
#include "common/server/rpc.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "partner-service/service.h"

namespace kyodo::partner {

// Hides a partner's contacts from callers that may not see them.
void RedactPartner(const common::auth::Principal& principal,
                   v1::Partner* partner);

// Every listed partner exists and is not deleted: FAILED_PRECONDITION
// PARTNER_NOT_FOUND naming the first that is not.
absl::Status CheckPartnersExist(
    common::db::Session& s,
    const google::protobuf::RepeatedPtrField<std::string>& names);

absl::Status GetPartner(const ServiceDeps& d,
                        const common::server::CallContext& call,
                        const v1::GetPartnerRequest& r, v1::Partner* out);
absl::Status ListPartners(const ServiceDeps& d,
                          const common::server::CallContext& call,
                          const v1::ListPartnersRequest& r,
                          v1::ListPartnersResponse* out);
absl::Status SearchPartners(const ServiceDeps& d,
                            const common::server::CallContext& call,
                            const v1::SearchPartnersRequest& r,
                            v1::SearchPartnersResponse* out);
absl::Status BatchGetPartners(const ServiceDeps& d,
                              const common::server::CallContext& call,
                              const v1::BatchGetPartnersRequest& r,
                              v1::BatchGetPartnersResponse* out);
absl::Status CreatePartner(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::CreatePartnerRequest& r, v1::Partner* out);
absl::Status UpdatePartner(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::UpdatePartnerRequest& r, v1::Partner* out);

// Delete, Undelete, Activate and Deactivate: one state change of a partner.
enum class PartnerChange { kDelete, kUndelete, kActivate, kDeactivate };
absl::Status ChangePartner(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           PartnerChange change, const std::string& name,
                           const std::string& etag,
                           const std::string& request_id,
                           const google::protobuf::Message& request,
                           v1::Partner* out);

absl::Status GetAgreement(const ServiceDeps& d,
                          const common::server::CallContext& call,
                          const v1::GetAgreementRequest& r, v1::Agreement* out);
absl::Status ListAgreements(const ServiceDeps& d,
                            const common::server::CallContext& call,
                            const v1::ListAgreementsRequest& r,
                            v1::ListAgreementsResponse* out);
absl::Status CreateAgreement(const ServiceDeps& d,
                             const common::server::CallContext& call,
                             const v1::CreateAgreementRequest& r,
                             v1::Agreement* out);
absl::Status UpdateAgreement(const ServiceDeps& d,
                             const common::server::CallContext& call,
                             const v1::UpdateAgreementRequest& r,
                             v1::Agreement* out);
absl::Status DeleteAgreement(const ServiceDeps& d,
                             const common::server::CallContext& call,
                             const v1::DeleteAgreementRequest& r,
                             v1::Agreement* out);

absl::Status GetNetwork(const ServiceDeps& d,
                        const common::server::CallContext& call,
                        const v1::GetNetworkRequest& r, v1::Network* out);
absl::Status ListNetworks(const ServiceDeps& d,
                          const common::server::CallContext& call,
                          const v1::ListNetworksRequest& r,
                          v1::ListNetworksResponse* out);
absl::Status CreateNetwork(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::CreateNetworkRequest& r, v1::Network* out);
absl::Status UpdateNetwork(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::UpdateNetworkRequest& r, v1::Network* out);
absl::Status DeleteNetwork(const ServiceDeps& d,
                           const common::server::CallContext& call,
                           const v1::DeleteNetworkRequest& r, v1::Network* out);

absl::Status ListAuditEvents(const ServiceDeps& d,
                             const common::server::CallContext& call,
                             const kyodo::type::v1::ListAuditEventsRequest& r,
                             kyodo::type::v1::ListAuditEventsResponse* out);

// The change feed (event_handlers.cc).
absl::Status ListEvents(const ServiceDeps& d,
                        const common::server::CallContext& call,
                        const v1::ListEventsRequest& r,
                        v1::ListEventsResponse* out);
absl::Status WatchEvents(const ServiceDeps& d,
                         const common::server::CallContext& call,
                         const v1::WatchEventsRequest& r,
                         grpc::ServerWriter<v1::Event>* writer);

// An agreement's documents (document_handlers.cc): who reads and changes
// them.
const common::documents::Policy& DocumentPolicy();
// Appends the event of a partner's change from `before` (nullptr: created)
// to `after` to the feed, in the change's transaction, as its last step.
absl::Status EmitPartnerEvent(common::db::Session& s, absl::Time time,
                              const v1::Partner* before,
                              const v1::Partner& after);

}  // namespace kyodo::partner

#endif  // KYODO_PARTNER_SERVICE_HANDLERS_H_
