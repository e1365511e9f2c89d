// Session settings and error mapping against the test MariaDB.
#include "common/db/session.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/database.h"
#include "tests/testing/log_capture.h"

namespace kyodo::common::db {
namespace {

using ::kyodo::testing::TestDatabase;

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() : db_("session") {
    PoolOptions options = db_.options();
    options.max_size = 4;
    options.lock_wait_timeout = absl::Seconds(7);
    // Sessions are handed out without a ping, so a dead one shows on its
    // next statement.
    options.ping_after_idle = absl::Hours(1);
    pool_ = *ConnectionPool::Create(options);
  }

  PooledSession Borrow() {
    auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
    EXPECT_TRUE(session.ok()) << session.status();
    return *std::move(session);
  }

  std::string Value(Session& session, absl::string_view sql) {
    auto row = session.QueryOne(sql);
    EXPECT_TRUE(row.ok()) << row.status() << " for " << sql;
    if (!row.ok() || !row->has_value()) return "<none>";
    return (*row)->String(0);
  }

  TestDatabase db_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(SessionTest, SessionSettings) {
  PooledSession s = Borrow();
  EXPECT_EQ(Value(*s, "SELECT @@character_set_connection"), "utf8mb4");
  EXPECT_EQ(Value(*s, "SELECT @@character_set_client"), "utf8mb4");
  EXPECT_EQ(Value(*s, "SELECT @@character_set_results"), "utf8mb4");
  EXPECT_EQ(Value(*s, "SELECT @@collation_connection"), "utf8mb4_bin");
  EXPECT_EQ(Value(*s, "SELECT @@session.time_zone"), "+00:00");
  EXPECT_EQ(Value(*s, "SELECT @@session.tx_isolation"), "READ-COMMITTED");
  EXPECT_EQ(Value(*s, "SELECT @@session.innodb_lock_wait_timeout"), "7");
  EXPECT_EQ(Value(*s, "SELECT @@session.group_concat_max_len"),
            absl::StrCat(kGroupConcatMaxLen));
  EXPECT_THAT(Value(*s, "SELECT @@session.sql_mode"),
              ::testing::HasSubstr("STRICT_ALL_TABLES"));
  EXPECT_EQ(Value(*s, "SELECT DATABASE()"), db_.name());
}

// MariaDB cuts a longer GROUP_CONCAT at the session's limit, with a warning
// only; common/store/lists.h takes a value that long for cut.
TEST_F(SessionTest, GroupConcatIsCutAtTheSessionLimit) {
  PooledSession s = Borrow();
  // 3,000,000 numbers of up to 7 digits and their commas: about 23 MB.
  EXPECT_EQ(Value(*s,
                  "SELECT LENGTH(GROUP_CONCAT(seq)) FROM "
                  "seq_1_to_3000000"),
            absl::StrCat(kGroupConcatMaxLen));
  EXPECT_EQ(Value(*s, "SELECT LENGTH(GROUP_CONCAT(seq)) FROM seq_1_to_1000"),
            "3892");
}

TEST_F(SessionTest, FourByteCharactersRoundTripByteForByte) {
  PooledSession s = Borrow();
  ASSERT_TRUE(s->ExecUnprepared("CREATE TABLE texts (id INT PRIMARY KEY, "
                                "body VARCHAR(100) CHARACTER SET utf8mb4 "
                                "COLLATE utf8mb4_bin NOT NULL)")
                  .ok());
  // 𠮷 (U+20BB7, outside the BMP), an emoji, and はは / ばば.
  const std::string text =
      "\xF0\xA0\xAE\xB7\xE9\x87\x8E\xE5\xAE\xB6 \xF0\x9F\x98\x80";
  ASSERT_TRUE(s->Exec("INSERT INTO texts VALUES (?, ?)", {1, text}).ok());
  ASSERT_TRUE(s->Exec("INSERT INTO texts VALUES (?, ?)",
                      {2, "\xE3\x81\xAF\xE3\x81\xAF"})
                  .ok());
  ASSERT_TRUE(s->Exec("INSERT INTO texts VALUES (?, ?)",
                      {3, "\xE3\x81\xB0\xE3\x81\xB0"})
                  .ok());
  auto row = s->QueryOne(
      "SELECT body, HEX(body), CHAR_LENGTH(body) FROM texts "
      "WHERE id = 1");
  ASSERT_TRUE(row.ok() && row->has_value()) << row.status();
  EXPECT_EQ((*row)->String(0), text);
  EXPECT_EQ((*row)->String(1), "F0A0AEB7E9878EE5AEB620F09F9880");
  EXPECT_EQ((*row)->Int(2).value(), 5);
  // Binary collation: はは and ばば are different values.
  auto count = s->QueryOne("SELECT COUNT(*) FROM texts WHERE body = ?",
                           {"\xE3\x81\xAF\xE3\x81\xAF"});
  ASSERT_TRUE(count.ok() && count->has_value()) << count.status();
  EXPECT_EQ((*count)->Int(0).value(), 1);
}

TEST_F(SessionTest, ParamsAndRows) {
  PooledSession s = Borrow();
  const absl::Time t = absl::FromUnixMicros(1774915200123456);  // 2026-03-31
  auto row = s->QueryOne(
      "SELECT ?, ?, ?, ?, CAST(? AS DATETIME(6)), ?, 'not a number'",
      {Param(nullptr), Param(int64_t{-9007199254740993}), Param(true),
       Param(2.5), Param(t), Param(std::optional<std::string>())});
  ASSERT_TRUE(row.ok() && row->has_value()) << row.status();
  const Row& r = **row;
  ASSERT_EQ(r.size(), 7u);
  EXPECT_TRUE(r.IsNull(0));
  EXPECT_EQ(r.String(0), "");
  EXPECT_EQ(r.OptionalInt(0).value(), std::nullopt);
  EXPECT_EQ(r.OptionalTime(0).value(), std::nullopt);
  EXPECT_EQ(r.Int(1).value(), -9007199254740993);
  EXPECT_EQ(r.OptionalInt(1).value(), -9007199254740993);
  EXPECT_EQ(r.Int(2).value(), 1);
  double d = 0;
  EXPECT_TRUE(absl::SimpleAtod(r.String(3), &d)) << r.String(3);
  EXPECT_EQ(d, 2.5);
  EXPECT_EQ(r.Time(4).value(), t);
  EXPECT_EQ(r.OptionalTime(4).value(), t);
  EXPECT_EQ(r.String(4), "2026-03-31 00:00:00.123456");
  EXPECT_TRUE(r.IsNull(5));
  EXPECT_EQ(FormatDateTime(t), "2026-03-31 00:00:00.123456");
}

// session.h: a value the caller needs is never made up. NULL where a value
// is required, and text of another type, are DATA_LOSS naming the statement
// and column, and logged with them.
TEST_F(SessionTest, CellsThatDoNotParseAreDataLoss) {
  PooledSession s = Borrow();
  auto row = s->QueryOne("SELECT 'p-17', NULL, 'not a number', '2026-13-45'");
  ASSERT_TRUE(row.ok() && row->has_value()) << row.status();
  const Row& r = **row;
  kyodo::testing::LogCapture logs;
  absl::StatusOr<int64_t> null_int = r.Int(1);
  EXPECT_EQ(null_int.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(null_int.status().message()),
              ::testing::AllOf(::testing::HasSubstr("column 1"),
                               ::testing::HasSubstr("p-17"),
                               ::testing::HasSubstr("SELECT 'p-17'")));
  EXPECT_EQ(r.Time(1).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(r.Int(2).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(r.OptionalInt(2).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(r.Time(3).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(r.OptionalTime(3).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(r.OptionalTime(2).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(
      logs.LineWith({"stored value does not parse", "p-17", "not a number"}),
      "");
}

TEST_F(SessionTest, DoublesKeepTheirPrecision) {
  // session.h: each column comes back as text, MariaDB's own rendering, so
  // a DOUBLE must read back as the same number.
  PooledSession s = Borrow();
  ASSERT_TRUE(
      s->ExecUnprepared("CREATE TABLE measures (id INT PRIMARY KEY, v DOUBLE)")
          .ok());
  const double values[] = {1.25e-7, 123456789.123456789, 0.1, -2.5e300};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(
        s->Exec("INSERT INTO measures VALUES (?, ?)", {i, values[i]}).ok());
  }
  auto rows = s->Query("SELECT v FROM measures ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 4u);
  for (int i = 0; i < 4; ++i) {
    double back = 0;
    EXPECT_TRUE(absl::SimpleAtod((*rows)[i].String(0), &back))
        << (*rows)[i].String(0);
    EXPECT_EQ(back, values[i]) << "stored " << values[i] << ", read back \""
                               << (*rows)[i].String(0) << "\"";
  }
}

TEST_F(SessionTest, ExecReturnsChangedRows) {
  PooledSession s = Borrow();
  ASSERT_TRUE(
      s->ExecUnprepared("CREATE TABLE n (id INT PRIMARY KEY, v INT)").ok());
  EXPECT_EQ(*s->Exec("INSERT INTO n VALUES (1, 0), (2, 0), (3, 5)"), 3);
  EXPECT_EQ(*s->Exec("UPDATE n SET v = 5 WHERE v = ?", {0}), 2);
  EXPECT_EQ(*s->Exec("DELETE FROM n WHERE id > ?", {10}), 0);
  auto none = s->QueryOne("SELECT id FROM n WHERE id = ?", {99});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(SessionTest, ErrorsAreMappedWithoutTheMySqlMessage) {
  PooledSession s = Borrow();
  ASSERT_TRUE(s->ExecUnprepared(
                   "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB")
                  .ok());
  ASSERT_TRUE(s->ExecUnprepared(
                   "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, "
                   "FOREIGN KEY (parent_id) REFERENCES parent (id)) "
                   "ENGINE=InnoDB")
                  .ok());
  ASSERT_TRUE(s->Exec("INSERT INTO parent VALUES (1)").ok());

  auto duplicate = s->Exec("INSERT INTO parent VALUES (?)", {1});
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(MySqlErrorNumber(duplicate.status()), 1062);
  EXPECT_THAT(std::string(duplicate.status().message()),
              ::testing::Not(::testing::HasSubstr("PRIMARY")));

  auto orphan = s->Exec("INSERT INTO child VALUES (?, ?)", {1, 42});
  EXPECT_EQ(orphan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(MySqlErrorNumber(orphan.status()), 1452);

  auto in_use = s->Exec("INSERT INTO child VALUES (?, ?)", {2, 1});
  ASSERT_TRUE(in_use.ok());
  auto referenced = s->Exec("DELETE FROM parent WHERE id = ?", {1});
  EXPECT_EQ(referenced.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(MySqlErrorNumber(referenced.status()), 1451);

  auto syntax = s->Query("SELEC secret_column FROM parent");
  EXPECT_EQ(syntax.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(syntax.status().message()),
              ::testing::Not(::testing::HasSubstr("secret_column")));
  EXPECT_FALSE(s->broken());
  // The session is still usable after statement errors.
  EXPECT_EQ(Value(*s, "SELECT 1"), "1");
}

TEST_F(SessionTest, StatementTimeoutIsDeadlineExceeded) {
  PooledSession s = Borrow();
  // A statement that would run for a long time, cut at 0.1 s.
  auto timed_out = s->Query(
      "SET STATEMENT max_statement_time = 0.1, max_recursive_iterations = "
      "1000000000 FOR WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
      "FROM r WHERE n < 1000000000) SELECT COUNT(*) FROM r");
  EXPECT_EQ(timed_out.status().code(), absl::StatusCode::kDeadlineExceeded)
      << timed_out.status();
  EXPECT_EQ(MySqlErrorNumber(timed_out.status()), 1969);
  EXPECT_FALSE(s->broken());
  EXPECT_EQ(Value(*s, "SELECT 1"), "1");
}

TEST_F(SessionTest, ManyDistinctStatementsStayUsable) {
  // More distinct statements than the per-connection cache holds.
  PooledSession s = Borrow();
  for (int i = 0; i < 300; ++i) {
    auto row = s->QueryOne(absl::StrCat("SELECT ? + ", i), {1});
    ASSERT_TRUE(row.ok() && row->has_value()) << row.status();
    ASSERT_EQ((*row)->Int(0).value(), i + 1);
  }
  EXPECT_EQ(Value(*s, "SELECT 1 + 0"), "1");
}

TEST_F(SessionTest, KilledConnectionIsUnavailableAndNeverReconnects) {
  PooledSession victim = Borrow();
  PooledSession killer = Borrow();
  const std::string id = Value(*victim, "SELECT CONNECTION_ID()");
  ASSERT_NE(id, "<none>");
  ASSERT_TRUE(
      killer->ExecUnprepared(absl::StrCat("KILL CONNECTION ", id)).ok());

  auto first = victim->Query("SELECT CONNECTION_ID()");
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable)
      << first.status();
  EXPECT_TRUE(victim->broken());
  // No silent reconnect: the next statement fails too, and unprepared ones.
  auto second = victim->Query("SELECT CONNECTION_ID()");
  EXPECT_FALSE(second.ok());
  EXPECT_FALSE(victim->ExecUnprepared("SELECT 1").ok());
  EXPECT_FALSE(victim->Ping());

  // Returned, the broken session is dropped, not handed out again.
  const int64_t dropped = pool_->Stats().dropped_total;
  { PooledSession release = std::move(victim); }
  EXPECT_EQ(pool_->Stats().dropped_total, dropped + 1);
  PooledSession fresh = Borrow();
  EXPECT_NE(Value(*fresh, "SELECT CONNECTION_ID()"), id);
}

TEST_F(SessionTest, KilledIdleSessionIsPingedAwayAfterAnotherBreaks) {
  // Two idle sessions die. The first is found dead by its statement; after
  // that every idle session is pinged before use, so the second is dropped
  // without a caller ever seeing it fail.
  // The killer is borrowed first and held throughout, so that it is never
  // one of the idle sessions.
  PooledSession killer = Borrow();
  const std::string killer_id = Value(*killer, "SELECT CONNECTION_ID()");
  std::string ids[2];
  {
    PooledSession a = Borrow();
    PooledSession b = Borrow();
    ids[0] = Value(*a, "SELECT CONNECTION_ID()");
    ids[1] = Value(*b, "SELECT CONNECTION_ID()");
  }
  ASSERT_EQ(pool_->Stats().idle, 2);
  for (const std::string& id : ids) {
    ASSERT_NE(id, killer_id);
    ASSERT_TRUE(
        killer->ExecUnprepared(absl::StrCat("KILL CONNECTION ", id)).ok());
  }
  int unavailable = 0;
  for (int i = 0; i < 5; ++i) {
    PooledSession s = Borrow();
    auto row = s->QueryOne("SELECT 1");
    if (!row.ok()) {
      EXPECT_EQ(row.status().code(), absl::StatusCode::kUnavailable);
      ++unavailable;
    }
  }
  EXPECT_LE(unavailable, 1);
  const PoolStats stats = pool_->Stats();
  EXPECT_EQ(stats.in_use, 1);  // the killer
  EXPECT_EQ(stats.dropped_total, 2);
  EXPECT_LE(stats.open, 4);
}

}  // namespace
}  // namespace kyodo::common::db
