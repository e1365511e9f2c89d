#include "tests/bench/load/latency.h"

#include <algorithm>
#include <cmath>

namespace kyodo::bench {

void LatencyLog::Add(const std::string& outcome, absl::Duration latency) {
  const int64_t micros = absl::ToInt64Microseconds(latency);
  std::lock_guard<std::mutex> lock(mu_);
  micros_[outcome].push_back(micros);
}

double QuantileMs(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  // Nearest rank.
  size_t rank = static_cast<size_t>(std::ceil(q * sorted.size()));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1] / 1000.0;
}

nlohmann::json LatencyLog::Summary(double seconds) const {
  std::map<std::string, std::vector<int64_t>> copy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    copy = micros_;
  }
  nlohmann::json out;
  int64_t calls = 0;
  nlohmann::json errors = nlohmann::json::object();
  for (auto& [outcome, samples] : copy) {
    std::sort(samples.begin(), samples.end());
    calls += static_cast<int64_t>(samples.size());
    if (outcome == "OK") continue;
    errors[outcome] = {{"count", samples.size()},
                       {"p50_ms", QuantileMs(samples, 0.5)},
                       {"p99_ms", QuantileMs(samples, 0.99)},
                       {"max_ms", samples.back() / 1000.0}};
  }
  const auto ok = copy.find("OK");
  const size_t ok_count = ok == copy.end() ? 0 : ok->second.size();
  out["calls"] = calls;
  out["ok"] = ok_count;
  out["seconds"] = seconds;
  out["calls_per_s"] = seconds > 0 ? ok_count / seconds : 0.0;
  for (const auto& [key, q] : {std::pair<const char*, double>{"p50_ms", 0.5},
                               {"p90_ms", 0.9},
                               {"p99_ms", 0.99},
                               {"max_ms", 1.0}}) {
    out[key] = ok_count == 0 ? nlohmann::json(nullptr)
                             : nlohmann::json(QuantileMs(ok->second, q));
  }
  out["errors"] = errors;
  return out;
}

}  // namespace kyodo::bench
