#include "proposal-service/store/reviewer_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/store/lists.h"
#include "proposal-service/store/ids.h"

namespace kyodo::proposal::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using v1::Reviewer;
namespace doc = common::store;

// Every stored field from its typed column or child table (proposal-service/
// schema/006_reviewer_columns.sql), children in the same statement
// (common/store/lists.h); the document is written but no longer read.
// Indexes in ReviewerOf follow this list.
constexpr char kSelect[] =
    "SELECT r.seq, r.id, r.version, r.create_time, r.update_time, "
    "r.delete_time, r.programme_id, r.call_id, r.display_name, r.principal, "
    "r.email, "
    "(SELECT GROUP_CONCAT(a.partner_id ORDER BY a.position) "
    "FROM reviewer_affiliations a WHERE a.reviewer_seq = r.seq), "
    "(SELECT GROUP_CONCAT(x.proposal_id ORDER BY x.position) "
    "FROM reviewer_assignments x WHERE x.reviewer_seq = r.seq), "
    "(SELECT GROUP_CONCAT(g.stage ORDER BY g.position) "
    "FROM reviewer_stages g WHERE g.reviewer_seq = r.seq), "
    "(SELECT GROUP_CONCAT(c.proposal_id, ':', c.source_number, "
    "IF(c.note IS NULL, '', CONCAT(':', HEX(c.note))) ORDER BY c.position) "
    "FROM reviewer_conflicts c WHERE c.reviewer_seq = r.seq), "
    "(SELECT GROUP_CONCAT(p.partner_id, ':', p.source_number, ':', p.via, "
    "':', p.affiliation_id ORDER BY p.position) "
    "FROM reviewer_related_parties p WHERE p.reviewer_seq = r.seq) "
    "FROM reviewers r";
// A locking read takes the row lock first: a FOR UPDATE row and its
// statement's subqueries can see different versions (programme_store.cc).
constexpr char kLockById[] =
    "SELECT seq FROM reviewers WHERE id = ? FOR UPDATE";
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

// A Reviewer.Conflict.Source stored by number.
absl::StatusOr<Reviewer::Conflict::Source> SourceOf(absl::string_view field,
                                                    const doc::StoredAt& at) {
  KYODO_ASSIGN_OR_RETURN(const int64_t number, doc::ListNumber(field, at));
  if (!Reviewer::Conflict::Source_IsValid(static_cast<int>(number))) {
    return doc::BadStoredValue(
        at, absl::StrCat(number, " names no value of Conflict.Source"));
  }
  return static_cast<Reviewer::Conflict::Source>(number);
}

// The member of a row of kSelect.
absl::StatusOr<ReviewerRow> ReviewerOf(const Row& row) {
  ReviewerRow out;
  Reviewer& r = out.reviewer;
  out.call_id = row.String(7);
  const std::string call =
      absl::StrCat("programmes/", row.String(6), "/calls/", out.call_id);
  KYODO_ASSIGN_OR_RETURN(
      const doc::RowMeta meta,
      doc::ReadColumnsMeta(row, absl::StrCat(call, "/reviewers"), &r));
  out.seq = meta.seq;
  out.version = meta.version;
  const std::string& id = row.String(1);
  auto at = [&](absl::string_view column) {
    return doc::StoredAt{"reviewers", id, column};
  };
  r.set_display_name(row.String(8));
  r.set_principal(row.String(9));
  if (!row.IsNull(10)) r.set_email(row.String(10));
  KYODO_ASSIGN_OR_RETURN(
      const auto affiliations,
      doc::ReadList(row, 11, 1, 1, at("reviewer_affiliations")));
  for (const auto& a : affiliations) {
    r.add_affiliations(absl::StrCat("partners/", a[0]));
  }
  KYODO_ASSIGN_OR_RETURN(
      const auto assigned,
      doc::ReadList(row, 12, 1, 1, at("reviewer_assignments")));
  for (const auto& a : assigned) {
    r.add_assigned_proposals(absl::StrCat(call, "/proposals/", a[0]));
  }
  KYODO_ASSIGN_OR_RETURN(const std::vector<int64_t> stages,
                         doc::ReadNumberList(row, 13, at("reviewer_stages")));
  for (const int64_t stage : stages) {
    r.add_stages(static_cast<int32_t>(stage));
  }
  const doc::StoredAt conflicts_at = at("reviewer_conflicts");
  KYODO_ASSIGN_OR_RETURN(const auto conflicts,
                         doc::ReadList(row, 14, 2, 3, conflicts_at));
  for (const auto& c : conflicts) {
    Reviewer::Conflict* conflict = r.add_conflicts();
    conflict->set_proposal(absl::StrCat(call, "/proposals/", c[0]));
    KYODO_ASSIGN_OR_RETURN(const Reviewer::Conflict::Source source,
                           SourceOf(c[1], conflicts_at));
    conflict->set_source(source);
    if (c.size() == 3) {
      KYODO_ASSIGN_OR_RETURN(*conflict->mutable_note(),
                             doc::Unhex(c[2], conflicts_at));
    }
  }
  const doc::StoredAt related_at = at("reviewer_related_parties");
  KYODO_ASSIGN_OR_RETURN(const auto related,
                         doc::ReadList(row, 15, 4, 4, related_at));
  for (const auto& p : related) {
    v1::RelatedParty* party = r.add_related_parties();
    party->set_partner(absl::StrCat("partners/", p[0]));
    KYODO_ASSIGN_OR_RETURN(const Reviewer::Conflict::Source source,
                           SourceOf(p[1], related_at));
    party->set_source(source);
    party->set_via(p[2]);
    party->set_affiliation(absl::StrCat("partners/", p[3]));
  }
  return out;
}

absl::StatusOr<std::vector<ReviewerRow>> FromRows(
    const std::vector<Row>& rows) {
  std::vector<ReviewerRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(ReviewerRow r, ReviewerOf(row));
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::optional<ReviewerRow>> One(
    Session& s, const std::string& sql, const std::vector<Param>& params) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  KYODO_ASSIGN_OR_RETURN(std::vector<ReviewerRow> out, FromRows(rows));
  if (out.empty()) return std::optional<ReviewerRow>();
  return std::optional<ReviewerRow>(std::move(out.front()));
}

}  // namespace

absl::StatusOr<std::optional<ReviewerRow>> GetReviewer(Session& s,
                                                       absl::string_view id,
                                                       bool for_update) {
  if (for_update) {
    KYODO_ASSIGN_OR_RETURN(std::optional<Row> locked,
                           s.QueryOne(kLockById, {id}));
    if (!locked.has_value()) return std::optional<ReviewerRow>();
  }
  return One(s, absl::StrCat(kSelect, " WHERE r.id = ?"), {id});
}

absl::StatusOr<std::optional<ReviewerRow>> FindSeat(
    Session& s, absl::string_view call_id, absl::string_view principal) {
  return One(
      s, absl::StrCat(kSelect, " WHERE r.call_id = ? AND r.live_principal = ?"),
      {call_id, principal});
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
  std::string sql = absl::StrCat(kSelect, " WHERE r.call_id = ? AND r.seq > ?");
  if (!show_deleted) absl::StrAppend(&sql, " AND r.delete_time IS NULL");
  absl::StrAppend(&sql, " ORDER BY r.seq LIMIT ?");
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(sql, {call_id, after_seq, limit}));
  return FromRows(rows);
}

absl::StatusOr<std::vector<ReviewerRow>> LiveReviewers(
    Session& s, absl::string_view call_id) {
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      s.Query(absl::StrCat(kSelect,
                           " WHERE r.call_id = ? AND r.delete_time IS NULL "
                           "ORDER BY r.seq"),
              {call_id}));
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
