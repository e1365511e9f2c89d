// Permission helpers and the audit-trail handler of partner-service.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/db/transaction.h"
#include "common/paging/page_token.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "partner-service/handlers.h"
#include "partner-service/store/network_store.h"
#include "partner-service/store/partner_store.h"

namespace kyodo::partner {

using common::auth::Role;
using common::server::CallContext;
using common::server::RequireRole;

void RedactPartner(const common::auth::Principal& principal,
                   v1::Partner* partner) {
  // The notifier (notifier/) reads them to mail the applicant.
  const bool allowed = principal.role == Role::kAdmin ||
                       principal.role == Role::kWardStaff ||
                       principal.role == Role::kNotifier ||
                       (principal.role == Role::kApplicant &&
                        principal.partner == partner->name());
  if (!allowed) partner->clear_contacts();
}

namespace {

// The ward that owns `resource` for audit purposes, or nullopt when no ward
// does (agreements, city-wide partners) or the resource does not exist.
absl::StatusOr<std::optional<kyodo::type::v1::Ward>> OwningWard(
    common::db::Session& s, absl::string_view resource) {
  using Result = std::optional<kyodo::type::v1::Ward>;
  if (absl::StartsWith(resource, "partners/")) {
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetPartner(s, resource.substr(9)));
    if (!row.has_value() || !row->partner.has_ward()) return Result();
    return Result(row->partner.ward());
  }
  if (absl::StartsWith(resource, "networks/")) {
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetNetwork(s, resource.substr(9)));
    if (!row.has_value() || !row->network.has_ward()) return Result();
    return Result(row->network.ward());
  }
  return Result();
}

}  // namespace

absl::Status ListAuditEvents(const ServiceDeps& d, const CallContext& call,
                             const kyodo::type::v1::ListAuditEventsRequest& r,
                             kyodo::type::v1::ListAuditEventsResponse* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                    "read the audit trail"));
  const bool known = absl::StartsWith(r.resource(), "partners/") ||
                     absl::StartsWith(r.resource(), "agreements/") ||
                     absl::StartsWith(r.resource(), "networks/");
  if (!known) {
    return common::InvalidArgumentError(
        "resource", "must name a partner, agreement or network");
  }
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](common::db::Session& s) -> absl::Status {
        if (!call.principal.is_admin()) {
          // Checked before anything is shown, and the same answer whether the
          // resource exists or not.
          KYODO_ASSIGN_OR_RETURN(auto ward, OwningWard(s, r.resource()));
          if (!ward.has_value() || !call.principal.IsStaffOf(*ward)) {
            return common::PermissionDeniedError(
                "only admins and the staff of the owning ward read this trail");
          }
        }
        return common::audit::ListPage(s, r, *d.pages, out);
      });
}

}  // namespace kyodo::partner
