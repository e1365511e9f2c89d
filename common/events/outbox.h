// The change feed's outbox (common/schema/003_events.sql): domain events
// written in the same transaction as the change they describe, so that an
// event exists exactly when its change committed, and read back in commit
// order from a cursor.
//
// Append takes the event ids by updating the single row of event_sequence
// and holds that row's lock until the transaction ends: transactions that
// append commit one after another, in id order. A reader that has seen id n
// therefore never later finds a committed event below n, and a cursor (the
// last id seen) resumes with nothing lost and nothing repeated. The price is
// that appending transactions serialise from their Append to their commit,
// which is why Append must be the last statement of a transaction.
//
// Which reader may see which event is the owning service's rule: rows carry
// the record whose permissions decide it (`scope`) and that record's state
// when the event happened.
#ifndef KYODO_COMMON_EVENTS_OUTBOX_H_
#define KYODO_COMMON_EVENTS_OUTBOX_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/session.h"
#include "google/protobuf/message.h"

namespace kyodo::common::events {

// One event to append.
struct NewEvent {
  int32_t type = 0;  // the service's Event.Type number, > 0
  std::string resource;
  std::string scope;
  int32_t scope_state = 0;
  // The resource after the change (serialised as it is now).
  const google::protobuf::Message* snapshot = nullptr;
};

// Appends `events` at `time` in the caller's transaction, in order. Must be
// the transaction's last statement (see above). Nothing for an empty list.
absl::Status Append(db::Session& session, absl::Time time,
                    const std::vector<NewEvent>& events);

// One stored event.
struct StoredEvent {
  int64_t id = 0;
  int32_t type = 0;
  std::string resource;
  std::string scope;
  int32_t scope_state = 0;
  absl::Time time;
  std::string snapshot;  // the serialised message
};

// What to read.
struct ReadOptions {
  int64_t after = 0;  // ids greater than this
  // "" = any; else the resource itself and every resource under it (a
  // call's events and its proposals').
  std::string resource;
  std::vector<int32_t> types;  // empty = any
  int limit = 100;             // rows scanned, > 0
};

struct ReadResult {
  std::vector<StoredEvent> events;
  // The greatest id scanned, or options.after when there was none: where
  // the next read starts (rows the filters skipped are not scanned again).
  int64_t last_scanned = 0;
};

// Events after `options.after`, oldest first. FAILED_PRECONDITION
// EVENTS_EXPIRED when the retention deleted events after options.after.
// DATA_LOSS for a snapshot that is not base64.
absl::StatusOr<ReadResult> Read(db::Session& session,
                                const ReadOptions& options);

// The id of the newest event (0 when there is none): where a reader that
// wants only what happens from now on starts.
absl::StatusOr<int64_t> Head(db::Session& session);

// Deletes up to `batch` of the oldest events with event_time before
// `cutoff` and records how far it deleted. Returns how many it deleted (0:
// nothing left to delete).
absl::StatusOr<int64_t> DeleteExpired(db::Session& session, absl::Time cutoff,
                                      int batch);

// A cursor as the API shows it (opaque to callers: the decimal id today).
std::string FormatCursor(int64_t id);
// The id of `cursor`; "" is 0 (the oldest event kept). INVALID_ARGUMENT
// naming `field` for anything else that is not a cursor.
absl::StatusOr<int64_t> ParseCursor(absl::string_view field,
                                    absl::string_view cursor);

// Wakes the streams of this process waiting for events when one of its
// transactions appended some (other replicas' events are found by polling,
// WatchOptions.poll_interval). std::mutex rather than absl::Mutex here and
// in Feed: ThreadSanitizer sees the standard library's locks, not those of
// Debian's uninstrumented Abseil (docs/RELIABILITY.md, "ThreadSanitizer").
class Bell {
 public:
  // Called after an appending transaction committed (and to wake every
  // waiting stream).
  void Ring();
  // The number of rings so far.
  uint64_t rings() const;
  // Waits until rings() > `seen` or `timeout` passes; returns rings().
  uint64_t WaitPast(uint64_t seen, absl::Duration timeout) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable rang_;
  uint64_t rings_ = 0;  // guarded by mu_
};

// How a service serves its feed's streams.
struct FeedOptions {
  // How often a waiting stream looks for events appended by other
  // replicas (this process's own wake it at once, Bell).
  absl::Duration poll_interval = absl::Milliseconds(500);
  // How long one stream lasts at most; it then ends OK and the caller
  // resumes from its last cursor.
  absl::Duration max_watch_time = absl::Minutes(30);
  // Streams served at once; each holds a server thread.
  int max_watches = 16;
  // Events a stream reads per query.
  int batch = 100;
};

// A service's feed: its options, its bell and its count of streams.
class Feed {
 public:
  explicit Feed(FeedOptions options = {}) : options_(options) {}
  const FeedOptions& options() const { return options_; }
  Bell& bell() { return bell_; }

  // Takes a stream's place; RESOURCE_EXHAUSTED TOO_MANY_WATCHES when
  // max_watches are taken. Each success is paired with one Leave().
  absl::Status Enter();
  void Leave();

  // Ends every stream (OK: their callers resume elsewhere) and refuses new
  // ones with UNAVAILABLE: the process is draining.
  void Close();

  // Runs one stream: `step(after)` reads from `after`, sends what its
  // caller may see and returns where the next read starts; when that is
  // where it started (nothing new) the stream waits for the bell or the
  // poll interval. Ends OK when `until` passes, with `step`'s error, or
  // when `cancelled()`.
  absl::Status Follow(
      int64_t after, absl::Time until, const std::function<bool()>& cancelled,
      const std::function<absl::StatusOr<int64_t>(int64_t)>& step);

 private:
  const FeedOptions options_;
  Bell bell_;
  std::mutex mu_;  // guards watches_ and closed_
  int watches_ = 0;
  bool closed_ = false;
};

}  // namespace kyodo::common::events

#endif  // KYODO_COMMON_EVENTS_OUTBOX_H_
