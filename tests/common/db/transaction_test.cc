// RunInTransaction / RunWithSession against the test MariaDB: commit,
// rollback, lock wait timeouts, real deadlocks.
#include "common/db/transaction.h"

#include <atomic>
#include <barrier>
#include <latch>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/database.h"

namespace kyodo::common::db {
namespace {

using ::kyodo::testing::TestDatabase;

class TransactionTest : public ::testing::Test {
 protected:
  TransactionTest() : db_("transaction") {
    db_.Exec(
        "CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL) "
        "ENGINE=InnoDB");
    db_.Exec(
        "CREATE TABLE journal (id INT PRIMARY KEY, note VARCHAR(100)) "
        "ENGINE=InnoDB");
    db_.Exec("INSERT INTO accounts VALUES (1, 0), (2, 0)");
  }

  std::unique_ptr<ConnectionPool> Pool(
      int max_size, absl::Duration lock_wait = absl::Seconds(5),
      absl::Duration ping_after_idle = absl::Seconds(1)) {
    PoolOptions options = db_.options();
    options.max_size = max_size;
    options.lock_wait_timeout = lock_wait;
    options.ping_after_idle = ping_after_idle;
    auto pool = ConnectionPool::Create(options);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return *std::move(pool);
  }

  int64_t Count(const std::string& table) {
    std::string value =
        db_.QueryValue(absl::StrCat("SELECT COUNT(*) FROM ", table));
    return std::stoll(value);
  }

  static absl::Time Deadline() { return absl::Now() + absl::Seconds(60); }

  TestDatabase db_;
};

TEST_F(TransactionTest, CommitsWhenBodySucceeds) {
  auto pool = Pool(2);
  int runs = 0;
  absl::Status status = RunInTransaction(*pool, Deadline(), [&](Session& s) {
    ++runs;
    auto a = s.Exec("INSERT INTO journal VALUES (?, ?)", {1, "first"});
    if (!a.ok()) return a.status();
    return s.Exec("UPDATE accounts SET balance = balance + 10 WHERE id = 1")
        .status();
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(Count("journal"), 1);
  EXPECT_EQ(db_.QueryValue("SELECT balance FROM accounts WHERE id = 1"), "10");
  EXPECT_EQ(pool->Stats().in_use, 0);
}

TEST_F(TransactionTest, RollsBackWhenBodyFails) {
  auto pool = Pool(2);
  int runs = 0;
  absl::Status status = RunInTransaction(*pool, Deadline(), [&](Session& s) {
    ++runs;
    auto a = s.Exec("INSERT INTO journal VALUES (?, ?)", {1, "doomed"});
    if (!a.ok()) return a.status();
    auto b = s.Exec("UPDATE accounts SET balance = 99 WHERE id = 2");
    if (!b.ok()) return b.status();
    return FailedPreconditionError(kyodo::type::v1::WRONG_STATE,
                                   "the body refuses");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(status), "WRONG_STATE");
  EXPECT_EQ(runs, 1);  // not a conflict: not retried
  EXPECT_EQ(Count("journal"), 0);
  EXPECT_EQ(db_.QueryValue("SELECT balance FROM accounts WHERE id = 2"), "0");
  // The session went back clean: the next transaction starts fresh.
  ASSERT_TRUE(
      RunInTransaction(*pool, Deadline(), [&](Session& s) {
        return s.Exec("INSERT INTO journal VALUES (?, ?)", {2, "ok"}).status();
      }).ok());
  EXPECT_EQ(Count("journal"), 1);
}

TEST_F(TransactionTest, StatementErrorRollsBackEarlierStatements) {
  auto pool = Pool(2);
  absl::Status status = RunInTransaction(*pool, Deadline(), [&](Session& s) {
    auto a = s.Exec("INSERT INTO journal VALUES (?, ?)", {5, "first"});
    if (!a.ok()) return a.status();
    return s.Exec("INSERT INTO journal VALUES (?, ?)", {5, "duplicate"})
        .status();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Count("journal"), 0);
}

TEST_F(TransactionTest, LockWaitTimeoutCommitsNothingAndEndsAborted) {
  auto holder_pool = Pool(1);
  auto pool = Pool(2, /*lock_wait=*/absl::Seconds(1));

  std::latch locked(1);
  std::latch release(1);
  absl::Status holder_status;
  std::thread holder([&] {
    holder_status = RunInTransaction(*holder_pool, Deadline(), [&](Session& s) {
      auto row =
          s.Query("SELECT balance FROM accounts WHERE id = 1 FOR UPDATE");
      locked.count_down();
      release.wait();
      return row.status();
    });
  });
  locked.wait();

  std::atomic<int> runs{0};
  const absl::Time before = absl::Now();
  absl::Status status = RunInTransaction(*pool, Deadline(), [&](Session& s) {
    ++runs;
    auto inserted =
        s.Exec("INSERT INTO journal VALUES (?, ?)", {7, "before the lock"});
    if (!inserted.ok()) return inserted.status();
    return s.Exec("UPDATE accounts SET balance = 1 WHERE id = 1").status();
  });
  const absl::Duration took = absl::Now() - before;
  release.count_down();
  holder.join();

  EXPECT_TRUE(holder_status.ok()) << holder_status;
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(ErrorReason(status), "TRANSACTION_CONFLICT");
  EXPECT_EQ(runs.load(), 3);          // max_attempts
  EXPECT_GE(took, absl::Seconds(3));  // three full lock waits of 1 s
  // The insert that preceded the timeout was never committed.
  EXPECT_EQ(Count("journal"), 0);
  EXPECT_EQ(db_.QueryValue("SELECT balance FROM accounts WHERE id = 1"), "0");
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.dropped_total, 0);
}

TEST_F(TransactionTest, MaxAttemptsIsHonoured) {
  auto holder_pool = Pool(1);
  auto pool = Pool(2, /*lock_wait=*/absl::Seconds(1));
  std::latch locked(1);
  std::latch release(1);
  std::thread holder([&] {
    absl::Status s =
        RunInTransaction(*holder_pool, Deadline(), [&](Session& s) {
          auto row =
              s.Query("SELECT balance FROM accounts WHERE id = 2 FOR UPDATE");
          locked.count_down();
          release.wait();
          return row.status();
        });
    EXPECT_TRUE(s.ok()) << s;
  });
  locked.wait();
  int runs = 0;
  TransactionOptions options;
  options.max_attempts = 1;
  absl::Status status = RunInTransaction(
      *pool, Deadline(),
      [&](Session& s) {
        ++runs;
        return s.Exec("UPDATE accounts SET balance = 1 WHERE id = 2").status();
      },
      options);
  release.count_down();
  holder.join();
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(runs, 1);
}

TEST_F(TransactionTest, DeadlockIsRetriedAndBothCommitOnce) {
  auto pool = Pool(4);
  // Each body locks one row, waits until the other has locked its row (first
  // run only), then updates the other row: a lock cycle InnoDB breaks with
  // 1213 in one of them.
  std::barrier both_locked(2);
  std::atomic<int> runs[2] = {0, 0};
  absl::Status results[2];
  auto body = [&](int me, int first_row, int second_row) {
    return [&, me, first_row, second_row](Session& s) -> absl::Status {
      const int run = ++runs[me];
      auto a = s.Exec("UPDATE accounts SET balance = balance + 1 WHERE id = ?",
                      {first_row});
      if (!a.ok()) return a.status();
      auto j = s.Exec("INSERT INTO journal VALUES (?, ?)",
                      {100 + me, absl::StrCat("tx ", me)});
      if (!j.ok()) return j.status();
      if (run == 1) both_locked.arrive_and_wait();
      return s
          .Exec("UPDATE accounts SET balance = balance + 1 WHERE id = ?",
                {second_row})
          .status();
    };
  };
  std::thread x(
      [&] { results[0] = RunInTransaction(*pool, Deadline(), body(0, 1, 2)); });
  std::thread y(
      [&] { results[1] = RunInTransaction(*pool, Deadline(), body(1, 2, 1)); });
  x.join();
  y.join();

  // Both end OK after a retry (or one ends ABORTED after 3 attempts).
  int committed = 0;
  for (int i = 0; i < 2; ++i) {
    if (results[i].ok()) {
      ++committed;
    } else {
      EXPECT_EQ(results[i].code(), absl::StatusCode::kAborted) << results[i];
      EXPECT_EQ(runs[i].load(), 3);
    }
  }
  ASSERT_GE(committed, 1);
  EXPECT_GE(runs[0].load() + runs[1].load(), 3)
      << "no deadlock happened, so nothing was retried";
  // No partial write: each committed transaction added exactly 1 to each
  // row and one journal line; the victim's first run left nothing.
  EXPECT_EQ(db_.QueryValue("SELECT balance FROM accounts WHERE id = 1"),
            std::to_string(committed));
  EXPECT_EQ(db_.QueryValue("SELECT balance FROM accounts WHERE id = 2"),
            std::to_string(committed));
  EXPECT_EQ(Count("journal"), committed);
  EXPECT_EQ(pool->Stats().in_use, 0);
}

TEST_F(TransactionTest, ReadOnlyRefusesWrites) {
  auto pool = Pool(2);
  TransactionOptions options;
  options.read_only = true;
  absl::Status status = RunInTransaction(
      *pool, Deadline(),
      [&](Session& s) {
        return s.Exec("INSERT INTO journal VALUES (?, ?)", {1, "x"}).status();
      },
      options);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(Count("journal"), 0);
}

TEST_F(TransactionTest, ReadOnlyGivesAConsistentSnapshot) {
  // transaction.h: read_only is "a consistent snapshot for multi-statement
  // reads". A row committed by someone else between two reads of the
  // transaction must not show in the second.
  auto pool = Pool(2);
  auto writer_pool = Pool(1);
  TransactionOptions options;
  options.read_only = true;
  int64_t first = -1, second = -1;
  absl::Status status = RunInTransaction(
      *pool, Deadline(),
      [&](Session& s) -> absl::Status {
        auto a = s.QueryOne("SELECT COUNT(*) FROM journal");
        if (!a.ok()) return a.status();
        first = (*a)->Int(0).value();
        absl::Status w =
            RunWithSession(*writer_pool, Deadline(), [](Session& w) {
              return w
                  .Exec("INSERT INTO journal VALUES (?, ?)", {9, "concurrent"})
                  .status();
            });
        if (!w.ok()) return w;
        auto b = s.QueryOne("SELECT COUNT(*) FROM journal");
        if (!b.ok()) return b.status();
        second = (*b)->Int(0).value();
        return absl::OkStatus();
      },
      options);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Count("journal"), 1);  // the concurrent insert did commit
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, first) << "a read-only transaction saw a row committed "
                              "after its snapshot";
}

TEST_F(TransactionTest, DeadIdleSessionIsReplacedAtBegin) {
  // The pool hands sessions out without a ping, so the dead one reaches
  // START TRANSACTION; the transaction still succeeds, with the body run once.
  auto pool = Pool(2, absl::Seconds(5), /*ping_after_idle=*/absl::Hours(1));
  auto killer_pool = Pool(1);
  std::string id;
  ASSERT_TRUE(RunWithSession(*pool, Deadline(), [&](Session& s) {
                auto row = s.QueryOne("SELECT CONNECTION_ID()");
                if (row.ok()) id = (*row)->String(0);
                return row.status();
              }).ok());
  ASSERT_TRUE(RunWithSession(*killer_pool, Deadline(), [&](Session& s) {
                return s.ExecUnprepared(absl::StrCat("KILL CONNECTION ", id));
              }).ok());
  int runs = 0;
  absl::Status status = RunInTransaction(*pool, Deadline(), [&](Session& s) {
    ++runs;
    return s.Exec("INSERT INTO journal VALUES (?, ?)", {3, "after kill"})
        .status();
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(Count("journal"), 1);
  EXPECT_EQ(pool->Stats().dropped_total, 1);
}

TEST_F(TransactionTest, RunWithSessionReplacesADeadSessionOnce) {
  auto pool = Pool(2, absl::Seconds(5), /*ping_after_idle=*/absl::Hours(1));
  auto killer_pool = Pool(1);
  std::string id;
  ASSERT_TRUE(RunWithSession(*pool, Deadline(), [&](Session& s) {
                auto row = s.QueryOne("SELECT CONNECTION_ID()");
                if (row.ok()) id = (*row)->String(0);
                return row.status();
              }).ok());
  ASSERT_TRUE(RunWithSession(*killer_pool, Deadline(), [&](Session& s) {
                return s.ExecUnprepared(absl::StrCat("KILL CONNECTION ", id));
              }).ok());
  int runs = 0;
  std::string new_id;
  absl::Status status = RunWithSession(*pool, Deadline(), [&](Session& s) {
    ++runs;
    auto row = s.QueryOne("SELECT CONNECTION_ID()");
    if (row.ok()) new_id = (*row)->String(0);
    return row.status();
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(runs, 2);
  EXPECT_NE(new_id, id);

  // A body failing for its own reasons is not run again.
  runs = 0;
  status = RunWithSession(*pool, Deadline(), [&](Session&) {
    ++runs;
    return absl::UnavailableError("downstream");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(runs, 1);
}

TEST_F(TransactionTest, PoolErrorsPassThrough) {
  auto pool = Pool(1);
  auto held = pool->Borrow(Deadline());
  ASSERT_TRUE(held.ok());
  int runs = 0;
  absl::Status status = RunInTransaction(
      *pool, absl::Now() + absl::Milliseconds(100), [&](Session&) {
        ++runs;
        return absl::OkStatus();
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_EQ(runs, 0);
}

}  // namespace
}  // namespace kyodo::common::db
