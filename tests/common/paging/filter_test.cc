// The AIP-160 filter subset: parsing, SQL and parameters, and results on a
// real table.
#include "common/paging/filter.h"

#include <string>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/db/pool.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "tests/common/status_util.h"
#include "tests/testing/database.h"

namespace kyodo::common::paging {
namespace {

using ::kyodo::common::testing::BadRequestField;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kMemberSql[] =
    "EXISTS (SELECT 1 FROM tags t WHERE t.item_seq = p.seq AND t.tag = ?)";

std::vector<FilterField> Fields() {
  std::vector<FilterField> fields(8);
  fields[0] = {"display_name", "p.display_name", FilterType::kString};
  fields[1] = {"kind", "p.kind", FilterType::kEnum,
               kyodo::partner::v1::PartnerKind_descriptor()};
  fields[2] = {"size", "p.size", FilterType::kInt};
  fields[3] = {"create_time", "p.create_time", FilterType::kTimestamp};
  fields[4] = {"active", "p.active", FilterType::kBool};
  fields[5] = {"note", "p.note", FilterType::kString};
  fields[6] = {"parent", "p.parent_id", FilterType::kString};
  fields[6].convert =
      [](absl::string_view name) -> absl::StatusOr<std::string> {
    if (!absl::StartsWith(name, "partners/")) {
      return absl::InvalidArgumentError("must be a partner name");
    }
    return std::string(name.substr(9));
  };
  fields[7] = {"member", "", FilterType::kMember};
  fields[7].member_sql = kMemberSql;
  return fields;
}

// Parameters as text, to compare in one go.
std::string Show(const db::Param& p) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "bool:true" : "bool:false";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return absl::StrCat("int:", v);
        } else if constexpr (std::is_same_v<T, double>) {
          return absl::StrCat("double:", v);
        } else {
          return absl::StrCat("str:", v);
        }
      },
      p.value());
}

std::vector<std::string> Params(const SqlFilter& f) {
  std::vector<std::string> out;
  for (const db::Param& p : f.params) out.push_back(Show(p));
  return out;
}

SqlFilter MustParse(absl::string_view filter) {
  auto parsed = ParseFilter(filter, Fields());
  EXPECT_TRUE(parsed.ok()) << filter << ": " << parsed.status();
  return parsed.ok() ? *parsed : SqlFilter{"<error>", {}};
}

void ExpectBadFilter(absl::string_view filter,
                     absl::string_view message_part = "") {
  SCOPED_TRACE(filter);
  auto parsed = ParseFilter(filter, Fields());
  ASSERT_FALSE(parsed.ok()) << "accepted: " << parsed->sql;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadRequestField(parsed.status()), "filter");
  EXPECT_EQ(ErrorReason(parsed.status()), "INVALID_FILTER");
  if (!message_part.empty()) {
    EXPECT_THAT(std::string(parsed.status().message()),
                HasSubstr(std::string(message_part)));
  }
}

TEST(FilterTest, EmptyFilterAddsNothing) {
  for (const char* empty : {"", "   ", "\t\n"}) {
    SqlFilter f = MustParse(empty);
    EXPECT_EQ(f.sql, "");
    EXPECT_TRUE(f.params.empty());
  }
}

TEST(FilterTest, StringOperators) {
  SqlFilter eq = MustParse("display_name = hello");
  EXPECT_EQ(eq.sql, " AND p.display_name = ?");
  EXPECT_THAT(Params(eq), ElementsAre("str:hello"));

  SqlFilter ne = MustParse("display_name != hello");
  EXPECT_EQ(ne.sql, " AND NOT (p.display_name <=> ?)");  // null-safe
  EXPECT_THAT(Params(ne), ElementsAre("str:hello"));

  SqlFilter has = MustParse("display_name : \"50%_off\\\\\"");
  EXPECT_EQ(has.sql, " AND p.display_name LIKE ? ESCAPE '\\\\'");
  EXPECT_THAT(Params(has), ElementsAre("str:%50\\%\\_off\\\\%"));

  ExpectBadFilter("display_name < b", "does not support <");
  ExpectBadFilter("display_name > b");
}

TEST(FilterTest, EnumOperators) {
  EXPECT_EQ(MustParse("kind = CIVIC_GROUP").sql, " AND p.kind = ?");
  EXPECT_THAT(Params(MustParse("kind = CIVIC_GROUP")),
              ElementsAre("str:CIVIC_GROUP"));
  EXPECT_EQ(MustParse("kind != COMPANY").sql, " AND NOT (p.kind <=> ?)");
  ExpectBadFilter("kind : CIVIC", "does not support :");
  ExpectBadFilter("kind < COMPANY");
  ExpectBadFilter("kind = civic_group", "CIVIC_GROUP");  // lists the values
  ExpectBadFilter("kind = GOVERNMENT");
  // Without an enum descriptor, any name passes through.
  std::vector<FilterField> loose = {{"kind", "k", FilterType::kEnum}};
  EXPECT_TRUE(ParseFilter("kind = ANYTHING", loose).ok());
}

TEST(FilterTest, IntOperators) {
  EXPECT_EQ(MustParse("size = 5").sql, " AND p.size = ?");
  EXPECT_EQ(MustParse("size != 5").sql, " AND NOT (p.size <=> ?)");
  EXPECT_EQ(MustParse("size < 5").sql, " AND p.size < ?");
  EXPECT_EQ(MustParse("size > -5").sql, " AND p.size > ?");
  EXPECT_THAT(Params(MustParse("size > -5")), ElementsAre("int:-5"));
  EXPECT_THAT(Params(MustParse("size = 9223372036854775807")),
              ElementsAre("int:9223372036854775807"));
  ExpectBadFilter("size : 5");
  ExpectBadFilter("size = five", "integer");
  ExpectBadFilter("size = 1.5");
  ExpectBadFilter("size = 9223372036854775808");
}

TEST(FilterTest, TimestampOperators) {
  SqlFilter f = MustParse("create_time < \"2026-04-01T00:00:00+09:00\"");
  EXPECT_EQ(f.sql, " AND p.create_time < ?");
  // Bound in UTC, the sessions' zone.
  EXPECT_THAT(Params(f), ElementsAre("str:2026-03-31 15:00:00.000000"));
  EXPECT_THAT(Params(MustParse("create_time > 2026-04-01T00:00:00.5Z")),
              ElementsAre("str:2026-04-01 00:00:00.500000"));
  EXPECT_EQ(MustParse("create_time != 2026-04-01T00:00:00Z").sql,
            " AND NOT (p.create_time <=> ?)");
  ExpectBadFilter("create_time : 2026", "does not support :");
  ExpectBadFilter("create_time = yesterday", "RFC 3339");
  ExpectBadFilter("create_time = 2026-04-01");
  ExpectBadFilter("create_time = \"2026-02-30T00:00:00Z\"");
}

TEST(FilterTest, BoolOperators) {
  EXPECT_THAT(Params(MustParse("active = true")), ElementsAre("bool:true"));
  EXPECT_THAT(Params(MustParse("active != false")), ElementsAre("bool:false"));
  EXPECT_EQ(MustParse("active != false").sql, " AND NOT (p.active <=> ?)");
  ExpectBadFilter("active = yes", "true or false");
  ExpectBadFilter("active = TRUE");
  ExpectBadFilter("active < true");
  ExpectBadFilter("active : true");
}

TEST(FilterTest, MemberOperators) {
  SqlFilter in = MustParse("member = green");
  EXPECT_EQ(in.sql, absl::StrCat(" AND ", kMemberSql));
  EXPECT_THAT(Params(in), ElementsAre("str:green"));
  SqlFilter out = MustParse("member != green");
  EXPECT_EQ(out.sql, absl::StrCat(" AND NOT ", kMemberSql));
  ExpectBadFilter("member : green");
  ExpectBadFilter("member > green");
}

TEST(FilterTest, AndChainsKeepOrder) {
  SqlFilter f = MustParse(
      "kind = COMPANY AND size > 3 AND display_name : x AND active = false");
  EXPECT_EQ(f.sql,
            " AND p.kind = ? AND p.size > ? AND p.display_name LIKE ? ESCAPE "
            "'\\\\' AND p.active = ?");
  EXPECT_THAT(Params(f),
              ElementsAre("str:COMPANY", "int:3", "str:%x%", "bool:false"));
  // Spacing is free.
  EXPECT_EQ(MustParse("size>3    AND\tsize<9").sql,
            " AND p.size > ? AND p.size < ?");
}

TEST(FilterTest, QuotedValues) {
  EXPECT_THAT(Params(MustParse("display_name = \"hello world\"")),
              ElementsAre("str:hello world"));
  EXPECT_THAT(Params(MustParse(R"(display_name = "say \"hi\"")")),
              ElementsAre("str:say \"hi\""));
  EXPECT_THAT(Params(MustParse(R"(display_name = "back\\slash")")),
              ElementsAre("str:back\\slash"));
  EXPECT_THAT(Params(MustParse(R"(display_name = "")")), ElementsAre("str:"));
  EXPECT_THAT(Params(MustParse("display_name = \"AND size = 1\"")),
              ElementsAre("str:AND size = 1"));
  // A bare word may be any non-space text, Japanese included.
  EXPECT_THAT(Params(MustParse("display_name = \xE6\xA3\xAE")),
              ElementsAre("str:\xE6\xA3\xAE"));
}

TEST(FilterTest, SqlMetacharactersOnlyReachParameters) {
  const std::string evil = "x'; DROP TABLE items; -- \\\" `";
  SqlFilter f = MustParse(absl::StrCat(
      "display_name = \"x'; DROP TABLE items; -- \\\\\\\" `\" AND note : "
      "\"') OR 1=1 --\""));
  EXPECT_EQ(f.sql, " AND p.display_name = ? AND p.note LIKE ? ESCAPE '\\\\'");
  EXPECT_THAT(Params(f),
              ElementsAre(absl::StrCat("str:", evil), "str:%') OR 1=1 --%"));
}

TEST(FilterTest, ConvertedValues) {
  EXPECT_THAT(Params(MustParse("parent = partners/abc")),
              ElementsAre("str:abc"));
  ExpectBadFilter("parent = abc", "parent");
}

TEST(FilterTest, Errors) {
  ExpectBadFilter("colour = red", "colour");
  ExpectBadFilter("colour = red", "display_name");  // lists the fields
  ExpectBadFilter("size = 1 OR size = 2", "OR");
  ExpectBadFilter("size = 1 AND", "field name");
  ExpectBadFilter("size = 1 and size = 2");
  ExpectBadFilter("size = 1 ANDsize = 2");
  ExpectBadFilter("NOT size = 1");
  ExpectBadFilter("(size = 1)");
  ExpectBadFilter("size = (1)");
  ExpectBadFilter("display_name = \"abc", "not closed");
  ExpectBadFilter("display_name = \"abc\\\"", "not closed");
  ExpectBadFilter("display_name = \"abc\\", "not closed");
  ExpectBadFilter("display_name = \"a\\nb\"", "escaped");
  ExpectBadFilter("display_name = \"a\"b");
  ExpectBadFilter("display_name =", "value");
  ExpectBadFilter("display_name", "one of");
  ExpectBadFilter("display_name == x");
  ExpectBadFilter("display_name <= x");
  ExpectBadFilter("= x", "field name");
  ExpectBadFilter("Display_Name = x");
  ExpectBadFilter("size = 1 size = 2", "AND");
}

TEST(FilterTest, AtMostTwentyTerms) {
  std::vector<std::string> terms(20, "size > 1");
  EXPECT_TRUE(ParseFilter(absl::StrJoin(terms, " AND "), Fields()).ok());
  terms.push_back("size > 1");
  ExpectBadFilter(absl::StrJoin(terms, " AND "), "too many");
}

class FilterDatabaseTest : public ::testing::Test {
 protected:
  FilterDatabaseTest() : db_("filter") {
    db_.Exec(
        "CREATE TABLE items (seq BIGINT PRIMARY KEY, display_name VARCHAR(100) "
        "NOT NULL, kind VARCHAR(40) NOT NULL, size INT NOT NULL, create_time "
        "DATETIME(6) NOT NULL, active BOOLEAN NOT NULL, note VARCHAR(40) NULL, "
        "parent_id VARCHAR(40) NULL)");
    db_.Exec("CREATE TABLE tags (item_seq BIGINT NOT NULL, tag VARCHAR(20))");
    db_.Exec(
        "INSERT INTO items VALUES "
        "(1, '\xE6\xA3\xAE\xE3\x81\xAE\xE4\xBC\x9A', 'CIVIC_GROUP', 10, "
        "'2026-03-31 14:00:00', 1, NULL, NULL),"
        "(2, '100% Natural', 'COMPANY', 20, '2026-03-31 15:00:00', 0, 'x', "
        "'abc'),"
        "(3, 'snake_case club', 'UNIVERSITY', 30, '2026-04-02 00:00:00', 1, "
        "'y', 'abc'),"
        "(4, 'back\\\\slash \"quoted\"', 'CIVIC_GROUP', 40, '2026-05-01 "
        "00:00:00', 0, 'x', NULL),"
        "(5, 'x''; DROP TABLE items; --', 'COMPANY', 50, '2026-06-01 "
        "00:00:00', 1, NULL, 'def')");
    db_.Exec("INSERT INTO tags VALUES (1, 'green'), (3, 'green'), (3, 'blue')");
    pool_ = db_.NewPool(2);
  }

  std::vector<int64_t> Select(absl::string_view filter) {
    auto parsed = ParseFilter(filter, Fields());
    EXPECT_TRUE(parsed.ok()) << filter << ": " << parsed.status();
    if (!parsed.ok()) return {-1};
    auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
    EXPECT_TRUE(session.ok()) << session.status();
    auto rows =
        (*session)->Query(absl::StrCat("SELECT p.seq FROM items p WHERE TRUE",
                                       parsed->sql, " ORDER BY p.seq"),
                          parsed->params);
    EXPECT_TRUE(rows.ok()) << filter << ": " << rows.status();
    if (!rows.ok()) return {-2};
    std::vector<int64_t> seqs;
    for (const db::Row& row : *rows) seqs.push_back(row.Int(0).value());
    return seqs;
  }

  ::kyodo::testing::TestDatabase db_;
  std::unique_ptr<db::ConnectionPool> pool_;
};

TEST_F(FilterDatabaseTest, ResultsAreRight) {
  EXPECT_THAT(Select(""), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(Select("kind = CIVIC_GROUP"), ElementsAre(1, 4));
  EXPECT_THAT(Select("kind != CIVIC_GROUP"), ElementsAre(2, 3, 5));
  EXPECT_THAT(Select("size > 20 AND size < 50"), ElementsAre(3, 4));
  EXPECT_THAT(Select("size = 30"), ElementsAre(3));
  EXPECT_THAT(Select("active = true"), ElementsAre(1, 3, 5));
  EXPECT_THAT(Select("active = false AND kind = CIVIC_GROUP"), ElementsAre(4));
  EXPECT_THAT(Select("member = green"), ElementsAre(1, 3));
  EXPECT_THAT(Select("member != green"), ElementsAre(2, 4, 5));
  EXPECT_THAT(Select("member = blue AND member = green"), ElementsAre(3));
  EXPECT_THAT(Select("parent = partners/abc"), ElementsAre(2, 3));
  EXPECT_THAT(Select("display_name : \xE6\xA3\xAE"), ElementsAre(1));
  EXPECT_THAT(Select("display_name : CLUB"), ElementsAre());  // binary
}

TEST_F(FilterDatabaseTest, TimesCompareInUtc) {
  // Row 1 is 2026-03-31 23:00 in Japan, row 2 exactly midnight April 1st.
  EXPECT_THAT(Select("create_time < \"2026-04-01T00:00:00+09:00\""),
              ElementsAre(1));
  EXPECT_THAT(Select("create_time = \"2026-04-01T00:00:00+09:00\""),
              ElementsAre(2));
  EXPECT_THAT(Select("create_time > 2026-03-31T15:00:00Z AND "
                     "create_time < 2026-05-01T00:00:00Z"),
              ElementsAre(3));
}

TEST_F(FilterDatabaseTest, NotEqualIncludesNulls) {
  EXPECT_THAT(Select("note = x"), ElementsAre(2, 4));
  EXPECT_THAT(Select("note != x"), ElementsAre(1, 3, 5));
  EXPECT_THAT(Select("parent != partners/abc"), ElementsAre(1, 4, 5));
}

TEST_F(FilterDatabaseTest, LikeWildcardsAreLiteral) {
  EXPECT_THAT(Select("display_name : \"%\""), ElementsAre(2));
  EXPECT_THAT(Select("display_name : _"), ElementsAre(3));
  EXPECT_THAT(Select("display_name : \"0% N\""), ElementsAre(2));
  EXPECT_THAT(Select(R"(display_name : "\\")"), ElementsAre(4));
  EXPECT_THAT(Select(R"(display_name : "\"quoted\"")"), ElementsAre(4));
  EXPECT_THAT(Select("display_name : e_c"), ElementsAre(3));
  EXPECT_THAT(Select("display_name : n_k"), ElementsAre());  // not "nak"
}

TEST_F(FilterDatabaseTest, InjectionIsJustAValue) {
  EXPECT_THAT(Select(R"(display_name = "x'; DROP TABLE items; --")"),
              ElementsAre(5));
  EXPECT_THAT(Select(R"(display_name = "' OR '1'='1")"), ElementsAre());
  EXPECT_THAT(Select(R"(note : "' OR 1=1 -- ")"), ElementsAre());
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM items"), "5");
}

}  // namespace
}  // namespace kyodo::common::paging
