// The release this binary was built as: the version and commit handed to
// CMake (KYODO_VERSION, KYODO_REVISION; the Dockerfile passes its VERSION
// and REVISION build arguments). A build without them says "0.0.0-dev" and
// "unknown". Printed by every program's --version (common/config/config.h)
// and exported as the kyodo_build_info metric (common/metrics/metrics.h).
#ifndef KYODO_COMMON_VERSION_VERSION_H_
#define KYODO_COMMON_VERSION_VERSION_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kyodo::common::version {

absl::string_view Version();
absl::string_view Revision();

// "<program> <version> (revision <revision>)\n", what --version prints.
std::string VersionLine(absl::string_view program);

}  // namespace kyodo::common::version

#endif  // KYODO_COMMON_VERSION_VERSION_H_
