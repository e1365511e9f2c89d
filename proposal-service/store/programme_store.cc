#include "proposal-service/store/programme_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "proposal-service/store/ids.h"

namespace kyodo::proposal::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using v1::Programme;
namespace doc = common::store;

constexpr char kSelect[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc "
    "FROM programmes";
constexpr char kSelectById[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc "
    "FROM programmes WHERE id = ?";
constexpr char kSelectByIdForUpdate[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc "
    "FROM programmes WHERE id = ? FOR UPDATE";
constexpr char kInsert[] =
    "INSERT INTO programmes (id, ward, kind, display_name, version, "
    "create_time, update_time, delete_time, doc) "
    "VALUES (?, ?, ?, ?, 1, ?, ?, NULL, ?)";
constexpr char kUpdate[] =
    "UPDATE programmes SET kind = ?, display_name = ?, version = version + 1, "
    "update_time = ?, delete_time = ?, doc = ? WHERE id = ? AND version = ?";

absl::StatusOr<std::vector<ProgrammeRow>> FromRows(
    const std::vector<Row>& rows) {
  std::vector<ProgrammeRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    ProgrammeRow p;
    KYODO_ASSIGN_OR_RETURN(doc::RowMeta meta,
                           doc::ReadResource(row, "programmes", &p.programme));
    p.seq = meta.seq;
    p.version = meta.version;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<ProgrammeRow>> GetProgramme(Session& s,
                                                         absl::string_view id,
                                                         bool for_update) {
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      s.Query(for_update ? kSelectByIdForUpdate : kSelectById, {id}));
  KYODO_ASSIGN_OR_RETURN(std::vector<ProgrammeRow> out, FromRows(rows));
  if (out.empty()) return std::optional<ProgrammeRow>();
  return std::optional<ProgrammeRow>(std::move(out.front()));
}

absl::Status InsertProgramme(Session& s, const Programme& p) {
  const absl::Time created = doc::FromTimestamp(p.create_time());
  return s
      .Exec(kInsert, {IdOf(p.name()), kyodo::type::v1::Ward_Name(p.ward()),
                      Programme::Kind_Name(p.kind()), p.display_name(), created,
                      created, doc::ToDoc(p)})
      .status();
}

absl::Status UpdateProgramme(Session& s, const Programme& p, int64_t version) {
  std::optional<absl::Time> deleted;
  if (p.has_delete_time()) deleted = doc::FromTimestamp(p.delete_time());
  KYODO_ASSIGN_OR_RETURN(
      int64_t changed,
      s.Exec(kUpdate, {Programme::Kind_Name(p.kind()), p.display_name(),
                       doc::FromTimestamp(p.update_time()), deleted,
                       doc::ToDoc(p), IdOf(p.name()), version}));
  if (changed == 0) return common::EtagMismatchError(p.name());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ProgrammeRow>> ListProgrammes(
    Session& s, const common::paging::SqlFilter& filter, bool show_deleted,
    int64_t after_seq, int limit) {
  std::string sql = absl::StrCat(kSelect, " WHERE seq > ?");
  std::vector<Param> params = {after_seq};
  if (!show_deleted) absl::StrAppend(&sql, " AND delete_time IS NULL");
  absl::StrAppend(&sql, filter.sql, " ORDER BY seq LIMIT ?");
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(rows);
}

const std::vector<common::paging::FilterField>& ProgrammeFilterFields() {
  using common::paging::FilterField;
  using common::paging::FilterType;
  static const auto* fields = new std::vector<FilterField>{
      {"ward", "ward", FilterType::kEnum, kyodo::type::v1::Ward_descriptor()},
      {"kind", "kind", FilterType::kEnum, Programme::Kind_descriptor()},
      {"display_name", "display_name", FilterType::kString},
      {"create_time", "create_time", FilterType::kTimestamp},
      {"update_time", "update_time", FilterType::kTimestamp},
  };
  return *fields;
}

}  // namespace kyodo::proposal::store
