// Test support: reads Pabulib participatory-budgeting files (.pb, see
// tests/fixtures/pabulib/README.md) and turns them into selection-engine
// inputs, so that real official outcomes can serve as golden tests.
//
// Only what the fixtures contain is supported: the META and PROJECTS
// sections (a VOTES section, if present, ends the parse), ';'-separated
// fields with CSV double-quote quoting, CRLF, LF or mixed line endings, an
// optional UTF-8 byte order mark, and a budget with decimals (floored to
// whole units, which preserves every comparison because costs are whole).

#ifndef KYODO_TESTS_PROPOSAL_SERVICE_DOMAIN_PABULIB_H_
#define KYODO_TESTS_PROPOSAL_SERVICE_DOMAIN_PABULIB_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "proposal-service/domain/selection_types.h"

namespace kyodo::pabulib {

struct Project {
  std::string id;
  int64_t cost = 0;
  int64_t votes = 0;
  std::optional<int64_t> score;  // Only in files with a `score` column.
  std::string name;
  bool selected = false;
};

struct Instance {
  std::map<std::string, std::string> meta;
  int64_t budget = 0;             // META budget, floored.
  std::vector<Project> projects;  // In file order.
};

// Splits text into lines at "\r\n" or "\n"; a final line break does not
// produce an empty last line.
std::vector<std::string_view> SplitLines(std::string_view text);

// Splits one record at `separator`, honouring double-quoted fields in which
// "" stands for one quote. Errors: INVALID_ARGUMENT on an unterminated quote
// or text between a closing quote and the next separator.
absl::StatusOr<std::vector<std::string>> SplitRecord(std::string_view line,
                                                     char separator);

// "308298.85" -> 308298. Errors: INVALID_ARGUMENT unless the text is digits
// with an optional '.' and digits, and the integer part fits in int64_t.
absl::StatusOr<int64_t> ParseFlooredAmount(std::string_view text);

// Parses a whole .pb file. Errors: INVALID_ARGUMENT naming the line on a
// missing section, header column or malformed value.
absl::StatusOr<Instance> ParseInstance(std::string_view text);

// Reads and parses a file. Errors: NOT_FOUND if it cannot be read, else as
// ParseInstance (with the path prepended).
absl::StatusOr<Instance> ReadInstance(const std::string& path);

// Rows of the first Markdown table whose header row contains
// `header_cell`, as maps from header cell to cell text (trimmed, with
// surrounding backticks removed). Errors: NOT_FOUND if there is no such table.
absl::StatusOr<std::vector<std::map<std::string, std::string>>>
ParseMarkdownTable(std::string_view markdown, std::string_view header_cell);

enum class RankKey { kVotes, kScore };

// The instance as a selection call ranked by `key`: one criterion (weight 1,
// max = the largest key value, at least 1), one non-conflicted review per
// project whose score is its key value, min_reviews 1, the floored budget,
// no pass mark and no adoption limit. Candidate names are project ids and
// submit times follow file order, so EARLIER_SUBMISSION means file order.
// Errors: INVALID_ARGUMENT if key is kScore and a project has no score.
absl::StatusOr<proposal::domain::SelectionInput> ToSelectionInput(
    const Instance& instance, RankKey key, proposal::domain::AdoptionRule rule);

}  // namespace kyodo::pabulib

#endif  // KYODO_TESTS_PROPOSAL_SERVICE_DOMAIN_PABULIB_H_
