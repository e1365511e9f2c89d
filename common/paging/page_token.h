// Pagination (AIP-158): page sizes and opaque, signed page tokens.
//
// A token carries the keyset cursor (the last row's sequence number, and an
// optional sort key) plus a fingerprint of the query it belongs to, sealed
// with HMAC-SHA256 under a server key. A token that was altered, made up, or
// issued for another query (different filter, show_deleted, parent or
// method) is refused with INVALID_ARGUMENT naming `page_token`. Tokens do not
// expire: a keyset cursor stays meaningful as rows come and go.
#ifndef KYODO_COMMON_PAGING_PAGE_TOKEN_H_
#define KYODO_COMMON_PAGING_PAGE_TOKEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

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
  // `key` is the server secret (at least 16 bytes).
  explicit PageTokenCodec(std::string key) : key_(std::move(key)) {}

  // `query` describes everything but the page size and token, e.g.
  // "ListPartners|filter=...|show_deleted=0".
  std::string Encode(absl::string_view query, const PageCursor& cursor) const;

  // The cursor of `token`; an empty token is the first page (cursor 0).
  absl::StatusOr<PageCursor> Decode(absl::string_view token,
                                    absl::string_view query) const;

 private:
  std::string Tag(absl::string_view data) const;
  std::string key_;
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
