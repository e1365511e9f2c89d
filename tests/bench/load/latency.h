// Latency samples of one measurement point, kept per outcome (gRPC code
// name or "OK"), and their summary as JSON: throughput, p50/p90/p99/max of
// the successful calls, and for each error code its count and latencies
// (so "fails fast" can be told from "fails at the deadline").
// Shared by kyodo-load and kyodo-db-floor so both report the same shape.
#ifndef KYODO_TESTS_BENCH_LOAD_LATENCY_H_
#define KYODO_TESTS_BENCH_LOAD_LATENCY_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace kyodo::bench {

class LatencyLog {
 public:
  // Thread-safe.
  void Add(const std::string& outcome, absl::Duration latency);

  // {"calls", "ok", "calls_per_s" (successful calls per second of
  // `seconds`), "p50_ms", "p90_ms", "p99_ms", "max_ms" (successful calls;
  // null when none), "errors": {code: {"count", "p50_ms", "p99_ms",
  // "max_ms"}}}.
  nlohmann::json Summary(double seconds) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<int64_t>> micros_;  // by outcome
};

// The q-quantile (0..1) of `sorted` microseconds, in milliseconds.
double QuantileMs(const std::vector<int64_t>& sorted, double q);

}  // namespace kyodo::bench

#endif  // KYODO_TESTS_BENCH_LOAD_LATENCY_H_
