#include "partner-service/store/agreement_store.h"

#include "absl/strings/str_cat.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/time/date.h"
#include "partner-service/store/links.h"

namespace kyodo::partner::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using kyodo::partner::v1::Agreement;
namespace doc = common::store;

constexpr char kSelect[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc "
    "FROM agreements";
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

absl::StatusOr<std::vector<AgreementRow>> FromRows(
    const std::vector<Row>& rows) {
  std::vector<AgreementRow> out;
  for (const Row& row : rows) {
    AgreementRow a;
    KYODO_ASSIGN_OR_RETURN(doc::RowMeta meta,
                           doc::ReadResource(row, "agreements", &a.agreement));
    a.seq = meta.seq;
    a.version = meta.version;
    out.push_back(std::move(a));
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
  KYODO_ASSIGN_OR_RETURN(std::vector<AgreementRow> out, FromRows(rows));
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
  std::optional<absl::Time> deleted;
  if (a.has_delete_time()) deleted = doc::FromTimestamp(a.delete_time());
  KYODO_ASSIGN_OR_RETURN(
      int64_t changed,
      s.Exec(kUpdate,
             {Agreement::Kind_Name(a.kind()), a.display_name(), SignDate(a),
              EndDate(a), doc::FromTimestamp(a.update_time()), deleted,
              doc::ToDoc(a), row->Int(0), version}));
  if (changed == 0) return common::EtagMismatchError(a.name());
  return ReplaceLinks(s, kAgreementParties, row->Int(0), a.parties());
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
  return FromRows(rows);
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
