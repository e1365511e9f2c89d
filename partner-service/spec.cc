#include "partner-service/spec.h"

#include "common/documents/flags.h"
#include "common/events/flags.h"
#include "common/status/macros.h"
#include "common/store/enum_table.h"
#include "partner-service/service.h"
#include "partner_migrations.h"

namespace kyodo::partner {

common::server::ServiceSpec Spec() {
  namespace server = common::server;
  server::ServiceSpec spec;
  spec.name = "partner-service";
  spec.usage = "partner-service: partners, agreements and networks";
  spec.database = "kyodo_partner";
  spec.listen = "127.0.0.1:50051";
  spec.domain = "kyodo.partner";
  spec.health_name = "kyodo.partner.v1.PartnerService";
  // The gateway's screening credential (role screener) may read what
  // proposal-service's ScreenProposal gathers with it, and nothing else
  // (docs/OPERATIONS.md, "Sign-in").
  spec.screener_methods = {"GetPartner"};
  // The notifier reads an applicant's contacts to mail it (notifier/).
  spec.notifier_methods = {"GetPartner"};
  spec.tracks = {KyodoPartnerMigrations()};
  // The enums' lookup tables must name each value as this build does
  // (partner-service/schema/002_partner_columns.sql): until they do, the
  // service stays NOT_SERVING and logs what differs.
  spec.schema_check = [](common::db::Session& s) -> absl::Status {
    KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
        s, "partner_kinds", v1::PartnerKind_descriptor()));
    KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
        s, "wards", kyodo::type::v1::Ward_descriptor()));
    KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
        s, "partner_states", v1::Partner::State_descriptor()));
    // And of agreements (004_agreement_network_columns.sql).
    KYODO_RETURN_IF_ERROR(common::store::CheckEnumTable(
        s, "agreement_kinds", v1::Agreement::Kind_descriptor()));
    // Every enum name its documents and copied columns hold
    // (partner-service/schema/003_stored_enum_names.sql).
    return common::store::CheckStoredEnumNames(
        s, "stored_enum_names",
        {v1::Partner::descriptor(), v1::Agreement::descriptor(),
         v1::Network::descriptor()});
  };
  spec.make = [](const server::ServiceEnv& env)
      -> absl::StatusOr<server::BuiltService> {
    server::BuiltService built;
    KYODO_ASSIGN_OR_RETURN(common::events::Feed * feed,
                           common::events::FeedFromFlags(env, built));
    KYODO_ASSIGN_OR_RETURN(const common::documents::Documents* documents,
                           common::documents::DocumentsFromFlags(env, built));
    built.services.push_back(std::make_unique<PartnerServiceImpl>(
        ServiceDeps{env.pool, env.rpc, env.pages, env.clock, feed, documents}));
    return built;
  };
  return spec;
}

}  // namespace kyodo::partner
