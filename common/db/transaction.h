// Runs a unit of work in one database transaction.
//
// Commits when the body returns OK and rolls back explicitly otherwise (MariaDB
// leaves the transaction open after a lock wait timeout unless told, so an
// earlier statement of the body would otherwise survive). A body that fails
// with a lock wait timeout (1205) or a deadlock (1213) is run again, up to
// `max_attempts` in all, after a jittered backoff that respects the deadline;
// when the conflict persists the result is ABORTED, which tells the caller to
// retry the whole call.
//
// The body may run more than once: it must not have effects outside the
// transaction, and must reset anything it fills in before writing it.
#ifndef KYODO_COMMON_DB_TRANSACTION_H_
#define KYODO_COMMON_DB_TRANSACTION_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/pool.h"

namespace kyodo::common::db {

struct TransactionOptions {
  int max_attempts = 3;
  absl::Duration base_backoff = absl::Milliseconds(5);
  // START TRANSACTION READ ONLY: a consistent snapshot for multi-statement
  // reads.
  bool read_only = false;
};

absl::Status RunInTransaction(ConnectionPool& pool, absl::Time deadline,
                              absl::FunctionRef<absl::Status(Session&)> body,
                              TransactionOptions options = {});

// Runs `body` on one pooled session in autocommit mode: for single-statement
// reads that need no transaction (one round trip instead of three). A
// session found dead on its first statement is replaced once.
absl::Status RunWithSession(ConnectionPool& pool, absl::Time deadline,
                            absl::FunctionRef<absl::Status(Session&)> body);

}  // namespace kyodo::common::db

#endif  // KYODO_COMMON_DB_TRANSACTION_H_
