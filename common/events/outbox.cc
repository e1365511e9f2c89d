#include "common/events/outbox.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"

namespace kyodo::common::events {
namespace {

constexpr char kTakeIds[] =
    "SELECT last_id FROM event_sequence WHERE one = 1 FOR UPDATE";
constexpr char kAdvance[] =
    "UPDATE event_sequence SET last_id = ? WHERE one = 1";
constexpr char kInsert[] =
    "INSERT INTO events (id, type_number, resource, scope, scope_state, "
    "event_time, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?)";

// One statement, so one read view: the head and the horizon are those of
// the same moment as the rows. The sequence's uncommitted last_id is not
// visible to it, and appends commit in id order, so last_id is the newest
// committed event.
constexpr char kRead[] =
    "SELECT e.id, e.type_number, e.resource, e.scope, e.scope_state, "
    "e.event_time, e.snapshot, s.last_id, s.deleted_through "
    "FROM event_sequence s LEFT JOIN events e ON e.id > ? "
    "AND (? = '' OR e.resource = ? OR e.resource LIKE ? ESCAPE '!') "
    "AND (? = '' OR FIND_IN_SET(e.type_number, ?) > 0) "
    "WHERE s.one = 1 ORDER BY e.id LIMIT ?";

constexpr char kHead[] = "SELECT last_id FROM event_sequence WHERE one = 1";

constexpr char kOldest[] =
    "SELECT MAX(id) FROM (SELECT id FROM events WHERE event_time < ? "
    "ORDER BY id LIMIT ?) AS oldest";
constexpr char kDelete[] = "DELETE FROM events WHERE id <= ?";
constexpr char kDeletedThrough[] =
    "UPDATE event_sequence SET deleted_through = GREATEST(deleted_through, ?) "
    "WHERE one = 1";

// `prefix` + "/%" for LIKE, with LIKE's own characters escaped by '!'.
std::string ChildPattern(absl::string_view prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '!') out.push_back('!');
    out.push_back(c);
  }
  out += "/%";
  return out;
}

absl::Status MissingSequence() {
  return absl::InternalError(
      "event_sequence has no row: the common migration 003 did not run");
}

}  // namespace

absl::Status Append(db::Session& session, absl::Time time,
                    const std::vector<NewEvent>& events) {
  if (events.empty()) return absl::OkStatus();
  KYODO_ASSIGN_OR_RETURN(std::optional<db::Row> row,
                         session.QueryOne(kTakeIds));
  if (!row.has_value()) return MissingSequence();
  KYODO_ASSIGN_OR_RETURN(int64_t id, row->Int(0));
  for (const NewEvent& event : events) {
    if (event.type <= 0 || event.resource.empty() ||
        event.snapshot == nullptr) {
      return absl::InternalError(
          absl::StrCat("an event of ", event.resource,
                       " without a type, resource or snapshot"));
    }
    ++id;
    std::string bytes;
    if (!event.snapshot->SerializeToString(&bytes)) {
      return absl::InternalError(absl::StrCat(
          "event snapshot of ", event.resource, " does not serialise"));
    }
    KYODO_RETURN_IF_ERROR(
        session
            .Exec(kInsert, {id, event.type, event.resource, event.scope,
                            event.scope_state, time, absl::Base64Escape(bytes)})
            .status());
  }
  return session.Exec(kAdvance, {id}).status();
}

absl::StatusOr<ReadResult> Read(db::Session& session,
                                const ReadOptions& options) {
  std::vector<std::string> types;
  types.reserve(options.types.size());
  for (int32_t t : options.types) types.push_back(absl::StrCat(t));
  const std::string type_list = absl::StrJoin(types, ",");
  KYODO_ASSIGN_OR_RETURN(
      std::vector<db::Row> rows,
      session.Query(kRead, {options.after, options.resource, options.resource,
                            ChildPattern(options.resource), type_list,
                            type_list, std::max(options.limit, 1)}));
  if (rows.empty()) return MissingSequence();
  KYODO_ASSIGN_OR_RETURN(const int64_t head, rows.front().Int(7));
  KYODO_ASSIGN_OR_RETURN(const int64_t deleted_through, rows.front().Int(8));
  if (options.after > head) {
    return InvalidArgumentError(
        "after",
        absl::StrCat("is ahead of the newest event (", FormatCursor(head),
                     "): not a cursor of this "
                     "service's feed"));
  }
  if (options.after != 0 && options.after < deleted_through) {
    return ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, kyodo::type::v1::EVENTS_EXPIRED,
        absl::StrCat("EVENTS_EXPIRED: events after this cursor were deleted "
                     "by the retention; the oldest cursor still complete is ",
                     FormatCursor(deleted_through)),
        {{"oldest_cursor", FormatCursor(deleted_through)}});
  }
  ReadResult result;
  result.last_scanned = std::max(options.after, head);
  for (const db::Row& r : rows) {
    if (r.IsNull(0)) continue;  // the LEFT JOIN's row when nothing matched
    StoredEvent event;
    KYODO_ASSIGN_OR_RETURN(event.id, r.Int(0));
    KYODO_ASSIGN_OR_RETURN(const int64_t type, r.Int(1));
    KYODO_ASSIGN_OR_RETURN(const int64_t scope_state, r.Int(4));
    KYODO_ASSIGN_OR_RETURN(event.time, r.Time(5));
    event.type = static_cast<int32_t>(type);
    event.resource = r.String(2);
    event.scope = r.String(3);
    event.scope_state = static_cast<int32_t>(scope_state);
    if (!absl::Base64Unescape(r.String(6), &event.snapshot)) {
      return store::BadStoredValue({"events", r.String(0), "snapshot"},
                                   "not base64");
    }
    result.events.push_back(std::move(event));
  }
  // A full batch may have more matching rows after it; else every row up
  // to the head was scanned.
  if (static_cast<int>(result.events.size()) >= options.limit) {
    result.last_scanned = result.events.back().id;
  }
  return result;
}

absl::StatusOr<int64_t> Head(db::Session& session) {
  KYODO_ASSIGN_OR_RETURN(std::optional<db::Row> row, session.QueryOne(kHead));
  if (!row.has_value()) return MissingSequence();
  return row->Int(0);
}

absl::StatusOr<int64_t> DeleteExpired(db::Session& session, absl::Time cutoff,
                                      int batch) {
  KYODO_ASSIGN_OR_RETURN(std::optional<db::Row> row,
                         session.QueryOne(kOldest, {cutoff, batch}));
  if (!row.has_value() || row->IsNull(0)) return 0;
  KYODO_ASSIGN_OR_RETURN(const int64_t through, row->Int(0));
  KYODO_ASSIGN_OR_RETURN(int64_t deleted, session.Exec(kDelete, {through}));
  KYODO_RETURN_IF_ERROR(session.Exec(kDeletedThrough, {through}).status());
  return deleted;
}

std::string FormatCursor(int64_t id) { return absl::StrCat(id); }

absl::StatusOr<int64_t> ParseCursor(absl::string_view field,
                                    absl::string_view cursor) {
  if (cursor.empty()) return 0;
  int64_t id = 0;
  if (cursor.size() > 19 ||
      !std::all_of(cursor.begin(), cursor.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(cursor, &id) || id < 0) {
    return InvalidArgumentError(
        field,
        "is not a cursor of this feed (one from an event or a "
        "ListEvents answer, or empty for the oldest event kept)");
  }
  return id;
}

void Bell::Ring() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++rings_;
  }
  rang_.notify_all();
}

uint64_t Bell::rings() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rings_;
}

uint64_t Bell::WaitPast(uint64_t seen, absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  rang_.wait_for(
      lock, absl::ToChronoNanoseconds(std::max(timeout, absl::ZeroDuration())),
      [this, seen] { return rings_ > seen; });
  return rings_;
}

absl::Status Feed::Enter() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) {
    return absl::UnavailableError(
        "this replica is shutting down; watch through another");
  }
  if (watches_ >= options_.max_watches) {
    return ErrorWithReason(
        absl::StatusCode::kResourceExhausted, kyodo::type::v1::TOO_MANY_WATCHES,
        absl::StrCat("TOO_MANY_WATCHES: this replica already serves ", watches_,
                     " WatchEvents streams (--max_watches); retry "
                     "later or read with ListEvents"),
        {{"limit", absl::StrCat(options_.max_watches)}});
  }
  ++watches_;
  return absl::OkStatus();
}

void Feed::Leave() {
  std::lock_guard<std::mutex> lock(mu_);
  --watches_;
}

void Feed::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  bell_.Ring();
}

absl::Status Feed::Follow(
    int64_t after, absl::Time until, const std::function<bool()>& cancelled,
    const std::function<absl::StatusOr<int64_t>(int64_t)>& step) {
  auto open = [this] {
    std::lock_guard<std::mutex> lock(mu_);
    return !closed_;
  };
  while (open() && !cancelled() && absl::Now() < until) {
    // The rings before the read: a commit during the read rings again.
    const uint64_t seen = bell_.rings();
    KYODO_ASSIGN_OR_RETURN(int64_t next, step(after));
    if (next != after) {
      after = next;
      continue;
    }
    bell_.WaitPast(seen, std::min(options_.poll_interval, until - absl::Now()));
  }
  return absl::OkStatus();
}

}  // namespace kyodo::common::events
