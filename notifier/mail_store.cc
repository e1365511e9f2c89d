#include "notifier/mail_store.h"

#include <algorithm>

#include "common/db/transaction.h"
#include "common/status/macros.h"

namespace kyodo::notifier {
namespace {

using common::db::Session;

constexpr char kPosition[] =
    "SELECT after_cursor FROM feed_positions WHERE feed = ?";
constexpr char kSetPosition[] =
    "INSERT INTO feed_positions (feed, after_cursor, update_time) "
    "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE after_cursor = VALUES("
    "after_cursor), update_time = VALUES(update_time)";
// A mail already made for the event and recipient stays as it is.
constexpr char kInsert[] =
    "INSERT INTO mails (feed, event_cursor, recipient, kind, resource, "
    "message_id, message, state, attempts, next_attempt_time, create_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?) "
    "ON DUPLICATE KEY UPDATE seq = seq";
// SKIP LOCKED: a mail another sender is claiming is not waited for.
constexpr char kDue[] =
    "SELECT seq, event_cursor, recipient, kind, message, attempts FROM mails "
    "WHERE state = 'PENDING' AND next_attempt_time <= ? "
    "ORDER BY next_attempt_time, seq LIMIT 1 FOR UPDATE SKIP LOCKED";
constexpr char kSending[] = "UPDATE mails SET state = 'SENDING' WHERE seq = ?";
constexpr char kSent[] =
    "UPDATE mails SET state = 'SENT', attempts = attempts + 1, sent_time = ?, "
    "last_error = NULL WHERE seq = ?";
constexpr char kRetry[] =
    "UPDATE mails SET state = 'PENDING', attempts = attempts + 1, "
    "next_attempt_time = ?, last_error = ? WHERE seq = ?";
constexpr char kFailed[] =
    "UPDATE mails SET state = 'FAILED', attempts = attempts + 1, "
    "last_error = ? WHERE seq = ?";
constexpr char kUncertain[] =
    "UPDATE mails SET state = 'UNCERTAIN', attempts = attempts + 1, "
    "last_error = ? WHERE seq = ?";
constexpr char kInterrupted[] =
    "UPDATE mails SET state = 'UNCERTAIN', last_error = 'the notifier "
    "stopped while sending' WHERE state = 'SENDING'";
constexpr char kDeleteOld[] =
    "DELETE FROM mails WHERE create_time < ? AND state IN ('SENT', 'FAILED', "
    "'UNCERTAIN') ORDER BY create_time LIMIT ?";
constexpr char kCounts[] = "SELECT state, COUNT(*) FROM mails GROUP BY state";

std::string Truncated(const std::string& text) {
  return text.size() <= 500 ? text : text.substr(0, 500);
}

}  // namespace

absl::StatusOr<std::optional<std::string>> MailStore::Position(
    absl::Time deadline) {
  std::optional<std::string> out;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *pool_, deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, s.QueryOne(kPosition, {feed_}));
        if (row.has_value()) out = row->String(0);
        return absl::OkStatus();
      }));
  return out;
}

absl::Status MailStore::Record(const std::string& cursor,
                               const std::vector<NewMail>& mails,
                               absl::Time now, absl::Time deadline) {
  return common::db::RunInTransaction(
      *pool_, deadline, [&](Session& s) -> absl::Status {
        for (const NewMail& m : mails) {
          KYODO_RETURN_IF_ERROR(
              s.Exec(kInsert, {feed_, cursor, m.recipient, m.kind, m.resource,
                               m.message_id, m.message, now, now})
                  .status());
        }
        return s.Exec(kSetPosition, {feed_, cursor, now}).status();
      });
}

absl::StatusOr<std::optional<OutgoingMail>> MailStore::Claim(
    absl::Time now, absl::Time deadline) {
  std::optional<OutgoingMail> out;
  KYODO_RETURN_IF_ERROR(common::db::RunInTransaction(
      *pool_, deadline, [&](Session& s) -> absl::Status {
        out.reset();
        KYODO_ASSIGN_OR_RETURN(auto row, s.QueryOne(kDue, {now}));
        if (!row.has_value()) return absl::OkStatus();
        OutgoingMail m;
        KYODO_ASSIGN_OR_RETURN(m.seq, row->Int(0));
        KYODO_ASSIGN_OR_RETURN(const int64_t attempts, row->Int(5));
        m.event_cursor = row->String(1);
        m.recipient = row->String(2);
        m.kind = row->String(3);
        m.message = row->String(4);
        m.attempts = static_cast<int>(attempts);
        KYODO_RETURN_IF_ERROR(s.Exec(kSending, {m.seq}).status());
        out = std::move(m);
        return absl::OkStatus();
      }));
  return out;
}

absl::Status MailStore::MarkSent(int64_t seq, absl::Time now,
                                 absl::Time deadline) {
  return common::db::RunWithSession(*pool_, deadline, [&](Session& s) {
    return s.Exec(kSent, {now, seq}).status();
  });
}

absl::Status MailStore::MarkRetry(int64_t seq, absl::Time next,
                                  const std::string& error,
                                  absl::Time deadline) {
  return common::db::RunWithSession(*pool_, deadline, [&](Session& s) {
    return s.Exec(kRetry, {next, Truncated(error), seq}).status();
  });
}

absl::Status MailStore::MarkFailed(int64_t seq, const std::string& error,
                                   absl::Time deadline) {
  return common::db::RunWithSession(*pool_, deadline, [&](Session& s) {
    return s.Exec(kFailed, {Truncated(error), seq}).status();
  });
}

absl::Status MailStore::MarkUncertain(int64_t seq, const std::string& error,
                                      absl::Time deadline) {
  return common::db::RunWithSession(*pool_, deadline, [&](Session& s) {
    return s.Exec(kUncertain, {Truncated(error), seq}).status();
  });
}

absl::StatusOr<int64_t> MailStore::MarkInterrupted(absl::Time deadline) {
  int64_t n = 0;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *pool_, deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(n, s.Exec(kInterrupted));
        return absl::OkStatus();
      }));
  return n;
}

absl::StatusOr<int64_t> MailStore::DeleteOld(absl::Time before, int batch,
                                             absl::Time deadline) {
  int64_t n = 0;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *pool_, deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(n, s.Exec(kDeleteOld, {before, batch}));
        return absl::OkStatus();
      }));
  return n;
}

absl::StatusOr<std::map<std::string, int64_t>> MailStore::CountByState(
    absl::Time deadline) {
  std::map<std::string, int64_t> out;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *pool_, deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto rows, s.Query(kCounts));
        for (const auto& row : rows) {
          KYODO_ASSIGN_OR_RETURN(out[row.String(0)], row.Int(1));
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::Status CheckPositionRecorded(Session& s, const std::string& feed) {
  KYODO_ASSIGN_OR_RETURN(auto row, s.QueryOne(kPosition, {feed}));
  if (row.has_value()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "the notifier has not yet recorded where it follows the feed from");
}

absl::Duration RetryDelay(int attempts, absl::Duration base,
                          absl::Duration longest) {
  absl::Duration delay = base;
  for (int i = 1; i < attempts && delay < longest; ++i) delay *= 2;
  return std::min(delay, longest);
}

}  // namespace kyodo::notifier
