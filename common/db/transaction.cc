#include "common/db/transaction.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status/errors.h"

namespace kyodo::common::db {
namespace {

// Full jitter: uniform in [0, base * 2^attempt], so retrying transactions do
// not collide again in lockstep.
absl::Duration Backoff(absl::Duration base, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const int64_t cap_us = absl::ToInt64Microseconds(base) << attempt;
  std::uniform_int_distribution<int64_t> dist(0, std::max<int64_t>(cap_us, 1));
  return absl::Microseconds(dist(rng));
}

void RollBack(Session& session) {
  if (!session.ExecUnprepared("ROLLBACK").ok()) {
    // The server's state is unknown: never hand this session out again.
    session.MarkBroken();
  }
}

// One attempt. `dead_on_begin` reports a pooled session that failed at START
// TRANSACTION (it died while idle): nothing was done, so a retry is safe.
absl::Status Attempt(ConnectionPool& pool, absl::Time deadline,
                     absl::FunctionRef<absl::Status(Session&)> body,
                     const TransactionOptions& options, bool* dead_on_begin) {
  *dead_on_begin = false;
  absl::StatusOr<PooledSession> session = pool.Borrow(deadline);
  if (!session.ok()) return session.status();
  Session& s = **session;
  absl::Status status;
  if (options.read_only) {
    // Sessions run READ COMMITTED, where every statement sees a new
    // snapshot; a multi-statement read needs one snapshot, so this one
    // transaction runs REPEATABLE READ.
    status =
        s.ExecUnprepared("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    if (status.ok()) {
      status = s.ExecUnprepared(
          "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    }
  } else {
    status = s.ExecUnprepared("START TRANSACTION");
  }
  if (!status.ok()) {
    *dead_on_begin = s.broken();
    return status;
  }
  status = body(s);
  if (status.ok()) {
    status = s.ExecUnprepared("COMMIT");
    if (!status.ok() && !s.broken()) RollBack(s);
    return status;
  }
  if (!s.broken()) RollBack(s);
  return status;
}

}  // namespace

absl::Status RunInTransaction(ConnectionPool& pool, absl::Time deadline,
                              absl::FunctionRef<absl::Status(Session&)> body,
                              TransactionOptions options) {
  absl::Status status;
  bool stale_retried = false;
  for (int attempt = 1; attempt <= options.max_attempts;) {
    bool dead_on_begin = false;
    status = Attempt(pool, deadline, body, options, &dead_on_begin);
    if (status.ok()) return status;
    // One fresh session may try again at no cost.
    if (dead_on_begin && !stale_retried) {
      stale_retried = true;
      continue;
    }
    if (!IsRetryableConflict(status)) return status;
    if (attempt == options.max_attempts) break;
    const absl::Duration wait = Backoff(options.base_backoff, attempt);
    if (absl::Now() + wait >= deadline) break;
    log::Debug("transaction conflict; retrying",
               {{"attempt", attempt}, {"errno", MySqlErrorNumber(status)}});
    absl::SleepFor(wait);
    ++attempt;
  }
  if (!IsRetryableConflict(status)) return status;
  return ErrorWithReason(
      absl::StatusCode::kAborted, kyodo::type::v1::TRANSACTION_CONFLICT,
      absl::StrCat("the change conflicted with concurrent changes ",
                   options.max_attempts,
                   " times; nothing was written; retry the call"));
}

absl::Status RunWithSession(ConnectionPool& pool, absl::Time deadline,
                            absl::FunctionRef<absl::Status(Session&)> body) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<PooledSession> session = pool.Borrow(deadline);
    if (!session.ok()) return session.status();
    absl::Status status = body(**session);
    // Reads only: a session that died while idle may be replaced once.
    if (status.code() != absl::StatusCode::kUnavailable || attempt > 0 ||
        !(*session)->broken()) {
      return status;
    }
  }
}

}  // namespace kyodo::common::db
