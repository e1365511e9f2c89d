#include "tests/bench/load/driver.h"

#include <condition_variable>
#include <mutex>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "tests/bench/load/latency.h"

namespace kyodo::bench {
namespace {

// One measurement: issues calls and records those due inside the window.
class Run {
 public:
  Run(const Target& target, const Phase& phase, bool chain)
      : target_(target), chain_(chain) {
    for (const auto& channel : target.channels) {
      stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
    }
    start_ = absl::Now();
    measure_from_ = start_ + phase.warmup;
    measure_until_ = measure_from_ + phase.duration;
  }

  // Starts one call due at `due`; with chaining, its completion starts the
  // next one while the window lasts.
  void Issue(absl::Time due) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++outstanding_;
    }
    const uint64_t n = target_.next->fetch_add(1, std::memory_order_relaxed);
    auto* call = new Call;
    call->due = due;
    call->request = target_.requests[n % target_.requests.size()];
    call->context.set_deadline(
        absl::ToChronoTime(absl::Now() + target_.deadline));
    if (!target_.authorization.empty()) {
      call->context.AddMetadata("authorization", target_.authorization);
    }
    grpc::GenericStub& stub = *stubs_[n % stubs_.size()];
    stub.UnaryCall(&call->context, target_.path, grpc::StubOptions(),
                   &call->request, &call->response,
                   [this, call](grpc::Status status) { Done(call, status); });
  }

  // Blocks until every issued call has ended.
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return outstanding_ == 0; });
  }

  absl::Time measure_from() const { return measure_from_; }
  absl::Time measure_until() const { return measure_until_; }
  const LatencyLog& log() const { return log_; }
  double seconds() const {
    return absl::ToDoubleSeconds(measure_until_ - measure_from_);
  }

 private:
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    absl::Time due;
  };

  void Done(Call* call, const grpc::Status& status) {
    const absl::Time now = absl::Now();
    if (call->due >= measure_from_ && call->due < measure_until_) {
      log_.Add(status.ok()
                   ? std::string("OK")
                   : absl::StatusCodeToString(
                         static_cast<absl::StatusCode>(status.error_code())),
               now - call->due);
    }
    delete call;
    if (chain_ && now < measure_until_) Issue(now);
    std::lock_guard<std::mutex> lock(mu_);
    if (--outstanding_ == 0) cv_.notify_all();
  }

  const Target& target_;
  const bool chain_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  absl::Time start_;
  absl::Time measure_from_;
  absl::Time measure_until_;
  LatencyLog log_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t outstanding_ = 0;
};

}  // namespace

nlohmann::json RunClosedLoop(const Target& target, int in_flight,
                             const Phase& phase) {
  Run run(target, phase, /*chain=*/true);
  for (int i = 0; i < in_flight; ++i) run.Issue(absl::Now());
  run.Wait();
  nlohmann::json out = run.log().Summary(run.seconds());
  out["mode"] = "closed";
  out["in_flight"] = in_flight;
  return out;
}

nlohmann::json RunOpenLoop(const Target& target, double rate,
                           const Phase& phase) {
  Run run(target, phase, /*chain=*/false);
  const absl::Duration interval = absl::Seconds(1) / rate;
  const absl::Time first = absl::Now();
  int64_t sent = 0;
  int64_t late = 0;
  for (absl::Time due = first; due < run.measure_until(); due += interval) {
    const absl::Time now = absl::Now();
    if (due > now) {
      absl::SleepFor(due - now);
    } else if (now - due > absl::Milliseconds(1) && due >= run.measure_from()) {
      ++late;
    }
    run.Issue(due);
    if (due >= run.measure_from()) ++sent;
  }
  run.Wait();
  nlohmann::json out = run.log().Summary(run.seconds());
  out["mode"] = "open";
  out["rate"] = rate;
  out["sent"] = sent;
  out["late_sends"] = late;
  return out;
}

}  // namespace kyodo::bench
