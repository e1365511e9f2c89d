// Small helpers for asserting on the details kyodo errors carry.
#ifndef KYODO_TESTS_COMMON_STATUS_UTIL_H_
#define KYODO_TESTS_COMMON_STATUS_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "common/status/errors.h"

namespace kyodo::common::testing {

// The field of the first BadRequest violation, or "" when there is none.
inline std::string BadRequestField(const absl::Status& status) {
  auto bad = GetBadRequest(status);
  if (!bad.has_value() || bad->field_violations_size() == 0) return "";
  return bad->field_violations(0).field();
}

}  // namespace kyodo::common::testing

#endif  // KYODO_TESTS_COMMON_STATUS_UTIL_H_
