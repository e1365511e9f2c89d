#include "kyodoctl/table.h"

#include <algorithm>

#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace kyodo::ctl {

int DisplayWidth(absl::string_view text) {
  int width = 0;
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(text.size());
  while (i < length) {
    UChar32 c;
    // NOLINTNEXTLINE(bugprone-inc-dec-in-conditions): inside ICU's macro.
    U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, length, c);
    if (c < 0) {
      ++width;
      continue;
    }
    const int eaw = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
    if (u_getIntPropertyValue(c, UCHAR_GENERAL_CATEGORY) ==
        U_NON_SPACING_MARK) {
      continue;
    }
    width += (eaw == U_EA_WIDE || eaw == U_EA_FULLWIDTH) ? 2 : 1;
  }
  return width;
}

void Table::Print(std::ostream& out) const {
  std::vector<int> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto print = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      out << cell;
      if (i + 1 < widths.size()) {
        out << std::string(widths[i] - DisplayWidth(cell) + 2, ' ');
      }
    }
    out << '\n';
  };
  print(header_);
  for (const auto& row : rows_) print(row);
}

}  // namespace kyodo::ctl
