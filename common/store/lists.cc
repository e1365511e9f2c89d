#include "common/store/lists.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/db/pool.h"
#include "common/status/macros.h"

namespace kyodo::common::store {

absl::StatusOr<std::vector<std::vector<std::string>>> ReadList(
    const db::Row& row, size_t column, size_t min_fields, size_t max_fields,
    const StoredAt& at) {
  std::vector<std::vector<std::string>> out;
  if (row.IsNull(column)) return out;
  const std::string& text = row.String(column);
  if (static_cast<int64_t>(text.size()) >= db::kGroupConcatMaxLen) {
    return BadStoredValue(at, "is as long as GROUP_CONCAT may be: cut");
  }
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    std::vector<std::string> fields = absl::StrSplit(item, ':');
    if (fields.size() < min_fields || fields.size() > max_fields) {
      // The item is not logged: a field may be free text (HEX of a note).
      return BadStoredValue(
          at,
          absl::StrCat("holds item ", out.size() + 1, " with ", fields.size(),
                       " fields, not ", min_fields, " to ", max_fields));
    }
    out.push_back(std::move(fields));
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> ReadNumberList(const db::Row& row,
                                                    size_t column,
                                                    const StoredAt& at) {
  KYODO_ASSIGN_OR_RETURN(const auto items, ReadList(row, column, 1, 1, at));
  std::vector<int64_t> out;
  out.reserve(items.size());
  for (const std::vector<std::string>& item : items) {
    KYODO_ASSIGN_OR_RETURN(const int64_t n, ListNumber(item[0], at));
    out.push_back(n);
  }
  return out;
}

absl::StatusOr<int64_t> ListNumber(absl::string_view field,
                                   const StoredAt& at) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(field, &n)) {
    return BadStoredValue(at, "holds a field that is no number");
  }
  return n;
}

absl::StatusOr<std::string> Unhex(absl::string_view hex, const StoredAt& at) {
  std::string bytes;
  if (hex.size() % 2 != 0 ||
      !std::all_of(hex.begin(), hex.end(), absl::ascii_isxdigit)) {
    return BadStoredValue(at, "holds text that is not HEX() output");
  }
  bytes = absl::HexStringToBytes(hex);
  return bytes;
}

}  // namespace kyodo::common::store
