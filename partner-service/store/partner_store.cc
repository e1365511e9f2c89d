#include "partner-service/store/partner_store.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
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

// Every field from its typed column (partner-service/schema/
// 002_partner_columns.sql); the document is written but no longer read.
// Indexes in PartnerOf follow this list. A partner with child_rows > 0 has
// contacts or other wards, which FromRows reads with one more query.
#define KYODO_PARTNER_COLUMNS                                         \
  "SELECT seq, id, version, create_time, update_time, delete_time, "  \
  "state_number, kind_number, display_name, name_kana, ward_number, " \
  "corporate_number, legal_form, address, website_uri, description, " \
  "parent_id, child_rows FROM partners "
constexpr char kSelect[] = KYODO_PARTNER_COLUMNS;
constexpr char kSelectById[] = KYODO_PARTNER_COLUMNS "WHERE id = ?";
constexpr char kSelectByIdForUpdate[] =
    KYODO_PARTNER_COLUMNS "WHERE id = ? FOR UPDATE";
#undef KYODO_PARTNER_COLUMNS
// The other wards (kind 0) and contacts (kind 1) of the partners whose seqs
// fill both IN lists, in order. Only the partner row's triggers write them,
// so while a transaction holds that row they cannot change.
constexpr char kChildren[] =
    "SELECT partner_seq, 0, position, ward_number, NULL, NULL, NULL, NULL "
    "FROM partner_other_wards WHERE partner_seq IN (%s) UNION ALL "
    "SELECT partner_seq, 1, position, NULL, person_name, role, email, phone "
    "FROM partner_contacts WHERE partner_seq IN (%s) ORDER BY 1, 2, 3";
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

// The partner of `row`, without its contacts and other wards.
absl::StatusOr<PartnerRow> PartnerOf(const Row& row) {
  using kyodo::type::v1::Ward;
  PartnerRow out;
  Partner& p = out.partner;
  KYODO_ASSIGN_OR_RETURN(const doc::RowMeta meta,
                         doc::ReadColumnsMeta(row, "partners", &p));
  out.seq = meta.seq;
  out.version = meta.version;
  const std::string& id = row.String(1);
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
  return out;
}

// Partners from rows of kSelect, with their contacts and other wards read
// in one more query when any of them has some.
absl::StatusOr<std::vector<PartnerRow>> FromRows(Session& s,
                                                 const std::vector<Row>& rows) {
  using kyodo::type::v1::Ward;
  std::vector<PartnerRow> out;
  out.reserve(rows.size());
  std::vector<Param> seqs;
  absl::flat_hash_map<int64_t, size_t> index;
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(PartnerRow p, PartnerOf(row));
    KYODO_ASSIGN_OR_RETURN(const int64_t children, row.Int(17));
    if (children > 0) {
      seqs.emplace_back(p.seq);
      index[p.seq] = out.size();
    }
    out.push_back(std::move(p));
  }
  if (seqs.empty()) return out;
  const std::string marks = Placeholders(seqs.size());
  std::vector<Param> params = seqs;
  params.insert(params.end(), seqs.begin(), seqs.end());
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> children,
      s.Query(absl::StrFormat(kChildren, marks, marks), params));
  for (const Row& child : children) {
    KYODO_ASSIGN_OR_RETURN(const int64_t seq, child.Int(0));
    KYODO_ASSIGN_OR_RETURN(const int64_t is_contact, child.Int(1));
    PartnerRow& row = out[index.at(seq)];
    Partner& p = row.partner;
    if (is_contact == 0) {
      KYODO_ASSIGN_OR_RETURN(
          Ward ward,
          doc::StoredEnumByNumber<Ward>(
              child, 3,
              {"partner_other_wards", absl::StrCat(row.seq), "ward_number"}));
      p.add_other_wards(ward);
      continue;
    }
    kyodo::partner::v1::Contact* c = p.add_contacts();
    if (!child.IsNull(4)) c->set_person_name(child.String(4));
    if (!child.IsNull(5)) c->set_role(child.String(5));
    if (!child.IsNull(6)) c->set_email(child.String(6));
    if (!child.IsNull(7)) c->set_phone(child.String(7));
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
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      s.Query(for_update ? kSelectByIdForUpdate : kSelectById, {id}));
  KYODO_ASSIGN_OR_RETURN(std::vector<PartnerRow> partners, FromRows(s, rows));
  if (partners.empty()) return std::optional<PartnerRow>();
  return std::optional<PartnerRow>(std::move(partners.front()));
}

absl::StatusOr<std::vector<PartnerRow>> GetPartners(
    Session& s, const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<PartnerRow>();
  std::vector<Param> params(ids.begin(), ids.end());
  std::vector<std::string> marks(ids.size(), "?");
  const std::string sql = absl::StrCat(
      kSelect, "WHERE id IN (", absl::StrJoin(marks, ","), ") ORDER BY seq");
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(s, rows);
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
  std::string sql = absl::StrCat(kSelect, "WHERE seq > ?");
  std::vector<Param> params = {after_seq};
  if (!show_deleted) absl::StrAppend(&sql, " AND delete_time IS NULL");
  if (!search_key.empty()) {
    absl::StrAppend(&sql, " AND INSTR(search_key, ?) > 0");
    params.emplace_back(search_key);
  }
  absl::StrAppend(&sql, filter.sql, " ORDER BY seq LIMIT ?");
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(s, rows);
}

const std::vector<common::paging::FilterField>& PartnerFilterFields() {
  using common::paging::FilterField;
  using common::paging::FilterType;
  static const auto* fields = new std::vector<FilterField>{
      {"kind", "kind", FilterType::kEnum,
       kyodo::partner::v1::PartnerKind_descriptor()},
      {"ward", "ward", FilterType::kEnum, kyodo::type::v1::Ward_descriptor()},
      // Its own ward or one of its other wards (明治大学: 多摩区 and 麻生区).
      // <=>: a partner without a ward is "not active in" any (for !=).
      {"active_ward", "", FilterType::kMember, nullptr,
       [](absl::string_view v) -> absl::StatusOr<std::string> {
         kyodo::type::v1::Ward ward;
         if (!kyodo::type::v1::Ward_Parse(std::string(v), &ward) ||
             ward == kyodo::type::v1::WARD_UNSPECIFIED) {
           return absl::InvalidArgumentError("takes a ward such as ASAO");
         }
         return absl::StrCat(static_cast<int>(ward));
       },
       "(ward_number <=> ? OR seq IN (SELECT o.partner_seq FROM "
       "partner_other_wards o WHERE o.ward_number = ?))"},
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
