#include "tests/testing/schema_checks.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/session.h"
#include "gtest/gtest.h"

namespace kyodo::testing {

void ExpectRefused(const TestDatabase& db, const std::vector<BadRow>& bad) {
  auto pool = db.NewPool(1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(session.ok()) << session.status();
  for (const BadRow& b : bad) {
    absl::Status status = (*session)->ExecUnprepared(b.sql);
    EXPECT_EQ(common::db::MySqlErrorNumber(status), b.error) << b.sql << "\n"
                                                             << status;
  }
}

void ExpectServingReadOnly(const TestDatabase& db,
                           const std::vector<std::string>& tables) {
  auto pool = db.NewServingPool(1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(session.ok()) << session.status();
  for (const std::string& table : tables) {
    EXPECT_TRUE((*session)->Query(absl::StrCat("SELECT * FROM ", table)).ok())
        << table;
    absl::Status denied = (*session)->ExecUnprepared(
        absl::StrCat("DELETE FROM ", table, " WHERE 1 = 0"));
    EXPECT_EQ(common::db::MySqlErrorNumber(denied), 1142) << table << denied;
  }
}

}  // namespace kyodo::testing
