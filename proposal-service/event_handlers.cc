// ListEvents and WatchEvents: the change feed (events.h), read by every
// role but the screener, each event shown as its reader may see it.
#include <algorithm>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/paging/page_token.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "proposal-service/events.h"
#include "proposal-service/handlers.h"

namespace kyodo::proposal {
namespace {

using common::db::Session;
using common::events::ReadOptions;
using common::server::CallContext;

// Events read per query; and the most one ListEvents call scans.
constexpr int kBatch = 100;
constexpr int kMostScanned = 1000;
// A stream ends this long before its deadline, OK, rather than at it with
// DEADLINE_EXCEEDED.
constexpr absl::Duration kEndBeforeDeadline = absl::Milliseconds(500);

// The filters of a request, checked. `after` is parsed by the caller.
absl::StatusOr<ReadOptions> FiltersOf(
    absl::string_view resource,
    const google::protobuf::RepeatedField<int>& types) {
  ReadOptions options;
  if (!resource.empty()) {
    if (!ParseCallName("resource", resource).ok() &&
        !ParseProposalName("resource", resource).ok()) {
      return common::InvalidArgumentError(
          "resource", "must name a call or a proposal of this service");
    }
    options.resource = std::string(resource);
  }
  for (int i = 0; i < types.size(); ++i) {
    if (types[i] == v1::Event::TYPE_UNSPECIFIED) {
      return common::InvalidArgumentError(absl::StrCat("types[", i, "]"),
                                          "must not be TYPE_UNSPECIFIED");
    }
    options.types.push_back(types[i]);
  }
  return options;
}

// One read from `options.after` for `who`: the events it may see, at most
// `room` of them, and where the next read starts.
struct Batch {
  std::vector<v1::Event> events;
  int64_t next = 0;
  int scanned = 0;
  bool complete = false;  // read up to the newest event
};
absl::StatusOr<Batch> ReadBatch(Session& s, const common::auth::Principal& who,
                                ReadOptions options, int room) {
  Batch batch;
  batch.next = options.after;
  options.limit = kBatch;
  KYODO_ASSIGN_OR_RETURN(common::events::ReadResult read,
                         common::events::Read(s, options));
  EventReader reader(s, who);
  for (const common::events::StoredEvent& stored : read.events) {
    ++batch.scanned;
    batch.next = stored.id;
    KYODO_ASSIGN_OR_RETURN(std::optional<v1::Event> event,
                           reader.Shape(stored));
    if (!event.has_value()) continue;
    batch.events.push_back(std::move(*event));
    if (static_cast<int>(batch.events.size()) >= room) return batch;
  }
  batch.next = read.last_scanned;
  batch.complete = static_cast<int>(read.events.size()) < kBatch;
  return batch;
}

}  // namespace

absl::Status ListEvents(const ServiceDeps& d, const CallContext& call,
                        const v1::ListEventsRequest& r,
                        v1::ListEventsResponse* out) {
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  KYODO_ASSIGN_OR_RETURN(ReadOptions options,
                         FiltersOf(r.resource(), r.types()));
  if (r.after() != "now") {
    KYODO_ASSIGN_OR_RETURN(options.after,
                           common::events::ParseCursor("after", r.after()));
  }
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        if (r.after() == "now") {
          // Where a follower starts that wants only what happens next.
          KYODO_ASSIGN_OR_RETURN(int64_t head, common::events::Head(s));
          out->set_next_cursor(common::events::FormatCursor(head));
          return absl::OkStatus();
        }
        int scanned = 0;
        for (;;) {
          KYODO_ASSIGN_OR_RETURN(
              Batch batch,
              ReadBatch(s, call.principal, options, size - out->events_size()));
          for (v1::Event& event : batch.events) {
            *out->add_events() = std::move(event);
          }
          options.after = batch.next;
          scanned += batch.scanned;
          if (batch.complete || out->events_size() >= size ||
              scanned >= kMostScanned) {
            break;
          }
        }
        out->set_next_cursor(common::events::FormatCursor(options.after));
        return absl::OkStatus();
      });
}

absl::Status WatchEvents(const ServiceDeps& d, const CallContext& call,
                         const v1::WatchEventsRequest& r,
                         grpc::ServerWriter<v1::Event>* writer) {
  KYODO_ASSIGN_OR_RETURN(ReadOptions options,
                         FiltersOf(r.resource(), r.types()));
  if (r.after() != "now") {
    KYODO_ASSIGN_OR_RETURN(options.after,
                           common::events::ParseCursor("after", r.after()));
  }
  KYODO_RETURN_IF_ERROR(d.feed->Enter());
  absl::Cleanup leave = [&d] { d.feed->Leave(); };
  if (r.after() == "now") {
    KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
        *d.pool, call.deadline, [&](Session& s) -> absl::Status {
          KYODO_ASSIGN_OR_RETURN(options.after, common::events::Head(s));
          return absl::OkStatus();
        }));
  }
  const absl::Time until =
      std::min(call.deadline - kEndBeforeDeadline,
               absl::Now() + d.feed->options().max_watch_time);
  return d.feed->Follow(
      options.after, until,
      [&call] { return call.server_context->IsCancelled(); },
      [&](int64_t after) -> absl::StatusOr<int64_t> {
        options.after = after;
        Batch batch;
        // The session is held for the read only, not while the caller
        // takes the events.
        KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
            *d.pool, call.deadline, [&](Session& s) -> absl::Status {
              KYODO_ASSIGN_OR_RETURN(
                  batch, ReadBatch(s, call.principal, options, kBatch));
              return absl::OkStatus();
            }));
        for (const v1::Event& event : batch.events) {
          if (!writer->Write(event)) {
            return absl::CancelledError("the caller stopped reading");
          }
        }
        return batch.next;
      });
}

}  // namespace kyodo::proposal
