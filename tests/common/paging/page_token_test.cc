// Page sizes and signed page tokens.
#include "common/paging/page_token.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "common/status/errors.h"
#include "common/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/status_util.h"

namespace kyodo::common::paging {
namespace {

using ::kyodo::common::testing::BadRequestField;

constexpr char kKey[] = "page-token-key-0123456789";
constexpr char kQuery[] =
    "ListPartners|filter=kind = CIVIC_GROUP|show_deleted=0";

void ExpectBadToken(const absl::StatusOr<PageCursor>& cursor) {
  ASSERT_FALSE(cursor.ok()) << "accepted, cursor " << cursor->last_seq;
  EXPECT_EQ(cursor.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadRequestField(cursor.status()), "page_token");
  EXPECT_EQ(ErrorReason(cursor.status()), "INVALID_PAGE_TOKEN");
}

TEST(PageTokenTest, RoundTrip) {
  PageTokenCodec codec(kKey);
  for (const PageCursor& in :
       {PageCursor{1, ""}, PageCursor{42, "2026-04-01|abc"},
        PageCursor{std::numeric_limits<int64_t>::max(), ""},
        PageCursor{-5, std::string("\0\xff key", 6)},
        PageCursor{0, "\xE5\xB7\x9D\xE5\xB4\x8E"}}) {
    const std::string token = codec.Encode(kQuery, in);
    // URL-safe text.
    EXPECT_EQ(token.find_first_of("+/ "), std::string::npos) << token;
    auto out = codec.Decode(token, kQuery);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->last_seq, in.last_seq);
    EXPECT_EQ(out->last_key, in.last_key);
  }
}

TEST(PageTokenTest, EmptyTokenIsTheFirstPage) {
  auto cursor = PageTokenCodec(kKey).Decode("", kQuery);
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->last_seq, 0);
  EXPECT_EQ(cursor->last_key, "");
}

TEST(PageTokenTest, EveryTamperedByteIsRefused) {
  PageTokenCodec codec(kKey);
  const std::string token = codec.Encode(kQuery, PageCursor{1234, "k"});
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  for (size_t i = 0; i < raw.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80}) {
      std::string changed = raw;
      changed[i] = static_cast<char>(changed[i] ^ mask);
      SCOPED_TRACE(::testing::Message()
                   << "byte " << i << " mask " << int{mask});
      ExpectBadToken(codec.Decode(absl::WebSafeBase64Escape(changed), kQuery));
    }
  }
}

TEST(PageTokenTest, ChangedCharacterIsRefused) {
  PageTokenCodec codec(kKey);
  const std::string token = codec.Encode(kQuery, PageCursor{99, ""});
  for (size_t i : {size_t{0}, token.size() / 2, token.size() - 2}) {
    std::string changed = token;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    ExpectBadToken(codec.Decode(changed, kQuery));
  }
}

TEST(PageTokenTest, ForgedCursorIsRefused) {
  // Someone who knows the format but not the key writes their own cursor.
  PageTokenCodec codec(kKey);
  const std::string token = codec.Encode(kQuery, PageCursor{10, ""});
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  raw[1 + 8 + 8 + 7] = 0;  // last byte of the seq (after the issue time)
  ExpectBadToken(codec.Decode(absl::WebSafeBase64Escape(raw), kQuery));
}

TEST(PageTokenTest, ForeignTokensAreRefused) {
  PageTokenCodec codec(kKey);
  PageTokenCodec other("another-key-9876543210xyz");
  const std::string token = other.Encode(kQuery, PageCursor{5, ""});
  ExpectBadToken(codec.Decode(token, kQuery));

  // Same key, another query (filter, show_deleted, method...).
  const std::string mine = codec.Encode(kQuery, PageCursor{5, ""});
  for (const char* query :
       {"ListPartners|filter=kind = CIVIC_GROUP|show_deleted=1",
        "ListPartners|filter=|show_deleted=0",
        "ListAgreements|filter=kind = CIVIC_GROUP|show_deleted=0", ""}) {
    auto cursor = codec.Decode(mine, query);
    ExpectBadToken(cursor);
    EXPECT_THAT(std::string(cursor.status().message()),
                ::testing::HasSubstr("different query"));
  }
  EXPECT_TRUE(codec.Decode(mine, kQuery).ok());
}

TEST(PageTokenTest, GarbageIsRefused) {
  PageTokenCodec codec(kKey);
  const std::string good = codec.Encode(kQuery, PageCursor{5, ""});
  for (const std::string& garbage :
       {std::string("x"), std::string("!!!!"), std::string("abc def"),
        std::string("AAAA"), absl::WebSafeBase64Escape(std::string(32, '\1')),
        absl::WebSafeBase64Escape(std::string(60, '\1')),
        good.substr(0, good.size() - 4), good + "AAAA",
        std::string("\xff\xfe")}) {
    SCOPED_TRACE(garbage);
    ExpectBadToken(codec.Decode(garbage, kQuery));
  }
}

TEST(PageTokenTest, TokensExpireAfterTheirTtl) {
  // Issued at t0 by a clock that only moves when told: usable up to t0 + 24h
  // inclusive, refused after, naming page_token (issue 13).
  const absl::Time t0 = absl::FromUnixSeconds(1780000000);
  FakeClock clock(t0);
  PageTokenCodec codec(kKey, clock);
  EXPECT_EQ(PageTokenCodec::kDefaultTtl, absl::Hours(24));
  const std::string token = codec.Encode(kQuery, PageCursor{77, "k"});
  clock.Set(t0 + absl::Hours(24));
  auto fresh = codec.Decode(token, kQuery);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->last_seq, 77);
  clock.Set(t0 + absl::Hours(24) + absl::Seconds(1));
  auto expired = codec.Decode(token, kQuery);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadRequestField(expired.status()), "page_token");
  EXPECT_EQ(ErrorReason(expired.status()), "PAGE_TOKEN_EXPIRED");
  // A token issued now is good again.
  EXPECT_TRUE(
      codec.Decode(codec.Encode(kQuery, PageCursor{77, ""}), kQuery).ok());

  // A shorter configured lifetime.
  PageTokenCodec short_lived(kKey, clock, absl::Minutes(5));
  const std::string brief = short_lived.Encode(kQuery, PageCursor{1, ""});
  clock.Advance(absl::Minutes(5) + absl::Seconds(1));
  EXPECT_EQ(ErrorReason(short_lived.Decode(brief, kQuery).status()),
            "PAGE_TOKEN_EXPIRED");
}

TEST(PageTokenTest, EffectivePageSize) {
  EXPECT_EQ(*EffectivePageSize(0), kDefaultPageSize);
  EXPECT_EQ(kDefaultPageSize, 50);
  EXPECT_EQ(*EffectivePageSize(1), 1);
  EXPECT_EQ(*EffectivePageSize(50), 50);
  EXPECT_EQ(*EffectivePageSize(500), 500);
  EXPECT_EQ(*EffectivePageSize(501), 500);
  EXPECT_EQ(*EffectivePageSize(std::numeric_limits<int32_t>::max()), 500);
  for (int32_t negative : {-1, std::numeric_limits<int32_t>::min()}) {
    auto size = EffectivePageSize(negative);
    EXPECT_EQ(size.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(BadRequestField(size.status()), "page_size");
  }
  EXPECT_EQ(BadRequestField(EffectivePageSize(-3, "max_results").status()),
            "max_results");
}

struct Item {
  int64_t seq;
  std::string label;
};

TEST(FinishPageTest, DropsTheExtraRowAndPointsAfterTheLastKept) {
  PageTokenCodec codec(kKey);
  std::vector<Item> rows = {{3, "a"}, {7, "b"}, {9, "c"}, {12, "d"}};
  const std::string token = FinishPage(rows, 3, codec, kQuery);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows.back().seq, 9);
  ASSERT_FALSE(token.empty());
  auto cursor = codec.Decode(token, kQuery);
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->last_seq, 9);
}

TEST(FinishPageTest, LastPageHasNoToken) {
  PageTokenCodec codec(kKey);
  std::vector<Item> exact = {{1, "a"}, {2, "b"}, {3, "c"}};
  EXPECT_EQ(FinishPage(exact, 3, codec, kQuery), "");
  EXPECT_EQ(exact.size(), 3u);
  std::vector<Item> none;
  EXPECT_EQ(FinishPage(none, 3, codec, kQuery), "");
}

TEST(FinishPageTest, CustomSequence) {
  PageTokenCodec codec(kKey);
  std::vector<std::pair<int, int64_t>> rows = {{0, 100}, {1, 200}, {2, 300}};
  const std::string token =
      FinishPage(rows, 2, codec, kQuery,
                 [](const std::pair<int, int64_t>& row) { return row.second; });
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(codec.Decode(token, kQuery)->last_seq, 200);
}

}  // namespace
}  // namespace kyodo::common::paging
