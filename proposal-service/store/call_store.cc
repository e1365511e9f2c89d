#include "proposal-service/store/call_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"

namespace kyodo::proposal::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using v1::Call;
namespace doc = common::store;

// kResourceColumns, then state and programme_id.
constexpr char kSelect[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc, "
    "state, programme_id FROM calls";
constexpr char kInsert[] =
    "INSERT INTO calls (id, programme_id, ward, fiscal_year, state, version, "
    "create_time, update_time, delete_time, doc) "
    "VALUES (?, ?, ?, ?, ?, 1, ?, ?, NULL, ?)";
constexpr char kUpdate[] =
    "UPDATE calls SET fiscal_year = ?, state = ?, version = version + 1, "
    "update_time = ?, delete_time = ?, doc = ? WHERE id = ? AND version = ?";
constexpr char kHasCalls[] =
    "SELECT 1 FROM calls WHERE programme_id = ? AND delete_time IS NULL LIMIT "
    "1";
constexpr char kHasRunningCalls[] =
    "SELECT 1 FROM calls WHERE programme_id = ? AND delete_time IS NULL "
    "AND state IN ('OPEN', 'CLOSED', 'UNDER_REVIEW') LIMIT 1";

// "programmes/p/calls/c" -> "p".
std::string ProgrammeIdOf(absl::string_view call_name) {
  absl::string_view rest = call_name.substr(call_name.find('/') + 1);
  return std::string(rest.substr(0, rest.find('/')));
}

absl::StatusOr<std::vector<CallRow>> FromRows(const std::vector<Row>& rows) {
  std::vector<CallRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    CallRow c;
    c.programme_id = row.String(8);
    KYODO_ASSIGN_OR_RETURN(
        doc::RowMeta meta,
        doc::ReadResource(row,
                          absl::StrCat("programmes/", c.programme_id, "/calls"),
                          &c.call));
    c.seq = meta.seq;
    c.version = meta.version;
    KYODO_ASSIGN_OR_RETURN(Call::State state,
                           doc::StoredEnum<Call::State>(
                               row, 7, {"calls", row.String(1), "state"}));
    c.call.set_state(state);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<CallRow>> GetCall(Session& s, absl::string_view id,
                                               Lock lock) {
  // One constant per lock mode: the statement text is the cache key of the
  // session's prepared statements.
  static const std::string* kById[] = {
      new std::string(absl::StrCat(kSelect, " WHERE id = ?")),
      new std::string(
          absl::StrCat(kSelect, " WHERE id = ?", LockClause(Lock::kShare))),
      new std::string(
          absl::StrCat(kSelect, " WHERE id = ?", LockClause(Lock::kUpdate)))};
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(*kById[static_cast<int>(lock)], {id}));
  KYODO_ASSIGN_OR_RETURN(std::vector<CallRow> out, FromRows(rows));
  if (out.empty()) return std::optional<CallRow>();
  return std::optional<CallRow>(std::move(out.front()));
}

absl::Status InsertCall(Session& s, const Call& c) {
  const absl::Time created = doc::FromTimestamp(c.create_time());
  return s
      .Exec(kInsert,
            {IdOf(c.name()), ProgrammeIdOf(c.name()),
             kyodo::type::v1::Ward_Name(c.ward()), c.fiscal_year(),
             Call::State_Name(c.state()), created, created, doc::ToDoc(c)})
      .status();
}

absl::Status UpdateCall(Session& s, const Call& c, int64_t version) {
  std::optional<absl::Time> deleted;
  if (c.has_delete_time()) deleted = doc::FromTimestamp(c.delete_time());
  KYODO_ASSIGN_OR_RETURN(
      int64_t changed,
      s.Exec(kUpdate, {c.fiscal_year(), Call::State_Name(c.state()),
                       doc::FromTimestamp(c.update_time()), deleted,
                       doc::ToDoc(c), IdOf(c.name()), version}));
  if (changed == 0) return common::EtagMismatchError(c.name());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CallRow>> ListCalls(
    Session& s, const CallQuery& query, const common::paging::SqlFilter& filter,
    int64_t after_seq, int limit) {
  std::string sql = absl::StrCat(kSelect, " WHERE seq > ?");
  std::vector<Param> params = {after_seq};
  if (!query.programme_id.empty()) {
    absl::StrAppend(&sql, " AND programme_id = ?");
    params.emplace_back(query.programme_id);
  }
  if (!query.show_deleted) absl::StrAppend(&sql, " AND delete_time IS NULL");
  if (!query.include_drafts) absl::StrAppend(&sql, " AND state <> 'DRAFT'");
  absl::StrAppend(&sql, filter.sql, " ORDER BY seq LIMIT ?");
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(rows);
}

const std::vector<common::paging::FilterField>& CallFilterFields() {
  using common::paging::FilterField;
  using common::paging::FilterType;
  static const auto* fields = new std::vector<FilterField>{
      {"state", "state", FilterType::kEnum, Call::State_descriptor()},
      {"fiscal_year", "fiscal_year", FilterType::kInt},
      {"ward", "ward", FilterType::kEnum, kyodo::type::v1::Ward_descriptor()},
      {"create_time", "create_time", FilterType::kTimestamp},
      {"update_time", "update_time", FilterType::kTimestamp},
  };
  return *fields;
}

absl::StatusOr<bool> HasCalls(Session& s, absl::string_view programme_id,
                              bool running_only) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      s.QueryOne(running_only ? kHasRunningCalls : kHasCalls, {programme_id}));
  return row.has_value();
}

}  // namespace kyodo::proposal::store
