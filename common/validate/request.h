// The checks every request passes before a handler sees it, driven by the
// message descriptors so that no field can be forgotten:
// - every string (at any depth, in lists too) is well-formed UTF-8;
// - strings are no longer than their (kyodo.type.v1.max_bytes) option, or
//   kDefaultMaxStringBytes;
// - repeated fields hold no more than (kyodo.type.v1.max_items), or
//   kDefaultMaxItems.
// Errors are INVALID_ARGUMENT naming the field path, e.g.
// "partner.contacts[1].email".
#ifndef KYODO_COMMON_VALIDATE_REQUEST_H_
#define KYODO_COMMON_VALIDATE_REQUEST_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace kyodo::common {

inline constexpr int kDefaultMaxStringBytes = 1000;
inline constexpr int kDefaultMaxItems = 100;

absl::Status ValidateRequest(const google::protobuf::Message& request);

// Field-level helpers for handlers.
// INVALID_ARGUMENT "<field>: required" when `value` is empty.
absl::Status RequireNonEmpty(absl::string_view field, absl::string_view value);
// request_id must be empty or a UUID (8-4-4-4-12 hex digits).
absl::Status ValidateRequestId(absl::string_view field,
                               absl::string_view value);

}  // namespace kyodo::common

#endif  // KYODO_COMMON_VALIDATE_REQUEST_H_
