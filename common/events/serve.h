// ListEvents and WatchEvents as every service serves them (docs/API.md,
// "The change feed"), over the outbox (outbox.h). A service brings its
// Event message and how one stored event is shown to one reader (a
// "shaper", made afresh for each read so that it may cache what it looked
// up, e.g. the reader's access to each call).
#ifndef KYODO_COMMON_EVENTS_SERVE_H_
#define KYODO_COMMON_EVENTS_SERVE_H_

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/paging/page_token.h"
#include "common/server/rpc.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "google/protobuf/repeated_field.h"
#include "grpcpp/support/sync_stream.h"

namespace kyodo::common::events {

// Events read per query; the most one ListEvents call scans.
inline constexpr int kReadBatch = 100;
inline constexpr int kMostScanned = 1000;

// A request's filters, checked: `resource` must be empty or pass
// `valid_resource` (INVALID_ARGUMENT naming "resource", saying `what` it
// must name); no type may be 0 (INVALID_ARGUMENT naming "types[i]").
absl::StatusOr<ReadOptions> Filters(
    absl::string_view resource,
    const google::protobuf::RepeatedField<int>& types,
    const std::function<bool(absl::string_view)>& valid_resource,
    absl::string_view what);

// `after` of a request: a cursor, or "now" (the newest event's id, read
// with `pool`).
absl::StatusOr<int64_t> StartOf(db::ConnectionPool& pool, absl::Time deadline,
                                absl::string_view after);

// One read for one reader: the events it may see (at most `room`) and where
// the next read starts.
template <typename Event>
struct Batch {
  std::vector<Event> events;
  int64_t next = 0;
  int scanned = 0;
  bool complete = false;  // read up to the newest event
};

// `Shaper` is made by `make(session)` and called as
// shape(const StoredEvent&) -> absl::StatusOr<std::optional<Event>>.
template <typename Event, typename MakeShaper>
absl::StatusOr<Batch<Event>> ReadBatch(db::Session& s, ReadOptions options,
                                       int room, const MakeShaper& make) {
  Batch<Event> batch;
  batch.next = options.after;
  options.limit = kReadBatch;
  KYODO_ASSIGN_OR_RETURN(ReadResult read, Read(s, options));
  auto shape = make(s);
  for (const StoredEvent& stored : read.events) {
    ++batch.scanned;
    batch.next = stored.id;
    KYODO_ASSIGN_OR_RETURN(std::optional<Event> event, shape(stored));
    if (!event.has_value()) continue;
    batch.events.push_back(std::move(*event));
    if (static_cast<int>(batch.events.size()) >= room) return batch;
  }
  batch.next = read.last_scanned;
  batch.complete = static_cast<int>(read.events.size()) < kReadBatch;
  return batch;
}

// One ListEvents page: up to `page_size` events after `options.after`,
// scanning at most kMostScanned; `*next` is where the next page starts.
template <typename Event, typename MakeShaper>
absl::Status ListPage(db::ConnectionPool& pool, absl::Time deadline,
                      ReadOptions options, int page_size,
                      const MakeShaper& make, std::vector<Event>* events,
                      int64_t* next) {
  return db::RunWithSession(
      pool, deadline, [&](db::Session& s) -> absl::Status {
        int scanned = 0;
        for (;;) {
          KYODO_ASSIGN_OR_RETURN(
              Batch<Event> batch,
              ReadBatch<Event>(s, options,
                               page_size - static_cast<int>(events->size()),
                               make));
          for (Event& event : batch.events) events->push_back(std::move(event));
          options.after = batch.next;
          scanned += batch.scanned;
          if (batch.complete || static_cast<int>(events->size()) >= page_size ||
              scanned >= kMostScanned) {
            break;
          }
        }
        *next = options.after;
        return absl::OkStatus();
      });
}

// A whole ListEvents answer: `page_size` as AIP-158 (INVALID_ARGUMENT
// naming "page_size"), `after` a cursor or "now" (no events, the newest
// event's cursor), the events after it that `make`'s shaper lets through,
// and next_cursor.
template <typename Response, typename MakeShaper>
absl::Status ServeList(db::ConnectionPool& pool, absl::Time deadline,
                       absl::string_view after, int32_t page_size,
                       ReadOptions options, const MakeShaper& make,
                       Response* out) {
  using Event = std::decay_t<decltype(out->events(0))>;
  KYODO_ASSIGN_OR_RETURN(int size, paging::EffectivePageSize(page_size));
  KYODO_ASSIGN_OR_RETURN(options.after, StartOf(pool, deadline, after));
  if (after != "now") {
    std::vector<Event> page;
    KYODO_RETURN_IF_ERROR(
        ListPage(pool, deadline, options, size, make, &page, &options.after));
    for (Event& event : page) *out->add_events() = std::move(event);
  }
  out->set_next_cursor(FormatCursor(options.after));
  return absl::OkStatus();
}

// A stream ends this long before its deadline, OK, rather than at it with
// DEADLINE_EXCEEDED.
inline constexpr absl::Duration kEndBeforeDeadline = absl::Milliseconds(500);

// One WatchEvents stream for `call`: the events after `after` (a cursor or
// "now"), then each new one, until the caller cancels, the feed closes or
// the stream's time is up (Feed::Follow).
template <typename Event, typename MakeShaper>
absl::Status Watch(Feed& feed, db::ConnectionPool& pool,
                   const server::CallContext& call, absl::string_view after,
                   ReadOptions options, grpc::ServerWriter<Event>* writer,
                   const MakeShaper& make) {
  KYODO_ASSIGN_OR_RETURN(options.after, StartOf(pool, call.deadline, after));
  KYODO_RETURN_IF_ERROR(feed.Enter());
  absl::Cleanup leave = [&feed] { feed.Leave(); };
  // The start is fixed ("now" resolved): a caller that waits for the
  // initial metadata knows every change committed from here reaches it.
  writer->SendInitialMetadata();
  const absl::Time until =
      std::min(call.deadline - kEndBeforeDeadline,
               absl::Now() + feed.options().max_watch_time);
  return feed.Follow(
      options.after, until,
      [&call] { return call.server_context->IsCancelled(); },
      [&](int64_t after) -> absl::StatusOr<int64_t> {
        options.after = after;
        Batch<Event> batch;
        // The session is held for the read only, not while the caller
        // takes the events.
        KYODO_RETURN_IF_ERROR(db::RunWithSession(
            pool, call.deadline, [&](db::Session& s) -> absl::Status {
              KYODO_ASSIGN_OR_RETURN(
                  batch, ReadBatch<Event>(s, options, kReadBatch, make));
              return absl::OkStatus();
            }));
        for (const Event& event : batch.events) {
          if (!writer->Write(event)) {
            return absl::CancelledError("the caller stopped reading");
          }
        }
        return batch.next;
      });
}

}  // namespace kyodo::common::events

#endif  // KYODO_COMMON_EVENTS_SERVE_H_
