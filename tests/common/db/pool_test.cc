// ConnectionPool against the test MariaDB: bounds under contention, fast
// refusal when too many wait, deadlines.
#include "common/db/pool.h"

#include <atomic>
#include <latch>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/database.h"

namespace kyodo::common::db {
namespace {

using ::kyodo::testing::TestDatabase;

std::unique_ptr<ConnectionPool> MakePool(const TestDatabase& db, int max_size,
                                         int max_waiters,
                                         absl::Duration max_wait) {
  PoolOptions options = db.options();
  options.max_size = max_size;
  options.max_waiters = max_waiters;
  options.max_wait = max_wait;
  auto pool = ConnectionPool::Create(options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? *std::move(pool) : nullptr;
}

// Waits (bounded) until `pred` holds for the pool's stats.
template <typename Pred>
bool PollStats(const ConnectionPool& pool, Pred pred) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (absl::Now() < give_up) {
    if (pred(pool.Stats())) return true;
    std::this_thread::yield();
  }
  return pred(pool.Stats());
}

TEST(PoolTest, CreateRejectsBadOptions) {
  PoolOptions options;
  options.max_size = 0;
  EXPECT_EQ(ConnectionPool::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = PoolOptions();
  options.max_waiters = -1;
  EXPECT_EQ(ConnectionPool::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = PoolOptions();
  options.port = 70000;
  EXPECT_EQ(ConnectionPool::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PoolTest, CreateDoesNotConnect) {
  // Nothing listens on port 1: Create still succeeds, Borrow reports
  // UNAVAILABLE.
  PoolOptions options;
  options.port = 1;
  options.user = "nobody";
  options.connect_timeout = absl::Seconds(1);
  auto pool = ConnectionPool::Create(options);
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_EQ((*pool)->Stats().open, 0);
  auto session = (*pool)->Borrow(absl::Now() + absl::Seconds(5));
  EXPECT_EQ(session.status().code(), absl::StatusCode::kUnavailable);
  const PoolStats stats = (*pool)->Stats();
  EXPECT_EQ(stats.open, 0);
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_FALSE((*pool)->CheckHealth(absl::Seconds(2)));
}

TEST(PoolTest, ReusesReturnedSessions) {
  TestDatabase db("pool_reuse");
  auto pool = MakePool(db, 2, 4, absl::Seconds(2));
  std::string first_id;
  {
    auto session = pool->Borrow(absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(session.ok()) << session.status();
    auto row = (*session)->QueryOne("SELECT CONNECTION_ID()");
    ASSERT_TRUE(row.ok() && row->has_value()) << row.status();
    first_id = (*row)->String(0);
    EXPECT_EQ(pool->Stats().in_use, 1);
  }
  PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.idle, 1);
  EXPECT_EQ(stats.open, 1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(session.ok()) << session.status();
  auto row = (*session)->QueryOne("SELECT CONNECTION_ID()");
  ASSERT_TRUE(row.ok() && row->has_value()) << row.status();
  EXPECT_EQ((*row)->String(0), first_id);
  EXPECT_EQ(pool->Stats().opened_total, 1);
  EXPECT_TRUE(pool->CheckHealth(absl::Seconds(2)));
}

TEST(PoolTest, ContentionStaysWithinBounds) {
  TestDatabase db("pool_contention");
  constexpr int kPoolSize = 4;
  constexpr int kThreads = 32;
  constexpr int kRounds = 25;
  auto pool = MakePool(db, kPoolSize, /*max_waiters=*/64, absl::Seconds(2));

  std::mutex mu;
  std::multiset<std::string> held;  // connection ids borrowed right now
  int most_held = 0;
  bool shared = false;
  std::atomic<int> ok{0}, exhausted{0}, other{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kRounds; ++i) {
        auto session = pool->Borrow(absl::Now() + absl::Seconds(30));
        if (!session.ok()) {
          if (session.status().code() == absl::StatusCode::kResourceExhausted &&
              ErrorReason(session.status()) == "DATABASE_POOL_EXHAUSTED") {
            ++exhausted;
          } else {
            ++other;
          }
          continue;
        }
        auto row = (*session)->QueryOne("SELECT CONNECTION_ID()");
        if (!row.ok() || !row->has_value()) {
          ++other;
          continue;
        }
        const std::string id = (*row)->String(0);
        {
          std::lock_guard<std::mutex> lock(mu);
          if (held.count(id) > 0) shared = true;
          held.insert(id);
          most_held = std::max(most_held, static_cast<int>(held.size()));
        }
        auto again = (*session)->QueryOne("SELECT ? + 1", {i});
        {
          std::lock_guard<std::mutex> lock(mu);
          held.erase(held.find(id));
        }
        if (again.ok() && again->has_value() &&
            (*again)->Int(0).value() == i + 1) {
          ++ok;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok.load() + exhausted.load(), kThreads * kRounds);
  EXPECT_GT(ok.load(), 0);
  EXPECT_FALSE(shared) << "one connection was used by two threads at once";
  EXPECT_LE(most_held, kPoolSize);
  const PoolStats stats = pool->Stats();
  EXPECT_LE(stats.open, kPoolSize);
  EXPECT_GE(stats.open, 1);
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.waiting, 0);
  EXPECT_EQ(stats.idle, stats.open);
  EXPECT_EQ(stats.dropped_total, 0);
  EXPECT_LE(stats.opened_total, kPoolSize);
  EXPECT_EQ(stats.rejected_total, exhausted.load());
}

TEST(PoolTest, TooManyWaitersFailFast) {
  TestDatabase db("pool_waiters");
  auto pool = MakePool(db, 1, /*max_waiters=*/1, absl::Seconds(30));
  auto held = pool->Borrow(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(held.ok()) << held.status();

  // One waiter is allowed: it waits for the held session.
  absl::Status waiter_status;
  std::thread waiter([&] {
    auto session = pool->Borrow(absl::Now() + absl::Seconds(60));
    waiter_status = session.status();
  });
  ASSERT_TRUE(
      PollStats(*pool, [](const PoolStats& s) { return s.waiting == 1; }));

  // The next one is refused at once, not after max_wait (30 s).
  // (A wait would end with a session or at the deadline, not this.)
  auto refused = pool->Borrow(absl::Now() + absl::Seconds(60));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(refused.status()), "DATABASE_POOL_EXHAUSTED");
  EXPECT_EQ(pool->Stats().rejected_total, 1);

  // Returning the session lets the waiter through.
  { PooledSession release = *std::move(held); }
  waiter.join();
  EXPECT_TRUE(waiter_status.ok()) << waiter_status;
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.waiting, 0);
  EXPECT_EQ(stats.open, 1);
}

TEST(PoolTest, ZeroWaitersRefusesWhenFull) {
  TestDatabase db("pool_nowait");
  auto pool = MakePool(db, 1, /*max_waiters=*/0, absl::Seconds(30));
  auto held = pool->Borrow(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(held.ok()) << held.status();
  auto refused = pool->Borrow(absl::Now() + absl::Seconds(60));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(PoolTest, WaitPastDeadlineIsDeadlineExceeded) {
  TestDatabase db("pool_deadline");
  auto pool = MakePool(db, 1, 4, /*max_wait=*/absl::Seconds(30));
  auto held = pool->Borrow(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(held.ok()) << held.status();
  const absl::Time before = absl::Now();
  auto late = pool->Borrow(absl::Now() + absl::Milliseconds(200));
  const absl::Duration took = absl::Now() - before;
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded)
      << late.status();
  EXPECT_GE(took, absl::Milliseconds(200));
  EXPECT_LT(took, absl::Seconds(10));
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.waiting, 0);
  EXPECT_EQ(stats.in_use, 1);
}

TEST(PoolTest, WaitPastMaxWaitIsResourceExhausted) {
  TestDatabase db("pool_maxwait");
  auto pool = MakePool(db, 1, 4, /*max_wait=*/absl::Milliseconds(200));
  auto held = pool->Borrow(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(held.ok()) << held.status();
  const absl::Time before = absl::Now();
  auto busy = pool->Borrow(absl::Now() + absl::Seconds(60));
  const absl::Duration took = absl::Now() - before;
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kResourceExhausted)
      << busy.status();
  EXPECT_EQ(ErrorReason(busy.status()), "DATABASE_POOL_EXHAUSTED");
  EXPECT_GE(took, absl::Milliseconds(200));
  EXPECT_LT(took, absl::Seconds(10));  // capped by max_wait, not the deadline
  EXPECT_EQ(pool->Stats().rejected_total, 1);
}

TEST(PoolTest, BrokenSessionIsDroppedNotReused) {
  TestDatabase db("pool_broken");
  auto pool = MakePool(db, 2, 4, absl::Seconds(2));
  {
    auto session = pool->Borrow(absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(session.ok()) << session.status();
    (*session)->MarkBroken();
  }
  PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.open, 0);
  EXPECT_EQ(stats.idle, 0);
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.dropped_total, 1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_FALSE((*session)->broken());
  EXPECT_EQ(pool->Stats().opened_total, 2);
}

}  // namespace
}  // namespace kyodo::common::db
