// ListEvents and WatchEvents: the change feed (events.h) over
// common/events/serve.h, read by every role but the screener, each event
// shown as its reader may see it (EventReader).
#include "common/events/serve.h"
#include "common/status/macros.h"
#include "proposal-service/events.h"
#include "proposal-service/handlers.h"

namespace kyodo::proposal {
namespace {

namespace events = common::events;

absl::StatusOr<events::ReadOptions> FiltersOf(
    absl::string_view resource,
    const google::protobuf::RepeatedField<int>& types) {
  return events::Filters(
      resource, types,
      [](absl::string_view name) {
        return ParseCallName("resource", name).ok() ||
               ParseProposalName("resource", name).ok();
      },
      "a call or a proposal of this service");
}

// Makes, for each read, the reader that shapes its events.
struct MakeReader {
  const common::auth::Principal& who;
  auto operator()(common::db::Session& s) const {
    return [reader = std::make_shared<EventReader>(s, who)](
               const events::StoredEvent& stored) {
      return reader->Shape(stored);
    };
  }
};

}  // namespace

absl::Status ListEvents(const ServiceDeps& d,
                        const common::server::CallContext& call,
                        const v1::ListEventsRequest& r,
                        v1::ListEventsResponse* out) {
  KYODO_ASSIGN_OR_RETURN(events::ReadOptions options,
                         FiltersOf(r.resource(), r.types()));
  return events::ServeList(*d.pool, call.deadline, r.after(), r.page_size(),
                           std::move(options), MakeReader{call.principal}, out);
}

absl::Status WatchEvents(const ServiceDeps& d,
                         const common::server::CallContext& call,
                         const v1::WatchEventsRequest& r,
                         grpc::ServerWriter<v1::Event>* writer) {
  KYODO_ASSIGN_OR_RETURN(events::ReadOptions options,
                         FiltersOf(r.resource(), r.types()));
  return events::Watch(*d.feed, *d.pool, call, r.after(), std::move(options),
                       writer, MakeReader{call.principal});
}

}  // namespace kyodo::proposal
