#include "common/server/database.h"

#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common_migrations.h"

namespace kyodo::common::server {

const db::MigrationTrack& CommonMigrations() { return KyodoCommonMigrations(); }

absl::Status MigrateAtStart(const db::PoolOptions& database,
                            const std::vector<db::MigrationTrack>& tracks,
                            absl::Duration wait, db::MigrationReport* report,
                            absl::string_view serving_role) {
  const absl::Time give_up = absl::Now() + wait;
  absl::Duration backoff = absl::Milliseconds(200);
  while (true) {
    absl::StatusOr<db::MigrationReport> applied =
        db::ApplyMigrations(database, tracks, absl::Seconds(60), serving_role);
    if (applied.ok()) {
      if (report != nullptr) *report = *applied;
      return absl::OkStatus();
    }
    // 2026: TLS failed (a wrong CA, a certificate for another host, a
    // server without TLS): configuration, not a database still starting.
    const bool retry =
        applied.status().code() == absl::StatusCode::kUnavailable &&
        db::MySqlErrorNumber(applied.status()) != 2026 &&
        absl::Now() + backoff < give_up;
    log::Write(retry ? log::Level::kWarning : log::Level::kError,
               "migration failed",
               {{"error", applied.status().message()}, {"retrying", retry}});
    if (!retry) return applied.status();
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

std::function<bool()> DatabaseReadiness(
    db::ConnectionPool* pool, std::vector<db::MigrationTrack> tracks) {
  return [pool, tracks = std::move(tracks)]() {
    absl::StatusOr<db::PooledSession> session =
        pool->Borrow(absl::Now() + absl::Seconds(2));
    if (!session.ok()) {
      // A pool busy serving calls means the database works.
      return session.status().code() == absl::StatusCode::kResourceExhausted;
    }
    absl::StatusOr<db::SchemaState> state =
        db::InspectSchema(**session, tracks);
    return state.ok() && *state == db::SchemaState::kCurrent;
  };
}

}  // namespace kyodo::common::server
