// A project's documents (実績報告書, 収支決算, photos, ...): the methods of
// common/documents/documents.h with the project's rules (ProjectPolicy).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/documents/documents.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "project-service/domain/rules.h"
#include "project-service/handlers.h"
#include "project-service/store/project_store.h"

namespace kyodo::project {
namespace {

namespace documents = common::documents;
using common::auth::Role;
using common::server::CallContext;

// Every caller reads projects, and so a project's public documents; staff
// and the project's participants read all of them. The staff of its wards
// and its participants add and delete them until the project is REVIEWED
// or CANCELLED; only its staff mark one public.
class ProjectPolicy final : public documents::Policy {
 public:
  absl::Status CheckParent(absl::string_view field,
                           absl::string_view parent) const override {
    return common::ParseName(field, parent, "projects").status();
  }

  absl::StatusOr<documents::Rights> RightsOn(common::db::Session& s,
                                             const CallContext& call,
                                             absl::string_view parent,
                                             bool lock) const override {
    const auto& who = call.principal;
    const bool staff = who.role == Role::kAdmin || who.role == Role::kWardStaff;
    KYODO_ASSIGN_OR_RETURN(
        auto row, store::GetProject(s, store::ProjectId(parent), lock));
    if (!row.has_value() || (row->project.has_delete_time() && !staff)) {
      return common::NotFoundError(parent);
    }
    const v1::Project& p = row->project;
    const bool participant =
        who.role == Role::kApplicant && !who.partner.empty() &&
        std::any_of(p.participants().begin(), p.participants().end(),
                    [&](const v1::Participant& x) {
                      return x.partner() == who.partner;
                    });
    const bool manager = MayChange(who, p);
    documents::Rights rights;
    rights.read_all = staff || participant;
    // Anyone else reads the public ones once the project is published.
    rights.read_public = domain::IsPublished(p);
    rights.read_deleted = staff;
    rights.publishable = manager;
    if (!manager && !participant) {
      rights.change = common::PermissionDeniedError(
          "only the staff of the project's wards and its participants change "
          "its documents");
    } else if (p.has_delete_time() || p.state() == v1::Project::REVIEWED ||
               p.state() == v1::Project::CANCELLED) {
      rights.change = common::FailedPreconditionError(
          kyodo::type::v1::DOCUMENTS_FROZEN,
          absl::StrCat("the documents of a ",
                       p.has_delete_time() ? "deleted"
                                           : v1::Project::State_Name(p.state()),
                       " project are frozen"));
    }
    return rights;
  }
};

}  // namespace

const documents::Policy& DocumentPolicy() {
  static const ProjectPolicy policy;
  return policy;
}

}  // namespace kyodo::project
