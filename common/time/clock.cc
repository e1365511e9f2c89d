#include "common/time/clock.h"

namespace kyodo::common {
namespace {

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

const Clock& Clock::Real() {
  static const RealClock* clock = new RealClock();
  return *clock;
}

absl::TimeZone JapanTime() {
  // A fixed zone: containers may lack tzdata, and Japan has had no DST since
  // 1951.
  return absl::FixedTimeZone(9 * 60 * 60);
}

}  // namespace kyodo::common
