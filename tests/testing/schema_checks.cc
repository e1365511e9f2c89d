#include "tests/testing/schema_checks.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/session.h"
#include "common/server/database.h"
#include "google/protobuf/util/message_differencer.h"
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

void MigrateBefore(const TestDatabase& db, common::db::MigrationTrack track,
                   int version) {
  size_t kept = 0;
  while (kept < track.migrations.size() &&
         track.migrations[kept].version < version) {
    ++kept;
  }
  ASSERT_LT(kept, track.migrations.size())
      << track.name << " has no migration " << version;
  ASSERT_EQ(track.migrations[kept].version, version) << track.name;
  track.migrations.resize(kept);
  db.Migrate({common::server::CommonMigrations(), track});
}

std::string Differences(const google::protobuf::Message& a,
                        const google::protobuf::Message& b) {
  std::string report;
  google::protobuf::util::MessageDifferencer d;
  d.ReportDifferencesToString(&report);
  if (d.Compare(a, b)) return "";
  return report.empty() ? "differ" : report;
}

}  // namespace kyodo::testing
