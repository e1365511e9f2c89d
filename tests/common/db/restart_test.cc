// The pool across a MariaDB restart, on a private server this test starts
// with deploy/local/mariadb.sh (the shared test server must never restart).

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "gtest/gtest.h"
#include "tests/testing/private_mariadb.h"

namespace kyodo::common::db {
namespace {

using kyodo::testing::PrivateMariaDb;

std::string ConnectionId(Session& session) {
  auto row = session.QueryOne("SELECT CONNECTION_ID()");
  if (!row.ok() || !row->has_value()) return "";
  return (*row)->String(0);
}

// After a restart: sequential calls recover after at most one UNAVAILABLE
// answer, transactions and concurrent use work, and the pool ends with no
// leaked and no dead session.
void RecoverAndCheck(ConnectionPool& pool, int pool_size,
                     int64_t dropped_at_least) {
  int unavailable = 0;
  int ok = 0;
  for (int i = 0; i < 20; ++i) {
    auto s = pool.Borrow(absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(s.ok()) << s.status();
    auto row = (*s)->QueryOne("SELECT 1");
    if (row.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(row.status().code(), absl::StatusCode::kUnavailable);
      ++unavailable;
    }
  }
  EXPECT_LE(unavailable, 1);
  EXPECT_GE(ok, 19);

  ASSERT_TRUE(
      RunInTransaction(pool, absl::Now() + absl::Seconds(10), [](Session& s) {
        return s.ExecUnprepared("CREATE TABLE IF NOT EXISTS t (id INT)");
      }).ok());
  {
    std::latch start(8);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        for (int i = 0; i < 10; ++i) {
          absl::Status status = RunInTransaction(
              pool, absl::Now() + absl::Seconds(20), [](Session& s) {
                return s.Exec("INSERT INTO t VALUES (?)", {1}).status();
              });
          if (!status.ok()) ++failures;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
  }

  const PoolStats stats = pool.Stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.waiting, 0);
  EXPECT_LE(stats.open, pool_size);
  EXPECT_EQ(stats.idle, stats.open);
  EXPECT_GE(stats.dropped_total, dropped_at_least);
  // Every idle session is alive: borrowing them all opens nothing new and
  // each answers a ping.
  std::vector<PooledSession> idle;
  for (int i = 0; i < stats.idle; ++i) {
    auto s = pool.Borrow(absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(s.ok()) << s.status();
    idle.push_back(*std::move(s));
  }
  EXPECT_EQ(pool.Stats().opened_total, stats.opened_total)
      << "borrowing the idle sessions opened new ones";
  for (PooledSession& s : idle) {
    EXPECT_TRUE(s->Ping());
    EXPECT_NE(ConnectionId(*s), "");
  }
}

TEST(PoolRestartTest, RecoversAcrossAServerRestart) {
  PrivateMariaDb server;
  ASSERT_TRUE(server.Start());
  {
    auto admin = ConnectionPool::Create(server.Options());
    ASSERT_TRUE(admin.ok());
    auto s = (*admin)->Borrow(absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_TRUE(
        (*s)->ExecUnprepared("CREATE DATABASE restart_db CHARACTER SET utf8mb4 "
                             "COLLATE utf8mb4_bin")
            .ok());
  }

  constexpr int kPoolSize = 4;
  PoolOptions options = server.Options();
  options.database = "restart_db";
  options.max_size = kPoolSize;
  // Idle sessions are handed out without a ping unless a broken one was
  // seen: the restart is discovered by statements, not by idle pings.
  options.ping_after_idle = absl::Hours(1);
  auto created = ConnectionPool::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  ConnectionPool& pool = **created;

  // Fill the pool: all four sessions open; two stay borrowed across the
  // restart, two go back idle.
  std::vector<PooledSession> held;
  for (int i = 0; i < kPoolSize; ++i) {
    auto s = pool.Borrow(absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_NE(ConnectionId(**s), "");
    held.push_back(*std::move(s));
  }
  ASSERT_EQ(pool.Stats().open, kPoolSize);
  held.erase(held.begin() + 2, held.end());
  ASSERT_EQ(pool.Stats().idle, 2);

  ASSERT_TRUE(server.Stop());
  ASSERT_TRUE(server.Start());

  // The borrowed sessions fail UNAVAILABLE and are marked broken.
  for (PooledSession& s : held) {
    auto row = s->QueryOne("SELECT 1");
    EXPECT_EQ(row.status().code(), absl::StatusCode::kUnavailable)
        << row.status();
    EXPECT_TRUE(s->broken());
  }
  held.clear();

  // Calls recover after at most one UNAVAILABLE answer (the idle sessions
  // are pinged once a broken one was seen).
  RecoverAndCheck(pool, kPoolSize, /*dropped_at_least=*/kPoolSize);

  // Again with every session idle across the restart: the first statement
  // discovers it, and then the rest of the pool is flushed by pings.
  const PoolStats before = pool.Stats();
  ASSERT_EQ(before.in_use, 0);
  ASSERT_GE(before.idle, 2);
  ASSERT_TRUE(server.Stop());
  ASSERT_TRUE(server.Start());
  RecoverAndCheck(pool, kPoolSize, before.dropped_total + before.idle);
}

TEST(PoolRestartTest, ServerDownIsUnavailableThenRecovers) {
  PrivateMariaDb server;
  ASSERT_TRUE(server.Start());
  PoolOptions options = server.Options();
  options.max_size = 2;
  options.connect_timeout = absl::Seconds(2);
  auto created = ConnectionPool::Create(options);
  ASSERT_TRUE(created.ok());
  ConnectionPool& pool = **created;
  EXPECT_TRUE(pool.CheckHealth(absl::Seconds(5)));

  ASSERT_TRUE(server.Stop());
  // With the server down, the idle session fails its statement (or its
  // ping) and new connections are refused: UNAVAILABLE, never a hang (a
  // hang would end at the deadline, DEADLINE_EXCEEDED).
  for (int i = 0; i < 3; ++i) {
    absl::Status status =
        RunWithSession(pool, absl::Now() + absl::Seconds(10),
                       [](Session& s) { return s.Query("SELECT 1").status(); });
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  }
  EXPECT_FALSE(pool.CheckHealth(absl::Seconds(2)));
  PoolStats stats = pool.Stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.open, 0);

  ASSERT_TRUE(server.Start());
  EXPECT_TRUE(pool.CheckHealth(absl::Seconds(5)));
  EXPECT_TRUE(
      RunWithSession(pool, absl::Now() + absl::Seconds(10), [](Session& s) {
        return s.Query("SELECT 1").status();
      }).ok());
}

}  // namespace
}  // namespace kyodo::common::db
