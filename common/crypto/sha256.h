// SHA-256 (OpenSSL), the one hash kyodo uses for fingerprints: request
// bodies behind request ids, migration checksums, page-token query
// fingerprints and decision inputs.
#ifndef KYODO_COMMON_CRYPTO_SHA256_H_
#define KYODO_COMMON_CRYPTO_SHA256_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

struct evp_md_ctx_st;

namespace kyodo::common {

// The 32-byte digest of `data`.
std::string Sha256(absl::string_view data);
// The same as 64 lowercase hex digits.
std::string Sha256Hex(absl::string_view data);

// The digest of data given in parts (a document's content as it streams
// in), never held whole.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(absl::string_view data);
  // 64 lowercase hex digits of everything given; the stream is done.
  std::string FinishHex();

 private:
  evp_md_ctx_st* context_;
};

}  // namespace kyodo::common

#endif  // KYODO_COMMON_CRYPTO_SHA256_H_
