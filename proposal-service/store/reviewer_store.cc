#include "proposal-service/store/reviewer_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "proposal-service/store/ids.h"

namespace kyodo::proposal::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using v1::Reviewer;
namespace doc = common::store;

// kResourceColumns, then programme_id and call_id.
constexpr char kSelect[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc, "
    "programme_id, call_id FROM reviewers";
constexpr char kById[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc, "
    "programme_id, call_id FROM reviewers WHERE id = ?";
constexpr char kByIdForUpdate[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc, "
    "programme_id, call_id FROM reviewers WHERE id = ? FOR UPDATE";
constexpr char kSeat[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc, "
    "programme_id, call_id FROM reviewers WHERE call_id = ? AND live_principal "
    "= ?";
constexpr char kLive[] =
    "SELECT seq, id, version, create_time, update_time, delete_time, doc, "
    "programme_id, call_id FROM reviewers WHERE call_id = ? AND delete_time IS "
    "NULL "
    "ORDER BY seq";
constexpr char kInsert[] =
    "INSERT INTO reviewers (id, programme_id, call_id, principal, version, "
    "create_time, update_time, delete_time, doc) "
    "VALUES (?, ?, ?, ?, 1, ?, ?, NULL, ?)";
constexpr char kUpdate[] =
    "UPDATE reviewers SET principal = ?, version = version + 1, update_time = "
    "?, "
    "delete_time = ?, doc = ? WHERE id = ? AND version = ?";
constexpr char kSeatCalls[] =
    "SELECT call_id FROM reviewers WHERE principal = ? AND delete_time IS NULL";
constexpr char kWithParties[] =
    "SELECT DISTINCT pp.proposal_id, pp.partner_id FROM proposal_parties pp "
    "JOIN proposals p ON p.id = pp.proposal_id "
    "WHERE pp.call_id = ? AND p.state <> 'DRAFT' AND p.delete_time IS NULL "
    "AND pp.partner_id IN (";

// "programmes/p/calls/c/reviewers/r" -> {"p", "c"}.
std::pair<std::string, std::string> ParentIds(absl::string_view name) {
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() < 4) return {"", ""};
  return {parts[1], parts[3]};
}

// The stored document: DECLARED conflicts only (AFFILIATION ones are
// computed).
std::string Doc(const Reviewer& r) {
  Reviewer copy = r;
  copy.clear_conflicts();
  for (const Reviewer::Conflict& c : r.conflicts()) {
    if (c.source() == Reviewer::Conflict::DECLARED) *copy.add_conflicts() = c;
  }
  return doc::ToDoc(copy);
}

absl::Status MapDuplicate(absl::Status status) {
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return common::ErrorWithReason(
        absl::StatusCode::kAlreadyExists,
        kyodo::type::v1::REVIEWER_PRINCIPAL_TAKEN,
        "another member of this call's committee has this principal");
  }
  return status;
}

absl::StatusOr<std::vector<ReviewerRow>> FromRows(
    const std::vector<Row>& rows) {
  std::vector<ReviewerRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    ReviewerRow r;
    r.call_id = row.String(8);
    KYODO_ASSIGN_OR_RETURN(
        doc::RowMeta meta,
        doc::ReadResource(row,
                          absl::StrCat("programmes/", row.String(7), "/calls/",
                                       r.call_id, "/reviewers"),
                          &r.reviewer));
    r.seq = meta.seq;
    r.version = meta.version;
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::optional<ReviewerRow>> One(
    Session& s, const char* sql, const std::vector<Param>& params) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  KYODO_ASSIGN_OR_RETURN(std::vector<ReviewerRow> out, FromRows(rows));
  if (out.empty()) return std::optional<ReviewerRow>();
  return std::optional<ReviewerRow>(std::move(out.front()));
}

}  // namespace

absl::StatusOr<std::optional<ReviewerRow>> GetReviewer(Session& s,
                                                       absl::string_view id,
                                                       bool for_update) {
  return One(s, for_update ? kByIdForUpdate : kById, {id});
}

absl::StatusOr<std::optional<ReviewerRow>> FindSeat(
    Session& s, absl::string_view call_id, absl::string_view principal) {
  return One(s, kSeat, {call_id, principal});
}

absl::Status InsertReviewer(Session& s, const Reviewer& r) {
  const absl::Time created = doc::FromTimestamp(r.create_time());
  const auto [programme_id, call_id] = ParentIds(r.name());
  return MapDuplicate(s.Exec(kInsert, {IdOf(r.name()), programme_id, call_id,
                                       r.principal(), created, created, Doc(r)})
                          .status());
}

absl::Status UpdateReviewer(Session& s, const Reviewer& r, int64_t version) {
  std::optional<absl::Time> deleted;
  if (r.has_delete_time()) deleted = doc::FromTimestamp(r.delete_time());
  absl::StatusOr<int64_t> changed =
      s.Exec(kUpdate, {r.principal(), doc::FromTimestamp(r.update_time()),
                       deleted, Doc(r), IdOf(r.name()), version});
  if (!changed.ok()) return MapDuplicate(changed.status());
  if (*changed == 0) return common::EtagMismatchError(r.name());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ReviewerRow>> ListReviewers(
    Session& s, absl::string_view call_id, bool show_deleted, int64_t after_seq,
    int limit) {
  std::string sql = absl::StrCat(kSelect, " WHERE call_id = ? AND seq > ?");
  if (!show_deleted) absl::StrAppend(&sql, " AND delete_time IS NULL");
  absl::StrAppend(&sql, " ORDER BY seq LIMIT ?");
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(sql, {call_id, after_seq, limit}));
  return FromRows(rows);
}

absl::StatusOr<std::vector<ReviewerRow>> LiveReviewers(
    Session& s, absl::string_view call_id) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(kLive, {call_id}));
  return FromRows(rows);
}

absl::StatusOr<std::vector<std::string>> SeatCalls(
    Session& s, absl::string_view principal) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(kSeatCalls, {principal}));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(row.String(0));
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ProposalsWithParties(Session& s, absl::string_view call_id,
                     const std::vector<std::string>& partner_ids) {
  std::vector<std::pair<std::string, std::string>> out;
  if (partner_ids.empty()) return out;
  std::vector<Param> params = {call_id};
  std::vector<std::string> marks;
  for (const std::string& id : partner_ids) {
    params.emplace_back(id);
    marks.emplace_back("?");
  }
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      s.Query(absl::StrCat(kWithParties, absl::StrJoin(marks, ","),
                           ") ORDER BY pp.proposal_id, pp.partner_id"),
              params));
  for (const Row& row : rows) out.emplace_back(row.String(0), row.String(1));
  return out;
}

}  // namespace kyodo::proposal::store
