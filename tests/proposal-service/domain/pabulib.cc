#include "tests/proposal-service/domain/pabulib.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace kyodo::pabulib {
namespace {

using proposal::domain::AdoptionRule;
using proposal::domain::Candidate;
using proposal::domain::Criterion;
using proposal::domain::Review;
using proposal::domain::SelectionInput;

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Debian's Abseil has its own string_view, so StrCat needs std::string.
std::string S(std::string_view text) { return std::string(text); }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

absl::StatusOr<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() ||
      end != text.data() + text.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an integer: \"", S(text), "\""));
  }
  return value;
}

// Column positions of the PROJECTS header.
struct Columns {
  std::map<std::string, size_t> index;
  size_t count = 0;

  std::optional<size_t> Find(const std::string& name) const {
    const auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    return it->second;
  }
};

absl::StatusOr<Project> ParseProject(const std::vector<std::string>& fields,
                                     const Columns& columns) {
  if (fields.size() != columns.count) {
    return absl::InvalidArgumentError(absl::StrCat(
        "has ", fields.size(), " fields, header has ", columns.count));
  }
  Project project;
  project.id = fields[*columns.Find("project_id")];
  absl::StatusOr<int64_t> cost = ParseInt(fields[*columns.Find("cost")]);
  absl::StatusOr<int64_t> votes = ParseInt(fields[*columns.Find("votes")]);
  absl::StatusOr<int64_t> selected =
      ParseInt(fields[*columns.Find("selected")]);
  if (!cost.ok()) return cost.status();
  if (!votes.ok()) return votes.status();
  if (!selected.ok()) return selected.status();
  if (*selected != 0 && *selected != 1) {
    return absl::InvalidArgumentError("selected must be 0 or 1");
  }
  project.cost = *cost;
  project.votes = *votes;
  project.selected = *selected == 1;
  if (const std::optional<size_t> name = columns.Find("name")) {
    project.name = fields[*name];
  }
  if (const std::optional<size_t> score = columns.Find("score")) {
    absl::StatusOr<int64_t> value = ParseInt(fields[*score]);
    if (!value.ok()) return value.status();
    project.score = *value;
  }
  return project;
}

absl::StatusOr<Columns> ParseHeader(std::string_view line) {
  absl::StatusOr<std::vector<std::string>> fields = SplitRecord(line, ';');
  if (!fields.ok()) return fields.status();
  Columns columns;
  columns.count = fields->size();
  for (size_t i = 0; i < fields->size(); ++i) columns.index[(*fields)[i]] = i;
  for (const char* required : {"project_id", "cost", "votes", "selected"}) {
    if (!columns.Find(required)) {
      return absl::InvalidArgumentError(
          absl::StrCat("PROJECTS header lacks column ", required));
    }
  }
  return columns;
}

absl::Status WithLine(const absl::Status& status, size_t line) {
  return absl::Status(status.code(),
                      absl::StrCat("line ", line + 1, ": ", status.message()));
}

// Parses the lines after "PROJECTS" up to a VOTES section or the end.
absl::Status ParseProjects(const std::vector<std::string_view>& lines,
                           size_t first, Instance* instance) {
  if (first >= lines.size()) {
    return absl::InvalidArgumentError("PROJECTS section has no header");
  }
  absl::StatusOr<Columns> columns = ParseHeader(lines[first]);
  if (!columns.ok()) return WithLine(columns.status(), first);
  for (size_t i = first + 1; i < lines.size(); ++i) {
    if (Trim(lines[i]).empty()) continue;
    if (lines[i] == "VOTES") break;
    absl::StatusOr<std::vector<std::string>> fields =
        SplitRecord(lines[i], ';');
    if (!fields.ok()) return WithLine(fields.status(), i);
    absl::StatusOr<Project> project = ParseProject(*fields, *columns);
    if (!project.ok()) return WithLine(project.status(), i);
    instance->projects.push_back(*std::move(project));
  }
  return absl::OkStatus();
}

// Cells of a Markdown table row "| a | `b` |", trimmed and without the
// backticks of inline code. Precondition: the row starts and ends with '|'.
std::vector<std::string> SplitTableRow(std::string_view line) {
  std::vector<std::string> cells;
  for (std::string_view rest = line.substr(1, line.size() - 2);;) {
    const size_t bar = rest.find('|');
    std::string_view cell = Trim(rest.substr(0, bar));
    if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`') {
      cell = cell.substr(1, cell.size() - 2);
    }
    cells.push_back(S(cell));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  return cells;
}

}  // namespace

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

absl::StatusOr<std::vector<std::string>> SplitRecord(std::string_view line,
                                                     char separator) {
  std::vector<std::string> fields(1);
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == separator) {
      fields.emplace_back();
      ++i;
    } else if (c == '"' && fields.back().empty()) {
      // Quoted field: read to the closing quote, "" being a literal quote.
      ++i;
      while (true) {
        if (i >= line.size()) {
          return absl::InvalidArgumentError("unterminated quoted field");
        }
        if (line[i] == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          fields.back() += '"';
          i += 2;
        } else if (line[i] == '"') {
          ++i;
          break;
        } else {
          fields.back() += line[i++];
        }
      }
      if (i < line.size() && line[i] != separator) {
        return absl::InvalidArgumentError("text after a closing quote");
      }
    } else {
      fields.back() += c;
      ++i;
    }
  }
  return fields;
}

absl::StatusOr<int64_t> ParseFlooredAmount(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (dot != std::string_view::npos) {
    const std::string_view fraction = text.substr(dot + 1);
    const bool digits_only =
        !fraction.empty() &&
        std::all_of(fraction.begin(), fraction.end(),
                    [](char c) { return c >= '0' && c <= '9'; });
    if (!digits_only) {
      return absl::InvalidArgumentError(
          absl::StrCat("not an amount: \"", S(text), "\""));
    }
  }
  if (whole.empty() || whole.front() == '-' || whole.front() == '+') {
    return absl::InvalidArgumentError(
        absl::StrCat("not an amount: \"", S(text), "\""));
  }
  return ParseInt(whole);
}

absl::StatusOr<Instance> ParseInstance(std::string_view text) {
  if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    text.remove_prefix(kByteOrderMark.size());
  }
  const std::vector<std::string_view> lines = SplitLines(text);
  if (lines.size() < 2 || lines[0] != "META" || lines[1] != "key;value") {
    return absl::InvalidArgumentError("line 1: expected META and key;value");
  }
  Instance instance;
  size_t i = 2;
  for (; i < lines.size() && lines[i] != "PROJECTS"; ++i) {
    const size_t separator = lines[i].find(';');
    if (separator == std::string_view::npos) {
      return WithLine(absl::InvalidArgumentError("META line without ';'"), i);
    }
    instance.meta[S(lines[i].substr(0, separator))] =
        S(lines[i].substr(separator + 1));
  }
  if (i == lines.size()) return absl::InvalidArgumentError("no PROJECTS line");
  const auto budget = instance.meta.find("budget");
  if (budget == instance.meta.end()) {
    return absl::InvalidArgumentError("META has no budget");
  }
  absl::StatusOr<int64_t> floored = ParseFlooredAmount(budget->second);
  if (!floored.ok()) return floored.status();
  instance.budget = *floored;
  absl::Status status = ParseProjects(lines, i + 1, &instance);
  if (!status.ok()) return status;
  return instance;
}

absl::StatusOr<Instance> ReadInstance(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream content;
  content << file.rdbuf();
  absl::StatusOr<Instance> instance = ParseInstance(content.str());
  if (!instance.ok()) {
    return absl::Status(instance.status().code(),
                        absl::StrCat(path, ": ", instance.status().message()));
  }
  return instance;
}

absl::StatusOr<std::vector<std::map<std::string, std::string>>>
ParseMarkdownTable(std::string_view markdown, std::string_view header_cell) {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  for (std::string_view line : SplitLines(markdown)) {
    line = Trim(line);
    if (line.size() < 2 || line.front() != '|' || line.back() != '|') {
      if (!header.empty()) break;  // The table has ended.
      continue;
    }
    const std::vector<std::string> cells = SplitTableRow(line);
    if (header.empty()) {
      if (std::find(cells.begin(), cells.end(), S(header_cell)) !=
          cells.end()) {
        header = cells;
      }
      continue;
    }
    if (!cells[0].empty() &&
        cells[0].find_first_not_of("-: ") == std::string::npos) {
      continue;  // The |---|---| separator row.
    }
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < cells.size() && c < header.size(); ++c) {
      row[header[c]] = cells[c];
    }
    rows.push_back(std::move(row));
  }
  if (header.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no table with a \"", S(header_cell), "\" column"));
  }
  return rows;
}

absl::StatusOr<SelectionInput> ToSelectionInput(const Instance& instance,
                                                RankKey key,
                                                AdoptionRule rule) {
  SelectionInput input;
  input.budget = instance.budget;
  input.rule = rule;
  input.min_reviews = 1;
  int64_t max_value = 1;
  for (size_t i = 0; i < instance.projects.size(); ++i) {
    const Project& project = instance.projects[i];
    if (key == RankKey::kScore && !project.score) {
      return absl::InvalidArgumentError(
          absl::StrCat("project ", project.id, " has no score"));
    }
    const int64_t value =
        key == RankKey::kScore ? *project.score : project.votes;
    max_value = std::max(max_value, value);
    Candidate candidate;
    candidate.name = project.id;
    candidate.requested_amount = project.cost;
    candidate.submit_time = absl::UnixEpoch() + absl::Seconds(i);
    candidate.reviews.push_back(Review{"pabulib", {value}, false});
    input.candidates.push_back(std::move(candidate));
  }
  input.criteria.push_back(Criterion{1, max_value});
  return input;
}

}  // namespace kyodo::pabulib
