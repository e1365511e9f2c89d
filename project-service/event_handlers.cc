// The change feed of projects (docs/API.md, "The change feed") over
// common/events/serve.h. Every caller who reads projects reads every
// event whole, as GetProject answers (service.h).
#include "common/events/serve.h"
#include "common/resource/names.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "project-service/handlers.h"

namespace kyodo::project {
namespace {

namespace events = common::events;
using v1::Event;
using v1::Project;

absl::StatusOr<events::ReadOptions> FiltersOf(
    absl::string_view resource,
    const google::protobuf::RepeatedField<int>& types) {
  return events::Filters(
      resource, types,
      [](absl::string_view name) {
        return common::ParseName("resource", name, "projects").ok();
      },
      "a project, projects/{project}");
}

// Shapes stored events: the project as it was.
struct MakeShaper {
  auto operator()(common::db::Session&) const {
    return [](const events::StoredEvent& stored)
               -> absl::StatusOr<std::optional<Event>> {
      if (!Event::Type_IsValid(stored.type)) return std::nullopt;
      Event event;
      event.set_cursor(events::FormatCursor(stored.id));
      event.set_type(static_cast<Event::Type>(stored.type));
      event.set_resource(stored.resource);
      *event.mutable_time() = common::store::ToTimestamp(stored.time);
      if (!event.mutable_project()->ParseFromString(stored.snapshot)) {
        return common::store::BadStoredValue(
            {"events", events::FormatCursor(stored.id), "snapshot"},
            "not a Project");
      }
      return event;
    };
  }
};

}  // namespace

absl::Status EmitProjectEvent(common::db::Session& s, absl::Time time,
                              const Project* before, const Project& after) {
  Event::Type type = Event::PROJECT_UPDATED;
  if (before == nullptr) {
    type = Event::PROJECT_CREATED;
  } else if (after.has_delete_time() && !before->has_delete_time()) {
    type = Event::PROJECT_DELETED;
  } else if (after.state() != before->state()) {
    type = Event::PROJECT_STATE_CHANGED;
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
                           std::move(options), MakeShaper{}, out);
}

absl::Status WatchEvents(const ServiceDeps& d,
                         const common::server::CallContext& call,
                         const v1::WatchEventsRequest& r,
                         grpc::ServerWriter<Event>* writer) {
  KYODO_ASSIGN_OR_RETURN(events::ReadOptions options,
                         FiltersOf(r.resource(), r.types()));
  return events::Watch(*d.feed, *d.pool, call, r.after(), std::move(options),
                       writer, MakeShaper{});
}

}  // namespace kyodo::project
