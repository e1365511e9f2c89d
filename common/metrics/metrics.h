// Prometheus metrics of a kyodo service (prometheus-cpp from Debian), served
// over HTTP at /metrics on their own address:
//   kyodo_rpc_total{service,method,code}              calls finished
//   kyodo_rpc_duration_seconds{service,method,code}   latency histogram
//   kyodo_db_pool_sessions{service,state=open|in_use|idle|waiting}
//   kyodo_db_pool_events_total{service,event=opened|dropped|rejected}
//   kyodo_migrations_applied{service}                 at the last start
//   kyodo_schema_dirty{service}                       1 while any migration
//                                                     is dirty (at start,
//                                                     then each readiness
//                                                     check)
//   kyodo_build_info{service,version,revision}        1 (common/version)
//   kyodo_mails_total{service,outcome=sent|retry|failed|uncertain}
//                                                     the notifier's send
//                                                     attempts (notifier/)
#ifndef KYODO_COMMON_METRICS_METRICS_H_
#define KYODO_COMMON_METRICS_METRICS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/pool.h"

namespace kyodo::common::metrics {

class Metrics {
 public:
  // Serves /metrics on `listen` (e.g. "127.0.0.1:9464"; port 0 picks one).
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(
      const std::string& listen, const std::string& service);
  ~Metrics();

  // The port /metrics is served on.
  int port() const;

  void ObserveCall(absl::string_view method, absl::StatusCode code,
                   absl::Duration latency);
  // Reports `pool`'s state at every scrape. The pool must outlive this.
  void WatchPool(const db::ConnectionPool* pool);
  void SetMigrations(int applied, bool dirty);
  // What the readiness check found (common/server/database.h).
  void SetSchemaDirty(bool dirty);
  // One attempt of the notifier to send a mail, by its outcome.
  void ObserveMail(absl::string_view outcome);
  // Makes each outcome's series exist at 0 before its first mail, so that
  // a rate or an increase (an alert's) sees the first one too; the
  // notifier calls it at start.
  void DeclareMailOutcomes(const std::vector<std::string>& outcomes);

 private:
  struct Impl;
  explicit Metrics(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kyodo::common::metrics

#endif  // KYODO_COMMON_METRICS_METRICS_H_
