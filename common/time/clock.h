// An injectable clock, so that rules judged by the server's time (submission
// windows, agreement end dates) are tested at their exact edges.
#ifndef KYODO_COMMON_TIME_CLOCK_H_
#define KYODO_COMMON_TIME_CLOCK_H_

#include <atomic>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kyodo::common {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The process-wide real clock.
  static const Clock& Real();
};

// A clock that only moves when told; safe to read from several threads.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_ns_(absl::ToUnixNanos(now)) {}
  absl::Time Now() const override {
    return absl::FromUnixNanos(now_ns_.load());
  }
  void Set(absl::Time t) { now_ns_ = absl::ToUnixNanos(t); }
  void Advance(absl::Duration d) { now_ns_ += absl::ToInt64Nanoseconds(d); }

 private:
  std::atomic<int64_t> now_ns_;
};

// Japan Standard Time (UTC+9, no daylight saving): the city's calendar.
absl::TimeZone JapanTime();

}  // namespace kyodo::common

#endif  // KYODO_COMMON_TIME_CLOCK_H_
