// Calendar dates, fiscal years, the Japan day and the injectable clock.
#include "common/time/date.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "common/time/clock.h"
#include "common/time/offset_file_clock.h"
#include "gtest/gtest.h"
#include "tests/common/status_util.h"

namespace kyodo::common {
namespace {

using ::kyodo::common::testing::BadRequestField;

google::type::Date Date(int year, int month, int day) {
  google::type::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

absl::Time Utc(int y, int m, int d, int hh, int mm, int ss) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss),
                         absl::UTCTimeZone());
}

TEST(ValidateDateTest, RealDatesPass) {
  EXPECT_TRUE(ValidateDate("d", Date(2024, 2, 29)).ok());  // leap year
  EXPECT_TRUE(ValidateDate("d", Date(2000, 2, 29)).ok());  // 400-year rule
  EXPECT_TRUE(ValidateDate("d", Date(2026, 12, 31)).ok());
  EXPECT_TRUE(ValidateDate("d", Date(1900, 1, 1)).ok());
  EXPECT_TRUE(ValidateDate("d", Date(9999, 12, 31)).ok());
}

TEST(ValidateDateTest, ImpossibleDatesNameTheField) {
  for (const google::type::Date& d :
       {Date(2025, 2, 29), Date(2100, 2, 29), Date(1900, 2, 29),
        Date(2026, 4, 31), Date(2026, 0, 1), Date(2026, 13, 1),
        Date(2026, 1, 0), Date(2026, 1, 32), Date(2026, -1, 5),
        Date(1899, 12, 31), Date(10000, 1, 1), Date(0, 0, 0)}) {
    SCOPED_TRACE(d.DebugString());
    absl::Status status = ValidateDate("agreement.sign_date", d);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(BadRequestField(status), "agreement.sign_date");
  }
}

TEST(CivilDayTest, RoundTrip) {
  const absl::CivilDay day(2026, 3, 31);
  EXPECT_EQ(ToCivilDay(FromCivilDay(day)), day);
  const google::type::Date d = FromCivilDay(day);
  EXPECT_EQ(d.year(), 2026);
  EXPECT_EQ(d.month(), 3);
  EXPECT_EQ(d.day(), 31);
}

TEST(FiscalYearTest, StartsInApril) {
  EXPECT_EQ(FiscalYearOf(absl::CivilDay(2026, 3, 31)), 2025);
  EXPECT_EQ(FiscalYearOf(absl::CivilDay(2026, 4, 1)), 2026);
  EXPECT_EQ(FiscalYearOf(absl::CivilDay(2026, 1, 1)), 2025);
  EXPECT_EQ(FiscalYearOf(absl::CivilDay(2026, 12, 31)), 2026);
}

TEST(JapanDayTest, AroundMidnight) {
  // Japan is UTC+9: its midnight is 15:00 UTC the day before.
  EXPECT_EQ(JapanDay(Utc(2026, 3, 31, 14, 59, 59)),
            absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(JapanDay(Utc(2026, 3, 31, 15, 0, 0)), absl::CivilDay(2026, 4, 1));
  // Around UTC midnight it is already morning in Japan.
  EXPECT_EQ(JapanDay(Utc(2026, 3, 31, 23, 59, 59)), absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(JapanDay(Utc(2026, 4, 1, 0, 0, 0)), absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(JapanDay(Utc(2026, 3, 31, 0, 0, 0)), absl::CivilDay(2026, 3, 31));
  // The fiscal year turns at Japan's midnight, not UTC's.
  EXPECT_EQ(FiscalYearOf(JapanDay(Utc(2026, 3, 31, 14, 59, 59))), 2025);
  EXPECT_EQ(FiscalYearOf(JapanDay(Utc(2026, 3, 31, 15, 0, 0))), 2026);
  // No daylight saving: summer and winter offsets are the same.
  EXPECT_EQ(JapanDay(Utc(2026, 7, 1, 15, 0, 0)), absl::CivilDay(2026, 7, 2));
  EXPECT_EQ(JapanDay(Utc(2026, 12, 31, 15, 0, 0)), absl::CivilDay(2027, 1, 1));
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  const absl::Time start = Utc(2026, 6, 1, 10, 0, 0);
  FakeClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Minutes(90));
  EXPECT_EQ(clock.Now(), start + absl::Minutes(90));
  clock.Set(start - absl::Hours(1));
  EXPECT_EQ(clock.Now(), start - absl::Hours(1));
  clock.Advance(absl::Nanoseconds(1));
  EXPECT_EQ(clock.Now(), start - absl::Hours(1) + absl::Nanoseconds(1));
}

TEST(ClockTest, FakeClockIsSafeAcrossThreads) {
  const absl::Time start = Utc(2026, 6, 1, 10, 0, 0);
  FakeClock clock(start);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        clock.Advance(absl::Microseconds(1));
        EXPECT_GE(clock.Now(), start);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(clock.Now(), start + absl::Microseconds(40000));
}

TEST(ClockTest, RealClockIsNow) {
  const absl::Time before = absl::Now();
  const absl::Time now = Clock::Real().Now();
  const absl::Time after = absl::Now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, after);
  EXPECT_EQ(&Clock::Real(), &Clock::Real());
  // JapanTime is a fixed UTC+9 zone.
  EXPECT_EQ(absl::FormatTime("%H:%M %z", Utc(2026, 1, 1, 0, 0, 0), JapanTime()),
            "09:00 +0900");
}

// The test hook of the services' clock (--test_clock_file): the real time
// plus the duration in the file, read at every reading.
TEST(ClockTest, OffsetFileClockAddsTheFilesDuration) {
  char pattern[] = "/tmp/kyodo-clock.XXXXXX";
  const std::string path = std::string(mkdtemp(pattern)) + "/clock";
  OffsetFileClock clock(path);
  auto within = [&](absl::Duration offset) {
    const absl::Time before = absl::Now() + offset;
    const absl::Time now = clock.Now();
    return now >= before && now <= absl::Now() + offset;
  };
  EXPECT_TRUE(within(absl::ZeroDuration()));  // no file: no offset
  std::ofstream(path) << "10m\n";
  EXPECT_TRUE(within(absl::Minutes(10)));
  std::ofstream(path) << "-1h";
  EXPECT_TRUE(within(absl::Hours(-1)));
  // Not a duration: an error to the service at start, and the last offset
  // kept meanwhile.
  std::ofstream(path) << "soon";
  EXPECT_EQ(clock.ReadOffset().status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(within(absl::Hours(-1)));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kyodo::common
