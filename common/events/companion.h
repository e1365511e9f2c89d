// The change feed's life beside a service's gRPC server: the retention,
// which deletes events older than --event_retention every
// --event_retention_period (docs/OPERATIONS.md, "The change feed"), and the
// end of the streams when the process drains.
#ifndef KYODO_COMMON_EVENTS_COMPANION_H_
#define KYODO_COMMON_EVENTS_COMPANION_H_

#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/events/outbox.h"
#include "common/server/host.h"
#include "common/time/clock.h"

namespace kyodo::common::events {

struct RetentionOptions {
  absl::Duration keep = absl::Hours(24 * 90);
  absl::Duration period = absl::Minutes(10);
  int batch = 1000;  // events deleted per transaction
};

// Deletes, in transactions of `options.batch`, every event older than
// `options.keep` by `clock`. Returns how many it deleted.
absl::StatusOr<int64_t> DeleteExpiredEvents(db::ConnectionPool& pool,
                                            const Clock& clock,
                                            const RetentionOptions& options);

class FeedCompanion final : public server::Companion {
 public:
  FeedCompanion(Feed* feed, db::ConnectionPool* pool, const Clock* clock,
                RetentionOptions options)
      : feed_(feed), pool_(pool), clock_(clock), options_(options) {}
  ~FeedCompanion() override;

  absl::Status Start(grpc::Server* server) override;
  void StopAccepting(absl::Time deadline) override;
  void Stop() override;

 private:
  void Run();

  Feed* feed_;
  db::ConnectionPool* pool_;
  const Clock* clock_;
  const RetentionOptions options_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace kyodo::common::events

#endif  // KYODO_COMMON_EVENTS_COMPANION_H_
