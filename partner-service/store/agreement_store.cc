#include "partner-service/store/agreement_store.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/store/enum_table.h"
#include "common/time/date.h"
#include "partner-service/store/links.h"

namespace kyodo::partner::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using kyodo::partner::v1::Agreement;
namespace doc = common::store;

// Every field from its typed column (partner-service/schema/
// 004_agreement_network_columns.sql); the document is written but no longer
// read. Indexes in AgreementOf follow this list.
constexpr char kSelect[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, "
    "kind_number, display_name, sign_date_parts, YEAR(sign_date), "
    "MONTH(sign_date), DAY(sign_date), YEAR(end_date), MONTH(end_date), "
    "DAY(end_date), YEAR(renewal_date), MONTH(renewal_date), "
    "DAY(renewal_date), description FROM agreements";
// The parties (kind 0) and themes (kind 1) of the agreements whose seqs fill
// both IN lists, in order.
constexpr char kChildren[] =
    "SELECT agreement_seq, 0, position, CONVERT(partner_id USING utf8mb4) "
    "FROM agreement_parties WHERE agreement_seq IN (%s) UNION ALL "
    "SELECT agreement_seq, 1, position, theme FROM agreement_themes "
    "WHERE agreement_seq IN (%s) ORDER BY 1, 2, 3";
constexpr char kInsert[] =
    "INSERT INTO agreements (id, kind, display_name, sign_date, end_date, "
    "version, create_time, update_time, delete_time, doc) "
    "VALUES (?, ?, ?, ?, ?, 1, ?, ?, NULL, ?)";
constexpr char kUpdate[] =
    "UPDATE agreements SET kind = ?, display_name = ?, sign_date = ?, "
    "end_date = ?, version = version + 1, update_time = ?, delete_time = ?, "
    "doc = ? WHERE seq = ? AND version = ?";

std::string DateText(const google::type::Date& d) {
  return common::FormatCivilDay(common::ToCivilDay(d));
}

std::optional<std::string> EndDate(const Agreement& a) {
  if (!a.has_end_date()) return std::nullopt;
  return DateText(a.end_date());
}

std::optional<std::string> SignDate(const Agreement& a) {
  if (!a.has_sign_date()) return std::nullopt;
  return common::FormatCivilDay(common::ToCivilDay(a.sign_date()));
}

// The date in columns `first` (year), `first` + 1 (month) and `first` + 2
// (day) of `row`; a NULL among them is DATA_LOSS.
absl::StatusOr<google::type::Date> DateAt(const Row& row, size_t first) {
  KYODO_ASSIGN_OR_RETURN(const int64_t year, row.Int(first));
  KYODO_ASSIGN_OR_RETURN(const int64_t month, row.Int(first + 1));
  KYODO_ASSIGN_OR_RETURN(const int64_t day, row.Int(first + 2));
  google::type::Date d;
  d.set_year(static_cast<int32_t>(year));
  d.set_month(static_cast<int32_t>(month));
  d.set_day(static_cast<int32_t>(day));
  return d;
}

// The agreement of `row`, without its parties and themes.
absl::StatusOr<AgreementRow> AgreementOf(const Row& row) {
  AgreementRow out;
  Agreement& a = out.agreement;
  KYODO_ASSIGN_OR_RETURN(const doc::RowMeta meta,
                         doc::ReadColumnsMeta(row, "agreements", &a));
  out.seq = meta.seq;
  out.version = meta.version;
  const std::string& id = row.String(1);
  KYODO_ASSIGN_OR_RETURN(Agreement::Kind kind,
                         doc::StoredEnumByNumber<Agreement::Kind>(
                             row, 6, {"agreements", id, "kind_number"}));
  a.set_kind(kind);
  a.set_display_name(row.String(7));
  if (!row.IsNull(9)) {
    // How much of the signing date is known: the year, the month, the day.
    KYODO_ASSIGN_OR_RETURN(const std::optional<int64_t> stored_parts,
                           row.OptionalInt(8));
    const int64_t parts = stored_parts.value_or(0);
    if (parts < 1 || parts > 3) {
      return doc::BadStoredValue({"agreements", id, "sign_date_parts"},
                                 "not 1, 2 or 3 beside a sign_date");
    }
    KYODO_ASSIGN_OR_RETURN(google::type::Date sign, DateAt(row, 9));
    if (parts < 3) sign.set_day(0);
    if (parts < 2) sign.set_month(0);
    *a.mutable_sign_date() = sign;
  }
  if (!row.IsNull(12)) {
    KYODO_ASSIGN_OR_RETURN(*a.mutable_end_date(), DateAt(row, 12));
  }
  if (!row.IsNull(15)) {
    KYODO_ASSIGN_OR_RETURN(*a.mutable_renewal_date(), DateAt(row, 15));
  }
  if (!row.IsNull(18)) a.set_description(row.String(18));
  return out;
}

// Agreements from rows of kSelect, with their parties and themes read in one
// more query.
absl::StatusOr<std::vector<AgreementRow>> FromRows(
    Session& s, const std::vector<Row>& rows) {
  std::vector<AgreementRow> out;
  out.reserve(rows.size());
  std::vector<Param> seqs;
  absl::flat_hash_map<int64_t, size_t> index;
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(AgreementRow a, AgreementOf(row));
    seqs.emplace_back(a.seq);
    index[a.seq] = out.size();
    out.push_back(std::move(a));
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
    KYODO_ASSIGN_OR_RETURN(const int64_t is_theme, child.Int(1));
    Agreement& a = out[index.at(seq)].agreement;
    if (is_theme == 0) {
      a.add_parties(absl::StrCat("partners/", child.String(3)));
    } else {
      a.add_themes(child.String(3));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<AgreementRow>> GetAgreement(Session& s,
                                                         absl::string_view id,
                                                         bool for_update) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(absl::StrCat(kSelect, " WHERE id = ?",
                                              for_update ? " FOR UPDATE" : ""),
                                 {id}));
  KYODO_ASSIGN_OR_RETURN(std::vector<AgreementRow> out, FromRows(s, rows));
  if (out.empty()) return std::optional<AgreementRow>();
  return std::optional<AgreementRow>(std::move(out.front()));
}

absl::Status InsertAgreement(Session& s, const Agreement& a) {
  const absl::Time created = doc::FromTimestamp(a.create_time());
  const std::string id = PartnerId(a.name());
  KYODO_RETURN_IF_ERROR(
      s.Exec(kInsert,
             {id, Agreement::Kind_Name(a.kind()), a.display_name(), SignDate(a),
              EndDate(a), created, created, doc::ToDoc(a)})
          .status());
  return LinkInserted(s, kAgreementParties, a.name(), a.parties());
}

absl::Status UpdateAgreement(Session& s, const Agreement& a, int64_t version) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      s.QueryOne(kAgreementParties.owner_seq_sql, {PartnerId(a.name())}));
  if (!row.has_value()) return common::NotFoundError(a.name());
  KYODO_ASSIGN_OR_RETURN(const int64_t seq, row->Int(0));
  std::optional<absl::Time> deleted;
  if (a.has_delete_time()) deleted = doc::FromTimestamp(a.delete_time());
  KYODO_ASSIGN_OR_RETURN(
      int64_t changed,
      s.Exec(kUpdate,
             {Agreement::Kind_Name(a.kind()), a.display_name(), SignDate(a),
              EndDate(a), doc::FromTimestamp(a.update_time()), deleted,
              doc::ToDoc(a), seq, version}));
  if (changed == 0) return common::EtagMismatchError(a.name());
  return ReplaceLinks(s, kAgreementParties, seq, a.parties());
}

absl::StatusOr<std::vector<AgreementRow>> ListAgreements(
    Session& s, const common::paging::SqlFilter& filter, bool show_deleted,
    int64_t after_seq, int limit) {
  std::string sql = absl::StrCat(kSelect, " a WHERE a.seq > ?");
  std::vector<Param> params = {after_seq};
  if (!show_deleted) absl::StrAppend(&sql, " AND a.delete_time IS NULL");
  absl::StrAppend(&sql, filter.sql, " ORDER BY a.seq LIMIT ?");
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(s, rows);
}

const std::vector<common::paging::FilterField>& AgreementFilterFields() {
  using common::paging::FilterField;
  using common::paging::FilterType;
  static const auto* fields = new std::vector<FilterField>{
      {"kind", "a.kind", FilterType::kEnum, Agreement::Kind_descriptor()},
      {"display_name", "a.display_name", FilterType::kString},
      {"party", "", FilterType::kMember, nullptr,
       [](absl::string_view v) {
         return common::ParseName("party", v, "partners");
       },
       "EXISTS (SELECT 1 FROM agreement_parties p WHERE p.agreement_seq = "
       "a.seq AND p.partner_id = ?)"},
      {"create_time", "a.create_time", FilterType::kTimestamp},
      {"update_time", "a.update_time", FilterType::kTimestamp},
  };
  return *fields;
}

}  // namespace kyodo::partner::store
