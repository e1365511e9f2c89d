// Handlers of the Network methods (協議会・ネットワーク). Written by admins
// and by the staff of the convening unit's ward.
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/db/transaction.h"
#include "common/idempotency/idempotency.h"
#include "common/paging/page_token.h"
#include "common/resource/names.h"
#include "common/resource/update_mask.h"
#include "common/server/mutation.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/validate/request.h"
#include "partner-service/domain/rules.h"
#include "partner-service/handlers.h"
#include "partner-service/store/links.h"
#include "partner-service/store/network_store.h"
#include "partner-service/store/partner_store.h"

namespace kyodo::partner {

using common::auth::Role;
using common::db::Session;
using common::server::CallContext;
using common::server::RequireRole;
using v1::Network;
namespace doc = common::store;

namespace {

const absl::flat_hash_set<std::string>& MutableNetworkFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "display_name", "members", "convening_unit", "description"};
  return *fields;
}

absl::Status RequireWriter(const CallContext& call) {
  return RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "edit networks");
}

// Checks the convening unit and members, sets the network's ward from the
// unit, and refuses ward staff of another ward.
absl::Status Resolve(Session& s, const CallContext& call, Network& n) {
  KYODO_ASSIGN_OR_RETURN(
      auto unit, store::GetPartner(s, store::PartnerId(n.convening_unit())));
  if (!unit.has_value() || unit->partner.has_delete_time()) {
    return common::FailedPreconditionError(
        kyodo::type::v1::PARTNER_NOT_FOUND,
        absl::StrCat(n.convening_unit(), " does not exist or is deleted"));
  }
  if (unit->partner.kind() != v1::CITY_UNIT) {
    return common::FailedPreconditionError(
        kyodo::type::v1::CONVENER_NOT_CITY_UNIT,
        "a network is convened by a CITY_UNIT");
  }
  if (unit->partner.has_ward()) {
    n.set_ward(unit->partner.ward());
  } else {
    n.clear_ward();
  }
  if (!call.principal.is_admin() &&
      !(n.has_ward() && call.principal.IsStaffOf(n.ward()))) {
    return common::PermissionDeniedError(
        "ward staff edit only networks convened in their own ward");
  }
  return CheckPartnersExist(s, n.members());
}

}  // namespace

absl::Status GetNetwork(const ServiceDeps& d, const CallContext& call,
                        const v1::GetNetworkRequest& r, Network* out) {
  KYODO_ASSIGN_OR_RETURN(std::string id,
                         common::ParseName("name", r.name(), "networks"));
  return common::db::RunInTransaction(
      *d.pool, call.deadline,
      [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetNetwork(s, id));
        if (!row.has_value()) return common::NotFoundError(r.name());
        *out = std::move(row->network);
        return absl::OkStatus();
      },
      // The row and its members from one snapshot.
      {.read_only = true});
}

absl::Status ListNetworks(const ServiceDeps& d, const CallContext& call,
                          const v1::ListNetworksRequest& r,
                          v1::ListNetworksResponse* out) {
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  KYODO_ASSIGN_OR_RETURN(
      auto filter,
      common::paging::ParseFilter(r.filter(), store::NetworkFilterFields()));
  const std::string query =
      absl::StrCat("ListNetworks|", r.filter(), "|", r.show_deleted());
  KYODO_ASSIGN_OR_RETURN(auto cursor, d.pages->Decode(r.page_token(), query));
  std::vector<store::NetworkRow> rows;
  KYODO_RETURN_IF_ERROR(common::db::RunInTransaction(
      *d.pool, call.deadline,
      [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(rows,
                               store::ListNetworks(s, filter, r.show_deleted(),
                                                   cursor.last_seq, size + 1));
        return absl::OkStatus();
      },
      // The rows and their members from one snapshot.
      {.read_only = true}));
  out->set_next_page_token(
      common::paging::FinishPage(rows, size, *d.pages, query));
  for (auto& row : rows) *out->add_networks() = std::move(row.network);
  return absl::OkStatus();
}

absl::Status CreateNetwork(const ServiceDeps& d, const CallContext& call,
                           const v1::CreateNetworkRequest& r, Network* out) {
  KYODO_RETURN_IF_ERROR(RequireWriter(call));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  Network n;
  common::ApplyFields(r.network(),
                      std::vector<std::string>(MutableNetworkFields().begin(),
                                               MutableNetworkFields().end()),
                      &n);
  KYODO_RETURN_IF_ERROR(domain::ValidateNetwork(n, "network"));
  return common::db::RunInTransaction(*d.pool, call.deadline, [&](Session& s) {
    return common::idempotency::Run(
        s, r.request_id(), call.principal.subject, call.method, r, out,
        [&]() -> absl::Status {
          Network created = n;
          KYODO_RETURN_IF_ERROR(Resolve(s, call, created));
          created.set_name(absl::StrCat("networks/", common::NewId()));
          *created.mutable_create_time() = doc::ToTimestamp(call.start);
          *created.mutable_update_time() = doc::ToTimestamp(call.start);
          created.set_etag(doc::Etag(1));
          KYODO_RETURN_IF_ERROR(store::InsertNetwork(s, created));
          KYODO_RETURN_IF_ERROR(
              common::audit::Record(s, call.AuditActor(r.request_id()),
                                    created.name(), nullptr, &created));
          *out = std::move(created);
          return absl::OkStatus();
        });
  });
}

namespace {

absl::Status ChangeNetwork(
    const ServiceDeps& d, const CallContext& call, const std::string& name,
    const std::string& etag, const std::string& request_id,
    const google::protobuf::Message& request, Network* out,
    std::function<absl::Status(Session&, Network&)> change) {
  KYODO_RETURN_IF_ERROR(RequireWriter(call));
  KYODO_RETURN_IF_ERROR(common::ValidateRequestId("request_id", request_id));
  KYODO_ASSIGN_OR_RETURN(std::string id,
                         common::ParseName("name", name, "networks"));
  common::server::Mutation<Network> m;
  m.name = name;
  m.etag = etag;
  m.request_id = request_id;
  m.request = &request;
  m.load = [&](Session& s)
      -> absl::StatusOr<std::optional<common::server::Versioned<Network>>> {
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetNetwork(s, id, true));
    if (!row.has_value()) return std::nullopt;
    return common::server::Versioned<Network>{std::move(row->network),
                                              row->version};
  };
  // Ward staff learn nothing about networks they may not edit.
  m.authorize = [&](const Network* n) -> absl::Status {
    if (call.principal.is_admin() || (n != nullptr && n->has_ward() &&
                                      call.principal.IsStaffOf(n->ward()))) {
      return absl::OkStatus();
    }
    return common::PermissionDeniedError(
        "ward staff edit only networks convened in their own ward");
  };
  m.change = [&](Session& s, const Network& before, Network& after) {
    if (before.has_delete_time()) {
      return common::FailedPreconditionError(kyodo::type::v1::NETWORK_DELETED,
                                             "the network is deleted");
    }
    return change(s, after);
  };
  m.write = store::UpdateNetwork;
  return common::server::Mutate(*d.pool, call, m, out);
}

}  // namespace

absl::Status UpdateNetwork(const ServiceDeps& d, const CallContext& call,
                           const v1::UpdateNetworkRequest& r, Network* out) {
  KYODO_ASSIGN_OR_RETURN(auto fields,
                         common::ResolveUpdateMask(r.update_mask(), r.network(),
                                                   MutableNetworkFields()));
  return ChangeNetwork(
      d, call, r.network().name(), r.network().etag(), r.request_id(), r, out,
      [&](Session& s, Network& n) -> absl::Status {
        common::ApplyFields(r.network(), fields, &n);
        KYODO_RETURN_IF_ERROR(domain::ValidateNetwork(n, "network"));
        return Resolve(s, call, n);
      });
}

absl::Status DeleteNetwork(const ServiceDeps& d, const CallContext& call,
                           const v1::DeleteNetworkRequest& r, Network* out) {
  return ChangeNetwork(d, call, r.name(), r.etag(), r.request_id(), r, out,
                       [&](Session&, Network& n) -> absl::Status {
                         *n.mutable_delete_time() =
                             doc::ToTimestamp(call.start);
                         return absl::OkStatus();
                       });
}

}  // namespace kyodo::partner
