// Drives one unary method with the gRPC callback API, without a thread per
// call: either a closed loop (N calls in flight, each caller starting its
// next call as soon as the last one ends) or an open loop (calls started at
// a fixed rate on an absolute schedule, whatever the answers do).
//
// Requests are serialized once and cycled, so caches on the server see many
// keys. Latency is measured from the moment a call was due: in the open loop
// that is its scheduled time (a late send counts against the server, no
// coordinated omission), and sends more than 1 ms behind schedule are
// counted as late (the generator itself could not keep up).
#ifndef KYODO_TESTS_BENCH_LOAD_DRIVER_H_
#define KYODO_TESTS_BENCH_LOAD_DRIVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/byte_buffer.h"
#include "nlohmann/json.hpp"

namespace kyodo::bench {

struct Target {
  // Calls are spread over these round-robin.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::string path;  // "/kyodo.partner.v1.PartnerService/GetPartner"
  std::vector<grpc::ByteBuffer> requests;  // cycled
  // The index of the next request, kept across load points so that
  // single-use requests (drafts to submit) are not sent twice.
  std::shared_ptr<std::atomic<uint64_t>> next =
      std::make_shared<std::atomic<uint64_t>>(0);
  std::string authorization;  // "Bearer ..." or ""
  absl::Duration deadline = absl::Seconds(5);
};

struct Phase {
  absl::Duration warmup = absl::Seconds(1);  // run but not recorded
  absl::Duration duration = absl::Seconds(5);
};

// N callers in a closed loop; returns LatencyLog::Summary plus "mode" and
// "in_flight".
nlohmann::json RunClosedLoop(const Target& target, int in_flight,
                             const Phase& phase);

// Calls started at `rate` per second; returns LatencyLog::Summary plus
// "mode", "rate", "sent" and "late_sends".
nlohmann::json RunOpenLoop(const Target& target, double rate,
                           const Phase& phase);

}  // namespace kyodo::bench

#endif  // KYODO_TESTS_BENCH_LOAD_DRIVER_H_
