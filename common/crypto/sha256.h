// SHA-256 (OpenSSL), the one hash kyodo uses for fingerprints: request
// bodies behind request ids, migration checksums, page-token query
// fingerprints and decision inputs.
#ifndef KYODO_COMMON_CRYPTO_SHA256_H_
#define KYODO_COMMON_CRYPTO_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kyodo::common {

// The 32-byte digest of `data`.
std::string Sha256(absl::string_view data);
// The same as 64 lowercase hex digits.
std::string Sha256Hex(absl::string_view data);

}  // namespace kyodo::common

#endif  // KYODO_COMMON_CRYPTO_SHA256_H_
