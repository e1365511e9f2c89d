// The change feed's flags, shared by every service that serves one
// (docs/OPERATIONS.md, "The change feed"): --event_poll_interval,
// --max_watch_time, --max_watches, --event_retention and
// --event_retention_period.
#ifndef KYODO_COMMON_EVENTS_FLAGS_H_
#define KYODO_COMMON_EVENTS_FLAGS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/events/outbox.h"
#include "common/server/bootstrap.h"

namespace kyodo::common::events {

// A feed configured by the flags; its companion (retention, the end of
// streams on drain) joins `built`, which also keeps the feed alive.
// INVALID_ARGUMENT for a flag out of range.
absl::StatusOr<Feed*> FeedFromFlags(const server::ServiceEnv& env,
                                    server::BuiltService& built);

}  // namespace kyodo::common::events

#endif  // KYODO_COMMON_EVENTS_FLAGS_H_
