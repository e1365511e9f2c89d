// Who is calling: the verified claims of a kyodo token (docs/API.md, "Identity
// and permissions").
#ifndef KYODO_COMMON_AUTH_PRINCIPAL_H_
#define KYODO_COMMON_AUTH_PRINCIPAL_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "kyodo/type/v1/ward.pb.h"

namespace kyodo::common::auth {

// kScreener is not a person: it is the gateway's own short-lived credential,
// which may only screen a submitted proposal (ScreenProposal) and is refused
// by every other method of every service (common/server/rpc.h).
// kNotifier is not a person either: the notifier's credential (notifier/),
// which may only follow proposal-service's change feed and read the
// addresses it mails (each service lists its methods, common/server/rpc.h).
// It sees a proposal as its applicant does: never an outcome before the
// ward publishes it.
enum class Role {
  kAdmin,
  kWardStaff,
  kReviewer,
  kApplicant,
  kViewer,
  kScreener,
  kNotifier
};

// "admin", "ward_staff", "reviewer", "applicant", "viewer", "screener",
// "notifier".
absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);

struct Principal {
  std::string subject;  // `sub`
  Role role = Role::kViewer;
  // ward_staff: the ward it works for (`ward` claim, e.g. "ASAO").
  kyodo::type::v1::Ward ward = kyodo::type::v1::WARD_UNSPECIFIED;
  // applicant: its partner record, `partners/{partner}` (`partner` claim).
  std::string partner;
  // reviewer: its reviewer identity (`reviewer` claim), matched against the
  // Reviewer records of the calls it sits on.
  std::string reviewer;

  bool is_admin() const { return role == Role::kAdmin; }
  // ward_staff of `ward`.
  bool IsStaffOf(kyodo::type::v1::Ward w) const {
    return role == Role::kWardStaff && ward == w &&
           w != kyodo::type::v1::WARD_UNSPECIFIED;
  }
  // admin, or ward_staff of `ward`.
  bool CanManageWard(kyodo::type::v1::Ward w) const {
    return is_admin() || IsStaffOf(w);
  }
};

}  // namespace kyodo::common::auth

#endif  // KYODO_COMMON_AUTH_PRINCIPAL_H_
