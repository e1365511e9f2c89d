#include "common/log/trace.h"

#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kyodo::common::log {
namespace {

// Cannot throw: the only non-empty member is "01", which fits
// std::string's own buffer.
// NOLINTNEXTLINE(bugprone-throwing-static-initialization)
thread_local TraceContext current_trace;

bool IsHex(absl::string_view text, size_t length) {
  if (text.size() != length) return false;
  bool nonzero = false;
  for (char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
    nonzero = nonzero || c != '0';
  }
  return nonzero;
}

// `bytes` random bytes as lower-case hex; never all zero. Trace ids are not
// secrets: a fast generator seeded once per thread is enough.
std::string RandomHex(int bytes) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  do {
    out.clear();
    for (int i = 0; i < bytes; i += 8) {
      uint64_t word = rng();
      for (int j = 0; j < 8 && i + j < bytes; ++j) {
        out.push_back(kHex[(word >> 4) & 0xf]);
        out.push_back(kHex[word & 0xf]);
        word >>= 8;
      }
    }
  } while (out.find_first_not_of('0') == std::string::npos);
  return out;
}

}  // namespace

std::optional<TraceContext> ParseTraceparent(absl::string_view header) {
  header = absl::StripAsciiWhitespace(header);
  std::vector<absl::string_view> parts = absl::StrSplit(header, '-');
  if (parts.size() < 4) return std::nullopt;
  const absl::string_view version = parts[0];
  if (version.size() != 2 || version == "ff" ||
      version.find_first_not_of("0123456789abcdef") !=
          absl::string_view::npos) {
    return std::nullopt;
  }
  // Version 00 has exactly four fields; later versions may append more.
  if (version == "00" && parts.size() != 4) return std::nullopt;
  if (!IsHex(parts[1], 32) || !IsHex(parts[2], 16)) return std::nullopt;
  if (parts[3].size() != 2 || parts[3].find_first_not_of("0123456789abcdef") !=
                                  absl::string_view::npos) {
    return std::nullopt;
  }
  TraceContext parsed;
  parsed.trace_id = std::string(parts[1]);
  parsed.parent_id = std::string(parts[2]);
  parsed.flags = std::string(parts[3]);
  return parsed;
}

TraceContext StartSpan(absl::string_view traceparent) {
  std::optional<TraceContext> caller = ParseTraceparent(traceparent);
  TraceContext span;
  if (caller.has_value()) {
    span = *std::move(caller);
  } else {
    span.trace_id = RandomHex(16);
  }
  span.span_id = RandomHex(8);
  return span;
}

std::string Traceparent(const TraceContext& span) {
  return absl::StrCat("00-", span.trace_id, "-", span.span_id, "-", span.flags);
}

ScopedTrace::ScopedTrace(TraceContext span)
    : previous_(std::move(current_trace)) {
  current_trace = std::move(span);
}

ScopedTrace::~ScopedTrace() { current_trace = std::move(previous_); }

const TraceContext& CurrentTrace() { return current_trace; }

}  // namespace kyodo::common::log
