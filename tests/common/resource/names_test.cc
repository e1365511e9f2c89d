// Resource names and ids.
#include "common/resource/names.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/status_util.h"

namespace kyodo::common {
namespace {

using ::kyodo::common::testing::BadRequestField;
using ::testing::ElementsAre;

constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

TEST(NewIdTest, FormatAndUniqueness) {
  constexpr int kIds = 10000;
  std::set<std::string> ids;
  std::set<char> used;
  for (int i = 0; i < kIds; ++i) {
    const std::string id = NewId();
    ASSERT_EQ(id.size(), 12u) << id;
    for (char c : id) {
      ASSERT_NE(std::string(kAlphabet).find(c), std::string::npos) << id;
      used.insert(c);
    }
    EXPECT_TRUE(IsValidId(id)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kIds));
  // 120000 random characters cover the whole base32 alphabet.
  EXPECT_EQ(used.size(), 32u);
}

TEST(IsValidIdTest, Rules) {
  EXPECT_TRUE(IsValidId("a"));
  EXPECT_TRUE(IsValidId("abc-123"));
  EXPECT_TRUE(IsValidId("0abc"));
  EXPECT_TRUE(IsValidId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidId("-abc"));
  EXPECT_FALSE(IsValidId("ABC"));
  EXPECT_FALSE(IsValidId("a_b"));
  EXPECT_FALSE(IsValidId("a.b"));
  EXPECT_FALSE(IsValidId("a/b"));
  EXPECT_FALSE(IsValidId("a b"));
  EXPECT_FALSE(IsValidId("\xE3\x81\x82"));
}

void ExpectBadName(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(BadRequestField(status), field);
}

TEST(ParseNameTest, ReturnsTheId) {
  auto id = ParseName("name", "partners/abc123", "partners");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "abc123");
}

TEST(ParseNameTest, Errors) {
  auto empty = ParseName("partner.parent", "", "partners");
  ExpectBadName(empty.status(), "partner.parent");
  EXPECT_EQ(ErrorReason(empty.status()), "FIELD_REQUIRED");
  for (const char* bad :
       {"agreements/abc", "partners/", "partners", "/abc", "partners/abc/def",
        "partners/ABC", "partners/-abc", "partners//abc", "Partners/abc",
        "partners/abc/", " partners/abc", "abc"}) {
    SCOPED_TRACE(bad);
    auto id = ParseName("name", bad, "partners");
    ExpectBadName(id.status(), "name");
    EXPECT_EQ(ErrorReason(id.status()), "INVALID_FIELD");
  }
}

TEST(ParseNestedNameTest, ReturnsEveryId) {
  auto ids = ParseNestedName("name", "programmes/p1/calls/c-2",
                             "programmes/*/calls/*");
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre("p1", "c-2"));
}

TEST(ParseNestedNameTest, Errors) {
  for (const char* bad : {"programmes/p1/rounds/c2", "programmes/p1/calls",
                          "programmes/p1", "programmes/p1/calls/c2/x",
                          "calls/c2/programmes/p1", "programmes/P1/calls/c2"}) {
    SCOPED_TRACE(bad);
    ExpectBadName(
        ParseNestedName("parent", bad, "programmes/*/calls/*").status(),
        "parent");
  }
  ExpectBadName(ParseNestedName("parent", "", "programmes/*").status(),
                "parent");
}

}  // namespace
}  // namespace kyodo::common
