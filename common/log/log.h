// Structured logs: one JSON object per line on stderr, so that log shippers
// and `jq` read them without parsing prose.
//
// Every line has ts (RFC 3339, UTC), level, service and msg, plus the call id
// of the RPC the current thread is serving (see ScopedCallId), its trace_id
// and span_id (W3C Trace Context, trace.h) and any fields the caller adds.
// Nothing here redacts: callers must never pass tokens, passwords or partners'
// personal contact fields.
#ifndef KYODO_COMMON_LOG_LOG_H_
#define KYODO_COMMON_LOG_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"

namespace kyodo::common::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// A field value: text, an integer, a real or a flag.
struct Value {
  Value(absl::string_view v) : v(std::string(v)) {}
  Value(const char* v) : v(std::string(v)) {}
  Value(const std::string& v) : v(v) {}
  Value(int v) : v(static_cast<int64_t>(v)) {}
  Value(long v) : v(static_cast<int64_t>(v)) {}
  Value(long long v) : v(static_cast<int64_t>(v)) {}
  Value(unsigned v) : v(static_cast<int64_t>(v)) {}
  Value(unsigned long v) : v(static_cast<int64_t>(v)) {}
  Value(double v) : v(v) {}
  Value(bool v) : v(v) {}
  std::variant<std::string, int64_t, double, bool> v;
};

using Fields = std::initializer_list<std::pair<absl::string_view, Value>>;

// Process-wide settings; call once from main before serving.
void SetService(absl::string_view service);
void SetMinLevel(Level level);
// Parses "debug", "info", "warning" or "error".
bool ParseLevel(absl::string_view text, Level* level);

// Replaces the output (tests capture lines this way). nullptr restores
// stderr. The sink is called with one complete line, newline included.
void SetSinkForTesting(std::function<void(absl::string_view)> sink);

void Write(Level level, absl::string_view msg, Fields fields = {});
inline void Debug(absl::string_view msg, Fields fields = {}) {
  Write(Level::kDebug, msg, fields);
}
inline void Info(absl::string_view msg, Fields fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warning(absl::string_view msg, Fields fields = {}) {
  Write(Level::kWarning, msg, fields);
}
inline void Error(absl::string_view msg, Fields fields = {}) {
  Write(Level::kError, msg, fields);
}

// Sets the call id that this thread's log lines carry, for the lifetime of
// the object; restores the previous one on destruction.
class ScopedCallId {
 public:
  explicit ScopedCallId(std::string call_id);
  ~ScopedCallId();
  ScopedCallId(const ScopedCallId&) = delete;
  ScopedCallId& operator=(const ScopedCallId&) = delete;

 private:
  std::string previous_;
};

// The call id of the RPC this thread serves, or "".
const std::string& CurrentCallId();

}  // namespace kyodo::common::log

#endif  // KYODO_COMMON_LOG_LOG_H_
