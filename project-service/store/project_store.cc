#include "project-service/store/project_store.h"

#include <limits>
#include <map>
#include <set>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "kyodo/type/v1/ward.pb.h"

namespace kyodo::project::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using kyodo::project::v1::Project;
namespace doc = common::store;

// kResourceColumns, then state.
constexpr char kSelect[] =
    "SELECT p.seq, p.id, p.version, p.create_time, p.update_time, "
    "p.delete_time, p.doc, p.state FROM projects p";
constexpr char kSelectById[] =
    "SELECT p.seq, p.id, p.version, p.create_time, p.update_time, "
    "p.delete_time, p.doc, p.state FROM projects p WHERE p.id = ?";
constexpr char kSelectByIdForUpdate[] =
    "SELECT p.seq, p.id, p.version, p.create_time, p.update_time, "
    "p.delete_time, p.doc, p.state FROM projects p WHERE p.id = ? FOR UPDATE";
constexpr char kInsert[] =
    "INSERT INTO projects (id, programme, cooperative, state, "
    "start_fiscal_year, source_proposal, source_programme, agreement_id, "
    "version, create_time, update_time, delete_time, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, ?)";
constexpr char kUpdate[] =
    "UPDATE projects SET programme = ?, cooperative = ?, state = ?, "
    "start_fiscal_year = ?, source_proposal = ?, source_programme = ?, "
    "agreement_id = ?, version = version + 1, update_time = ?, "
    "delete_time = ?, doc = ? WHERE seq = ? AND version = ?";
constexpr char kSeqOf[] = "SELECT seq FROM projects WHERE id = ?";
// A locking read sees the latest committed row, also when this
// transaction's snapshot predates it.
constexpr char kProjectOfProposal[] =
    "SELECT id FROM projects WHERE source_proposal = ? LOCK IN SHARE MODE";
constexpr char kDeleteParticipants[] =
    "DELETE FROM project_participants WHERE project_seq = ?";
constexpr char kInsertParticipant[] =
    "INSERT INTO project_participants (project_seq, partner_id, role) "
    "VALUES (?, ?, ?)";
constexpr char kWardsOf[] =
    "SELECT ward FROM project_wards WHERE project_seq = ?";
constexpr char kDeleteWard[] =
    "DELETE FROM project_wards WHERE project_seq = ? AND ward = ?";
constexpr char kInsertWard[] =
    "INSERT INTO project_wards (project_seq, ward) VALUES (?, ?)";

std::string IdOf(absl::string_view name) {
  const size_t slash = name.find('/');
  return std::string(slash == absl::string_view::npos ? name
                                                      : name.substr(slash + 1));
}

std::optional<std::string> NonEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// "programmes/p/calls/c/proposals/x" -> "programmes/p".
std::optional<std::string> SourceProgramme(const Project& p) {
  if (p.source_proposal().empty()) return std::nullopt;
  const size_t first = p.source_proposal().find('/');
  const size_t second = p.source_proposal().find('/', first + 1);
  return p.source_proposal().substr(0, second);
}

std::optional<std::string> AgreementId(const Project& p) {
  if (p.agreement().empty()) return std::nullopt;
  return IdOf(p.agreement());
}

std::optional<int64_t> FiscalYear(const Project& p) {
  if (!p.has_start_fiscal_year()) return std::nullopt;
  return p.start_fiscal_year();
}

absl::StatusOr<ProjectRow> FromRow(const Row& row) {
  ProjectRow out;
  KYODO_ASSIGN_OR_RETURN(doc::RowMeta meta,
                         doc::ReadResource(row, "projects", &out.project));
  out.seq = meta.seq;
  out.version = meta.version;
  KYODO_ASSIGN_OR_RETURN(Project::State state,
                         doc::StoredEnum<Project::State>(
                             row, 7, {"projects", row.String(1), "state"}));
  out.project.set_state(state);
  return out;
}

// Maps a duplicate source proposal to PROPOSAL_ALREADY_HAS_PROJECT naming the
// project that has it; other statuses pass unchanged.
absl::Status MapDuplicate(Session& s, const Project& p, absl::Status status) {
  if (status.code() != absl::StatusCode::kAlreadyExists ||
      p.source_proposal().empty()) {
    return status;
  }
  KYODO_ASSIGN_OR_RETURN(std::optional<Row> row,
                         s.QueryOne(kProjectOfProposal, {p.source_proposal()}));
  if (!row.has_value() || row->String(0) == IdOf(p.name())) return status;
  const std::string existing = absl::StrCat("projects/", row->String(0));
  return common::ErrorWithReason(
      absl::StatusCode::kAlreadyExists,
      kyodo::type::v1::PROPOSAL_ALREADY_HAS_PROJECT,
      absl::StrCat(p.source_proposal(), " already has project ", existing),
      {{"project", existing}, {"source_proposal", p.source_proposal()}});
}

absl::Status ReplaceLinks(Session& s, int64_t seq, const Project& p) {
  KYODO_RETURN_IF_ERROR(s.Exec(kDeleteParticipants, {seq}).status());
  for (const auto& x : p.participants()) {
    KYODO_RETURN_IF_ERROR(
        s.Exec(kInsertParticipant,
               {seq, IdOf(x.partner()), v1::Participant::Role_Name(x.role())})
            .status());
  }
  // The wards change row by row, only where they differ: each ward row
  // written fires a trigger on project_totals
  // (project-service/schema/002_project_totals.sql), so a write that keeps
  // its wards takes no lock there but what its new figures need.
  std::set<std::string> wards;
  for (int ward : p.wards()) {
    wards.insert(
        kyodo::type::v1::Ward_Name(static_cast<kyodo::type::v1::Ward>(ward)));
  }
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> had, s.Query(kWardsOf, {seq}));
  std::set<std::string> kept;
  for (const Row& row : had) {
    if (wards.count(row.String(0)) > 0) {
      kept.insert(row.String(0));
      continue;
    }
    KYODO_RETURN_IF_ERROR(s.Exec(kDeleteWard, {seq, row.String(0)}).status());
  }
  for (const std::string& ward : wards) {
    if (kept.count(ward) > 0) continue;
    KYODO_RETURN_IF_ERROR(s.Exec(kInsertWard, {seq, ward}).status());
  }
  return absl::OkStatus();
}

}  // namespace

std::string ProjectId(absl::string_view name) { return IdOf(name); }

absl::StatusOr<std::optional<ProjectRow>> GetProject(Session& s,
                                                     absl::string_view id,
                                                     bool for_update) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      s.QueryOne(for_update ? kSelectByIdForUpdate : kSelectById, {id}));
  if (!row.has_value()) return std::optional<ProjectRow>();
  KYODO_ASSIGN_OR_RETURN(ProjectRow p, FromRow(*row));
  return std::optional<ProjectRow>(std::move(p));
}

absl::Status InsertProject(Session& s, const Project& p) {
  const absl::Time created = doc::FromTimestamp(p.create_time());
  const std::string id = IdOf(p.name());
  absl::Status inserted =
      s.Exec(kInsert,
             {id, v1::Programme_Name(p.programme()), p.cooperative_project(),
              Project::State_Name(p.state()), FiscalYear(p),
              NonEmpty(p.source_proposal()), SourceProgramme(p), AgreementId(p),
              created, created, doc::ToDoc(p)})
          .status();
  if (!inserted.ok()) return MapDuplicate(s, p, std::move(inserted));
  KYODO_ASSIGN_OR_RETURN(std::optional<Row> row, s.QueryOne(kSeqOf, {id}));
  if (!row.has_value())
    return absl::InternalError("inserted project not found");
  KYODO_ASSIGN_OR_RETURN(const int64_t seq, row->Int(0));
  return ReplaceLinks(s, seq, p);
}

absl::Status UpdateProject(Session& s, const Project& p, int64_t version) {
  KYODO_ASSIGN_OR_RETURN(std::optional<Row> row,
                         s.QueryOne(kSeqOf, {IdOf(p.name())}));
  if (!row.has_value()) return common::NotFoundError(p.name());
  KYODO_ASSIGN_OR_RETURN(const int64_t seq, row->Int(0));
  std::optional<absl::Time> deleted;
  if (p.has_delete_time()) deleted = doc::FromTimestamp(p.delete_time());
  absl::StatusOr<int64_t> changed = s.Exec(
      kUpdate, {v1::Programme_Name(p.programme()), p.cooperative_project(),
                Project::State_Name(p.state()), FiscalYear(p),
                NonEmpty(p.source_proposal()), SourceProgramme(p),
                AgreementId(p), doc::FromTimestamp(p.update_time()), deleted,
                doc::ToDoc(p), seq, version});
  if (!changed.ok()) return MapDuplicate(s, p, changed.status());
  if (*changed == 0) return common::EtagMismatchError(p.name());
  return ReplaceLinks(s, seq, p);
}

absl::StatusOr<std::vector<ProjectRow>> ListProjects(
    Session& s, const common::paging::SqlFilter& filter, bool show_deleted,
    int64_t after_seq, int limit) {
  std::string sql = absl::StrCat(kSelect, " WHERE p.seq > ?");
  std::vector<Param> params = {after_seq};
  if (!show_deleted) absl::StrAppend(&sql, " AND p.delete_time IS NULL");
  absl::StrAppend(&sql, filter.sql, " ORDER BY p.seq LIMIT ?");
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  std::vector<ProjectRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(ProjectRow p, FromRow(row));
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

// Rows of (state, form, count, yen) into a summary; form "" is the count of
// the projects themselves, NULL a contribution without a form.
absl::StatusOr<v1::ProjectSummary> SummaryOf(const std::vector<Row>& rows) {
  std::map<int, v1::ProjectSummary::StateTotal> by_state;
  std::map<int, std::map<int, v1::ProjectSummary::FormTotal>> by_form;
  for (const Row& row : rows) {
    Project::State state;
    if (!Project::State_Parse(row.String(0), &state)) {
      return doc::BadStoredValue({"projects", "", "state"}, row.String(0));
    }
    KYODO_ASSIGN_OR_RETURN(const int64_t count, row.Int(2));
    if (!row.IsNull(1) && row.String(1).empty()) {
      auto& total = by_state[state];
      total.set_state(state);
      total.set_count(total.count() + count);
      continue;
    }
    v1::ContributionForm form = v1::CONTRIBUTION_FORM_UNSPECIFIED;
    if (!row.IsNull(1) && !v1::ContributionForm_Parse(row.String(1), &form)) {
      return doc::BadStoredValue({"projects", "", "doc"},
                                 "a contribution form");
    }
    auto& total = by_form[state][form];
    total.set_form(form);
    total.set_count(total.count() + count);
    KYODO_ASSIGN_OR_RETURN(const int64_t yen, row.Int(3));
    int64_t amount = 0;
    if (__builtin_add_overflow(total.amount_yen(), yen, &amount)) {
      amount = std::numeric_limits<int64_t>::max();
    }
    total.set_amount_yen(amount);
  }
  v1::ProjectSummary out;
  for (auto& [state, total] : by_state) {
    for (auto& [form, form_total] : by_form[state]) {
      *total.add_contributions() = std::move(form_total);
    }
    *out.add_states() = std::move(total);
  }
  return out;
}

// The WHERE clause on project_totals equal to `filter`, when its terms are
// one `ward =` and at most one each of `fiscal_year =` (not 0, which the
// totals use for "none") and `state =`; nullopt for any other filter.
std::optional<common::paging::SqlFilter> TotalsFilter(
    const common::paging::SqlFilter& filter) {
  common::paging::SqlFilter out;
  std::set<std::string> seen;
  bool ward = false;
  for (const common::paging::FilterTerm& term : filter.terms) {
    if (term.op != "=" || !seen.insert(term.field).second) return std::nullopt;
    if (term.field == "ward") {
      ward = true;
      absl::StrAppend(&out.sql, " AND t.ward = ?");
    } else if (term.field == "fiscal_year") {
      const auto* year = std::get_if<int64_t>(&term.value.value());
      if (year == nullptr || *year == 0) return std::nullopt;
      absl::StrAppend(&out.sql, " AND t.fiscal_year = ?");
    } else if (term.field == "state") {
      absl::StrAppend(&out.sql, " AND t.state = ?");
    } else {
      return std::nullopt;
    }
    out.params.push_back(term.value);
  }
  if (!ward) return std::nullopt;
  return out;
}

}  // namespace

absl::StatusOr<v1::ProjectSummary> SummarizeProjects(
    Session& s, const common::paging::SqlFilter& filter) {
  // A ward's figures come from project_totals, a few rows kept by triggers
  // (project-service/schema/002_project_totals.sql).
  if (std::optional<common::paging::SqlFilter> totals = TotalsFilter(filter)) {
    KYODO_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        s.Query(absl::StrCat("SELECT t.state, t.form, SUM(t.n), CAST(LEAST("
                             "SUM(t.amount_yen), 9223372036854775807) AS "
                             "SIGNED) FROM project_totals t WHERE TRUE",
                             totals->sql,
                             " GROUP BY t.state, t.form HAVING SUM(t.n) > 0"),
                totals->params));
    return SummaryOf(rows);
  }
  // Otherwise two grouped scans over the same rows: the projects by state,
  // then their contributions by state and form, read out of the stored
  // documents (proto field and enum names, int64 as JSON text). Sums past
  // INT64_MAX stay there, as the answer documents.
  const std::string where =
      absl::StrCat(" WHERE p.delete_time IS NULL", filter.sql);
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      s.Query(absl::StrCat("SELECT p.state, '', COUNT(*), 0 FROM projects p",
                           where, " GROUP BY p.state"),
              filter.params));
  KYODO_ASSIGN_OR_RETURN(
      std::vector<Row> forms,
      s.Query(absl::StrCat(
                  "SELECT p.state, c.form, COUNT(*), CAST(LEAST(COALESCE("
                  "SUM(c.amount), 0), 9223372036854775807) AS SIGNED) "
                  "FROM projects p, JSON_TABLE(p.doc, '$.contributions[*]' "
                  "COLUMNS (form VARCHAR(64) PATH '$.form', amount "
                  "DECIMAL(20, 0) PATH '$.amount_yen')) c",
                  where, " GROUP BY p.state, c.form"),
              filter.params));
  for (Row& row : forms) rows.push_back(std::move(row));
  return SummaryOf(rows);
}

const std::vector<common::paging::FilterField>& ProjectFilterFields() {
  using common::paging::FilterField;
  using common::paging::FilterType;
  static const auto* fields = new std::vector<FilterField>{
      {"programme", "p.programme", FilterType::kEnum,
       v1::Programme_descriptor()},
      {"state", "p.state", FilterType::kEnum, Project::State_descriptor()},
      {"ward", "", FilterType::kMember, nullptr,
       [](absl::string_view v) -> absl::StatusOr<std::string> {
         kyodo::type::v1::Ward ward;
         if (!kyodo::type::v1::Ward_Parse(std::string(v), &ward) ||
             ward == kyodo::type::v1::WARD_UNSPECIFIED) {
           return absl::InvalidArgumentError("takes a ward such as ASAO");
         }
         return std::string(v);
       },
       "p.seq IN (SELECT w.project_seq FROM project_wards w WHERE w.ward = ?)"},
      {"fiscal_year", "p.start_fiscal_year", FilterType::kInt},
      {"participant", "", FilterType::kMember, nullptr,
       [](absl::string_view v) {
         return common::ParseName("participant", v, "partners");
       },
       "p.seq IN (SELECT pp.project_seq FROM project_participants pp "
       "WHERE pp.partner_id = ?)"},
      {"lead", "", FilterType::kMember, nullptr,
       [](absl::string_view v) {
         return common::ParseName("lead", v, "partners");
       },
       "p.seq IN (SELECT pl.project_seq FROM project_participants pl "
       "WHERE pl.partner_id = ? AND pl.role = 'LEAD')"},
      {"source_proposal", "p.source_proposal", FilterType::kString, nullptr,
       [](absl::string_view v) -> absl::StatusOr<std::string> {
         KYODO_RETURN_IF_ERROR(
             common::ParseNestedName("source_proposal", v,
                                     "programmes/*/calls/*/proposals/*")
                 .status());
         return std::string(v);
       }},
      {"source_programme", "p.source_programme", FilterType::kString, nullptr,
       [](absl::string_view v) -> absl::StatusOr<std::string> {
         KYODO_RETURN_IF_ERROR(
             common::ParseName("source_programme", v, "programmes").status());
         return std::string(v);
       }},
      {"agreement", "p.agreement_id", FilterType::kString, nullptr,
       [](absl::string_view v) {
         return common::ParseName("agreement", v, "agreements");
       }},
      {"cooperative_project", "p.cooperative", FilterType::kBool},
      {"create_time", "p.create_time", FilterType::kTimestamp},
      {"update_time", "p.update_time", FilterType::kTimestamp},
  };
  return *fields;
}

}  // namespace kyodo::project::store
