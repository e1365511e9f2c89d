#include "common/audit/audit.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"

namespace kyodo::common::audit {
namespace {

constexpr char kInsert[] =
    "INSERT INTO audit_events (resource, method, actor, actor_role,"
    " request_id, call_id, event_time, changes)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kList[] =
    "SELECT id, resource, method, actor, actor_role, request_id, call_id,"
    " event_time, changes FROM audit_events"
    " WHERE resource = ? AND id > ? ORDER BY id LIMIT ?";

nlohmann::json ToJson(const google::protobuf::Message* message) {
  if (message == nullptr) return nlohmann::json::object();
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(*message, &text, options)
           .ok()) {
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(text, nullptr, false);
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::vector<kyodo::type::v1::FieldChange> Diff(
    const google::protobuf::Message* before,
    const google::protobuf::Message* after) {
  static const auto* kIgnored =
      new absl::flat_hash_set<std::string>{"etag", "update_time"};
  const nlohmann::json a = ToJson(before);
  const nlohmann::json b = ToJson(after);
  std::vector<kyodo::type::v1::FieldChange> changes;
  // Walk in descriptor order so events read like the resource.
  const google::protobuf::Descriptor* descriptor =
      (after != nullptr ? after : before)->GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const std::string& name = descriptor->field(i)->name();
    if (kIgnored->contains(name)) continue;
    const bool in_a = a.contains(name), in_b = b.contains(name);
    if (!in_a && !in_b) continue;
    if (in_a && in_b && a[name] == b[name]) continue;
    kyodo::type::v1::FieldChange change;
    change.set_field(name);
    if (in_a) change.set_before(Dump(a[name]));
    if (in_b) change.set_after(Dump(b[name]));
    changes.push_back(std::move(change));
  }
  return changes;
}

absl::Status Record(db::Session& session, const Actor& actor,
                    absl::string_view resource,
                    const google::protobuf::Message* before,
                    const google::protobuf::Message* after) {
  std::vector<kyodo::type::v1::FieldChange> changes = Diff(before, after);
  if (changes.empty()) return absl::OkStatus();
  nlohmann::json json = nlohmann::json::array();
  for (const auto& change : changes) {
    nlohmann::json entry = {{"field", change.field()}};
    if (change.has_before())
      entry["before"] = nlohmann::json::parse(change.before());
    if (change.has_after())
      entry["after"] = nlohmann::json::parse(change.after());
    json.push_back(std::move(entry));
  }
  std::optional<std::string> request_id;
  if (!actor.request_id.empty()) request_id = actor.request_id;
  return session
      .Exec(kInsert, {resource, actor.method, actor.subject, actor.role,
                      request_id, actor.call_id, actor.time, Dump(json)})
      .status();
}

absl::StatusOr<std::vector<kyodo::type::v1::AuditEvent>> List(
    db::Session& session, absl::string_view resource, int64_t after_id,
    int limit) {
  KYODO_ASSIGN_OR_RETURN(std::vector<db::Row> rows,
                         session.Query(kList, {resource, after_id, limit}));
  std::vector<kyodo::type::v1::AuditEvent> events;
  for (const db::Row& row : rows) {
    kyodo::type::v1::AuditEvent event;
    KYODO_ASSIGN_OR_RETURN(const int64_t id, row.Int(0));
    KYODO_ASSIGN_OR_RETURN(const absl::Time time, row.Time(7));
    event.set_id(id);
    event.set_resource(row.String(1));
    event.set_method(row.String(2));
    event.set_actor(row.String(3));
    event.set_actor_role(row.String(4));
    if (!row.IsNull(5)) event.set_request_id(row.String(5));
    event.set_call_id(row.String(6));
    *event.mutable_time() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
            absl::ToUnixNanos(time));
    const nlohmann::json changes =
        nlohmann::json::parse(row.String(8), nullptr, false);
    if (!changes.is_array()) {
      // An event without its changes would tell a reader nothing changed.
      return store::BadStoredValue({"audit_events", row.String(0), "changes"},
                                   "not a JSON array");
    }
    for (const auto& entry : changes) {
      if (!entry.is_object() || !entry.contains("field") ||
          !entry["field"].is_string()) {
        return store::BadStoredValue({"audit_events", row.String(0), "changes"},
                                     "a change without its field");
      }
      auto* change = event.add_changes();
      change->set_field(entry["field"].get<std::string>());
      if (entry.contains("before")) change->set_before(Dump(entry["before"]));
      if (entry.contains("after")) change->set_after(Dump(entry["after"]));
    }
    events.push_back(std::move(event));
  }
  return events;
}

absl::Status ListPage(db::Session& session,
                      const kyodo::type::v1::ListAuditEventsRequest& request,
                      const paging::PageTokenCodec& pages,
                      kyodo::type::v1::ListAuditEventsResponse* response) {
  KYODO_ASSIGN_OR_RETURN(int size,
                         paging::EffectivePageSize(request.page_size()));
  const std::string query =
      absl::StrCat("ListAuditEvents|", request.resource());
  KYODO_ASSIGN_OR_RETURN(paging::PageCursor cursor,
                         pages.Decode(request.page_token(), query));
  KYODO_ASSIGN_OR_RETURN(
      std::vector<kyodo::type::v1::AuditEvent> events,
      List(session, request.resource(), cursor.last_seq, size + 1));
  response->set_next_page_token(paging::FinishPage(
      events, size, pages, query,
      [](const kyodo::type::v1::AuditEvent& e) { return e.id(); }));
  for (auto& event : events) *response->add_audit_events() = std::move(event);
  return absl::OkStatus();
}

}  // namespace kyodo::common::audit
