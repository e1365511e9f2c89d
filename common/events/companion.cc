#include "common/events/companion.h"

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/log/log.h"
#include "common/status/macros.h"

namespace kyodo::common::events {

absl::StatusOr<int64_t> DeleteExpiredEvents(db::ConnectionPool& pool,
                                            const Clock& clock,
                                            const RetentionOptions& options) {
  const absl::Time cutoff = clock.Now() - options.keep;
  int64_t total = 0;
  for (;;) {
    int64_t deleted = 0;
    KYODO_RETURN_IF_ERROR(db::RunInTransaction(
        pool, absl::Now() + absl::Seconds(30), [&](db::Session& s) {
          KYODO_ASSIGN_OR_RETURN(deleted,
                                 DeleteExpired(s, cutoff, options.batch));
          return absl::OkStatus();
        }));
    total += deleted;
    if (deleted == 0) return total;
  }
}

FeedCompanion::~FeedCompanion() { Stop(); }

absl::Status FeedCompanion::Start(grpc::Server*) {
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void FeedCompanion::StopAccepting(absl::Time) { feed_->Close(); }

void FeedCompanion::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void FeedCompanion::Run() {
  do {
    absl::StatusOr<int64_t> deleted =
        DeleteExpiredEvents(*pool_, *clock_, options_);
    if (!deleted.ok()) {
      log::Warning("event retention failed",
                   {{"error", deleted.status().ToString()}});
    } else if (*deleted > 0) {
      log::Info("event retention deleted events",
                {{"deleted", absl::StrCat(*deleted)}});
    }
  } while (!stop_.WaitForNotificationWithTimeout(options_.period));
}

}  // namespace kyodo::common::events
