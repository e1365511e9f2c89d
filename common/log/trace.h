// W3C Trace Context (https://www.w3.org/TR/trace-context/): the
// `traceparent` a call arrives with (gRPC metadata, or the HTTP header the
// gateway's HTTP entry copies into it) names a trace and the caller's span.
// Each kyodo process that serves the call starts a span of its own (a new
// span id, the same trace id), writes both ids in every log line it writes
// for the call (log.h), and sends `traceparent` with its own span id on
// every downstream call (common/grpc/downstream.h, gateway/proxy.cc). A call
// without a valid traceparent starts a new trace.
#ifndef KYODO_COMMON_LOG_TRACE_H_
#define KYODO_COMMON_LOG_TRACE_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace kyodo::common::log {

struct TraceContext {
  std::string trace_id;      // 32 lower-case hex digits, not all zero
  std::string span_id;       // 16 lower-case hex digits, not all zero
  std::string parent_id;     // the caller's span id; "" when the trace is new
  std::string flags = "01";  // trace-flags (01 = sampled)
};

// The trace id, parent id and flags of a `traceparent` header; nullopt when
// it is empty or invalid (then the trace restarts, as the specification
// says). A future version (not 00, not ff) is read by its first four fields.
std::optional<TraceContext> ParseTraceparent(absl::string_view header);

// The span of a call that arrived with `traceparent` (maybe ""): the same
// trace with a new span id whose parent is the caller's span, or a new
// trace.
TraceContext StartSpan(absl::string_view traceparent);

// "00-<trace_id>-<span_id>-<flags>": the header a downstream call carries.
std::string Traceparent(const TraceContext& span);

// Sets the span this thread's log lines carry (trace_id, span_id), for the
// lifetime of the object; restores the previous one on destruction.
class ScopedTrace {
 public:
  explicit ScopedTrace(TraceContext span);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  TraceContext previous_;
};

// The span of the call this thread serves (empty ids when none).
const TraceContext& CurrentTrace();

}  // namespace kyodo::common::log

#endif  // KYODO_COMMON_LOG_TRACE_H_
