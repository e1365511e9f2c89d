// The audit trail (公開性・透明性, docs/API.md "Audit").
//
// Record writes one event per changed resource inside the caller's
// transaction, so a change and its record commit or vanish together. The
// event holds the actor, the method, the time and, for each top-level field
// whose value differs, the value before and after (as JSON). Output-only
// bookkeeping (etag, update_time) is left out.
#ifndef KYODO_COMMON_AUDIT_AUDIT_H_
#define KYODO_COMMON_AUDIT_AUDIT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/session.h"
#include "common/paging/page_token.h"
#include "google/protobuf/message.h"
#include "kyodo/type/v1/audit.pb.h"

namespace kyodo::common::audit {

// Who made a change and through which call.
struct Actor {
  std::string subject;
  std::string role;
  std::string method;
  std::string call_id;
  std::string request_id;
  absl::Time time;
};

// The field changes from `before` to `after` (either may be null: creation,
// hard deletion), compared as JSON with proto field names.
std::vector<kyodo::type::v1::FieldChange> Diff(
    const google::protobuf::Message* before,
    const google::protobuf::Message* after);

// Records the change of `resource`. Writes nothing when no field changed.
absl::Status Record(db::Session& session, const Actor& actor,
                    absl::string_view resource,
                    const google::protobuf::Message* before,
                    const google::protobuf::Message* after);

// Events of `resource`, oldest first, after event id `after_id`; at most
// `limit`.
absl::StatusOr<std::vector<kyodo::type::v1::AuditEvent>> List(
    db::Session& session, absl::string_view resource, int64_t after_id,
    int limit);

// One page of ListAuditEvents: page size and token rules of AIP-158, the
// token bound to the resource. The caller checks permissions first.
absl::Status ListPage(db::Session& session,
                      const kyodo::type::v1::ListAuditEventsRequest& request,
                      const paging::PageTokenCodec& pages,
                      kyodo::type::v1::ListAuditEventsResponse* response);

}  // namespace kyodo::common::audit

#endif  // KYODO_COMMON_AUDIT_AUDIT_H_
