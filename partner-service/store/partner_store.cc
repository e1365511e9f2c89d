#include "partner-service/store/partner_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/text/text.h"
#include "partner-service/store/links.h"

namespace kyodo::partner::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using kyodo::partner::v1::Partner;
namespace doc = common::store;

// kResourceColumns, then state.
constexpr char kSelect[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc, "
    "state FROM partners";
constexpr char kSelectById[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc, "
    "state FROM partners WHERE id = ?";
constexpr char kSelectByIdForUpdate[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc, "
    "state FROM partners WHERE id = ? FOR UPDATE";
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

absl::StatusOr<PartnerRow> FromRow(const Row& row) {
  PartnerRow out;
  KYODO_ASSIGN_OR_RETURN(doc::RowMeta meta,
                         doc::ReadResource(row, "partners", &out.partner));
  out.seq = meta.seq;
  out.version = meta.version;
  KYODO_ASSIGN_OR_RETURN(Partner::State state,
                         doc::StoredEnum<Partner::State>(
                             row, 7, {"partners", row.String(1), "state"}));
  out.partner.set_state(state);
  return out;
}

absl::StatusOr<std::vector<PartnerRow>> FromRows(const std::vector<Row>& rows) {
  std::vector<PartnerRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(PartnerRow p, FromRow(row));
    out.push_back(std::move(p));
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
      std::optional<Row> row,
      s.QueryOne(for_update ? kSelectByIdForUpdate : kSelectById, {id}));
  if (!row.has_value()) return std::optional<PartnerRow>();
  KYODO_ASSIGN_OR_RETURN(PartnerRow p, FromRow(*row));
  return std::optional<PartnerRow>(std::move(p));
}

absl::StatusOr<std::vector<PartnerRow>> GetPartners(
    Session& s, const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<PartnerRow>();
  std::vector<Param> params(ids.begin(), ids.end());
  std::vector<std::string> marks(ids.size(), "?");
  const std::string sql =
      absl::StrCat(kSelect, " WHERE id IN (", absl::StrJoin(marks, ","), ")");
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
  std::string sql = absl::StrCat(kSelect, " WHERE seq > ?");
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
      {"name_kana", "name_kana", FilterType::kString},
      {"legal_form", "legal_form", FilterType::kString},
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
