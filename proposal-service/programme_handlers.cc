// Handlers of the Programme methods (制度 and their rules, 要綱). Read by
// everyone; written by admins and the staff of the programme's ward.
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
#include "proposal-service/access.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/call_store.h"
#include "proposal-service/store/programme_store.h"

namespace kyodo::proposal {

using common::server::CallContext;
using common::server::RequireRole;
namespace {

using common::auth::Role;
using common::db::Session;
using v1::Programme;
namespace doc = common::store;

// The ward is not among them: it decides who manages the programme and its
// calls, so it is fixed at creation.
const absl::flat_hash_set<std::string>& MutableProgrammeFields() {
  static const auto* fields =
      new absl::flat_hash_set<std::string>{"display_name",
                                           "kind",
                                           "consigning_unit",
                                           "eligible_partner_kinds",
                                           "same_ward_required",
                                           "amount_caps",
                                           "max_continuation_years",
                                           "one_proposal_per_applicant",
                                           "lifetime_adoption_limit",
                                           "yearly_adoption_limit",
                                           "network_conflicts",
                                           "city_unit_conflicts",
                                           "description"};
  return *fields;
}

// Refuses deleted programmes, then lets `change` edit it; Mutate does the
// rest.
absl::Status ChangeProgramme(
    const ServiceDeps& d, const CallContext& call, const std::string& name,
    const std::string& etag, const std::string& request_id,
    const google::protobuf::Message& request, Programme* out,
    std::function<absl::Status(Session&, const Programme&, Programme&)>
        change) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "change programmes"));
  KYODO_RETURN_IF_ERROR(common::ValidateRequestId("request_id", request_id));
  KYODO_ASSIGN_OR_RETURN(std::string id,
                         common::ParseName("name", name, "programmes"));
  common::server::Mutation<Programme> m;
  m.name = name;
  m.etag = etag;
  m.request_id = request_id;
  m.request = &request;
  m.load = [&](Session& s)
      -> absl::StatusOr<std::optional<common::server::Versioned<Programme>>> {
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetProgramme(s, id, true));
    if (!row.has_value()) return std::nullopt;
    return common::server::Versioned<Programme>{std::move(row->programme),
                                                row->version};
  };
  // Ward staff read every programme, so a missing one may be NOT_FOUND.
  m.authorize = [&](const Programme* p) -> absl::Status {
    if (p == nullptr) return absl::OkStatus();
    return RequireManager(call, p->ward(), "change this programme");
  };
  m.change = [&](Session& s, const Programme& before, Programme& after) {
    if (before.has_delete_time()) {
      return common::FailedPreconditionError(kyodo::type::v1::PROGRAMME_DELETED,
                                             "the programme is deleted");
    }
    return change(s, before, after);
  };
  m.write = store::UpdateProgramme;
  return common::server::Mutate(*d.pool, call, m, out);
}

}  // namespace

absl::Status GetProgramme(const ServiceDeps& d, const CallContext& call,
                          const v1::GetProgrammeRequest& r, Programme* out) {
  KYODO_ASSIGN_OR_RETURN(std::string id,
                         common::ParseName("name", r.name(), "programmes"));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetProgramme(s, id));
        if (!row.has_value()) {
          return common::NotFoundError(r.name());
        }
        *out = std::move(row->programme);
        return absl::OkStatus();
      });
}

absl::Status ListProgrammes(const ServiceDeps& d, const CallContext& call,
                            const v1::ListProgrammesRequest& r,
                            v1::ListProgrammesResponse* out) {
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  KYODO_ASSIGN_OR_RETURN(
      auto filter,
      common::paging::ParseFilter(r.filter(), store::ProgrammeFilterFields()));
  const std::string query =
      absl::StrCat("ListProgrammes|", r.filter(), "|", r.show_deleted());
  KYODO_ASSIGN_OR_RETURN(auto cursor, d.pages->Decode(r.page_token(), query));
  std::vector<store::ProgrammeRow> rows;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            rows, store::ListProgrammes(s, filter, r.show_deleted(),
                                        cursor.last_seq, size + 1));
        return absl::OkStatus();
      }));
  out->set_next_page_token(
      common::paging::FinishPage(rows, size, *d.pages, query));
  for (auto& row : rows) *out->add_programmes() = std::move(row.programme);
  return absl::OkStatus();
}

absl::Status CreateProgramme(const ServiceDeps& d, const CallContext& call,
                             const v1::CreateProgrammeRequest& r,
                             Programme* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "create programmes"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  Programme p;
  std::vector<std::string> fields(MutableProgrammeFields().begin(),
                                  MutableProgrammeFields().end());
  fields.emplace_back("ward");
  common::ApplyFields(r.programme(), fields, &p);
  KYODO_RETURN_IF_ERROR(domain::ValidateProgramme(p, "programme"));
  KYODO_RETURN_IF_ERROR(
      RequireManager(call, p.ward(), "create programmes of this ward"));
  return common::db::RunInTransaction(*d.pool, call.deadline, [&](Session& s) {
    return common::idempotency::Run(
        s, r.request_id(), call.principal.subject, call.method, r, out,
        [&]() -> absl::Status {
          Programme created = p;
          created.set_name(absl::StrCat("programmes/", common::NewId()));
          *created.mutable_create_time() = doc::ToTimestamp(call.start);
          *created.mutable_update_time() = doc::ToTimestamp(call.start);
          created.set_etag(doc::Etag(1));
          KYODO_RETURN_IF_ERROR(store::InsertProgramme(s, created));
          KYODO_RETURN_IF_ERROR(
              common::audit::Record(s, call.AuditActor(r.request_id()),
                                    created.name(), nullptr, &created));
          *out = std::move(created);
          return absl::OkStatus();
        });
  });
}

absl::Status UpdateProgramme(const ServiceDeps& d, const CallContext& call,
                             const v1::UpdateProgrammeRequest& r,
                             Programme* out) {
  KYODO_ASSIGN_OR_RETURN(
      auto fields, common::ResolveUpdateMask(r.update_mask(), r.programme(),
                                             MutableProgrammeFields()));
  return ChangeProgramme(
      d, call, r.programme().name(), r.programme().etag(), r.request_id(), r,
      out,
      [&](Session& s, const Programme& before,
          Programme& after) -> absl::Status {
        common::ApplyFields(r.programme(), fields, &after);
        KYODO_RETURN_IF_ERROR(domain::ValidateProgramme(after, "programme"));
        // A running call is screened by these rules: they stay as they were
        // announced until its decision.
        for (const std::string& field : fields) {
          if (!domain::IsProgrammeRuleField(field)) continue;
          Programme a, b;
          common::ApplyFields(before, {field}, &a);
          common::ApplyFields(after, {field}, &b);
          if (a.SerializeAsString() == b.SerializeAsString()) continue;
          KYODO_ASSIGN_OR_RETURN(
              bool running,
              store::HasCalls(s, store::IdOf(before.name()), true));
          if (running) {
            return common::ErrorWithReason(
                absl::StatusCode::kFailedPrecondition,
                kyodo::type::v1::PROGRAMME_IN_USE,
                absl::StrCat(
                    "PROGRAMME_IN_USE: ", field,
                    " cannot change while a call of the programme is OPEN, "
                    "CLOSED or UNDER_REVIEW"),
                {{"field", field}});
          }
        }
        return absl::OkStatus();
      });
}

absl::Status DeleteProgramme(const ServiceDeps& d, const CallContext& call,
                             const v1::DeleteProgrammeRequest& r,
                             Programme* out) {
  return ChangeProgramme(
      d, call, r.name(), r.etag(), r.request_id(), r, out,
      [&](Session& s, const Programme& before,
          Programme& after) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            bool has_calls,
            store::HasCalls(s, store::IdOf(before.name()), false));
        if (has_calls) {
          return common::FailedPreconditionError(
              kyodo::type::v1::HAS_CALLS,
              "the programme has calls; only one without calls is deleted");
        }
        *after.mutable_delete_time() = doc::ToTimestamp(call.start);
        return absl::OkStatus();
      });
}

}  // namespace kyodo::proposal
