#include "common/auth/principal.h"

namespace kyodo::common::auth {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kWardStaff:
      return "ward_staff";
    case Role::kReviewer:
      return "reviewer";
    case Role::kApplicant:
      return "applicant";
    case Role::kViewer:
      return "viewer";
    case Role::kScreener:
      return "screener";
    case Role::kNotifier:
      return "notifier";
  }
  return "viewer";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role role :
       {Role::kAdmin, Role::kWardStaff, Role::kReviewer, Role::kApplicant,
        Role::kViewer, Role::kScreener, Role::kNotifier}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

}  // namespace kyodo::common::auth
