// The SQL part of kyodo-bench-seed (see seed.h): growing project-service's
// tables, and the page requests of a filter.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/paging/filter.h"
#include "common/status/macros.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "project-service/store/project_store.h"
#include "tests/bench/seed/seed.h"

namespace kyodo::bench {
namespace {

namespace pr = kyodo::project::v1;

// Bulk rows get seq kBulkBase + n and id "bulk<n>", after every RPC row.
constexpr int64_t kBulkBase = 1000000;
constexpr int kChunk = 20000;

// The template k of bulk row n is n % K; its row, ward and participants
// are copied.
constexpr char kTemplates[] =
    "CREATE TEMPORARY TABLE bench_templates (k INT NOT NULL PRIMARY KEY, "
    "seq BIGINT NOT NULL) AS SELECT ROW_NUMBER() OVER (ORDER BY seq) - 1 AS k, "
    "seq "
    "FROM projects WHERE source_proposal IS NULL AND id NOT LIKE 'bulk%'";

std::string Chunk(const std::string& select_list, const std::string& join,
                  int64_t from, int64_t to, int64_t templates) {
  return absl::StrCat("SELECT ", select_list, " FROM seq_", from, "_to_", to,
                      " s JOIN bench_templates t ON t.k = s.seq % ", templates,
                      " ", join);
}

}  // namespace

absl::Status GrowProjects(common::db::ConnectionPool& pool, int total) {
  auto session = pool.Borrow(absl::Now() + absl::Seconds(10));
  if (!session.ok()) return session.status();
  common::db::Session& s = **session;
  auto counts = s.QueryOne(
      "SELECT COUNT(*), COALESCE(SUM(id LIKE 'bulk%'), 0) FROM projects");
  if (!counts.ok()) return counts.status();
  KYODO_ASSIGN_OR_RETURN(const int64_t existing, (*counts)->Int(0));
  KYODO_ASSIGN_OR_RETURN(const int64_t bulk, (*counts)->Int(1));
  if (existing >= total) return absl::OkStatus();
  s.ExecUnprepared("DROP TEMPORARY TABLE IF EXISTS bench_templates")
      .IgnoreError();
  if (auto st = s.ExecUnprepared(kTemplates); !st.ok()) return st;
  auto k = s.QueryOne("SELECT COUNT(*) FROM bench_templates");
  if (!k.ok()) return k.status();
  KYODO_ASSIGN_OR_RETURN(const int64_t templates, (*k)->Int(0));
  if (templates == 0)
    return absl::FailedPreconditionError("no template projects");
  const absl::Time start = absl::Now();
  const int64_t last = bulk + (total - existing);
  for (int64_t from = bulk + 1; from <= last; from += kChunk) {
    const int64_t to = std::min<int64_t>(from + kChunk - 1, last);
    const std::string seq = absl::StrCat(kBulkBase, " + s.seq");
    const std::string statements[] = {
        absl::StrCat(
            "INSERT INTO projects (seq, id, programme, cooperative, state, "
            "start_fiscal_year, source_proposal, source_programme, "
            "agreement_id, "
            "version, create_time, update_time, delete_time, doc) ",
            Chunk(
                absl::StrCat(
                    seq,
                    ", CONCAT('bulk', s.seq), p.programme, p.cooperative, "
                    "p.state, p.start_fiscal_year, NULL, NULL, p.agreement_id, "
                    "p.version, p.create_time, p.update_time, NULL, p.doc"),
                "JOIN projects p ON p.seq = t.seq", from, to, templates)),
        absl::StrCat("INSERT INTO project_wards (project_seq, ward) ",
                     Chunk(absl::StrCat(seq, ", w.ward"),
                           "JOIN project_wards w ON w.project_seq = t.seq",
                           from, to, templates)),
        absl::StrCat(
            "INSERT INTO project_participants (project_seq, partner_id, role) ",
            Chunk(absl::StrCat(seq, ", x.partner_id, x.role"),
                  "JOIN project_participants x ON x.project_seq = t.seq", from,
                  to, templates)),
    };
    for (const std::string& sql : statements) {
      if (auto st = s.ExecUnprepared(sql); !st.ok()) return st;
    }
  }
  for (const char* table :
       {"projects", "project_wards", "project_participants"}) {
    if (auto st = s.ExecUnprepared(absl::StrCat("ANALYZE TABLE ", table));
        !st.ok()) {
      return st;
    }
  }
  std::fprintf(
      stderr, "grew projects from %lld to %d rows in %.1f s (%lld templates)\n",
      static_cast<long long>(existing), total,
      absl::ToDoubleSeconds(absl::Now() - start),
      static_cast<long long>(templates));
  return absl::OkStatus();
}

namespace {

// The SQL of store::ListProjects for `filter` after `after_seq`, with the
// values written in (for EXPLAIN; they are ours, not a caller's).
absl::StatusOr<std::string> PageSql(const std::string& filter,
                                    int64_t after_seq, int limit) {
  auto parsed = common::paging::ParseFilter(
      filter, project::store::ProjectFilterFields());
  if (!parsed.ok()) return parsed.status();
  std::string sql = absl::StrCat(
      "SELECT p.seq, p.id, p.version, p.create_time, p.update_time, "
      "p.delete_time, "
      "p.doc, p.state FROM projects p WHERE p.seq > ",
      after_seq, " AND p.delete_time IS NULL");
  std::string rest = absl::StrCat(parsed->sql, " ORDER BY p.seq LIMIT ", limit);
  for (const common::db::Param& param : parsed->params) {
    const size_t at = rest.find('?');
    std::string value;
    if (const auto* text = std::get_if<std::string>(&param.value())) {
      value = absl::StrCat("'", absl::StrReplaceAll(*text, {{"'", "''"}}), "'");
    } else if (const auto* n = std::get_if<int64_t>(&param.value())) {
      value = absl::StrCat(*n);
    } else if (const auto* b = std::get_if<bool>(&param.value())) {
      value = *b ? "1" : "0";
    }
    rest.replace(at, 1, value);
  }
  return sql + rest;
}

}  // namespace

absl::Status WritePageRequests(const SeedOptions& o,
                               common::db::ConnectionPool& pool,
                               const std::string& filter, int page_size,
                               const std::string& label) {
  auto stub = pr::ProjectService::NewStub(o.channel);
  // tokens[i] starts page i + 1; last_ids[i] is the last project of page i.
  std::vector<std::string> tokens;
  std::vector<std::string> last_ids;
  int64_t matches = 0;
  std::string token;
  do {
    pr::ListProjectsRequest request;
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_page_token(token);
    pr::ListProjectsResponse page;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    context.AddMetadata("authorization", "Bearer " + o.token);
    grpc::Status s = stub->ListProjects(&context, request, &page);
    if (!s.ok())
      return absl::InternalError("ListProjects: " + s.error_message());
    matches += page.projects_size();
    token = page.next_page_token();
    if (!token.empty()) {
      tokens.push_back(token);
      last_ids.push_back(
          project::store::ProjectId(page.projects().rbegin()->name()));
    }
  } while (!token.empty());
  if (tokens.empty())
    return absl::FailedPreconditionError("the filter has one page only");
  const size_t mid = tokens.size() / 2;
  auto json = [&](const std::string& page_token) {
    return absl::StrCat("{\"filter\": \"", filter,
                        "\", \"page_size\": ", page_size,
                        page_token.empty() ? "" : ", \"page_token\": \"",
                        page_token, page_token.empty() ? "" : "\"", "}");
  };
  std::ofstream(o.out_dir + "/" + label + "_mid.jsonl")
      << json(tokens[mid]) << "\n";
  std::ofstream(o.out_dir + "/" + label + "_first.jsonl") << json("") << "\n";
  auto session = pool.Borrow(absl::Now() + absl::Seconds(10));
  if (!session.ok()) return session.status();
  auto row = (*session)->QueryOne("SELECT seq FROM projects WHERE id = ?",
                                  {last_ids[mid]});
  if (!row.ok()) return row.status();
  if (!row->has_value())
    return absl::InternalError("page cursor row not found");
  KYODO_ASSIGN_OR_RETURN(const int64_t cursor_seq, (*row)->Int(0));
  auto sql = PageSql(filter, cursor_seq, page_size + 1);
  if (!sql.ok()) return sql.status();
  std::ofstream(o.out_dir + "/" + label + "_mid.sql") << *sql << "\n";
  std::fprintf(stderr,
               "%s: %lld matches of '%s' in %zu pages; the middle page follows "
               "seq %lld\n",
               label.c_str(), static_cast<long long>(matches), filter.c_str(),
               tokens.size() + 1, static_cast<long long>(cursor_seq));
  return absl::OkStatus();
}

}  // namespace kyodo::bench
