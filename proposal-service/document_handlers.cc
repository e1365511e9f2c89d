// A proposal's documents (企画書, 収支予算書, 規約, ...): the five methods of
// common/documents/documents.h with the proposal's rules (ProposalPolicy).
#include "absl/strings/str_cat.h"
#include "common/documents/documents.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "proposal-service/access.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/proposal_store.h"

namespace kyodo::proposal {
namespace {

namespace documents = common::documents;
using common::auth::Role;
using common::server::CallContext;

// Read by those who read the whole proposal: its applicant, staff and the
// call's committee (a submitted proposal); changed by its applicant and the
// call's managers while it is a DRAFT or RETURNED for correction.
class ProposalPolicy final : public documents::Policy {
 public:
  absl::Status CheckParent(absl::string_view field,
                           absl::string_view parent) const override {
    return ParseProposalName(field, parent).status();
  }

  absl::StatusOr<documents::Rights> RightsOn(common::db::Session& s,
                                             const CallContext& call,
                                             absl::string_view parent,
                                             bool lock) const override {
    KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseProposalName("parent", parent));
    KYODO_ASSIGN_OR_RETURN(
        auto c, LoadCall(s, {ids.programme, ids.call}, store::Lock::kNone));
    if (!c.has_value()) return Hidden(IsStaff(call.principal), parent);
    KYODO_ASSIGN_OR_RETURN(Access access, AccessTo(s, call.principal, *c));
    if (!SeesCall(access)) return Hidden(false, parent);
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetProposal(s, ids.child, lock));
    if (!row.has_value() || row->call_id != ids.call) {
      return Hidden(SeesAllProposals(access), parent);
    }
    const v1::Proposal& p = row->proposal;
    const ProposalView view = ViewOf(call.principal, access, p);
    if (view == ProposalView::kNone) {
      return Hidden(SeesAllProposals(access), parent);
    }
    if (view == ProposalView::kPublic) {
      return common::PermissionDeniedError(
          "only the proposal's applicant, staff and the call's committee "
          "read its documents");
    }
    documents::Rights rights;
    rights.read_all = true;
    rights.read_deleted = access.staff;
    const bool applicant = call.principal.role == Role::kApplicant &&
                           call.principal.partner == p.applicant();
    if (!applicant && !access.manager) {
      rights.change = common::PermissionDeniedError(
          "only the proposal's applicant and the call's managers change its "
          "documents");
    } else if (p.has_delete_time() || (p.state() != v1::Proposal::DRAFT &&
                                       p.state() != v1::Proposal::RETURNED)) {
      rights.change = common::FailedPreconditionError(
          kyodo::type::v1::DOCUMENTS_FROZEN,
          absl::StrCat("the documents of a ",
                       p.has_delete_time()
                           ? "deleted"
                           : v1::Proposal::State_Name(p.state()),
                       " proposal are frozen; a draft's may change, and a "
                       "submitted proposal's again once it is returned for "
                       "correction"));
    }
    return rights;
  }
};

}  // namespace

const documents::Policy& DocumentPolicy() {
  static const ProposalPolicy policy;
  return policy;
}

}  // namespace kyodo::proposal
