// The notifier's tables (notifier/schema/001_notifier.sql): its position in
// the feed and its mails, each mail's life PENDING -> SENDING -> SENT (or
// back to PENDING for a retry, or FAILED; UNCERTAIN when the notifier
// stopped in the middle of a send).
#ifndef KYODO_NOTIFIER_MAIL_STORE_H_
#define KYODO_NOTIFIER_MAIL_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/db/session.h"

namespace kyodo::notifier {

struct NewMail {
  std::string recipient;  // lower-cased address
  std::string kind;       // the event type's name
  std::string resource;
  std::string message_id;
  std::string message;  // mail.h's Render
};

struct OutgoingMail {
  int64_t seq = 0;
  std::string event_cursor;
  std::string recipient;
  std::string kind;
  std::string message;
  int attempts = 0;  // before this one
};

class MailStore {
 public:
  MailStore(common::db::ConnectionPool* pool, std::string feed)
      : pool_(pool), feed_(std::move(feed)) {}

  // The cursor after the last event handled, or nullopt before the first.
  absl::StatusOr<std::optional<std::string>> Position(absl::Time deadline);
  // In one transaction: the event's mails (a mail already made for the same
  // event and recipient is kept as it is) and the position past it.
  absl::Status Record(const std::string& cursor,
                      const std::vector<NewMail>& mails, absl::Time now,
                      absl::Time deadline);
  // The oldest mail due at `now`, marked SENDING, or nullopt.
  absl::StatusOr<std::optional<OutgoingMail>> Claim(absl::Time now,
                                                    absl::Time deadline);
  absl::Status MarkSent(int64_t seq, absl::Time now, absl::Time deadline);
  // Back to PENDING until `next`, one more attempt counted.
  absl::Status MarkRetry(int64_t seq, absl::Time next, const std::string& error,
                         absl::Time deadline);
  absl::Status MarkFailed(int64_t seq, const std::string& error,
                          absl::Time deadline);
  // The server may have taken it (Delivery::kUncertain): never sent again.
  absl::Status MarkUncertain(int64_t seq, const std::string& error,
                             absl::Time deadline);
  // At start: the mails left SENDING by a notifier that stopped mid-send
  // become UNCERTAIN. Returns how many.
  absl::StatusOr<int64_t> MarkInterrupted(absl::Time deadline);
  // Deletes SENT, FAILED and UNCERTAIN mails made before `before`, at most
  // `batch` of them. Returns how many.
  absl::StatusOr<int64_t> DeleteOld(absl::Time before, int batch,
                                    absl::Time deadline);
  // Mails by state (metrics, tests).
  absl::StatusOr<std::map<std::string, int64_t>> CountByState(
      absl::Time deadline);

 private:
  common::db::ConnectionPool* pool_;
  const std::string feed_;
};

// Readiness (ServiceSpec.schema_check): FAILED_PRECONDITION until the
// notifier recorded where it follows `feed` from, so that a change made
// once it is ready is never before its starting point.
absl::Status CheckPositionRecorded(common::db::Session& s,
                                   const std::string& feed);

// The wait before attempt `attempts` + 1 after `attempts` failed ones:
// `base` doubled each time, at most `longest`.
absl::Duration RetryDelay(int attempts, absl::Duration base,
                          absl::Duration longest);

}  // namespace kyodo::notifier

#endif  // KYODO_NOTIFIER_MAIL_STORE_H_
