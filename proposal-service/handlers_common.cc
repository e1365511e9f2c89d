// Names, permission helpers, shared errors and the audit-trail handler of
// proposal-service.
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/audit/audit.h"
#include "common/db/transaction.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/programme_store.h"

namespace kyodo::proposal {

using common::auth::Role;
using common::db::Session;
using common::server::CallContext;
using common::server::RequireRole;

namespace {

constexpr char kUnchangedPayload[] = "kyodo.proposal/unchanged";

}  // namespace

absl::StatusOr<CallIds> ParseCallName(absl::string_view field,
                                      absl::string_view name) {
  KYODO_ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      common::ParseNestedName(field, name, "programmes/*/calls/*"));
  return CallIds{ids[0], ids[1]};
}

absl::StatusOr<ChildIds> ParseProposalName(absl::string_view field,
                                           absl::string_view name) {
  KYODO_ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      common::ParseNestedName(field, name, "programmes/*/calls/*/proposals/*"));
  return ChildIds{ids[0], ids[1], ids[2]};
}

absl::StatusOr<ChildIds> ParseReviewerName(absl::string_view field,
                                           absl::string_view name) {
  KYODO_ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      common::ParseNestedName(field, name, "programmes/*/calls/*/reviewers/*"));
  return ChildIds{ids[0], ids[1], ids[2]};
}

absl::StatusOr<ReviewIds> ParseReviewName(absl::string_view field,
                                          absl::string_view name) {
  KYODO_ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      common::ParseNestedName(field, name,
                              "programmes/*/calls/*/proposals/*/reviews/*"));
  return ReviewIds{ids[0], ids[1], ids[2], ids[3]};
}

std::string CallName(absl::string_view programme_id,
                     absl::string_view call_id) {
  return absl::StrCat("programmes/", programme_id, "/calls/", call_id);
}

std::string UtcText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<std::optional<store::CallRow>> LoadCall(Session& s,
                                                       const CallIds& ids,
                                                       store::Lock lock) {
  KYODO_ASSIGN_OR_RETURN(std::optional<store::CallRow> row,
                         store::GetCall(s, ids.call, lock));
  if (!row.has_value() || row->programme_id != ids.programme) {
    return std::optional<store::CallRow>();
  }
  return row;
}

absl::Status RequireManager(const CallContext& call, kyodo::type::v1::Ward ward,
                            absl::string_view action) {
  if (call.principal.CanManageWard(ward)) return absl::OkStatus();
  return common::PermissionDeniedError(
      absl::StrCat("only admins and ward staff of ",
                   kyodo::type::v1::Ward_Name(ward), " may ", action));
}

absl::Status Hidden(bool may_know, absl::string_view name) {
  if (may_know) return common::NotFoundError(name);
  return common::PermissionDeniedError(
      absl::StrCat("the caller may not read ", name));
}

bool IsDecided(v1::Call::State state) {
  return state == v1::Call::DECIDED || state == v1::Call::PUBLISHED;
}

absl::Status CallDecidedError(const v1::Call& call) {
  return StateError(
      kyodo::type::v1::CALL_DECIDED,
      absl::StrCat(call.name(),
                   " is decided: its proposals, reviews, committee and "
                   "rules no longer change"),
      v1::Call::State_Name(call.state()));
}

absl::Status StateError(kyodo::type::v1::ErrorReason rule,
                        absl::string_view message, absl::string_view state) {
  return common::ErrorWithReason(absl::StatusCode::kFailedPrecondition, rule,
                                 absl::StrCat(common::ReasonName(rule), ": ",
                                              message, " (state ", state, ")"),
                                 {{"state", state}});
}

absl::Status Unchanged() {
  absl::Status status(absl::StatusCode::kAlreadyExists, "unchanged");
  status.SetPayload(kUnchangedPayload, absl::Cord("1"));
  return status;
}

bool IsUnchanged(const absl::Status& status) {
  return status.GetPayload(kUnchangedPayload).has_value();
}

absl::Status ListAuditEvents(const ServiceDeps& d, const CallContext& call,
                             const kyodo::type::v1::ListAuditEventsRequest& r,
                             kyodo::type::v1::ListAuditEventsResponse* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                    "read the audit trail"));
  // Every resource of this service is a programme or lies under one, whose
  // ward owns the trail.
  const std::vector<absl::string_view> parts =
      absl::StrSplit(r.resource(), '/');
  if (parts.size() < 2 || parts.size() % 2 != 0 || parts[0] != "programmes" ||
      !common::IsValidId(parts[1])) {
    return common::InvalidArgumentError(
        "resource", "must name a programme or a resource under one");
  }
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        if (!call.principal.is_admin()) {
          // The same answer whether the resource exists or not.
          KYODO_ASSIGN_OR_RETURN(auto programme,
                                 store::GetProgramme(s, parts[1]));
          if (!programme.has_value() ||
              !call.principal.IsStaffOf(programme->programme.ward())) {
            return common::PermissionDeniedError(
                "only admins and the staff of the programme's ward read this "
                "trail");
          }
        }
        return common::audit::ListPage(s, r, *d.pages, out);
      });
}

}  // namespace kyodo::proposal
