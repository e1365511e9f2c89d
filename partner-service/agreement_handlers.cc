// Handlers of the Agreement methods (協定). Written by admins only.
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
#include "common/time/date.h"
#include "common/validate/request.h"
#include "partner-service/domain/rules.h"
#include "partner-service/handlers.h"
#include "partner-service/store/agreement_store.h"
#include "partner-service/store/links.h"
#include "partner-service/store/partner_store.h"

namespace kyodo::partner {

using common::auth::Role;
using common::db::Session;
using common::server::CallContext;
using common::server::RequireRole;
using v1::Agreement;
namespace doc = common::store;

namespace {

const absl::flat_hash_set<std::string>& MutableAgreementFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "display_name", "kind",     "parties",      "themes",
      "sign_date",    "end_date", "renewal_date", "description"};
  return *fields;
}

void SetState(const ServiceDeps& d, Agreement* a) {
  a->set_state(domain::AgreementState(*a, common::JapanDay(d.clock->Now())));
}

}  // namespace

// Every listed partner exists and is not deleted: FAILED_PRECONDITION
// PARTNER_NOT_FOUND naming the first that is not.
absl::Status CheckPartnersExist(
    Session& s, const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::vector<std::string> ids;
  for (const std::string& name : names) ids.push_back(store::PartnerId(name));
  KYODO_ASSIGN_OR_RETURN(std::vector<store::PartnerRow> rows,
                         store::GetPartners(s, ids));
  absl::flat_hash_set<std::string> live;
  for (const auto& row : rows) {
    if (!row.partner.has_delete_time()) live.insert(row.partner.name());
  }
  for (const std::string& name : names) {
    if (!live.contains(name)) {
      return common::ErrorWithReason(
          absl::StatusCode::kFailedPrecondition,
          kyodo::type::v1::PARTNER_NOT_FOUND,
          absl::StrCat("PARTNER_NOT_FOUND: ", name,
                       " does not exist or is deleted"),
          {{"partner", name}});
    }
  }
  return absl::OkStatus();
}

absl::Status GetAgreement(const ServiceDeps& d, const CallContext& call,
                          const v1::GetAgreementRequest& r, Agreement* out) {
  KYODO_ASSIGN_OR_RETURN(std::string id,
                         common::ParseName("name", r.name(), "agreements"));
  KYODO_RETURN_IF_ERROR(common::db::RunInTransaction(
      *d.pool, call.deadline,
      [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetAgreement(s, id));
        if (!row.has_value()) return common::NotFoundError(r.name());
        *out = std::move(row->agreement);
        return absl::OkStatus();
      },
      // The row and its children from one snapshot.
      {.read_only = true}));
  SetState(d, out);
  return absl::OkStatus();
}

absl::Status ListAgreements(const ServiceDeps& d, const CallContext& call,
                            const v1::ListAgreementsRequest& r,
                            v1::ListAgreementsResponse* out) {
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  KYODO_ASSIGN_OR_RETURN(
      auto filter,
      common::paging::ParseFilter(r.filter(), store::AgreementFilterFields()));
  const std::string query =
      absl::StrCat("ListAgreements|", r.filter(), "|", r.show_deleted());
  KYODO_ASSIGN_OR_RETURN(auto cursor, d.pages->Decode(r.page_token(), query));
  std::vector<store::AgreementRow> rows;
  KYODO_RETURN_IF_ERROR(common::db::RunInTransaction(
      *d.pool, call.deadline,
      [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            rows, store::ListAgreements(s, filter, r.show_deleted(),
                                        cursor.last_seq, size + 1));
        return absl::OkStatus();
      },
      // The row and its children from one snapshot.
      {.read_only = true}));
  out->set_next_page_token(
      common::paging::FinishPage(rows, size, *d.pages, query));
  for (auto& row : rows) {
    SetState(d, &row.agreement);
    *out->add_agreements() = std::move(row.agreement);
  }
  return absl::OkStatus();
}

absl::Status CreateAgreement(const ServiceDeps& d, const CallContext& call,
                             const v1::CreateAgreementRequest& r,
                             Agreement* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin}, "record agreements"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  Agreement a;
  common::ApplyFields(r.agreement(),
                      std::vector<std::string>(MutableAgreementFields().begin(),
                                               MutableAgreementFields().end()),
                      &a);
  KYODO_RETURN_IF_ERROR(domain::ValidateAgreement(a, "agreement"));
  KYODO_RETURN_IF_ERROR(
      common::db::RunInTransaction(*d.pool, call.deadline, [&](Session& s) {
        return common::idempotency::Run(
            s, r.request_id(), call.principal.subject, call.method, r, out,
            [&]() -> absl::Status {
              KYODO_RETURN_IF_ERROR(CheckPartnersExist(s, a.parties()));
              Agreement created = a;
              created.set_name(absl::StrCat("agreements/", common::NewId()));
              *created.mutable_create_time() = doc::ToTimestamp(call.start);
              *created.mutable_update_time() = doc::ToTimestamp(call.start);
              created.set_etag(doc::Etag(1));
              KYODO_RETURN_IF_ERROR(store::InsertAgreement(s, created));
              KYODO_RETURN_IF_ERROR(
                  common::audit::Record(s, call.AuditActor(r.request_id()),
                                        created.name(), nullptr, &created));
              *out = std::move(created);
              return absl::OkStatus();
            });
      }));
  SetState(d, out);
  return absl::OkStatus();
}

namespace {

// Refuses deleted agreements; then `change` edits it (common::server::Mutate
// does the rest).
absl::Status ChangeAgreement(
    const ServiceDeps& d, const CallContext& call, const std::string& name,
    const std::string& etag, const std::string& request_id,
    const google::protobuf::Message& request, Agreement* out,
    std::function<absl::Status(Session&, Agreement&)> change) {
  KYODO_RETURN_IF_ERROR(common::ValidateRequestId("request_id", request_id));
  KYODO_ASSIGN_OR_RETURN(std::string id,
                         common::ParseName("name", name, "agreements"));
  common::server::Mutation<Agreement> m;
  m.name = name;
  m.etag = etag;
  m.request_id = request_id;
  m.request = &request;
  m.load = [&](Session& s)
      -> absl::StatusOr<std::optional<common::server::Versioned<Agreement>>> {
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetAgreement(s, id, true));
    if (!row.has_value()) return std::nullopt;
    return common::server::Versioned<Agreement>{std::move(row->agreement),
                                                row->version};
  };
  m.change = [&](Session& s, const Agreement& before, Agreement& after) {
    if (before.has_delete_time()) {
      return common::FailedPreconditionError(kyodo::type::v1::AGREEMENT_DELETED,
                                             "the agreement is deleted");
    }
    return change(s, after);
  };
  m.write = store::UpdateAgreement;
  KYODO_RETURN_IF_ERROR(common::server::Mutate(*d.pool, call, m, out));
  SetState(d, out);
  return absl::OkStatus();
}

}  // namespace

absl::Status UpdateAgreement(const ServiceDeps& d, const CallContext& call,
                             const v1::UpdateAgreementRequest& r,
                             Agreement* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin}, "edit agreements"));
  KYODO_ASSIGN_OR_RETURN(
      auto fields, common::ResolveUpdateMask(r.update_mask(), r.agreement(),
                                             MutableAgreementFields()));
  return ChangeAgreement(
      d, call, r.agreement().name(), r.agreement().etag(), r.request_id(), r,
      out, [&](Session& s, Agreement& a) -> absl::Status {
        common::ApplyFields(r.agreement(), fields, &a);
        KYODO_RETURN_IF_ERROR(domain::ValidateAgreement(a, "agreement"));
        return CheckPartnersExist(s, a.parties());
      });
}

absl::Status DeleteAgreement(const ServiceDeps& d, const CallContext& call,
                             const v1::DeleteAgreementRequest& r,
                             Agreement* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin}, "delete agreements"));
  return ChangeAgreement(d, call, r.name(), r.etag(), r.request_id(), r, out,
                         [&](Session&, Agreement& a) -> absl::Status {
                           *a.mutable_delete_time() =
                               doc::ToTimestamp(call.start);
                           return absl::OkStatus();
                         });
}

}  // namespace kyodo::partner
