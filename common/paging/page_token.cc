#include "common/paging/page_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/sha256.h"
#include "common/status/errors.h"

namespace kyodo::common::paging {
namespace {

// 2: with the issue time (1 had none; such tokens are refused).
constexpr char kVersion = 2;
constexpr size_t kFingerprintBytes = 8;
constexpr size_t kTagBytes = 16;

void PutInt64(std::string& out, int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((u >> shift) & 0xff));
  }
}

int64_t GetInt64(absl::string_view in) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(in[i]);
  return static_cast<int64_t>(u);
}

absl::Status BadToken(absl::string_view why) {
  return InvalidArgumentError("page_token", why,
                              kyodo::type::v1::INVALID_PAGE_TOKEN);
}

}  // namespace

absl::StatusOr<int> EffectivePageSize(int32_t requested,
                                      absl::string_view field) {
  if (requested < 0) return InvalidArgumentError(field, "must not be negative");
  if (requested == 0) return kDefaultPageSize;
  return requested > kMaxPageSize ? kMaxPageSize : requested;
}

std::string PageTokenCodec::Tag(absl::string_view data) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
       &length);
  return std::string(reinterpret_cast<const char*>(mac), kTagBytes);
}

std::string PageTokenCodec::Encode(absl::string_view query,
                                   const PageCursor& cursor) const {
  std::string data;
  data.push_back(kVersion);
  data.append(Sha256(query).substr(0, kFingerprintBytes));
  PutInt64(data, absl::ToUnixSeconds(clock_.Now()));
  PutInt64(data, cursor.last_seq);
  data.append(cursor.last_key);
  data.append(Tag(data));
  return absl::WebSafeBase64Escape(data);
}

absl::StatusOr<PageCursor> PageTokenCodec::Decode(
    absl::string_view token, absl::string_view query) const {
  if (token.empty()) return PageCursor{};
  std::string data;
  if (!absl::WebSafeBase64Unescape(token, &data) ||
      data.size() < 1 + kFingerprintBytes + 16 + kTagBytes ||
      data[0] != kVersion) {
    return BadToken("not a page token from this service");
  }
  const absl::string_view body(data.data(), data.size() - kTagBytes);
  const std::string expected = Tag(body);
  if (CRYPTO_memcmp(expected.data(), data.data() + body.size(), kTagBytes) !=
      0) {
    return BadToken("not a page token from this service");
  }
  if (body.substr(1, kFingerprintBytes) !=
      Sha256(query).substr(0, kFingerprintBytes)) {
    return BadToken(
        "was issued for a different query; keep the filter and other "
        "parameters unchanged while paging, or start again without a token");
  }
  const absl::Time issued =
      absl::FromUnixSeconds(GetInt64(body.substr(1 + kFingerprintBytes, 8)));
  if (clock_.Now() - issued > ttl_) {
    return InvalidArgumentError("page_token",
                                absl::StrCat("has expired (page tokens last ",
                                             absl::FormatDuration(ttl_),
                                             "); start again without a token"),
                                kyodo::type::v1::PAGE_TOKEN_EXPIRED);
  }
  PageCursor cursor;
  cursor.last_seq = GetInt64(body.substr(1 + kFingerprintBytes + 8, 8));
  cursor.last_key = std::string(body.substr(1 + kFingerprintBytes + 16));
  return cursor;
}

}  // namespace kyodo::common::paging
