// Plain-text tables that line up with Japanese text: East Asian wide and
// full-width characters take two terminal columns.
#ifndef KYODO_KYODOCTL_TABLE_H_
#define KYODO_KYODOCTL_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kyodo::ctl {

// Terminal columns `text` (UTF-8) takes.
int DisplayWidth(absl::string_view text);

class Table {
 public:
  explicit Table(std::vector<std::string> header)
      : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;
  size_t size() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace kyodo::ctl

#endif  // KYODO_KYODOCTL_TABLE_H_
