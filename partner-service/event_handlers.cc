// The change feed of partners (docs/API.md, "The change feed") over
// common/events/serve.h. Every caller who reads partners reads every event,
// the partner's contacts as GetPartner shows them to it (RedactPartner).
#include "common/events/serve.h"
#include "common/resource/names.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "partner-service/handlers.h"

namespace kyodo::partner {
namespace {

namespace events = common::events;
using v1::Event;
using v1::Partner;

absl::StatusOr<events::ReadOptions> FiltersOf(
    absl::string_view resource,
    const google::protobuf::RepeatedField<int>& types) {
  return events::Filters(
      resource, types,
      [](absl::string_view name) {
        return common::ParseName("resource", name, "partners").ok();
      },
      "a partner, partners/{partner}");
}

// Shapes stored events for one reader.
struct MakeShaper {
  const common::auth::Principal& who;
  auto operator()(common::db::Session&) const {
    return [&who = who](const events::StoredEvent& stored)
               -> absl::StatusOr<std::optional<Event>> {
      if (!Event::Type_IsValid(stored.type)) return std::nullopt;
      Event event;
      event.set_cursor(events::FormatCursor(stored.id));
      event.set_type(static_cast<Event::Type>(stored.type));
      event.set_resource(stored.resource);
      *event.mutable_time() = common::store::ToTimestamp(stored.time);
      if (!event.mutable_partner()->ParseFromString(stored.snapshot)) {
        return common::store::BadStoredValue(
            {"events", events::FormatCursor(stored.id), "snapshot"},
            "not a Partner");
      }
      RedactPartner(who, event.mutable_partner());
      return event;
    };
  }
};

}  // namespace

absl::Status EmitPartnerEvent(common::db::Session& s, absl::Time time,
                              const Partner* before, const Partner& after) {
  Event::Type type = Event::PARTNER_UPDATED;
  if (before == nullptr) {
    type = Event::PARTNER_CREATED;
  } else if (after.has_delete_time() && !before->has_delete_time()) {
    type = Event::PARTNER_DELETED;
  } else if (!after.has_delete_time() && before->has_delete_time()) {
    type = Event::PARTNER_UNDELETED;
  } else if (after.state() != before->state()) {
    type = Event::PARTNER_STATE_CHANGED;
  }
  return events::Append(s, time,
                        {{type, after.name(), after.name(),
                          static_cast<int32_t>(after.state()), &after}});
}

absl::Status ListEvents(const ServiceDeps& d,
                        const common::server::CallContext& call,
                        const v1::ListEventsRequest& r,
                        v1::ListEventsResponse* out) {
  KYODO_ASSIGN_OR_RETURN(events::ReadOptions options,
                         FiltersOf(r.resource(), r.types()));
  return events::ServeList(*d.pool, call.deadline, r.after(), r.page_size(),
                           std::move(options), MakeShaper{call.principal}, out);
}

absl::Status WatchEvents(const ServiceDeps& d,
                         const common::server::CallContext& call,
                         const v1::WatchEventsRequest& r,
                         grpc::ServerWriter<Event>* writer) {
  KYODO_ASSIGN_OR_RETURN(events::ReadOptions options,
                         FiltersOf(r.resource(), r.types()));
  return events::Watch(*d.feed, *d.pool, call, r.after(), std::move(options),
                       writer, MakeShaper{call.principal});
}

}  // namespace kyodo::partner
