// Test support: the log lines written while a LogCapture lives (from any
// thread, e.g. a service serving the test's calls), for assertions that a
// failure was logged with what an operator needs.
#ifndef KYODO_TESTS_TESTING_LOG_CAPTURE_H_
#define KYODO_TESTS_TESTING_LOG_CAPTURE_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"

namespace kyodo::testing {

class LogCapture {
 public:
  LogCapture() {
    common::log::SetSinkForTesting([this](absl::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { common::log::SetSinkForTesting(nullptr); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // The first line holding every one of `parts`, or "" when none does.
  std::string LineWith(std::initializer_list<absl::string_view> parts) const {
    absl::MutexLock lock(&mu_);
    for (const std::string& line : lines_) {
      bool all = true;
      for (absl::string_view part : parts) {
        all = all && absl::StrContains(line, part);
      }
      if (all) return line;
    }
    return "";
  }

  // Whether a line says that a stored value did not parse, naming `table`,
  // row `id` and `column` (common/store/doc.h, BadStoredValue).
  bool LoggedBadStoredValue(absl::string_view table, absl::string_view id,
                            absl::string_view column) const {
    const std::string t = absl::StrCat("\"table\":\"", table, "\"");
    const std::string r = absl::StrCat("\"row\":\"", id, "\"");
    const std::string c = absl::StrCat("\"column\":\"", column, "\"");
    return !LineWith({"stored value does not parse", t, r, c}).empty();
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_LOG_CAPTURE_H_
