// kyodo.partner.v1.PartnerService: handlers that validate, authorise, run the
// domain rules and the store inside one transaction, and shape the answer.
// No SQL here (store/), no rules that need no database (domain/).
//
// Permissions (docs/API.md): everyone authenticated reads partners, agreements
// and networks, but only admins, ward staff and the partner itself see a
// partner's contacts. Admins and ward staff register partners and change
// their state; an applicant edits its own record's descriptive fields
// (kApplicantEditable). Agreements are written by admins; networks by admins
// and the staff of the convening unit's ward. Deleting and undeleting
// partners is for admins. The audit trail of a resource is readable by
// admins and by the staff of the ward that owns it.
#ifndef KYODO_PARTNER_SERVICE_SERVICE_H_
#define KYODO_PARTNER_SERVICE_SERVICE_H_

#include <memory>

#include "common/db/pool.h"
#include "common/documents/documents.h"
#include "common/documents/serve.h"
#include "common/events/outbox.h"
#include "common/paging/page_token.h"
#include "common/server/rpc.h"
#include "common/time/clock.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"

namespace kyodo::partner {

struct ServiceDeps {
  common::db::ConnectionPool* pool = nullptr;
  const common::server::RpcRunner* rpc = nullptr;
  const common::paging::PageTokenCodec* pages = nullptr;
  const common::Clock* clock = nullptr;
  // The change feed's options and streams; PartnerServiceImpl makes one
  // with the default options when it is not given.
  common::events::Feed* feed = nullptr;
  // Agreements' documents (common/documents/documents.h); made with the
  // default limits when not given.
  const common::documents::Documents* documents = nullptr;
};

class PartnerServiceImpl final : public v1::PartnerService::Service {
 public:
  explicit PartnerServiceImpl(ServiceDeps deps);

  grpc::Status ListEvents(grpc::ServerContext* context,
                          const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;
  grpc::Status WatchEvents(grpc::ServerContext* context,
                           const v1::WatchEventsRequest* request,
                           grpc::ServerWriter<v1::Event>* writer) override;

  // An agreement's documents (document_handlers.cc).
  KYODO_DOCUMENT_METHODS_DECLARE()

  grpc::Status GetPartner(grpc::ServerContext* context,
                          const v1::GetPartnerRequest* request,
                          v1::Partner* response) override;
  grpc::Status ListPartners(grpc::ServerContext* context,
                            const v1::ListPartnersRequest* request,
                            v1::ListPartnersResponse* response) override;
  grpc::Status CreatePartner(grpc::ServerContext* context,
                             const v1::CreatePartnerRequest* request,
                             v1::Partner* response) override;
  grpc::Status UpdatePartner(grpc::ServerContext* context,
                             const v1::UpdatePartnerRequest* request,
                             v1::Partner* response) override;
  grpc::Status DeletePartner(grpc::ServerContext* context,
                             const v1::DeletePartnerRequest* request,
                             v1::Partner* response) override;
  grpc::Status UndeletePartner(grpc::ServerContext* context,
                               const v1::UndeletePartnerRequest* request,
                               v1::Partner* response) override;
  grpc::Status DeactivatePartner(grpc::ServerContext* context,
                                 const v1::DeactivatePartnerRequest* request,
                                 v1::Partner* response) override;
  grpc::Status ActivatePartner(grpc::ServerContext* context,
                               const v1::ActivatePartnerRequest* request,
                               v1::Partner* response) override;
  grpc::Status SearchPartners(grpc::ServerContext* context,
                              const v1::SearchPartnersRequest* request,
                              v1::SearchPartnersResponse* response) override;
  grpc::Status BatchGetPartners(
      grpc::ServerContext* context, const v1::BatchGetPartnersRequest* request,
      v1::BatchGetPartnersResponse* response) override;

  grpc::Status GetAgreement(grpc::ServerContext* context,
                            const v1::GetAgreementRequest* request,
                            v1::Agreement* response) override;
  grpc::Status ListAgreements(grpc::ServerContext* context,
                              const v1::ListAgreementsRequest* request,
                              v1::ListAgreementsResponse* response) override;
  grpc::Status CreateAgreement(grpc::ServerContext* context,
                               const v1::CreateAgreementRequest* request,
                               v1::Agreement* response) override;
  grpc::Status UpdateAgreement(grpc::ServerContext* context,
                               const v1::UpdateAgreementRequest* request,
                               v1::Agreement* response) override;
  grpc::Status DeleteAgreement(grpc::ServerContext* context,
                               const v1::DeleteAgreementRequest* request,
                               v1::Agreement* response) override;

  grpc::Status GetNetwork(grpc::ServerContext* context,
                          const v1::GetNetworkRequest* request,
                          v1::Network* response) override;
  grpc::Status ListNetworks(grpc::ServerContext* context,
                            const v1::ListNetworksRequest* request,
                            v1::ListNetworksResponse* response) override;
  grpc::Status CreateNetwork(grpc::ServerContext* context,
                             const v1::CreateNetworkRequest* request,
                             v1::Network* response) override;
  grpc::Status UpdateNetwork(grpc::ServerContext* context,
                             const v1::UpdateNetworkRequest* request,
                             v1::Network* response) override;
  grpc::Status DeleteNetwork(grpc::ServerContext* context,
                             const v1::DeleteNetworkRequest* request,
                             v1::Network* response) override;

  grpc::Status ListAuditEvents(
      grpc::ServerContext* context,
      const kyodo::type::v1::ListAuditEventsRequest* request,
      kyodo::type::v1::ListAuditEventsResponse* response) override;

 private:
  std::unique_ptr<common::events::Feed> own_feed_;
  std::shared_ptr<const common::documents::Documents> own_documents_;
  ServiceDeps deps_;
};

}  // namespace kyodo::partner

#endif  // KYODO_PARTNER_SERVICE_SERVICE_H_
