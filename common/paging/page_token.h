// Pagination (AIP-158): page sizes and opaque, signed page tokens.
//
// A token carries the keyset cursor (the last row's sequence number, and an
// optional sort key) plus a fingerprint of the query it belongs to, sealed
// with HMAC-SHA256 under a server key. A token that was altered, made up, or
// issued for another query (different filter, show_deleted, parent or
// method) is refused with INVALID_ARGUMENT naming `page_token`. A token also
// carries the time it was issued and expires after a set time (default 24
// hours; --page_token_ttl): an expired token is INVALID_ARGUMENT naming
// `page_token`, reason PAGE_TOKEN_EXPIRED, and the caller starts again
// without one. (The keyset cursor itself would stay meaningful; the expiry
// bounds how long a token handed out, e.g. in a log or a link, stays usable.)
#ifndef KYODO_COMMON_PAGING_PAGE_TOKEN_H_
#define KYODO_COMMON_PAGING_PAGE_TOKEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/time/clock.h"

namespace kyodo::common::paging {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// 0 means kDefaultPageSize, larger than kMaxPageSize is capped, negative is
// INVALID_ARGUMENT naming `field`.
absl::StatusOr<int> EffectivePageSize(int32_t requested,
                                      absl::string_view field = "page_size");

struct PageCursor {
  // Rows with seq > last_seq (for the secondary key, see last_key) follow.
  int64_t last_seq = 0;
  // A sort key for orders other than by seq; "" when unused.
  std::string last_key;
};

class PageTokenCodec {
 public:
  static constexpr absl::Duration kDefaultTtl = absl::Hours(24);

  // `key` is the server secret (at least 16 bytes); tokens are stamped and
  // judged by `clock` and last `ttl`.
  explicit PageTokenCodec(std::string key, const Clock& clock = Clock::Real(),
                          absl::Duration ttl = kDefaultTtl)
      : key_(std::move(key)), clock_(clock), ttl_(ttl) {}

  // `query` describes everything but the page size and token, e.g.
  // "ListPartners|filter=...|show_deleted=0".
  std::string Encode(absl::string_view query, const PageCursor& cursor) const;

  // The cursor of `token`; an empty token is the first page (cursor 0).
  absl::StatusOr<PageCursor> Decode(absl::string_view token,
                                    absl::string_view query) const;

 private:
  std::string Tag(absl::string_view data) const;
  std::string key_;
  const Clock& clock_;
  absl::Duration ttl_;
};

// Finishes a keyset page: `rows` were fetched with LIMIT page_size + 1 and
// have a `seq` member. Drops the extra row and returns the token of the next
// page, or "" when this page is the last.
template <typename Row, typename SeqOf>
std::string FinishPage(std::vector<Row>& rows, int page_size,
                       const PageTokenCodec& codec, absl::string_view query,
                       SeqOf seq_of) {
  if (static_cast<int>(rows.size()) <= page_size) return "";
  rows.resize(page_size);
  return codec.Encode(query, PageCursor{seq_of(rows.back()), ""});
}
template <typename Row>
std::string FinishPage(std::vector<Row>& rows, int page_size,
                       const PageTokenCodec& codec, absl::string_view query) {
  return FinishPage(rows, page_size, codec, query,
                    [](const Row& row) { return row.seq; });
}

}  // namespace kyodo::common::paging

#endif  // KYODO_COMMON_PAGING_PAGE_TOKEN_H_
