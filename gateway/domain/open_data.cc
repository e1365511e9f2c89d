#include "gateway/domain/open_data.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace kyodo::gateway::domain {
namespace {

using project::v1::Participant;
using project::v1::Project;

// Public project fields: JSON key and CSV header, in order.
const std::vector<std::pair<std::string, std::string>>& ProjectColumns() {
  static const auto* columns =
      new std::vector<std::pair<std::string, std::string>>{
          {"project", "事業ID"},   {"title", "事業名"},
          {"programme", "制度"},   {"cooperative_project", "協働型事業"},
          {"fiscal_year", "年度"}, {"state", "状態"},
          {"wards", "区"},         {"lead", "主体"},
          {"city", "市の担当"},    {"partners", "連携先"},
          {"forms", "連携の形態"}, {"amount_yen", "委託・補助等の金額(円)"},
          {"issue", "課題"},       {"activities", "取組内容"},
          {"outcomes", "成果"},    {"review", "成果の振り返り"},
      };
  return *columns;
}

const std::vector<std::pair<std::string, std::string>>& ResultColumns() {
  static const auto* columns =
      new std::vector<std::pair<std::string, std::string>>{
          {"call", "公募ID"},
          {"call_title", "公募名"},
          {"fiscal_year", "年度"},
          {"ward", "区"},
          {"proposal", "提案ID"},
          {"title", "提案名"},
          {"applicant", "提案者ID"},
          {"applicant_name", "提案者"},
          {"rank", "順位"},
          {"score", "得点"},
          {"result", "結果"},
          {"requested_yen", "申請額(円)"},
          {"adopted_yen", "採択額(円)"},
          // What the ranking alone gave, and the committee's ruling that
          // departs from it with its reason, published with the result
          // (docs/API.md, "Committee rulings"); the same as result and
          // adopted_yen, and empty, when the committee ruled nothing.
          {"recommended_result", "順位による結果"},
          {"recommended_yen", "順位による採択額(円)"},
          {"ruling", "審査会の判断"},
          {"ruling_reason", "審査会の判断の理由"},
      };
  return *columns;
}

std::string Participants(const Project& p, Participant::Role role) {
  std::vector<std::string> names;
  for (const Participant& part : p.participants()) {
    if (part.role() == role) {
      names.push_back(part.display_name().empty() ? part.partner()
                                                  : part.display_name());
    }
  }
  return absl::StrJoin(names, "・");
}

// Saturates rather than overflow (a signed overflow is undefined; found by
// tests/fuzz): project-service bounds each amount, but records written
// before that bound may hold any int64.
int64_t MonetaryTotal(const Project& p) {
  int64_t total = 0;
  for (const auto& c : p.contributions()) {
    if (__builtin_add_overflow(total, c.amount_yen(), &total)) {
      return c.amount_yen() > 0 ? std::numeric_limits<int64_t>::max()
                                : std::numeric_limits<int64_t>::min();
    }
  }
  return total;
}

std::string Outcomes(const Project& p) {
  std::vector<std::string> parts;
  for (const auto& o : p.outcomes()) {
    // %g keeps whole numbers whole ("54", not "54.000000").
    char value[64];
    std::snprintf(value, sizeof(value), "%g", o.value());
    parts.push_back(absl::StrCat(o.name(), " ", o.approximate() ? "約" : "",
                                 value, o.unit()));
  }
  return absl::StrJoin(parts, "; ");
}

std::string Forms(const Project& p) {
  std::vector<std::string> forms;
  for (const auto& c : p.contributions()) {
    forms.push_back(project::v1::ContributionForm_Name(c.form()));
  }
  return absl::StrJoin(forms, " ");
}

std::string Wards(const Project& p) {
  std::vector<std::string> wards;
  for (int w : p.wards())
    wards.push_back(type::v1::Ward_Name(static_cast<type::v1::Ward>(w)));
  return absl::StrJoin(wards, " ");
}

std::string JsonLine(
    const std::vector<std::pair<std::string, std::string>>& columns,
    const std::vector<std::string>& cells, const std::vector<bool>& numeric) {
  nlohmann::ordered_json line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (numeric[i] && !cells[i].empty()) {
      line[columns[i].first] = nlohmann::json::parse(cells[i], nullptr, false);
    } else {
      line[columns[i].first] = cells[i];
    }
  }
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

std::vector<std::string> Headers(
    const std::vector<std::pair<std::string, std::string>>& columns) {
  std::vector<std::string> headers;
  headers.reserve(columns.size());
  for (const auto& [key, label] : columns) headers.push_back(label);
  return headers;
}

}  // namespace

std::string CsvLine(const std::vector<std::string>& cells) {
  std::vector<std::string> out;
  for (const std::string& raw : cells) {
    std::string cell = raw;
    if (!cell.empty() &&
        (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
         cell[0] == '\t' || cell[0] == '\r')) {
      cell.insert(cell.begin(), '\'');
    }
    if (cell.find_first_of(",\"\r\n") != std::string::npos) {
      std::string quoted = "\"";
      for (char c : cell) {
        if (c == '"') quoted.push_back('"');
        quoted.push_back(c);
      }
      quoted.push_back('"');
      cell = quoted;
    }
    out.push_back(std::move(cell));
  }
  return absl::StrJoin(out, ",") + "\r\n";
}

bool IsPublishedProject(const Project& p) {
  return !p.has_delete_time() &&
         (p.state() == Project::ACTIVE || p.state() == Project::COMPLETED ||
          p.state() == Project::REVIEWED);
}

const std::vector<std::string>& ProjectCsvHeader() {
  static const auto* header =
      new std::vector<std::string>(Headers(ProjectColumns()));
  return *header;
}

std::vector<std::string> ProjectCells(const Project& p) {
  return {p.name(),
          p.title(),
          project::v1::Programme_Name(p.programme()),
          p.cooperative_project() ||
                  p.programme() == project::v1::COOPERATIVE_PROJECT
              ? "true"
              : "false",
          p.has_start_fiscal_year() ? absl::StrCat(p.start_fiscal_year()) : "",
          Project::State_Name(p.state()),
          Wards(p),
          Participants(p, Participant::LEAD),
          Participants(p, Participant::CITY),
          Participants(p, Participant::PARTNER),
          Forms(p),
          absl::StrCat(MonetaryTotal(p)),
          p.issue(),
          p.activities(),
          Outcomes(p),
          p.review().text()};
}

std::string ProjectJsonLine(const Project& p) {
  std::vector<bool> numeric(ProjectColumns().size(), false);
  numeric[4] = numeric[11] = true;
  std::vector<std::string> cells = ProjectCells(p);
  return JsonLine(ProjectColumns(), cells, numeric);
}

bool IsOpenResult(const proposal::v1::ProposalResult& result) {
  using Reason = proposal::v1::ProposalResult;
  return result.reason() != Reason::WITHDRAWN &&
         result.reason() != Reason::INELIGIBLE &&
         result.reason() != Reason::REASON_UNSPECIFIED;
}

const std::vector<std::string>& ResultCsvHeader() {
  static const auto* header =
      new std::vector<std::string>(Headers(ResultColumns()));
  return *header;
}

std::vector<std::string> ResultCells(const proposal::v1::Call& call,
                                     const proposal::v1::ProposalResult& r,
                                     const std::string& applicant_name) {
  return {
      call.name(), call.display_name(), absl::StrCat(call.fiscal_year()),
      type::v1::Ward_Name(call.ward()), r.proposal(), r.title(), r.applicant(),
      applicant_name, r.rank() > 0 ? absl::StrCat(r.rank()) : "", r.score(),
      proposal::v1::ProposalResult::Reason_Name(r.reason()),
      absl::StrCat(r.requested_amount_yen()),
      absl::StrCat(r.adopted_amount_yen()),
      // A result stored before recommendations were kept has none: the
      // committee ruled nothing then, so the ranking's is the result.
      proposal::v1::ProposalResult::Reason_Name(
          r.has_recommended_reason() ? r.recommended_reason() : r.reason()),
      absl::StrCat(r.has_recommended_amount_yen() ? r.recommended_amount_yen()
                                                  : r.adopted_amount_yen()),
      r.has_ruling()
          ? proposal::v1::CommitteeRuling::Action_Name(r.ruling().action())
          : "",
      r.ruling().reason()};
}

std::string ResultJsonLine(const proposal::v1::Call& call,
                           const proposal::v1::ProposalResult& r,
                           const std::string& applicant_name) {
  std::vector<bool> numeric(ResultColumns().size(), false);
  numeric[2] = numeric[8] = numeric[11] = numeric[12] = numeric[14] = true;
  return JsonLine(ResultColumns(), ResultCells(call, r, applicant_name),
                  numeric);
}

}  // namespace kyodo::gateway::domain
