// The AIP-160 subset kyodo's List methods accept, turned into SQL.
//
//   filter := term { "AND" term }
//   term   := field op value
//   op     := "=" | "!=" | "<" | ">" | ":"        (":" = contains)
//   value  := "quoted text" (\" and \\ escaped) | bare-word
//
// Fields come from a per-collection allow-list; each says which column it
// reads, its type and so which operators make sense. Values are always bound
// as parameters; only column names from the allow-list reach the SQL text.
// Every error is INVALID_ARGUMENT naming `filter` and saying what to change.
#ifndef KYODO_COMMON_PAGING_FILTER_H_
#define KYODO_COMMON_PAGING_FILTER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/db/session.h"

namespace google::protobuf {
class EnumDescriptor;
}

namespace kyodo::common::paging {

enum class FilterType {
  kString,     // = != :
  kEnum,       // = !=, value an enum value name
  kInt,        // = != < >
  kTimestamp,  // = != < >, value RFC 3339
  kBool,       // = !=, true or false
  kMember,     // = != only, through `member_sql`
};

struct FilterField {
  std::string name;
  // SQL expression compared with the value (not used by kMember).
  std::string column;
  FilterType type = FilterType::kString;
  const google::protobuf::EnumDescriptor* enum_type = nullptr;
  // Optional: turns the caller's value into the stored one (e.g. a resource
  // name into an id); its error is reported against `filter`.
  std::function<absl::StatusOr<std::string>(absl::string_view)> convert =
      nullptr;
  // kMember: a condition on the value, e.g. "EXISTS (SELECT 1 FROM
  // agreement_parties p WHERE p.agreement_seq = a.seq AND p.partner_id = ?)";
  // the value is bound to each of its `?`s; `!=` negates it.
  std::string member_sql = "";
};

// One term as parsed, its value converted and typed as it is bound.
struct FilterTerm {
  std::string field;
  std::string op;
  db::Param value;
};

struct SqlFilter {
  // "" or " AND <cond> AND <cond>...", to append to a WHERE clause.
  std::string sql;
  std::vector<db::Param> params;
  // The terms `sql` came from, in order: a store may answer a filter of a
  // shape it knows from a table of its own (see SummarizeProjects).
  std::vector<FilterTerm> terms;
};

absl::StatusOr<SqlFilter> ParseFilter(absl::string_view filter,
                                      absl::Span<const FilterField> fields);

}  // namespace kyodo::common::paging

#endif  // KYODO_COMMON_PAGING_FILTER_H_
