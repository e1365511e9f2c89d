// An agreement's documents (協定書, 規約, ...): the methods of
// common/documents/documents.h with the agreement's rules
// (AgreementPolicy).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/documents/documents.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "partner-service/handlers.h"
#include "partner-service/store/agreement_store.h"

namespace kyodo::partner {
namespace {

namespace documents = common::documents;
using common::auth::Role;
using common::server::CallContext;

// Read by staff and the agreement's parties (everyone reads the agreement
// itself, not its papers); added and deleted by admins, who write
// agreements, until the agreement is deleted. Never public.
class AgreementPolicy final : public documents::Policy {
 public:
  absl::Status CheckParent(absl::string_view field,
                           absl::string_view parent) const override {
    return common::ParseName(field, parent, "agreements").status();
  }

  absl::StatusOr<documents::Rights> RightsOn(common::db::Session& s,
                                             const CallContext& call,
                                             absl::string_view parent,
                                             bool lock) const override {
    const auto& who = call.principal;
    const bool staff = who.role == Role::kAdmin || who.role == Role::kWardStaff;
    KYODO_ASSIGN_OR_RETURN(std::string id,
                           common::ParseName("parent", parent, "agreements"));
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetAgreement(s, id, lock));
    if (!row.has_value()) return common::NotFoundError(parent);
    const v1::Agreement& a = row->agreement;
    const bool party = who.role == Role::kApplicant && !who.partner.empty() &&
                       std::find(a.parties().begin(), a.parties().end(),
                                 who.partner) != a.parties().end();
    if (!staff && !party) {
      return common::PermissionDeniedError(
          "only staff and the agreement's parties read its documents");
    }
    documents::Rights rights;
    rights.read_all = true;
    rights.read_deleted = staff;
    if (!who.is_admin()) {
      rights.change = common::PermissionDeniedError(
          "only admins change an agreement's documents");
    } else if (a.has_delete_time()) {
      rights.change = common::FailedPreconditionError(
          kyodo::type::v1::DOCUMENTS_FROZEN,
          "the documents of a deleted agreement are frozen");
    }
    return rights;
  }
};

}  // namespace

const documents::Policy& DocumentPolicy() {
  static const AgreementPolicy policy;
  return policy;
}

}  // namespace kyodo::partner
