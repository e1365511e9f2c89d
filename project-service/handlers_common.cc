// Permission helpers, shared loading, and the audit-trail handler of
// project-service.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/db/transaction.h"
#include "common/idempotency/idempotency.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "project-service/handlers.h"
#include "project-service/store/project_store.h"

namespace kyodo::project {

using common::auth::Role;
using common::db::Session;
using common::server::CallContext;
using common::server::RequireRole;

bool MayChange(const common::auth::Principal& principal,
               const v1::Project& project) {
  if (principal.is_admin()) return true;
  return std::any_of(
      project.wards().begin(), project.wards().end(), [&](int w) {
        return principal.IsStaffOf(static_cast<kyodo::type::v1::Ward>(w));
      });
}

absl::Status AuthorizeChange(const CallContext& call,
                             const v1::Project* project) {
  if (call.principal.is_admin()) return absl::OkStatus();
  if (call.principal.role == Role::kWardStaff &&
      (project == nullptr || MayChange(call.principal, *project))) {
    return absl::OkStatus();
  }
  return common::PermissionDeniedError(
      "only admins and the staff of the ward of one of the project's "
      "CITY_UNIT participants may change it");
}

absl::StatusOr<bool> AlreadyAnswered(const ServiceDeps& d,
                                     const CallContext& call,
                                     const std::string& request_id) {
  if (request_id.empty()) return false;
  bool answered = false;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            answered, common::idempotency::IsAnswered(
                          s, request_id, call.principal.subject, call.method));
        return absl::OkStatus();
      }));
  return answered;
}

absl::StatusOr<std::optional<common::server::Versioned<v1::Project>>>
LoadForUpdate(Session& s, const std::string& name) {
  using Result = std::optional<common::server::Versioned<v1::Project>>;
  KYODO_ASSIGN_OR_RETURN(std::optional<store::ProjectRow> row,
                         store::GetProject(s, store::ProjectId(name), true));
  if (!row.has_value()) return Result();
  return Result({std::move(row->project), row->version});
}

absl::Status ListAuditEvents(const ServiceDeps& d, const CallContext& call,
                             const kyodo::type::v1::ListAuditEventsRequest& r,
                             kyodo::type::v1::ListAuditEventsResponse* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                    "read the audit trail"));
  KYODO_ASSIGN_OR_RETURN(
      std::string id, common::ParseName("resource", r.resource(), "projects"));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        if (!call.principal.is_admin()) {
          // Checked before anything is shown, and the same answer whether
          // the project exists or not.
          KYODO_ASSIGN_OR_RETURN(auto row, store::GetProject(s, id));
          if (!row.has_value() || !MayChange(call.principal, row->project)) {
            return common::PermissionDeniedError(
                "only admins and the staff of the project's wards read its "
                "trail");
          }
        }
        return common::audit::ListPage(s, r, *d.pages, out);
      });
}

}  // namespace kyodo::project
