#include "proposal-service/store/proposal_store.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "proposal-service/store/ids.h"

namespace kyodo::proposal::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using v1::Proposal;
namespace doc = common::store;

// kResourceColumns, then state, programme_id, call_id.
#define KYODO_PROPOSAL_COLUMNS                                            \
  "p.seq, p.id, p.version, p.create_time, p.update_time, p.delete_time, " \
  "p.doc, p.state, p.programme_id, p.call_id"
constexpr char kById[] =
    "SELECT " KYODO_PROPOSAL_COLUMNS " FROM proposals p WHERE p.id = ?";
constexpr char kByIdForUpdate[] = "SELECT " KYODO_PROPOSAL_COLUMNS
                                  " FROM proposals p WHERE p.id = ? FOR UPDATE";
constexpr char kOfCall[] =
    "SELECT " KYODO_PROPOSAL_COLUMNS
    " FROM proposals p WHERE p.call_id = ? "
    "AND p.delete_time IS NULL AND p.state <> 'DRAFT' ORDER BY p.seq";
// ... then the call's state.
constexpr char kList[] = "SELECT " KYODO_PROPOSAL_COLUMNS
                         ", c.state FROM proposals p "
                         "JOIN calls c ON c.id = p.call_id WHERE p.seq > ?";
// ... then the call's state, programme and ward.
constexpr char kInCall[] = "SELECT " KYODO_PROPOSAL_COLUMNS
                           ", c.state, c.programme_id, c.ward FROM proposals p "
                           "JOIN calls c ON c.id = p.call_id WHERE p.id = ?";
#undef KYODO_PROPOSAL_COLUMNS
constexpr char kInsert[] =
    "INSERT INTO proposals (id, programme_id, call_id, ward, fiscal_year, "
    "applicant_id, title, requested_amount_yen, state, submit_time, "
    "project_id, "
    "version, create_time, update_time, delete_time, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, ?)";
constexpr char kUpdate[] =
    "UPDATE proposals SET title = ?, requested_amount_yen = ?, state = ?, "
    "submit_time = ?, project_id = ?, version = version + 1, update_time = ?, "
    "delete_time = ?, doc = ? WHERE id = ? AND version = ?";
// The decision's write: the result and state, with neither version nor
// update_time changed (see RecordResult in proposal_store.h).
constexpr char kRecordResult[] =
    "UPDATE proposals SET state = ?, doc = ? WHERE id = ? AND version = ?";
// Publication: a new version of every decided proposal of the call.
constexpr char kTouchDecided[] =
    "UPDATE proposals SET version = version + 1, update_time = ? "
    "WHERE call_id = ? AND delete_time IS NULL AND state <> 'DRAFT'";
constexpr char kCountDrafts[] =
    "SELECT COUNT(*) FROM proposals WHERE call_id = ? AND applicant_id = ? "
    "AND delete_time IS NULL AND state = 'DRAFT'";
constexpr char kDeleteParties[] =
    "DELETE FROM proposal_parties WHERE proposal_id = ?";
constexpr char kInsertParty[] =
    "INSERT IGNORE INTO proposal_parties (proposal_id, call_id, partner_id) "
    "VALUES (?, ?, ?)";
// A partner's proposals as any party (applicant or co-applicant), through
// proposal_parties.
constexpr char kCountOthers[] =
    "SELECT COUNT(*) FROM proposal_parties pp JOIN proposals p ON p.id = "
    "pp.proposal_id WHERE pp.call_id = ? AND pp.partner_id = ? AND p.id <> ? "
    "AND p.delete_time IS NULL AND p.state NOT IN ('DRAFT', 'WITHDRAWN')";
// Published adoptions only, as any party: the screening is stored with the
// count, and the applicant reads its screening (see CountAdoptions in the
// header).
constexpr char kCountAdoptions[] =
    "SELECT COUNT(*), CAST(COALESCE(SUM(p.fiscal_year = ?), 0) AS SIGNED) "
    "FROM "
    "proposal_parties pp JOIN proposals p ON p.id = "
    "pp.proposal_id JOIN calls c ON c.id = p.call_id WHERE p.programme_id = ? "
    "AND pp.partner_id = ? AND p.state = 'ADOPTED' AND p.delete_time IS NULL "
    "AND c.state = 'PUBLISHED'";
constexpr char kCandidates[] =
    "SELECT id, state, requested_amount_yen, submit_time, title, applicant_id, "
    "stages_passed FROM proposals WHERE call_id = ? AND delete_time IS NULL "
    "AND state <> 'DRAFT'";
constexpr char kStagesPassed[] =
    "SELECT stages_passed FROM proposals WHERE id = ?";
constexpr char kParties[] =
    "SELECT proposal_id, partner_id FROM proposal_parties WHERE call_id = ?";

// "programmes/p/calls/c/proposals/x" -> {"p", "c"}.
std::pair<std::string, std::string> ParentIds(absl::string_view name) {
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() < 4) return {"", ""};
  return {parts[1], parts[3]};
}

std::optional<std::string> Nullable(const std::string& name) {
  if (name.empty()) return std::nullopt;
  return IdOf(name);
}

std::optional<absl::Time> SubmitTime(const Proposal& p) {
  if (!p.has_submit_time()) return std::nullopt;
  return doc::FromTimestamp(p.submit_time());
}

absl::StatusOr<std::vector<ProposalRow>> FromRows(
    const std::vector<Row>& rows) {
  std::vector<ProposalRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    ProposalRow p;
    p.programme_id = row.String(8);
    p.call_id = row.String(9);
    KYODO_ASSIGN_OR_RETURN(
        doc::RowMeta meta,
        doc::ReadResource(row,
                          absl::StrCat("programmes/", p.programme_id, "/calls/",
                                       p.call_id, "/proposals"),
                          &p.proposal));
    p.seq = meta.seq;
    p.version = meta.version;
    KYODO_ASSIGN_OR_RETURN(Proposal::State state,
                           doc::StoredEnum<Proposal::State>(
                               row, 7, {"proposals", row.String(1), "state"}));
    p.proposal.set_state(state);
    if (row.size() > 10) {
      KYODO_ASSIGN_OR_RETURN(p.call_state,
                             doc::StoredEnum<v1::Call::State>(
                                 row, 10, {"calls", p.call_id, "state"}));
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<ProposalRow>> GetProposal(Session& s,
                                                       absl::string_view id,
                                                       bool for_update) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(for_update ? kByIdForUpdate : kById, {id}));
  KYODO_ASSIGN_OR_RETURN(std::vector<ProposalRow> out, FromRows(rows));
  if (out.empty()) return std::optional<ProposalRow>();
  return std::optional<ProposalRow>(std::move(out.front()));
}

absl::StatusOr<std::optional<ProposalInCall>> GetProposalInCall(
    Session& s, absl::string_view id) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(kInCall, {id}));
  KYODO_ASSIGN_OR_RETURN(std::vector<ProposalRow> out, FromRows(rows));
  if (out.empty()) return std::optional<ProposalInCall>();
  ProposalInCall in_call;
  in_call.call_programme_id = rows.front().String(11);
  KYODO_ASSIGN_OR_RETURN(
      in_call.call_ward,
      doc::StoredEnum<kyodo::type::v1::Ward>(
          rows.front(), 12, {"calls", out.front().call_id, "ward"}));
  in_call.row = std::move(out.front());
  return std::optional<ProposalInCall>(std::move(in_call));
}

absl::Status InsertProposal(Session& s, const Proposal& p,
                            kyodo::type::v1::Ward ward, int32_t fiscal_year) {
  const absl::Time created = doc::FromTimestamp(p.create_time());
  const auto [programme_id, call_id] = ParentIds(p.name());
  KYODO_RETURN_IF_ERROR(
      s.Exec(kInsert, {IdOf(p.name()), programme_id, call_id,
                       kyodo::type::v1::Ward_Name(ward), fiscal_year,
                       IdOf(p.applicant()), p.title(), p.requested_amount_yen(),
                       Proposal::State_Name(p.state()), SubmitTime(p),
                       Nullable(p.project()), created, created, doc::ToDoc(p)})
          .status());
  return ReplaceParties(s, p);
}

absl::Status UpdateProposal(Session& s, const Proposal& p, int64_t version) {
  std::optional<absl::Time> deleted;
  if (p.has_delete_time()) deleted = doc::FromTimestamp(p.delete_time());
  KYODO_ASSIGN_OR_RETURN(
      int64_t changed,
      s.Exec(kUpdate,
             {p.title(), p.requested_amount_yen(),
              Proposal::State_Name(p.state()), SubmitTime(p),
              Nullable(p.project()), doc::FromTimestamp(p.update_time()),
              deleted, doc::ToDoc(p), IdOf(p.name()), version}));
  if (changed == 0) return common::EtagMismatchError(p.name());
  return absl::OkStatus();
}

absl::Status RecordResult(Session& s, const Proposal& p, int64_t version) {
  KYODO_ASSIGN_OR_RETURN(
      int64_t changed,
      s.Exec(kRecordResult, {Proposal::State_Name(p.state()), doc::ToDoc(p),
                             IdOf(p.name()), version}));
  if (changed == 0) return common::EtagMismatchError(p.name());
  return absl::OkStatus();
}

absl::Status TouchDecided(Session& s, absl::string_view call_id,
                          absl::Time when) {
  return s.Exec(kTouchDecided, {when, call_id}).status();
}

absl::StatusOr<int32_t> CountDrafts(Session& s, absl::string_view call_id,
                                    absl::string_view applicant_id) {
  KYODO_ASSIGN_OR_RETURN(std::optional<Row> row,
                         s.QueryOne(kCountDrafts, {call_id, applicant_id}));
  if (!row.has_value()) return 0;
  KYODO_ASSIGN_OR_RETURN(const int64_t count, row->Int(0));
  return static_cast<int32_t>(count);
}

absl::Status ReplaceParties(Session& s, const Proposal& p) {
  const std::string id = IdOf(p.name());
  const std::string call_id = ParentIds(p.name()).second;
  KYODO_RETURN_IF_ERROR(s.Exec(kDeleteParties, {id}).status());
  KYODO_RETURN_IF_ERROR(
      s.Exec(kInsertParty, {id, call_id, IdOf(p.applicant())}).status());
  for (const std::string& co : p.co_applicants()) {
    KYODO_RETURN_IF_ERROR(
        s.Exec(kInsertParty, {id, call_id, IdOf(co)}).status());
  }
  return absl::OkStatus();
}

namespace {

// What the public reads (IsPublished in access.h).
constexpr char kPublished[] =
    "(c.state = 'PUBLISHED' AND p.state NOT IN ('DRAFT', 'WITHDRAWN', "
    "'INELIGIBLE'))";

// The conditions after a WHERE over `proposals p JOIN calls c` that keep the
// rows of `q` (its parent, deleted rows and the caller's scope) and
// `filter`, with their parameters appended to `params`.
std::string Conditions(const ProposalQuery& q,
                       const common::paging::SqlFilter& filter,
                       std::vector<Param>& params) {
  using Scope = ProposalQuery::Scope;
  std::string sql;
  if (!q.programme_id.empty()) {
    absl::StrAppend(&sql, " AND p.programme_id = ?");
    params.emplace_back(q.programme_id);
  }
  if (!q.call_id.empty()) {
    absl::StrAppend(&sql, " AND p.call_id = ?");
    params.emplace_back(q.call_id);
  }
  if (!q.show_deleted) absl::StrAppend(&sql, " AND p.delete_time IS NULL");
  switch (q.scope) {
    case Scope::kAll:
      break;
    case Scope::kSeatsOrPublished:
      absl::StrAppend(
          &sql,
          " AND ((p.state <> 'DRAFT' AND p.call_id IN (SELECT v.call_id "
          "FROM reviewers v WHERE v.principal = ? AND v.delete_time IS "
          "NULL)) OR ",
          kPublished, ")");
      params.emplace_back(q.principal);
      break;
    case Scope::kOwnOrPublished:
      absl::StrAppend(&sql, " AND (p.applicant_id = ? OR ", kPublished, ")");
      params.emplace_back(q.applicant_id);
      break;
    case Scope::kPublished:
      absl::StrAppend(&sql, " AND ", kPublished);
      break;
  }
  absl::StrAppend(&sql, filter.sql);
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  return sql;
}

// The state as an applicant reads it (access.cc): ADOPTED and NOT_ADOPTED
// are ELIGIBLE until the call is PUBLISHED. The rows an applicant sees that
// are not its own are of PUBLISHED calls, which this leaves as they are.
constexpr char kApplicantState[] =
    "(CASE WHEN c.state <> 'PUBLISHED' AND p.state IN ('ADOPTED', "
    "'NOT_ADOPTED') THEN 'ELIGIBLE' ELSE p.state END)";

}  // namespace

absl::StatusOr<std::vector<ProposalRow>> ListProposals(
    Session& s, const ProposalQuery& q, const common::paging::SqlFilter& filter,
    int64_t after_seq, int limit) {
  std::vector<Param> params = {after_seq};
  std::string sql = absl::StrCat(kList, Conditions(q, filter, params),
                                 " ORDER BY p.seq LIMIT ?");
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(rows);
}

absl::StatusOr<v1::ProposalSummary> SummarizeProposals(
    Session& s, const ProposalQuery& q,
    const common::paging::SqlFilter& filter) {
  const char* state = q.scope == ProposalQuery::Scope::kOwnOrPublished
                          ? kApplicantState
                          : "p.state";
  std::vector<Param> params;
  const std::string sql = absl::StrCat(
      "SELECT ", state,
      " AS shown, COUNT(*), CAST(LEAST(SUM(p.requested_amount_yen), "
      "9223372036854775807) AS SIGNED) FROM proposals p JOIN calls c ON "
      "c.id = p.call_id WHERE TRUE",
      Conditions(q, filter, params), " GROUP BY shown");
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  std::map<int, v1::ProposalSummary::StateTotal> by_state;
  for (const Row& row : rows) {
    Proposal::State shown;
    if (!Proposal::State_Parse(row.String(0), &shown)) {
      return doc::BadStoredValue({"proposals", "", "state"}, row.String(0));
    }
    auto& total = by_state[shown];
    total.set_state(shown);
    KYODO_ASSIGN_OR_RETURN(const int64_t count, row.Int(1));
    KYODO_ASSIGN_OR_RETURN(const int64_t requested_yen, row.Int(2));
    total.set_count(count);
    total.set_requested_yen(requested_yen);
  }
  v1::ProposalSummary out;
  for (auto& [number, total] : by_state) *out.add_states() = std::move(total);
  return out;
}

namespace {

std::vector<common::paging::FilterField> FilterFields(
    const std::string& state_column) {
  using common::paging::FilterField;
  using common::paging::FilterType;
  return {
      {"state", state_column, FilterType::kEnum, Proposal::State_descriptor()},
      {"applicant", "p.applicant_id", FilterType::kString, nullptr,
       [](absl::string_view v) {
         return common::ParseName("applicant", v, "partners");
       }},
      {"ward", "p.ward", FilterType::kEnum, kyodo::type::v1::Ward_descriptor()},
      {"fiscal_year", "p.fiscal_year", FilterType::kInt},
      {"project", "p.project_id", FilterType::kString, nullptr,
       [](absl::string_view v) {
         return common::ParseName("project", v, "projects");
       }},
      {"create_time", "p.create_time", FilterType::kTimestamp},
      {"update_time", "p.update_time", FilterType::kTimestamp},
  };
}

}  // namespace

const std::vector<common::paging::FilterField>& ProposalFilterFields() {
  static const auto* fields =
      new std::vector<common::paging::FilterField>(FilterFields("p.state"));
  return *fields;
}

const std::vector<common::paging::FilterField>& ApplicantFilterFields() {
  // The state as the applicant reads it (kApplicantState).
  static const auto* fields = new std::vector<common::paging::FilterField>(
      FilterFields(kApplicantState));
  return *fields;
}

absl::StatusOr<int32_t> CountOtherSubmitted(Session& s,
                                            absl::string_view call_id,
                                            absl::string_view applicant_id,
                                            absl::string_view exclude_id) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      s.QueryOne(kCountOthers, {call_id, applicant_id, exclude_id}));
  if (!row.has_value()) return 0;
  KYODO_ASSIGN_OR_RETURN(const int64_t count, row->Int(0));
  return static_cast<int32_t>(count);
}

absl::StatusOr<AdoptionCounts> CountAdoptions(Session& s,
                                              absl::string_view programme_id,
                                              absl::string_view applicant_id,
                                              int32_t fiscal_year) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      s.QueryOne(kCountAdoptions, {fiscal_year, programme_id, applicant_id}));
  AdoptionCounts counts;
  if (row.has_value()) {
    KYODO_ASSIGN_OR_RETURN(const int64_t in_programme, row->Int(0));
    KYODO_ASSIGN_OR_RETURN(const int64_t in_fiscal_year, row->Int(1));
    counts.in_programme = static_cast<int32_t>(in_programme);
    counts.in_fiscal_year = static_cast<int32_t>(in_fiscal_year);
  }
  return counts;
}

absl::StatusOr<std::vector<CandidateRow>> DecisionCandidates(
    Session& s, absl::string_view call_id) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(kCandidates, {call_id}));
  std::vector<CandidateRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(Proposal::State state,
                           doc::StoredEnum<Proposal::State>(
                               row, 1, {"proposals", row.String(0), "state"}));
    // A proposal past DRAFT has its amount and submit time.
    KYODO_ASSIGN_OR_RETURN(const int64_t requested_yen, row.Int(2));
    KYODO_ASSIGN_OR_RETURN(const absl::Time submitted, row.Time(3));
    KYODO_ASSIGN_OR_RETURN(const int64_t stages_passed, row.Int(6));
    out.push_back(CandidateRow{row.String(0), state, requested_yen, submitted,
                               row.String(4), row.String(5),
                               static_cast<int32_t>(stages_passed)});
  }
  return out;
}

absl::Status SetStagesPassed(Session& s, absl::string_view call_id,
                             const std::vector<std::string>& ids,
                             int32_t stages_passed) {
  // In chunks, to keep each statement's parameter list bounded.
  constexpr size_t kChunk = 500;
  for (size_t at = 0; at < ids.size(); at += kChunk) {
    const size_t n = std::min(kChunk, ids.size() - at);
    std::string sql =
        "UPDATE proposals SET stages_passed = ? WHERE call_id = ? AND id IN (";
    std::vector<common::db::Param> params = {stages_passed, call_id};
    for (size_t i = 0; i < n; ++i) {
      absl::StrAppend(&sql, i == 0 ? "?" : ", ?");
      params.emplace_back(ids[at + i]);
    }
    absl::StrAppend(&sql, ")");
    KYODO_RETURN_IF_ERROR(s.Exec(sql, params).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> StagesPassed(Session& s, absl::string_view id) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(kStagesPassed, {id}));
  if (rows.empty()) return 0;
  KYODO_ASSIGN_OR_RETURN(const int64_t stages_passed, rows.front().Int(0));
  return static_cast<int32_t>(stages_passed);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> PartiesOfCall(
    Session& s, absl::string_view call_id) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(kParties, {call_id}));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.emplace_back(row.String(0), row.String(1));
  return out;
}

absl::StatusOr<std::vector<ProposalRow>> ProposalsOfCall(
    Session& s, absl::string_view call_id) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(kOfCall, {call_id}));
  return FromRows(rows);
}

}  // namespace kyodo::proposal::store
