// Running a handful of independent downstream calls at once, on gRPC's
// callback API: the calls wait without a thread (the clients' `done` forms,
// gateway/clients/), and the request's own thread waits for all of them.
// The calls all fan-outs have in flight are bounded per process
// (docs/OPERATIONS.md, "The gateway's fan-outs").
#ifndef KYODO_GATEWAY_FAN_OUT_H_
#define KYODO_GATEWAY_FAN_OUT_H_

#include <functional>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/grpc/downstream.h"

namespace kyodo::gateway {

// The downstream calls the gateway's fan-outs may have in flight at once,
// across the process (--max_fanout_calls). Thread-safe. std::mutex rather
// than absl::Mutex, and a std::latch in Run: ThreadSanitizer sees the
// standard library's synchronisation but not inside Debian's uninstrumented
// Abseil (docs/RELIABILITY.md, "ThreadSanitizer").
class FanOutLimit {
 public:
  explicit FanOutLimit(int max_calls) : max_calls_(max_calls) {}

  // Takes `n` calls, all or none: false when fewer than `n` are free.
  bool TryTake(int n);
  void Give(int n);
  int in_flight() const;
  int max_calls() const { return max_calls_; }

 private:
  const int max_calls_;
  mutable std::mutex mu_;
  int in_flight_ = 0;  // guarded by mu_
};

// One fan-out: Add its parts, then Run. Not thread-safe; used by one
// request's thread.
class FanOut {
 public:
  explicit FanOut(FanOutLimit* limit) : limit_(limit) {}

  // A part: `start` starts one asynchronous call (or chain of pages), handing
  // it the callback that stores its result in `*out`. Started by Run.
  template <typename T>
  void Add(absl::StatusOr<T>* out,
           std::type_identity_t<
               absl::AnyInvocable<void(common::grpc_client::Callback<T>)>>
               start) {
    parts_.push_back(
        [out, start = std::move(start)](std::function<void()> ended) mutable {
          start(common::grpc_client::Callback<T>(
              [out, ended = std::move(ended)](absl::StatusOr<T> result) {
                *out = std::move(result);
                ended();
              }));
        });
  }

  // Starts every part and returns once each has stored its result (each
  // downstream call ends by the caller's deadline, or when the caller
  // cancels). RESOURCE_EXHAUSTED (DOWNSTREAM_CALLS_EXHAUSTED), starting
  // none, when the limit has fewer calls free than there are parts: fails
  // fast, like the database pool, rather than queue behind a busy
  // downstream. OK otherwise: each part's own status is in its `out`.
  absl::Status Run();

 private:
  FanOutLimit* limit_;
  std::vector<absl::AnyInvocable<void(std::function<void()> ended)>> parts_;
};

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_FAN_OUT_H_
