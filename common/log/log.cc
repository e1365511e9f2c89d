#include "common/log/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log/trace.h"
#include "nlohmann/json.hpp"

namespace kyodo::common::log {
namespace {

struct State {
  std::mutex mu;
  std::string service = "kyodo";
  std::function<void(absl::string_view)> sink;
};

State& GetState() {
  static State* state = new State();
  return *state;
}

std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
thread_local std::string current_call_id;

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetService(absl::string_view service) {
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.mu);
  state.service = std::string(service);
}

void SetMinLevel(Level level) { min_level = static_cast<int>(level); }

bool ParseLevel(absl::string_view text, Level* level) {
  for (Level l :
       {Level::kDebug, Level::kInfo, Level::kWarning, Level::kError}) {
    if (text == LevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

void SetSinkForTesting(std::function<void(absl::string_view)> sink) {
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.mu);
  state.sink = std::move(sink);
}

void Write(Level level, absl::string_view msg, Fields fields) {
  if (static_cast<int>(level) < min_level.load(std::memory_order_relaxed)) {
    return;
  }
  nlohmann::ordered_json line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(),
                                absl::UTCTimeZone());
  line["level"] = LevelName(level);
  State& state = GetState();
  {
    std::lock_guard<std::mutex> lock(state.mu);
    line["service"] = state.service;
  }
  line["msg"] = std::string(msg);
  if (!current_call_id.empty()) line["call_id"] = current_call_id;
  if (const TraceContext& trace = CurrentTrace(); !trace.trace_id.empty()) {
    line["trace_id"] = trace.trace_id;
    line["span_id"] = trace.span_id;
  }
  // Not a structured binding: clang before 16 (the fuzz build, tests/fuzz)
  // cannot capture one in a lambda.
  for (const auto& field : fields) {
    const std::string key(field.first);
    std::visit([&](const auto& v) { line[key] = v; }, field.second.v);
  }
  // replace: a stray invalid byte must not lose the whole line.
  std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::lock_guard<std::mutex> lock(state.mu);
  if (state.sink) {
    state.sink(text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  }
}

ScopedCallId::ScopedCallId(std::string call_id)
    : previous_(std::move(current_call_id)) {
  current_call_id = std::move(call_id);
}

ScopedCallId::~ScopedCallId() { current_call_id = std::move(previous_); }

const std::string& CurrentCallId() { return current_call_id; }

}  // namespace kyodo::common::log
