#include "common/db/pool.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <mysql_driver.h>

#include <algorithm>
#include <cmath>
#include <exception>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/errors.h"

namespace kyodo::common::db {
namespace {

int WholeSeconds(absl::Duration d) {
  return std::max(1, static_cast<int>(std::ceil(absl::ToDoubleSeconds(d))));
}

absl::Status PoolBusy(const PoolOptions& options) {
  return ErrorWithReason(
      absl::StatusCode::kResourceExhausted,
      kyodo::type::v1::DATABASE_POOL_EXHAUSTED,
      absl::StrCat("all ", options.max_size,
                   " database sessions are busy; retry with backoff"));
}

}  // namespace

PooledSession::PooledSession(PooledSession&& other) noexcept
    : pool_(other.pool_), session_(std::move(other.session_)) {}

PooledSession& PooledSession::operator=(PooledSession&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    session_ = std::move(other.session_);
  }
  return *this;
}

PooledSession::~PooledSession() { Release(); }

void PooledSession::Release() {
  if (session_ != nullptr) pool_->Return(std::move(session_));
}

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(
    PoolOptions options) {
  if (options.max_size < 1) {
    return absl::InvalidArgumentError("db pool size must be at least 1");
  }
  if (options.max_waiters < 0) {
    return absl::InvalidArgumentError("db pool waiters must not be negative");
  }
  if (options.port < 1 || options.port > 65535) {
    return absl::InvalidArgumentError("db port must be 1..65535");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "db TLS client certificate and key go together");
  }
  if (!options.tls_cert_file.empty() && options.tls_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "a db TLS client certificate needs the CA that verifies the server");
  }
  // The driver singleton is not safe to create from several threads at once.
  sql::mysql::get_mysql_driver_instance();
  return std::unique_ptr<ConnectionPool>(
      new ConnectionPool(std::move(options)));
}

ConnectionPool::ConnectionPool(PoolOptions options)
    : options_(std::move(options)) {}

ConnectionPool::~ConnectionPool() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stats_.in_use > 0) {
    log::Error("connection pool destroyed with sessions in use",
               {{"in_use", stats_.in_use}});
  }
  idle_.clear();
}

absl::StatusOr<std::unique_ptr<Session>> ConnectionPool::Open(
    absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  sql::ConnectOptionsMap connect;
  connect["hostName"] =
      sql::SQLString(absl::StrCat("tcp://", options_.host, ":", options_.port));
  connect["userName"] = sql::SQLString(options_.user);
  connect["password"] = sql::SQLString(options_.password);
  if (!options_.database.empty()) {
    connect["schema"] = sql::SQLString(options_.database);
  }
  if (!options_.tls_ca_file.empty()) {
    // Connector/C++ 1.1: sslVerify checks the chain and the host name,
    // sslEnforce refuses a server that does not offer TLS.
    connect["sslCA"] = sql::SQLString(options_.tls_ca_file);
    if (!options_.tls_cert_file.empty()) {
      connect["sslCert"] = sql::SQLString(options_.tls_cert_file);
      connect["sslKey"] = sql::SQLString(options_.tls_key_file);
    }
    connect["sslVerify"] = true;
    connect["sslEnforce"] = true;
  }
  connect["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  connect["OPT_RECONNECT"] = false;
  connect["OPT_CONNECT_TIMEOUT"] =
      WholeSeconds(std::min(options_.connect_timeout, left));
  connect["OPT_READ_TIMEOUT"] = WholeSeconds(options_.io_timeout);
  connect["OPT_WRITE_TIMEOUT"] = WholeSeconds(options_.io_timeout);
  std::unique_ptr<sql::Connection> connection;
  try {
    connection.reset(sql::mysql::get_mysql_driver_instance()->connect(connect));
  } catch (const sql::SQLException& e) {
    log::Warning("database connect failed",
                 {{"errno", e.getErrorCode()},
                  {"error", e.what()},
                  {"host", options_.host},
                  {"port", options_.port},
                  {"tls", !options_.tls_ca_file.empty()}});
    return WithMySqlErrorNumber(
        ErrorWithReason(absl::StatusCode::kUnavailable,
                        kyodo::type::v1::DATABASE_UNAVAILABLE,
                        "cannot connect to the database; retry later"),
        e.getErrorCode());
  } catch (const std::exception& e) {
    log::Error("database connect failed", {{"error", e.what()}});
    return absl::UnavailableError("cannot connect to the database");
  }
  auto session = std::make_unique<Session>(std::move(connection));
  const std::string settings = absl::StrCat(
      "SET NAMES utf8mb4 COLLATE utf8mb4_bin, time_zone = '+00:00', "
      "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
      "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
      "group_concat_max_len = ",
      kGroupConcatMaxLen, ", innodb_lock_wait_timeout = ",
      WholeSeconds(options_.lock_wait_timeout));
  if (absl::Status s = session->ExecUnprepared(settings); !s.ok()) return s;
  if (absl::Status s = session->ExecUnprepared(
          "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
      !s.ok()) {
    return s;
  }
  return session;
}

absl::StatusOr<PooledSession> ConnectionPool::Borrow(absl::Time deadline) {
  const absl::Time wait_until =
      std::min(deadline, absl::Now() + options_.max_wait);
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (!idle_.empty()) {
      Idle idle = std::move(idle_.back());
      idle_.pop_back();
      ++stats_.in_use;
      const bool ping =
          idle.must_ping || absl::Now() - idle.since > options_.ping_after_idle;
      if (!ping) return PooledSession(this, std::move(idle.session));
      lock.unlock();
      if (idle.session->Ping()) {
        return PooledSession(this, std::move(idle.session));
      }
      idle.session.reset();
      lock.lock();
      --stats_.in_use;
      --stats_.open;
      ++stats_.dropped_total;
      for (Idle& other : idle_) other.must_ping = true;
      continue;
    }
    if (stats_.open < options_.max_size) {
      ++stats_.open;
      ++stats_.in_use;
      lock.unlock();
      absl::StatusOr<std::unique_ptr<Session>> session = Open(deadline);
      if (session.ok()) {
        lock.lock();
        ++stats_.opened_total;
        return PooledSession(this, *std::move(session));
      }
      lock.lock();
      --stats_.open;
      --stats_.in_use;
      available_.notify_one();
      return session.status();
    }
    if (stats_.waiting >= options_.max_waiters) {
      ++stats_.rejected_total;
      return PoolBusy(options_);
    }
    ++stats_.waiting;
    const bool woke = available_.wait_until(
        lock, absl::ToChronoTime(wait_until),
        [this] { return !idle_.empty() || stats_.open < options_.max_size; });
    --stats_.waiting;
    if (!woke) {
      if (absl::Now() >= deadline) {
        return absl::DeadlineExceededError(
            "deadline passed while waiting for a database session");
      }
      ++stats_.rejected_total;
      return PoolBusy(options_);
    }
  }
}

void ConnectionPool::Return(std::unique_ptr<Session> session) {
  // Declared before the lock so a broken session closes outside it.
  std::unique_ptr<Session> drop;
  std::lock_guard<std::mutex> lock(mu_);
  --stats_.in_use;
  if (session->broken()) {
    --stats_.open;
    ++stats_.dropped_total;
    for (Idle& other : idle_) other.must_ping = true;
    drop = std::move(session);
  } else {
    idle_.push_back(Idle{std::move(session), absl::Now(), false});
  }
  available_.notify_one();
}

bool ConnectionPool::CheckHealth(absl::Duration timeout) {
  absl::StatusOr<PooledSession> session = Borrow(absl::Now() + timeout);
  if (!session.ok()) {
    // A busy pool is a healthy database.
    return session.status().code() == absl::StatusCode::kResourceExhausted;
  }
  return (*session)->Ping();
}

PoolStats ConnectionPool::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  PoolStats stats = stats_;
  stats.idle = static_cast<int>(idle_.size());
  return stats;
}

}  // namespace kyodo::common::db
