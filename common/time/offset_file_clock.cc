#include "common/time/offset_file_clock.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kyodo::common {

absl::StatusOr<absl::Duration> OffsetFileClock::ReadOffset() const {
  std::ifstream in(path_);
  if (!in) return absl::ZeroDuration();
  std::stringstream content;
  content << in.rdbuf();
  const std::string text(absl::StripAsciiWhitespace(content.str()));
  if (text.empty()) return absl::ZeroDuration();
  absl::Duration offset;
  if (!absl::ParseDuration(text, &offset)) {
    return absl::InvalidArgumentError(
        absl::StrCat("test clock file ", path_, ": not a duration: ", text));
  }
  return offset;
}

absl::Time OffsetFileClock::Now() const {
  absl::StatusOr<absl::Duration> offset = ReadOffset();
  if (offset.ok()) last_offset_ns_ = absl::ToInt64Nanoseconds(*offset);
  return absl::Now() + absl::Nanoseconds(last_offset_ns_.load());
}

}  // namespace kyodo::common
