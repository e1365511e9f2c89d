// Handlers of the Partner methods.
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/db/transaction.h"
#include "common/idempotency/idempotency.h"
#include "common/paging/filter.h"
#include "common/paging/page_token.h"
#include "common/resource/names.h"
#include "common/resource/update_mask.h"
#include "common/server/mutation.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/text/text.h"
#include "common/validate/request.h"
#include "partner-service/domain/rules.h"
#include "partner-service/handlers.h"
#include "partner-service/store/links.h"
#include "partner-service/store/partner_store.h"

namespace kyodo::partner {

using common::server::CallContext;
using common::server::RequireRole;
namespace {

using common::auth::Role;
using common::db::Session;
using v1::Partner;
namespace doc = common::store;

const absl::flat_hash_set<std::string>& MutablePartnerFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "kind",     "display_name",     "name_kana",
      "ward",     "corporate_number", "legal_form",
      "address",  "website_uri",      "description",
      "contacts", "parent",           "other_wards"};
  return *fields;
}

// What an applicant may change on its own record: descriptive fields, not
// those that decide eligibility (kind, ward, corporate number, parent).
const absl::flat_hash_set<std::string>& ApplicantEditable() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "name_kana",   "legal_form",  "address",
      "website_uri", "description", "contacts"};
  return *fields;
}

// Loads partner `name` for a change (FOR UPDATE).
absl::StatusOr<std::optional<common::server::Versioned<Partner>>> Load(
    Session& s, const std::string& name) {
  using Result = std::optional<common::server::Versioned<Partner>>;
  KYODO_ASSIGN_OR_RETURN(std::optional<store::PartnerRow> row,
                         store::GetPartner(s, store::PartnerId(name), true));
  if (!row.has_value()) return Result();
  return Result({std::move(row->partner), row->version});
}

absl::Status Write(Session& s, const Partner& after, int64_t version) {
  return store::UpdatePartner(s, after, version);
}

// The parent of a city unit must exist, be a city unit and not be deleted;
// re-parenting must not close a cycle.
absl::Status CheckParent(Session& s, const Partner& unit) {
  const std::string parent_id = store::PartnerId(unit.parent());
  KYODO_RETURN_IF_ERROR(store::LockCityUnitTree(s));
  KYODO_ASSIGN_OR_RETURN(std::optional<store::PartnerRow> parent,
                         store::GetPartner(s, parent_id));
  if (!parent.has_value()) {
    return common::FailedPreconditionError(
        kyodo::type::v1::PARENT_NOT_FOUND,
        absl::StrCat(unit.parent(), " does not exist"));
  }
  if (parent->partner.has_delete_time()) {
    return common::FailedPreconditionError(
        kyodo::type::v1::PARENT_DELETED,
        absl::StrCat(unit.parent(), " is deleted"));
  }
  if (parent->partner.kind() != v1::CITY_UNIT) {
    return common::FailedPreconditionError(
        kyodo::type::v1::PARENT_NOT_CITY_UNIT,
        absl::StrCat(unit.parent(), " is not a CITY_UNIT"));
  }
  if (unit.name().empty()) return absl::OkStatus();
  return domain::CheckNoParentCycle(
      store::PartnerId(unit.name()), parent_id,
      [&](absl::string_view id) { return store::ParentOf(s, id); });
}

absl::Status ApplyChange(Session& s, PartnerChange change, Partner& p,
                         absl::Time now) {
  const bool deleted = p.has_delete_time();
  if (change == PartnerChange::kUndelete) {
    if (!deleted) {
      return common::FailedPreconditionError(kyodo::type::v1::NOT_DELETED,
                                             "the partner is not deleted");
    }
    if (!p.parent().empty()) {
      KYODO_ASSIGN_OR_RETURN(
          auto parent, store::GetPartner(s, store::PartnerId(p.parent())));
      if (parent.has_value() && parent->partner.has_delete_time()) {
        return common::FailedPreconditionError(
            kyodo::type::v1::PARENT_DELETED, "undelete the parent unit first");
      }
    }
    p.clear_delete_time();
    return absl::OkStatus();
  }
  if (deleted) {
    return common::FailedPreconditionError(
        change == PartnerChange::kDelete ? kyodo::type::v1::ALREADY_DELETED
                                         : kyodo::type::v1::PARTNER_DELETED,
        "the partner is deleted");
  }
  if (change == PartnerChange::kDelete) {
    KYODO_ASSIGN_OR_RETURN(
        bool children, store::HasLiveChildren(s, store::PartnerId(p.name())));
    if (children) {
      return common::FailedPreconditionError(
          kyodo::type::v1::HAS_CHILD_UNITS,
          "delete or move the units below it first");
    }
    *p.mutable_delete_time() = doc::ToTimestamp(now);
    return absl::OkStatus();
  }
  const Partner::State want =
      change == PartnerChange::kActivate ? Partner::ACTIVE : Partner::INACTIVE;
  if (p.state() == want) {
    return common::FailedPreconditionError(
        want == Partner::ACTIVE ? kyodo::type::v1::ALREADY_ACTIVE
                                : kyodo::type::v1::ALREADY_INACTIVE,
        absl::StrCat("the partner is already ", Partner::State_Name(want)));
  }
  p.set_state(want);
  return absl::OkStatus();
}

}  // namespace

absl::Status GetPartner(const ServiceDeps& d, const CallContext& call,
                        const v1::GetPartnerRequest& r, Partner* out) {
  KYODO_ASSIGN_OR_RETURN(std::string id,
                         common::ParseName("name", r.name(), "partners"));
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetPartner(s, id));
        if (!row.has_value()) return common::NotFoundError(r.name());
        *out = std::move(row->partner);
        return absl::OkStatus();
      }));
  RedactPartner(call.principal, out);
  return absl::OkStatus();
}

namespace {

// ListPartners and SearchPartners: one keyset page.
absl::Status PartnerPage(const ServiceDeps& d, const CallContext& call,
                         absl::string_view method,
                         absl::string_view filter_text, bool show_deleted,
                         absl::string_view search_key, int32_t page_size,
                         absl::string_view page_token,
                         google::protobuf::RepeatedPtrField<Partner>* partners,
                         std::string* next_page_token) {
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(page_size));
  KYODO_ASSIGN_OR_RETURN(
      common::paging::SqlFilter filter,
      common::paging::ParseFilter(filter_text, store::PartnerFilterFields()));
  const std::string query = absl::StrCat(method, "|", filter_text, "|",
                                         show_deleted, "|", search_key);
  KYODO_ASSIGN_OR_RETURN(common::paging::PageCursor cursor,
                         d.pages->Decode(page_token, query));
  std::vector<store::PartnerRow> rows;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            rows, store::ListPartners(s, filter, show_deleted, search_key,
                                      cursor.last_seq, size + 1));
        return absl::OkStatus();
      }));
  *next_page_token = common::paging::FinishPage(rows, size, *d.pages, query);
  for (store::PartnerRow& row : rows) {
    RedactPartner(call.principal, &row.partner);
    *partners->Add() = std::move(row.partner);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ListPartners(const ServiceDeps& d, const CallContext& call,
                          const v1::ListPartnersRequest& r,
                          v1::ListPartnersResponse* out) {
  return PartnerPage(d, call, "ListPartners", r.filter(), r.show_deleted(), "",
                     r.page_size(), r.page_token(), out->mutable_partners(),
                     out->mutable_next_page_token());
}

absl::Status SearchPartners(const ServiceDeps& d, const CallContext& call,
                            const v1::SearchPartnersRequest& r,
                            v1::SearchPartnersResponse* out) {
  KYODO_ASSIGN_OR_RETURN(std::string key, common::SearchKey(r.query()));
  if (key.empty()) {
    return common::InvalidArgumentError("query", "has nothing to search for",
                                        kyodo::type::v1::FIELD_REQUIRED);
  }
  return PartnerPage(d, call, "SearchPartners", r.filter(), false, key,
                     r.page_size(), r.page_token(), out->mutable_partners(),
                     out->mutable_next_page_token());
}

absl::Status BatchGetPartners(const ServiceDeps& d, const CallContext& call,
                              const v1::BatchGetPartnersRequest& r,
                              v1::BatchGetPartnersResponse* out) {
  if (r.names_size() == 0) {
    return common::InvalidArgumentError("names", "required",
                                        kyodo::type::v1::FIELD_REQUIRED);
  }
  std::vector<std::string> ids;
  for (int i = 0; i < r.names_size(); ++i) {
    KYODO_ASSIGN_OR_RETURN(std::string id,
                           common::ParseName(absl::StrCat("names[", i, "]"),
                                             r.names(i), "partners"));
    ids.push_back(std::move(id));
  }
  std::vector<store::PartnerRow> rows;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(rows, store::GetPartners(s, ids));
        return absl::OkStatus();
      }));
  absl::flat_hash_map<std::string, const Partner*> by_name;
  for (const store::PartnerRow& row : rows)
    by_name[row.partner.name()] = &row.partner;
  for (const std::string& name : r.names()) {
    auto it = by_name.find(name);
    if (it == by_name.end()) return common::NotFoundError(name);
    Partner* p = out->add_partners();
    *p = *it->second;
    RedactPartner(call.principal, p);
  }
  return absl::OkStatus();
}

absl::Status CreatePartner(const ServiceDeps& d, const CallContext& call,
                           const v1::CreatePartnerRequest& r, Partner* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "register partners"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  Partner p;
  common::ApplyFields(r.partner(),
                      std::vector<std::string>(MutablePartnerFields().begin(),
                                               MutablePartnerFields().end()),
                      &p);
  domain::ClearEmptyReferences(&p);
  KYODO_RETURN_IF_ERROR(domain::ValidatePartner(p, "partner"));
  KYODO_RETURN_IF_ERROR(
      common::db::RunInTransaction(*d.pool, call.deadline, [&](Session& s) {
        return common::idempotency::Run(
            s, r.request_id(), call.principal.subject, call.method, r, out,
            [&]() -> absl::Status {
              Partner created = p;
              created.set_name(absl::StrCat("partners/", common::NewId()));
              created.set_state(Partner::ACTIVE);
              *created.mutable_create_time() = doc::ToTimestamp(call.start);
              *created.mutable_update_time() = doc::ToTimestamp(call.start);
              created.set_etag(doc::Etag(1));
              if (!created.parent().empty())
                KYODO_RETURN_IF_ERROR(CheckParent(s, created));
              KYODO_RETURN_IF_ERROR(store::InsertPartner(s, created));
              KYODO_RETURN_IF_ERROR(
                  common::audit::Record(s, call.AuditActor(r.request_id()),
                                        created.name(), nullptr, &created));
              KYODO_RETURN_IF_ERROR(
                  EmitPartnerEvent(s, call.start, nullptr, created));
              *out = std::move(created);
              return absl::OkStatus();
            });
      }));
  d.feed->bell().Ring();
  return absl::OkStatus();
}

absl::Status UpdatePartner(const ServiceDeps& d, const CallContext& call,
                           const v1::UpdatePartnerRequest& r, Partner* out) {
  const std::string& name = r.partner().name();
  const bool own =
      call.principal.role == Role::kApplicant && call.principal.partner == name;
  if (!own) {
    KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                      "edit this partner"));
  }
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_RETURN_IF_ERROR(
      common::ParseName("partner.name", name, "partners").status());
  KYODO_ASSIGN_OR_RETURN(std::vector<std::string> fields,
                         common::ResolveUpdateMask(r.update_mask(), r.partner(),
                                                   MutablePartnerFields()));
  for (const std::string& field : fields) {
    if (own && !ApplicantEditable().contains(field)) {
      return common::PermissionDeniedError(absl::StrCat(
          "an applicant may not change ", field, "; ask the ward office"));
    }
  }
  common::server::Mutation<Partner> m;
  m.name = name;
  m.etag = r.partner().etag();
  m.request_id = r.request_id();
  m.request = &r;
  m.load = [&](Session& s) { return Load(s, name); };
  m.write = Write;
  m.emit = [&](Session& s, const Partner& before, const Partner& after) {
    return EmitPartnerEvent(s, call.start, &before, after);
  };
  m.change = [&](Session& s, const Partner& before,
                 Partner& after) -> absl::Status {
    if (before.has_delete_time()) {
      return common::FailedPreconditionError(
          kyodo::type::v1::PARTNER_DELETED,
          "undelete the partner before editing it");
    }
    common::ApplyFields(r.partner(), fields, &after);
    domain::ClearEmptyReferences(&after);
    KYODO_RETURN_IF_ERROR(domain::ValidatePartner(after, "partner"));
    if (after.kind() != v1::CITY_UNIT) {
      KYODO_ASSIGN_OR_RETURN(bool children,
                             store::HasLiveChildren(s, store::PartnerId(name)));
      if (children) {
        return common::FailedPreconditionError(
            kyodo::type::v1::HAS_CHILD_UNITS,
            "a unit with units below it stays a CITY_UNIT");
      }
    }
    if (!after.parent().empty() && after.parent() != before.parent()) {
      KYODO_RETURN_IF_ERROR(CheckParent(s, after));
    }
    return absl::OkStatus();
  };
  KYODO_RETURN_IF_ERROR(common::server::Mutate(*d.pool, call, m, out));
  d.feed->bell().Ring();
  RedactPartner(call.principal, out);
  return absl::OkStatus();
}

absl::Status ChangePartner(const ServiceDeps& d, const CallContext& call,
                           PartnerChange change, const std::string& name,
                           const std::string& etag,
                           const std::string& request_id,
                           const google::protobuf::Message& request,
                           Partner* out) {
  if (change == PartnerChange::kDelete || change == PartnerChange::kUndelete) {
    KYODO_RETURN_IF_ERROR(
        RequireRole(call, {Role::kAdmin}, "delete or undelete partners"));
  } else {
    KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                      "change a partner's state"));
  }
  KYODO_RETURN_IF_ERROR(common::ValidateRequestId("request_id", request_id));
  KYODO_RETURN_IF_ERROR(common::ParseName("name", name, "partners").status());
  common::server::Mutation<Partner> m;
  m.name = name;
  m.etag = etag;
  m.request_id = request_id;
  m.request = &request;
  m.load = [&](Session& s) { return Load(s, name); };
  m.write = Write;
  m.emit = [&](Session& s, const Partner& before, const Partner& after) {
    return EmitPartnerEvent(s, call.start, &before, after);
  };
  m.change = [&](Session& s, const Partner&, Partner& after) {
    return ApplyChange(s, change, after, call.start);
  };
  KYODO_RETURN_IF_ERROR(common::server::Mutate(*d.pool, call, m, out));
  d.feed->bell().Ring();
  return absl::OkStatus();
}

}  // namespace kyodo::partner
