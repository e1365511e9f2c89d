// One MariaDB connection, used by one thread at a time: parameterised
// statements, materialised results, and MySQL errors mapped to absl::Status
// once, here (the only other place that sees sql::SQLException is nowhere).
//
// Values are always bound as parameters (server-side prepared statements,
// cached per connection); SQL text is never built from caller input.
//
// Error mapping (docs/CONTRIBUTING.md): 1062 ALREADY_EXISTS, 1451/1452
// FAILED_PRECONDITION, 1205/1213 ABORTED (retryable: see IsRetryableConflict),
// client errors 2000-2999 (server gone, lost connection...) UNAVAILABLE and the
// session marked broken so the pool drops it, 1969 DEADLINE_EXCEEDED, anything
// else INTERNAL. The MySQL message is logged, never put in the status.
#ifndef KYODO_COMMON_DB_SESSION_H_
#define KYODO_COMMON_DB_SESSION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sql {
class Connection;
class PreparedStatement;
}  // namespace sql

namespace kyodo::common::db {

// A bound parameter.
class Param {
 public:
  Param(std::nullptr_t) {}
  Param(int v) : value_(static_cast<int64_t>(v)) {}
  Param(long v) : value_(static_cast<int64_t>(v)) {}
  Param(long long v) : value_(static_cast<int64_t>(v)) {}
  Param(unsigned v) : value_(static_cast<int64_t>(v)) {}
  Param(bool v) : value_(v) {}
  Param(double v) : value_(v) {}
  Param(absl::string_view v) : value_(std::string(v)) {}
  Param(const char* v) : value_(std::string(v)) {}
  Param(std::string v) : value_(std::move(v)) {}
  // Bound as DATETIME(6) text in UTC (sessions run with time_zone '+00:00').
  Param(absl::Time t);
  template <typename T>
  Param(const std::optional<T>& v) {
    if (v.has_value()) *this = Param(*v);
  }

  using Value =
      std::variant<std::monostate, int64_t, bool, double, std::string>;
  const Value& value() const { return value_; }

 private:
  Value value_;
};

// One result row: each column as text (MariaDB's own rendering), or nullopt
// for NULL. The typed accessors never coerce: a NULL where a value is
// required, or text that is not the asked type, is DATA_LOSS naming the
// statement and the column, and is logged with them and the row's first
// column (its seq or id, never personal data).
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells,
               std::shared_ptr<const std::string> statement = nullptr)
      : cells_(std::move(cells)), statement_(std::move(statement)) {}
  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return !cells_.at(i).has_value(); }
  // "" for NULL; test IsNull first where NULL means something.
  const std::string& String(size_t i) const;
  absl::StatusOr<int64_t> Int(size_t i) const;
  // nullopt for NULL.
  absl::StatusOr<std::optional<int64_t>> OptionalInt(size_t i) const;
  // DATETIME text, read as UTC.
  absl::StatusOr<absl::Time> Time(size_t i) const;
  // nullopt for NULL.
  absl::StatusOr<std::optional<absl::Time>> OptionalTime(size_t i) const;

 private:
  absl::Status Unreadable(size_t i, absl::string_view problem) const;

  std::vector<std::optional<std::string>> cells_;
  // The statement that produced the row, shared by all of its rows.
  std::shared_ptr<const std::string> statement_;
};

// True for ABORTED statuses that a transaction retry may cure (MySQL 1205
// lock wait timeout, 1213 deadlock).
bool IsRetryableConflict(const absl::Status& status);
// The MySQL error number a status came from, or 0.
int MySqlErrorNumber(const absl::Status& status);
// Attaches MySQL error number `number` to `status`.
absl::Status WithMySqlErrorNumber(absl::Status status, int number);
// Formats `t` as DATETIME(6) text in UTC.
std::string FormatDateTime(absl::Time t);

class Session {
 public:
  explicit Session(std::unique_ptr<sql::Connection> connection);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs a statement; returns the rows it changed.
  absl::StatusOr<int64_t> Exec(absl::string_view sql,
                               const std::vector<Param>& params = {});
  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                         const std::vector<Param>& params = {});
  // The single row of a query, or nullopt when there is none.
  absl::StatusOr<std::optional<Row>> QueryOne(
      absl::string_view sql, const std::vector<Param>& params = {});
  // Runs SQL without preparing it (DDL, SET, GET_LOCK). Never pass values
  // that came from a caller.
  absl::Status ExecUnprepared(absl::string_view sql);

  // Round trip to the server (mysql_ping). Marks the session broken on
  // failure.
  bool Ping();

  // A broken session is dropped by the pool instead of being reused.
  bool broken() const { return broken_; }
  void MarkBroken() { broken_ = true; }

 private:
  absl::StatusOr<sql::PreparedStatement*> Prepare(absl::string_view sql);
  absl::Status Bind(sql::PreparedStatement* statement,
                    const std::vector<Param>& params);

  std::unique_ptr<sql::Connection> connection_;
  absl::flat_hash_map<std::string, std::unique_ptr<sql::PreparedStatement>>
      statements_;
  bool broken_ = false;
};

}  // namespace kyodo::common::db

#endif  // KYODO_COMMON_DB_SESSION_H_
