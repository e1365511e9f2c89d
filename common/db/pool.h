// A bounded pool of MariaDB sessions.
//
// - At most `max_size` sessions exist; a borrower waits for one until its
//   deadline (capped at `max_wait`), and at most `max_waiters` wait at once:
//   beyond that, or when the wait runs out, Borrow fails fast with
//   RESOURCE_EXHAUSTED instead of letting calls pile up.
// - A session idle for longer than `ping_after_idle` is pinged before it is
//   handed out; a dead one is dropped and replaced. When any session turns out
//   broken (server restarted, connection cut), every idle session is pinged
//   before its next use, so a restart flushes the whole pool quickly.
// - Sessions are opened with utf8mb4 (binary collation), time_zone '+00:00',
//   strict SQL mode, READ COMMITTED, a bounded lock wait, GROUP_CONCAT up to
//   kGroupConcatMaxLen bytes, and the connector's auto-reconnect OFF: a silent
//   reconnect would lose the session settings and any open transaction.
// - With `tls_ca_file` set, every session uses TLS and verifies the server:
//   its certificate must chain to that CA and name the host connected to, and
//   a server without TLS is refused (never a silent fall back to plaintext).
//   `tls_cert_file`/`tls_key_file` add a client certificate, for accounts
//   created with REQUIRE X509 or REQUIRE SUBJECT.
#ifndef KYODO_COMMON_DB_POOL_H_
#define KYODO_COMMON_DB_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/session.h"

namespace kyodo::common::db {

// The sessions' group_concat_max_len. MariaDB cuts a longer GROUP_CONCAT
// with a mere warning, so a reader of one (common/store/lists.h) treats a
// value this long as cut, never as whole.
inline constexpr int64_t kGroupConcatMaxLen = 16 << 20;

struct PoolOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;
  // The schema sessions use; "" for none (admin tasks).
  std::string database;
  // TLS to the server (PEM files); "" for plaintext. See above.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  int max_size = 16;
  int max_waiters = 64;
  absl::Duration max_wait = absl::Seconds(2);
  absl::Duration ping_after_idle = absl::Seconds(1);
  absl::Duration connect_timeout = absl::Seconds(3);
  // Socket read/write timeouts: a server that stops answering mid-statement
  // turns into UNAVAILABLE after this long instead of a hang.
  absl::Duration io_timeout = absl::Seconds(30);
  absl::Duration lock_wait_timeout = absl::Seconds(5);
};

struct PoolStats {
  int open = 0;    // sessions that exist (idle + in use + connecting)
  int in_use = 0;  // borrowed right now
  int idle = 0;
  int waiting = 0;  // borrowers waiting for a session
  int64_t opened_total = 0;
  int64_t dropped_total = 0;   // closed because broken or dead on ping
  int64_t rejected_total = 0;  // Borrow answered RESOURCE_EXHAUSTED
};

class ConnectionPool;

// A borrowed session; returns it to the pool (or drops it when broken) on
// destruction. Move-only.
class PooledSession {
 public:
  PooledSession(PooledSession&& other) noexcept;
  PooledSession& operator=(PooledSession&& other) noexcept;
  ~PooledSession();

  Session& operator*() const { return *session_; }
  Session* operator->() const { return session_.get(); }

 private:
  friend class ConnectionPool;
  PooledSession(ConnectionPool* pool, std::unique_ptr<Session> session)
      : pool_(pool), session_(std::move(session)) {}
  void Release();

  ConnectionPool* pool_;
  std::unique_ptr<Session> session_;
};

class ConnectionPool {
 public:
  // Validates the options; does not connect (a service starts even while the
  // database is down, and reports NOT_SERVING until it is up).
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(
      PoolOptions options);
  ~ConnectionPool();

  // A session, waiting at most until min(deadline, now + max_wait).
  // Errors: RESOURCE_EXHAUSTED when the pool stays busy or too many wait;
  // DEADLINE_EXCEEDED when `deadline` passes first; UNAVAILABLE when a new
  // connection cannot be opened.
  absl::StatusOr<PooledSession> Borrow(absl::Time deadline);

  // Borrows and pings a session: true when the database answers.
  bool CheckHealth(absl::Duration timeout);

  PoolStats Stats() const;
  const PoolOptions& options() const { return options_; }

 private:
  friend class PooledSession;
  struct Idle {
    std::unique_ptr<Session> session;
    absl::Time since;
    bool must_ping = false;
  };

  explicit ConnectionPool(PoolOptions options);
  absl::StatusOr<std::unique_ptr<Session>> Open(absl::Time deadline);
  void Return(std::unique_ptr<Session> session);

  const PoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable available_;
  std::deque<Idle> idle_;  // most recently returned at the back
  PoolStats stats_;
};

}  // namespace kyodo::common::db

#endif  // KYODO_COMMON_DB_POOL_H_
