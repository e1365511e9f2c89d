#include "common/server/bootstrap.h"

#include "absl/flags/flag.h"
#include "common/config/config.h"
#include "common/idempotency/idempotency.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/server/database.h"
#include "common/server/host.h"
#include "common/server/tls.h"
#include "common/time/offset_file_clock.h"

// Retention (issue 13; docs/OPERATIONS.md): how long what callers were
// handed or left behind stays usable or stored.
ABSL_FLAG(absl::Duration, page_token_ttl,
          kyodo::common::paging::PageTokenCodec::kDefaultTtl,
          "how long a page token stays usable after it was issued");
ABSL_FLAG(absl::Duration, request_id_max_age, absl::Hours(24 * 7),
          "stored request ids and their answers older than this are purged "
          "(a retry after that runs as a new call)");
ABSL_FLAG(absl::Duration, request_id_purge_interval, absl::Hours(1),
          "how often the purge of old request ids runs");

#ifdef KYODO_TEST_HOOKS
// Compiled only into test builds (KYODO_TEST_HOOKS, CMakeLists.txt): the
// whole-suite tests move the services' time instead of waiting for it
// (docs/CONTRIBUTING.md, "Tests").
ABSL_FLAG(std::string, test_clock_file, "",
          "TEST BUILDS ONLY: the service's clock is the real one plus the "
          "duration written in this file (read at every reading)");
#endif

namespace kyodo::common::server {
namespace {

// The service's clock: the real one, or in a test build the one the test
// moves.
std::unique_ptr<Clock> TestClock() {
#ifdef KYODO_TEST_HOOKS
  const std::string path = absl::GetFlag(FLAGS_test_clock_file);
  if (!path.empty()) {
    auto clock = std::make_unique<OffsetFileClock>(path);
    absl::StatusOr<absl::Duration> offset = clock->ReadOffset();
    if (!offset.ok()) config::Fail(offset.status().message());
    log::Warning("test clock", {{"file", path}});
    return clock;
  }
#endif
  return nullptr;
}

template <typename T>
T OrFail(absl::StatusOr<T> value) {
  if (!value.ok()) config::Fail(value.status().message());
  return *std::move(value);
}

// Applies migrations when asked; false when the process should stop.
bool Migrate(const ServiceConfig& config,
             const std::vector<db::MigrationTrack>& tracks,
             metrics::Metrics* metrics, int* exit_code) {
  if (!config.migrate && !config.migrate_only) return true;
  db::MigrationReport report;
  absl::Status migrated = MigrateAtStart(config.db, tracks, absl::Seconds(60),
                                         &report, config.db_serving_role);
  if (metrics != nullptr) {
    metrics->SetMigrations(
        report.applied,
        migrated.code() == absl::StatusCode::kFailedPrecondition);
  }
  if (config.migrate_only) {
    *exit_code = migrated.ok() ? 0 : 1;
    return false;
  }
  // A dirty schema keeps the service up but NOT_SERVING, for operators to
  // see; any other failure ends the process.
  if (!migrated.ok() &&
      migrated.code() != absl::StatusCode::kFailedPrecondition) {
    *exit_code = 1;
    return false;
  }
  return true;
}

}  // namespace

int RunService(int argc, char** argv, const ServiceSpec& spec) {
  BlockTerminationSignals();
  config::ParseFlagsAndEnvironment(argc, argv, spec.usage);
  const ServiceConfig config =
      LoadServiceConfig(spec.name, spec.database, spec.listen);
  const bool has_database = !spec.database.empty();
  const std::unique_ptr<Clock> test_clock = TestClock();
  const Clock& clock = test_clock != nullptr ? *test_clock : Clock::Real();

  std::unique_ptr<metrics::Metrics> metrics;
  if (!config.metrics_listen.empty()) {
    metrics = OrFail(metrics::Metrics::Start(config.metrics_listen, spec.name));
    // The port bound, for a listen address with port 0 (the tests read it).
    log::Info("serving metrics",
              {{"listen", config.metrics_listen}, {"port", metrics->port()}});
  }
  std::vector<db::MigrationTrack> tracks = {CommonMigrations()};
  tracks.insert(tracks.end(), spec.tracks.begin(), spec.tracks.end());
  std::unique_ptr<db::ConnectionPool> pool;
  std::unique_ptr<paging::PageTokenCodec> pages;
  std::unique_ptr<idempotency::Purger> purger;
  const absl::Duration page_token_ttl = absl::GetFlag(FLAGS_page_token_ttl);
  const absl::Duration max_age = absl::GetFlag(FLAGS_request_id_max_age);
  const absl::Duration purge_every =
      absl::GetFlag(FLAGS_request_id_purge_interval);
  if (page_token_ttl <= absl::ZeroDuration() ||
      max_age <= absl::ZeroDuration() || purge_every <= absl::ZeroDuration()) {
    config::Fail(
        "--page_token_ttl, --request_id_max_age and "
        "--request_id_purge_interval must be positive");
  }
  if (has_database) {
    int exit_code = 0;
    if (!Migrate(config, tracks, metrics.get(), &exit_code)) return exit_code;
    pool = OrFail(db::ConnectionPool::Create(config.db));
    if (metrics != nullptr) metrics->WatchPool(pool.get());
    pages = std::make_unique<paging::PageTokenCodec>(config.page_token_key,
                                                     clock, page_token_ttl);
    purger = std::make_unique<idempotency::Purger>(*pool, clock, max_age);
  }

  auto verifier = OrFail(auth::TokenVerifier::Create(config.auth));
  RpcRunner rpc(spec.domain, verifier.get(), &clock, config.default_deadline);
  rpc.set_screener_methods(spec.screener_methods);
  rpc.set_notifier_methods(spec.notifier_methods);
  if (metrics != nullptr) {
    rpc.set_observer([m = metrics.get()](absl::string_view method,
                                         absl::StatusCode code,
                                         absl::Duration latency) {
      m->ObserveCall(method, code, latency);
    });
  }
  ServiceEnv env{&config, pool.get(), &rpc, pages.get(), &clock, nullptr};
  env.metrics = metrics.get();
  if (!config.downstream_ca_file.empty()) {
    env.downstream_credentials = OrFail(ChannelTls(config.downstream_ca_file,
                                                   config.downstream_cert_file,
                                                   config.downstream_key_file));
  }
  BuiltService built = OrFail(spec.make(env));

  HostOptions options;
  options.listen = config.listen;
  options.reflection = config.reflection;
  options.drain = config.drain;
  options.grace = config.shutdown_grace;
  options.max_threads = config.max_threads;
  options.max_message_bytes = config.max_message_bytes;
  options.max_connection_age = config.max_connection_age;
  options.max_connection_age_grace = config.max_connection_age_grace;
  options.health_names = {spec.health_name};
  if (has_database) {
    std::function<void(bool)> report_dirty;
    if (metrics != nullptr) {
      report_dirty = [m = metrics.get()](bool dirty) {
        m->SetSchemaDirty(dirty);
      };
    }
    options.readiness =
        DatabaseReadiness(pool.get(), tracks, report_dirty, spec.schema_check);
  }
  if (!config.tls_cert_file.empty()) {
    options.credentials = OrFail(ServerTls(
        config.tls_cert_file, config.tls_key_file, config.tls_client_ca_file));
  }
  options.configure = built.configure;
  for (auto& companion : built.companions) {
    options.companions.push_back(companion.get());
  }
  std::vector<grpc::Service*> services;
  services.reserve(built.services.size());
  for (auto& service : built.services) services.push_back(service.get());
  // The first purge runs here, on this thread, and the purge thread starts
  // here too: after every configuration step that can end the process with
  // std::exit (which destroys Connector/C++'s driver singleton while a
  // running purge could still be connecting through it; ASan saw a double
  // free, UBSan a call on a destroyed MySQL_Driver, docs/RELIABILITY.md,
  // "Sanitizers"), and before the service says SERVING, so that the purge
  // never holds a pooled session under its first calls (with a pool of two
  // and no waiters, as ReliabilityTest.ExhaustionFailsFastAndRecovers runs
  // a service, a purge still running can refuse one of them).
  if (purger != nullptr) purger->Start(purge_every);
  auto host = ServiceHost::Start(options, services);
  if (!host.ok()) {
    log::Error("cannot start", {{"error", host.status().message()}});
    return 1;
  }
  (*host)->Serve();
  return 0;
}

}  // namespace kyodo::common::server
