#include "common/db/session.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>

#include <charconv>
#include <exception>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/errors.h"

namespace kyodo::common::db {
namespace {

constexpr char kMySqlErrnoPayload[] = "kyodo.dev/mysql-errno";
// Dynamic SQL (filters) makes distinct statements; keep the cache bounded so
// a connection never holds thousands of server-side statements.
constexpr size_t kMaxCachedStatements = 256;

std::string StatementLabel(absl::string_view sql) {
  // Enough to find the statement in the code, without any values.
  return std::string(sql.substr(0, 80));
}

}  // namespace

Param::Param(absl::Time t) : value_(FormatDateTime(t)) {}

std::string FormatDateTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone());
}

const std::string& Row::String(size_t i) const {
  static const std::string* empty = new std::string();
  const auto& cell = cells_.at(i);
  return cell.has_value() ? *cell : *empty;
}

absl::Status Row::Unreadable(size_t i, absl::string_view problem) const {
  const std::string statement =
      statement_ == nullptr ? std::string() : StatementLabel(*statement_);
  std::string first = "NULL";
  if (!cells_.empty()) {
    if (const std::optional<std::string>& cell = cells_.front()) {
      first = cell->substr(0, 64);
    }
  }
  log::Error("stored value does not parse", {{"statement", statement},
                                             {"column", absl::StrCat(i)},
                                             {"first_column", first},
                                             {"problem", problem}});
  return absl::DataLossError(absl::StrCat("column ", i, " of the row (", first,
                                          ") of \"", statement,
                                          "\" does not parse: ", problem));
}

absl::StatusOr<std::optional<int64_t>> Row::OptionalInt(size_t i) const {
  const auto& cell = cells_.at(i);
  if (!cell.has_value()) return std::optional<int64_t>();
  int64_t value = 0;
  if (!absl::SimpleAtoi(*cell, &value)) {
    return Unreadable(
        i, absl::StrCat("\"", cell->substr(0, 64), "\" is no integer"));
  }
  return std::optional<int64_t>(value);
}

absl::StatusOr<int64_t> Row::Int(size_t i) const {
  absl::StatusOr<std::optional<int64_t>> value = OptionalInt(i);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Unreadable(i, "NULL, an integer expected");
  return **value;
}

absl::StatusOr<std::optional<absl::Time>> Row::OptionalTime(size_t i) const {
  const auto& cell = cells_.at(i);
  if (!cell.has_value()) return std::optional<absl::Time>();
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", *cell, absl::UTCTimeZone(), &t,
                       &error)) {
    return Unreadable(
        i, absl::StrCat("\"", cell->substr(0, 64), "\" is no DATETIME"));
  }
  return std::optional<absl::Time>(t);
}

absl::StatusOr<absl::Time> Row::Time(size_t i) const {
  absl::StatusOr<std::optional<absl::Time>> value = OptionalTime(i);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Unreadable(i, "NULL, a time expected");
  return **value;
}

absl::Status WithMySqlErrorNumber(absl::Status status, int number) {
  status.SetPayload(kMySqlErrnoPayload, absl::Cord(absl::StrCat(number)));
  return status;
}

int MySqlErrorNumber(const absl::Status& status) {
  auto payload = status.GetPayload(kMySqlErrnoPayload);
  int number = 0;
  if (payload.has_value() && absl::SimpleAtoi(std::string(*payload), &number)) {
    return number;
  }
  return 0;
}

bool IsRetryableConflict(const absl::Status& status) {
  int number = MySqlErrorNumber(status);
  return status.code() == absl::StatusCode::kAborted &&
         (number == 1205 || number == 1213);
}

namespace {

// The one mapping of MySQL errors (docs/CONTRIBUTING.md, "Errors").
absl::Status MapError(const sql::SQLException& e, absl::string_view sql,
                      Session& session) {
  const int number = e.getErrorCode();
  log::Level level = log::Level::kWarning;
  absl::Status status;
  if (number == 1062) {
    status = ErrorWithReason(absl::StatusCode::kAlreadyExists,
                             kyodo::type::v1::DUPLICATE,
                             "the resource already exists");
    level = log::Level::kDebug;
  } else if (number == 1451 || number == 1452) {
    status =
        FailedPreconditionError(kyodo::type::v1::REFERENCE_CONSTRAINT,
                                "a referenced resource is missing or in use");
  } else if (number == 1205 || number == 1213) {
    status = ErrorWithReason(absl::StatusCode::kAborted,
                             kyodo::type::v1::TRANSACTION_CONFLICT,
                             "a concurrent transaction conflicted; retry");
  } else if (number == 1969 || number == 3024) {
    status = absl::DeadlineExceededError("database statement timed out");
  } else if (number >= 2000 && number < 3000) {
    session.MarkBroken();
    status = ErrorWithReason(absl::StatusCode::kUnavailable,
                             kyodo::type::v1::DATABASE_UNAVAILABLE,
                             "the database is unavailable; retry later");
  } else {
    status = absl::InternalError(
        absl::StrCat("mysql error ", number, " (", e.getSQLState(), ")"));
    level = log::Level::kError;
  }
  log::Write(level, "mysql error",
             {{"errno", number},
              {"sqlstate", e.getSQLState()},
              {"error", e.what()},
              {"statement", StatementLabel(sql)}});
  return WithMySqlErrorNumber(std::move(status), number);
}

absl::Status MapUnknown(const std::exception& e, absl::string_view sql) {
  log::Error("database driver error",
             {{"error", e.what()}, {"statement", StatementLabel(sql)}});
  return absl::InternalError("database driver error");
}

}  // namespace

Session::Session(std::unique_ptr<sql::Connection> connection)
    : connection_(std::move(connection)) {}

Session::~Session() {
  // Statements must go before their connection.
  statements_.clear();
  try {
    if (connection_ != nullptr) connection_->close();
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch)
    // Closing a dead connection fails; there is nothing left to release,
    // and a destructor has no one to tell.
  }
}

absl::StatusOr<sql::PreparedStatement*> Session::Prepare(
    absl::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  if (statements_.size() >= kMaxCachedStatements) statements_.clear();
  try {
    std::unique_ptr<sql::PreparedStatement> statement(
        connection_->prepareStatement(sql::SQLString(sql.data(), sql.size())));
    sql::PreparedStatement* raw = statement.get();
    statements_.emplace(std::string(sql), std::move(statement));
    return raw;
  } catch (const sql::SQLException& e) {
    return MapError(e, sql, *this);
  } catch (const std::exception& e) {
    return MapUnknown(e, sql);
  }
}

absl::Status Session::Bind(sql::PreparedStatement* statement,
                           const std::vector<Param>& params) {
  statement->clearParameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const unsigned index = static_cast<unsigned>(i + 1);
    const Param::Value& v = params[i].value();
    if (std::holds_alternative<std::monostate>(v)) {
      statement->setNull(index, sql::DataType::VARCHAR);
    } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
      statement->setInt64(index, *n);
    } else if (const bool* b = std::get_if<bool>(&v)) {
      statement->setBoolean(index, *b);
    } else if (const double* d = std::get_if<double>(&v)) {
      statement->setDouble(index, *d);
    } else {
      const std::string& s = std::get<std::string>(v);
      statement->setString(index, sql::SQLString(s.data(), s.size()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Session::Exec(absl::string_view sql,
                                      const std::vector<Param>& params) {
  auto statement = Prepare(sql);
  if (!statement.ok()) return statement.status();
  try {
    if (absl::Status s = Bind(*statement, params); !s.ok()) return s;
    return static_cast<int64_t>((*statement)->executeUpdate());
  } catch (const sql::SQLException& e) {
    return MapError(e, sql, *this);
  } catch (const std::exception& e) {
    return MapUnknown(e, sql);
  }
}

absl::StatusOr<std::vector<Row>> Session::Query(
    absl::string_view sql, const std::vector<Param>& params) {
  auto statement = Prepare(sql);
  if (!statement.ok()) return statement.status();
  try {
    if (absl::Status s = Bind(*statement, params); !s.ok()) return s;
    std::unique_ptr<sql::ResultSet> result((*statement)->executeQuery());
    sql::ResultSetMetaData* meta = result->getMetaData();
    const unsigned columns = meta->getColumnCount();
    // The connector renders DOUBLE with 6 decimals; read those as numbers
    // and print them in the shortest form that reads back exactly.
    std::vector<bool> real(columns + 1, false);
    for (unsigned c = 1; c <= columns; ++c) {
      const int type = meta->getColumnType(c);
      real[c] = type == sql::DataType::DOUBLE || type == sql::DataType::REAL;
    }
    std::vector<Row> rows;
    rows.reserve(result->rowsCount());
    auto label = std::make_shared<const std::string>(sql);
    while (result->next()) {
      std::vector<std::optional<std::string>> cells(columns);
      for (unsigned c = 1; c <= columns; ++c) {
        if (result->isNull(c)) continue;
        if (real[c]) {
          char buffer[64];
          const double value = static_cast<double>(result->getDouble(c));
          auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
          cells[c - 1] = std::string(buffer, end);
        } else {
          cells[c - 1] = std::string(result->getString(c));
        }
      }
      rows.emplace_back(std::move(cells), label);
    }
    return rows;
  } catch (const sql::SQLException& e) {
    return MapError(e, sql, *this);
  } catch (const std::exception& e) {
    return MapUnknown(e, sql);
  }
}

absl::StatusOr<std::optional<Row>> Session::QueryOne(
    absl::string_view sql, const std::vector<Param>& params) {
  auto rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows->front()));
}

absl::Status Session::ExecUnprepared(absl::string_view sql) {
  try {
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    statement->execute(sql::SQLString(sql.data(), sql.size()));
    // Drain any result so the connection is ready for the next statement.
    do {
      std::unique_ptr<sql::ResultSet> result(statement->getResultSet());
    } while (statement->getMoreResults());
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return MapError(e, sql, *this);
  } catch (const std::exception& e) {
    return MapUnknown(e, sql);
  }
}

bool Session::Ping() {
  bool valid = false;
  try {
    valid = connection_->isValid();
  } catch (const std::exception&) {
    valid = false;  // a connection that cannot answer is broken
  }
  if (!valid) broken_ = true;
  return valid;
}

}  // namespace kyodo::common::db
