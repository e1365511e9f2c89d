#include "common/events/flags.h"

#include "absl/flags/flag.h"
#include "common/events/companion.h"

ABSL_FLAG(absl::Duration, event_poll_interval, absl::Milliseconds(500),
          "how often a WatchEvents stream looks for events that other "
          "replicas wrote (this replica's own reach it at once)");
ABSL_FLAG(absl::Duration, max_watch_time, absl::Minutes(30),
          "longest one WatchEvents stream lasts; it then ends OK and the "
          "caller resumes from its last cursor");
ABSL_FLAG(int, max_watches, 16,
          "most WatchEvents streams served at once (each holds one of "
          "--max_threads)");
ABSL_FLAG(absl::Duration, event_retention, absl::Hours(24 * 90),
          "how long the change feed keeps an event");
ABSL_FLAG(absl::Duration, event_retention_period, absl::Minutes(10),
          "how often events older than --event_retention are deleted");

namespace kyodo::common::events {

absl::StatusOr<Feed*> FeedFromFlags(const server::ServiceEnv& env,
                                    server::BuiltService& built) {
  FeedOptions options;
  options.poll_interval = absl::GetFlag(FLAGS_event_poll_interval);
  options.max_watch_time = absl::GetFlag(FLAGS_max_watch_time);
  options.max_watches = absl::GetFlag(FLAGS_max_watches);
  RetentionOptions retention;
  retention.keep = absl::GetFlag(FLAGS_event_retention);
  retention.period = absl::GetFlag(FLAGS_event_retention_period);
  if (options.poll_interval <= absl::ZeroDuration() ||
      options.max_watch_time <= absl::ZeroDuration() ||
      retention.keep <= absl::ZeroDuration() ||
      retention.period <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--event_poll_interval, --max_watch_time, --event_retention and "
        "--event_retention_period must be positive");
  }
  if (options.max_watches < 0 ||
      options.max_watches >= env.config->max_threads) {
    return absl::InvalidArgumentError(
        "--max_watches must be at least 0 and below --max_threads");
  }
  auto feed = std::make_shared<Feed>(options);
  built.companions.push_back(std::make_shared<FeedCompanion>(
      feed.get(), env.pool, env.clock, retention));
  // Kept with whatever the service keeps alive already.
  built.keep_alive =
      std::make_shared<std::pair<std::shared_ptr<void>, std::shared_ptr<void>>>(
          std::move(built.keep_alive), feed);
  return feed.get();
}

}  // namespace kyodo::common::events
