#include "common/server/database.h"

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
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

std::function<bool()> DatabaseReadiness(db::ConnectionPool* pool,
                                        std::vector<db::MigrationTrack> tracks,
                                        std::function<void(bool)> report_dirty,
                                        SchemaCheck check) {
  // -1 = not read yet; else whether any migration was dirty at last check.
  auto last_dirty = std::make_shared<std::atomic<int>>(-1);
  // -1 = not run yet; else whether `check` passed at its last run.
  auto last_checked = std::make_shared<std::atomic<int>>(-1);
  return [pool, tracks = std::move(tracks),
          report_dirty = std::move(report_dirty), check = std::move(check),
          last_dirty, last_checked]() {
    absl::StatusOr<db::PooledSession> session =
        pool->Borrow(absl::Now() + absl::Seconds(2));
    if (!session.ok()) {
      // A pool busy serving calls means the database works.
      return session.status().code() == absl::StatusCode::kResourceExhausted;
    }
    absl::StatusOr<db::SchemaState> state =
        db::InspectSchema(**session, tracks);
    // Any dirty migration, this release's or a newer one's: a failed
    // migration Job reports itself through every running pod.
    absl::StatusOr<std::vector<db::Row>> dirty = (*session)->Query(
        "SELECT track, version FROM schema_migrations WHERE dirty");
    if (dirty.ok()) {
      const bool any = !dirty->empty();
      if (report_dirty) report_dirty(any);
      if (last_dirty->exchange(any ? 1 : 0) != (any ? 1 : 0)) {
        if (any) {
          log::Write(
              state.ok() && *state == db::SchemaState::kCurrent
                  ? log::Level::kWarning
                  : log::Level::kError,
              "schema dirty",
              {{"migration", absl::StrCat((*dirty)[0].String(0), "/",
                                          (*dirty)[0].String(1))},
               {"serving", state.ok() && *state == db::SchemaState::kCurrent}});
        } else {
          log::Info("schema clean");
        }
      }
    }
    if (!state.ok() || *state != db::SchemaState::kCurrent) return false;
    if (!check) return true;
    const absl::Status checked = check(**session);
    if (last_checked->exchange(checked.ok() ? 1 : 0) !=
        (checked.ok() ? 1 : 0)) {
      if (checked.ok()) {
        log::Info("schema check passed");
      } else {
        log::Write(log::Level::kError, "schema check failed",
                   {{"error", checked.message()}, {"serving", false}});
      }
    }
    return checked.ok();
  };
}

}  // namespace kyodo::common::server
