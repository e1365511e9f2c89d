// The real clock moved by an offset that is read from a file at every
// reading: an absl duration ("600s", "-1h"); a missing or empty file is no
// offset. A test hook (docs/CONTRIBUTING.md, "Tests"): the whole-suite tests
// move the services' time forward by rewriting the file (atomically, by
// rename) instead of waiting for a submission window to end. Services use
// it only when built with KYODO_TEST_HOOKS and started with
// --test_clock_file (common/server/bootstrap.cc).
#ifndef KYODO_COMMON_TIME_OFFSET_FILE_CLOCK_H_
#define KYODO_COMMON_TIME_OFFSET_FILE_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/time/clock.h"

namespace kyodo::common {

class OffsetFileClock : public Clock {
 public:
  explicit OffsetFileClock(std::string path) : path_(std::move(path)) {}
  absl::Time Now() const override;
  // The offset in the file; an error when the file exists and holds no
  // duration.
  absl::StatusOr<absl::Duration> ReadOffset() const;

 private:
  std::string path_;
  // The last offset read, kept when a reading fails (the file is only
  // replaced by rename, so that should not happen).
  mutable std::atomic<int64_t> last_offset_ns_{0};
};

}  // namespace kyodo::common

#endif  // KYODO_COMMON_TIME_OFFSET_FILE_CLOCK_H_
