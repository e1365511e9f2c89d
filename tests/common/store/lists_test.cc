// Child rows aggregated into one column of their parent's row
// (common/store/lists.h).
#include "common/store/lists.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "common/db/pool.h"
#include "gtest/gtest.h"
#include "tests/testing/log_capture.h"

namespace kyodo::common::store {
namespace {

const StoredAt kAt{"reviewers", "m1", "reviewer_conflicts"};

db::Row RowOf(std::optional<std::string> cell) {
  return db::Row({std::move(cell)});
}

TEST(ReadListTest, ItemsInOrderWithTheirFields) {
  auto items = ReadList(RowOf("a:1,b:2:6869,c:3"), 0, 2, 3, kAt);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[0], (std::vector<std::string>{"a", "1"}));
  EXPECT_EQ((*items)[1], (std::vector<std::string>{"b", "2", "6869"}));
  EXPECT_EQ((*items)[2], (std::vector<std::string>{"c", "3"}));
  // NULL: no child rows.
  auto none = ReadList(RowOf(std::nullopt), 0, 1, 1, kAt);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto numbers = ReadNumberList(RowOf("6,1,4"), 0, kAt);
  ASSERT_TRUE(numbers.ok()) << numbers.status();
  EXPECT_EQ(*numbers, (std::vector<int64_t>{6, 1, 4}));
}

TEST(ReadListTest, WhatDoesNotParseIsDataLoss) {
  kyodo::testing::LogCapture log;
  EXPECT_EQ(ReadList(RowOf("a:1,b"), 0, 2, 2, kAt).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReadList(RowOf("a:1:2:3"), 0, 2, 3, kAt).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReadNumberList(RowOf("1,x"), 0, kAt).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReadNumberList(RowOf(""), 0, kAt).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_TRUE(
      log.LoggedBadStoredValue("reviewers", "m1", "reviewer_conflicts"));
}

// MariaDB cuts a GROUP_CONCAT at the session's limit with a warning only
// (SessionTest.GroupConcatIsCutAtTheSessionLimit): a value that long is
// taken for cut, never for the whole list.
TEST(ReadListTest, AValueAsLongAsTheLimitIsDataLoss) {
  kyodo::testing::LogCapture log;
  std::string cut(static_cast<size_t>(db::kGroupConcatMaxLen), '1');
  EXPECT_EQ(ReadList(RowOf(cut), 0, 1, 1, kAt).status().code(),
            absl::StatusCode::kDataLoss);
  cut.pop_back();
  EXPECT_TRUE(ReadList(RowOf(cut), 0, 1, 1, kAt).ok());
}

TEST(UnhexTest, TextRoundTripsThroughHex) {
  const std::string note = "理事: 会計, 監事 😀\n";
  auto back = Unhex(absl::BytesToHexString(note), kAt);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, note);
  auto empty = Unhex("", kAt);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
  kyodo::testing::LogCapture log;
  EXPECT_EQ(Unhex("ABC", kAt).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Unhex("ZZ", kAt).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace kyodo::common::store
