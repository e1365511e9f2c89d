#include "partner-service/store/partner_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/store/enum_table.h"
#include "common/text/text.h"
#include "partner-service/store/links.h"

namespace kyodo::partner::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using kyodo::partner::v1::Partner;
namespace doc = common::store;

// Every field from its typed column or child table
// (partner-service/schema/002_partner_columns.sql), the contacts one per row
// of the LEFT JOIN, in order; the document is written but no longer read.
// Indexes in FromRows follow this list.
constexpr char kColumns[] =
    "SELECT p.seq, p.id, p.version, p.create_time, p.update_time, "
    "p.delete_time, p.state_number, p.kind_number, p.display_name, "
    "p.name_kana, p.ward_number, p.corporate_number, p.legal_form, "
    "p.address, p.website_uri, p.description, p.parent_id, "
    "(SELECT GROUP_CONCAT(o.ward_number ORDER BY o.position) "
    "FROM partner_other_wards o WHERE o.partner_seq = p.seq), "
    "c.position, c.person_name, c.role, c.email, c.phone";
constexpr char kJoinContacts[] =
    " LEFT JOIN partner_contacts c ON c.partner_seq = p.seq";
constexpr char kInsert[] =
    "INSERT INTO partners (id, kind, display_name, name_kana, search_key, "
    "ward, corporate_number, legal_form, parent_id, state, version, "
    "create_time, update_time, delete_time, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, ?)";
constexpr char kUpdate[] =
    "UPDATE partners SET kind = ?, display_name = ?, name_kana = ?, "
    "search_key = ?, ward = ?, corporate_number = ?, legal_form = ?, "
    "parent_id = ?, state = ?, version = version + 1, update_time = ?, "
    "delete_time = ?, doc = ? WHERE id = ? AND version = ?";
constexpr char kParentOf[] = "SELECT parent_id FROM partners WHERE id = ?";
constexpr char kLiveChild[] =
    "SELECT 1 FROM partners WHERE parent_id = ? AND delete_time IS NULL "
    "LIMIT 1";
constexpr char kLockTree[] =
    "SELECT name FROM locks WHERE name = 'city_unit_tree' FOR UPDATE";

// A nullable text column into an optional string field: NULL leaves it
// unset, '' sets it to the empty string, as the document had it.
void SetIfPresent(const Row& row, size_t column,
                  void (Partner::*set)(const std::string&), Partner* p) {
  if (!row.IsNull(column)) (p->*set)(row.String(column));
}

// The partner of `row` (the first of its rows), without its contacts.
absl::StatusOr<PartnerRow> PartnerOf(const Row& row) {
  using kyodo::type::v1::Ward;
  PartnerRow out;
  out.seq = row.Int(0);
  out.version = row.Int(2);
  const std::string& id = row.String(1);
  Partner& p = out.partner;
  p.set_name(absl::StrCat("partners/", id));
  *p.mutable_create_time() = doc::ToTimestamp(row.Time(3));
  *p.mutable_update_time() = doc::ToTimestamp(row.Time(4));
  if (std::optional<absl::Time> deleted = row.OptionalTime(5)) {
    *p.mutable_delete_time() = doc::ToTimestamp(*deleted);
  }
  p.set_etag(doc::Etag(out.version));
  KYODO_ASSIGN_OR_RETURN(Partner::State state,
                         doc::StoredEnumByNumber<Partner::State>(
                             row, 6, {"partners", id, "state_number"}));
  p.set_state(state);
  KYODO_ASSIGN_OR_RETURN(
      kyodo::partner::v1::PartnerKind kind,
      doc::StoredEnumByNumber<kyodo::partner::v1::PartnerKind>(
          row, 7, {"partners", id, "kind_number"}));
  p.set_kind(kind);
  p.set_display_name(row.String(8));
  SetIfPresent(row, 9, &Partner::set_name_kana, &p);
  KYODO_ASSIGN_OR_RETURN(std::optional<Ward> ward,
                         doc::StoredOptionalEnumByNumber<Ward>(
                             row, 10, {"partners", id, "ward_number"}));
  if (ward.has_value()) p.set_ward(*ward);
  SetIfPresent(row, 11, &Partner::set_corporate_number, &p);
  SetIfPresent(row, 12, &Partner::set_legal_form, &p);
  SetIfPresent(row, 13, &Partner::set_address, &p);
  SetIfPresent(row, 14, &Partner::set_website_uri, &p);
  SetIfPresent(row, 15, &Partner::set_description, &p);
  if (!row.IsNull(16)) p.set_parent(absl::StrCat("partners/", row.String(16)));
  if (!row.IsNull(17)) {
    for (absl::string_view number : absl::StrSplit(row.String(17), ',')) {
      const Row one({std::string(number)});
      KYODO_ASSIGN_OR_RETURN(
          Ward other, doc::StoredEnumByNumber<Ward>(
                          one, 0, {"partner_other_wards", id, "ward_number"}));
      p.add_other_wards(other);
    }
  }
  return out;
}

// The contact on `row`, when the LEFT JOIN found one.
void AddContact(const Row& row, Partner* p) {
  if (row.IsNull(18)) return;
  kyodo::partner::v1::Contact* c = p->add_contacts();
  if (!row.IsNull(19)) c->set_person_name(row.String(19));
  if (!row.IsNull(20)) c->set_role(row.String(20));
  if (!row.IsNull(21)) c->set_email(row.String(21));
  if (!row.IsNull(22)) c->set_phone(row.String(22));
}

// Partners from rows of kColumns ordered by partner, then contact position.
absl::StatusOr<std::vector<PartnerRow>> FromRows(const std::vector<Row>& rows) {
  std::vector<PartnerRow> out;
  for (const Row& row : rows) {
    if (out.empty() || out.back().seq != row.Int(0)) {
      KYODO_ASSIGN_OR_RETURN(PartnerRow p, PartnerOf(row));
      out.push_back(std::move(p));
    }
    AddContact(row, &out.back().partner);
  }
  return out;
}

std::optional<std::string> IdOf(absl::string_view name) {
  if (name.empty()) return std::nullopt;
  return std::string(name.substr(name.find('/') + 1));
}

std::optional<std::string> WardColumn(const Partner& p) {
  if (p.ward() == kyodo::type::v1::WARD_UNSPECIFIED) return std::nullopt;
  return kyodo::type::v1::Ward_Name(p.ward());
}

std::optional<std::string> NonEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

absl::Status MapDuplicate(absl::Status status) {
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return common::ErrorWithReason(
        absl::StatusCode::kAlreadyExists,
        kyodo::type::v1::CORPORATE_NUMBER_TAKEN,
        "another partner has this corporate_number; update or undelete that "
        "partner instead");
  }
  return status;
}

}  // namespace

absl::StatusOr<std::string> PartnerSearchKey(const Partner& partner) {
  KYODO_ASSIGN_OR_RETURN(std::string name,
                         common::SearchKey(partner.display_name()));
  KYODO_ASSIGN_OR_RETURN(std::string kana,
                         common::SearchKey(partner.name_kana()));
  return absl::StrCat(name, "\n", kana);
}

absl::StatusOr<std::optional<PartnerRow>> GetPartner(Session& s,
                                                     absl::string_view id,
                                                     bool for_update) {
  static const auto* by_id =
      new std::string(absl::StrCat(kColumns, " FROM partners p", kJoinContacts,
                                   " WHERE p.id = ? ORDER BY c.position"));
  static const auto* by_id_for_update =
      new std::string(absl::StrCat(*by_id, " FOR UPDATE"));
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      s.Query(for_update ? *by_id_for_update : *by_id, {id}));
  KYODO_ASSIGN_OR_RETURN(std::vector<PartnerRow> partners, FromRows(rows));
  if (partners.empty()) return std::optional<PartnerRow>();
  return std::optional<PartnerRow>(std::move(partners.front()));
}

absl::StatusOr<std::vector<PartnerRow>> GetPartners(
    Session& s, const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<PartnerRow>();
  std::vector<Param> params(ids.begin(), ids.end());
  std::vector<std::string> marks(ids.size(), "?");
  const std::string sql = absl::StrCat(
      kColumns, " FROM partners p", kJoinContacts, " WHERE p.id IN (",
      absl::StrJoin(marks, ","), ") ORDER BY p.seq, c.position");
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(rows);
}

absl::Status InsertPartner(Session& s, const Partner& p) {
  KYODO_ASSIGN_OR_RETURN(std::string key, PartnerSearchKey(p));
  const absl::Time created = doc::FromTimestamp(p.create_time());
  return MapDuplicate(
      s.Exec(
           kInsert,
           {PartnerId(p.name()), kyodo::partner::v1::PartnerKind_Name(p.kind()),
            p.display_name(), p.name_kana(), key, WardColumn(p),
            NonEmpty(p.corporate_number()), p.legal_form(), IdOf(p.parent()),
            Partner::State_Name(p.state()), created, created, doc::ToDoc(p)})
          .status());
}

absl::Status UpdatePartner(Session& s, const Partner& p, int64_t version) {
  KYODO_ASSIGN_OR_RETURN(std::string key, PartnerSearchKey(p));
  std::optional<absl::Time> deleted;
  if (p.has_delete_time()) deleted = doc::FromTimestamp(p.delete_time());
  absl::StatusOr<int64_t> changed =
      s.Exec(kUpdate,
             {kyodo::partner::v1::PartnerKind_Name(p.kind()), p.display_name(),
              p.name_kana(), key, WardColumn(p), NonEmpty(p.corporate_number()),
              p.legal_form(), IdOf(p.parent()), Partner::State_Name(p.state()),
              doc::FromTimestamp(p.update_time()), deleted, doc::ToDoc(p),
              PartnerId(p.name()), version});
  if (!changed.ok()) return MapDuplicate(changed.status());
  if (*changed == 0) return common::EtagMismatchError(p.name());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> ParentOf(Session& s,
                                                    absl::string_view id) {
  KYODO_ASSIGN_OR_RETURN(std::optional<Row> row, s.QueryOne(kParentOf, {id}));
  if (!row.has_value() || row->IsNull(0)) return std::optional<std::string>();
  return std::optional<std::string>(row->String(0));
}

absl::StatusOr<bool> HasLiveChildren(Session& s, absl::string_view id) {
  KYODO_ASSIGN_OR_RETURN(std::optional<Row> row, s.QueryOne(kLiveChild, {id}));
  return row.has_value();
}

absl::Status LockCityUnitTree(Session& s) {
  return s.Query(kLockTree).status();
}

absl::StatusOr<std::vector<PartnerRow>> ListPartners(
    Session& s, const common::paging::SqlFilter& filter, bool show_deleted,
    absl::string_view search_key, int64_t after_seq, int limit) {
  // The page is chosen in the derived table, so that LIMIT counts partners,
  // not their contacts.
  std::string sql =
      absl::StrCat(kColumns, " FROM (SELECT * FROM partners WHERE seq > ?");
  std::vector<Param> params = {after_seq};
  if (!show_deleted) absl::StrAppend(&sql, " AND delete_time IS NULL");
  if (!search_key.empty()) {
    absl::StrAppend(&sql, " AND INSTR(search_key, ?) > 0");
    params.emplace_back(search_key);
  }
  absl::StrAppend(&sql, filter.sql, " ORDER BY seq LIMIT ?) p", kJoinContacts,
                  " ORDER BY p.seq, c.position");
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(rows);
}

const std::vector<common::paging::FilterField>& PartnerFilterFields() {
  using common::paging::FilterField;
  using common::paging::FilterType;
  static const auto* fields = new std::vector<FilterField>{
      {"kind", "kind", FilterType::kEnum,
       kyodo::partner::v1::PartnerKind_descriptor()},
      {"ward", "ward", FilterType::kEnum, kyodo::type::v1::Ward_descriptor()},
      {"state", "state", FilterType::kEnum, Partner::State_descriptor()},
      {"display_name", "display_name", FilterType::kString},
      // NULL when unset (002_partner_columns.sql); the filter reads it as ''.
      {"name_kana", "COALESCE(name_kana, '')", FilterType::kString},
      {"legal_form", "COALESCE(legal_form, '')", FilterType::kString},
      {"corporate_number", "corporate_number", FilterType::kString},
      {"parent", "parent_id", FilterType::kString, nullptr,
       [](absl::string_view v) {
         return common::ParseName("parent", v, "partners");
       }},
      {"create_time", "create_time", FilterType::kTimestamp},
      {"update_time", "update_time", FilterType::kTimestamp},
  };
  return *fields;
}

}  // namespace kyodo::partner::store
