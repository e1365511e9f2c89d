#include "common/metrics/metrics.h"

#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/version/version.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace kyodo::common::metrics {
namespace {

// Reads the pool's counters at scrape time, so they are never stale.
class PoolCollector final : public prometheus::Collectable {
 public:
  PoolCollector(const db::ConnectionPool* pool, std::string service)
      : pool_(pool), service_(std::move(service)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    const db::PoolStats stats = pool_->Stats();
    prometheus::MetricFamily sessions{"kyodo_db_pool_sessions",
                                      "Database sessions of the pool by state",
                                      prometheus::MetricType::Gauge,
                                      {}};
    for (const auto& [state, value] :
         std::vector<std::pair<std::string, int>>{{"open", stats.open},
                                                  {"in_use", stats.in_use},
                                                  {"idle", stats.idle},
                                                  {"waiting", stats.waiting}}) {
      prometheus::ClientMetric m;
      m.label = {{"service", service_}, {"state", state}};
      m.gauge.value = value;
      sessions.metric.push_back(m);
    }
    prometheus::MetricFamily events{
        "kyodo_db_pool_events_total",
        "Sessions opened, dropped and borrowers refused",
        prometheus::MetricType::Counter,
        {}};
    for (const auto& [event, value] :
         std::vector<std::pair<std::string, int64_t>>{
             {"opened", stats.opened_total},
             {"dropped", stats.dropped_total},
             {"rejected", stats.rejected_total}}) {
      prometheus::ClientMetric m;
      m.label = {{"service", service_}, {"event", event}};
      m.counter.value = static_cast<double>(value);
      events.metric.push_back(m);
    }
    return {sessions, events};
  }

 private:
  const db::ConnectionPool* pool_;
  std::string service_;
};

}  // namespace

struct Metrics::Impl {
  std::string service;
  std::unique_ptr<prometheus::Exposer> exposer;
  std::shared_ptr<prometheus::Registry> registry =
      std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>* calls = nullptr;
  prometheus::Family<prometheus::Histogram>* latency = nullptr;
  prometheus::Family<prometheus::Counter>* mails = nullptr;
  prometheus::Gauge* migrations = nullptr;
  prometheus::Gauge* dirty = nullptr;
  std::shared_ptr<PoolCollector> pool;
  std::mutex mu;  // Family::Add is thread-safe; this guards the caches
  std::map<std::pair<std::string, int>,
           std::pair<prometheus::Counter*, prometheus::Histogram*>>
      by_call;
};

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(
    const std::string& listen, const std::string& service) {
  auto impl = std::make_unique<Impl>();
  impl->service = service;
  try {
    impl->exposer = std::make_unique<prometheus::Exposer>(listen);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen));
  }
  impl->calls = &prometheus::BuildCounter()
                     .Name("kyodo_rpc_total")
                     .Help("RPCs finished, by method and status code")
                     .Register(*impl->registry);
  impl->latency = &prometheus::BuildHistogram()
                       .Name("kyodo_rpc_duration_seconds")
                       .Help("RPC latency, by method and status code")
                       .Register(*impl->registry);
  impl->mails = &prometheus::BuildCounter()
                     .Name("kyodo_mails_total")
                     .Help("The notifier's attempts to send a mail, by outcome")
                     .Register(*impl->registry);
  impl->migrations = &prometheus::BuildGauge()
                          .Name("kyodo_migrations_applied")
                          .Help("Migrations this process applied at start")
                          .Register(*impl->registry)
                          .Add({{"service", service}});
  impl->dirty = &prometheus::BuildGauge()
                     .Name("kyodo_schema_dirty")
                     .Help("1 while a migration is marked dirty")
                     .Register(*impl->registry)
                     .Add({{"service", service}});
  // Always 1: the labels say which release runs (Prometheus's usual
  // *_build_info, joined on `service` and the pod's labels).
  prometheus::BuildGauge()
      .Name("kyodo_build_info")
      .Help("The release this process runs: version and commit, value 1")
      .Register(*impl->registry)
      .Add({{"service", service},
            {"version", std::string(version::Version())},
            {"revision", std::string(version::Revision())}})
      .Set(1);
  impl->exposer->RegisterCollectable(impl->registry);
  return std::unique_ptr<Metrics>(new Metrics(std::move(impl)));
}

Metrics::Metrics(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Metrics::~Metrics() = default;

int Metrics::port() const {
  const auto ports = impl_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void Metrics::ObserveMail(absl::string_view outcome) {
  // Family::Add returns the same counter for the same labels.
  impl_->mails
      ->Add({{"service", impl_->service}, {"outcome", std::string(outcome)}})
      .Increment();
}

void Metrics::DeclareMailOutcomes(const std::vector<std::string>& outcomes) {
  for (const std::string& outcome : outcomes) {
    impl_->mails->Add({{"service", impl_->service}, {"outcome", outcome}});
  }
}

void Metrics::ObserveCall(absl::string_view method, absl::StatusCode code,
                          absl::Duration latency) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  std::pair<prometheus::Counter*, prometheus::Histogram*> series;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto key = std::make_pair(std::string(method), static_cast<int>(code));
    auto it = impl_->by_call.find(key);
    if (it == impl_->by_call.end()) {
      const std::map<std::string, std::string> labels = {
          {"service", impl_->service},
          {"method", std::string(method)},
          {"code", absl::StatusCodeToString(code)}};
      it = impl_->by_call
               .emplace(key,
                        std::make_pair(&impl_->calls->Add(labels),
                                       &impl_->latency->Add(labels, kBuckets)))
               .first;
    }
    series = it->second;
  }
  series.first->Increment();
  series.second->Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::WatchPool(const db::ConnectionPool* pool) {
  impl_->pool = std::make_shared<PoolCollector>(pool, impl_->service);
  impl_->exposer->RegisterCollectable(impl_->pool);
}

void Metrics::SetSchemaDirty(bool dirty) { impl_->dirty->Set(dirty ? 1 : 0); }

void Metrics::SetMigrations(int applied, bool dirty) {
  impl_->migrations->Set(applied);
  impl_->dirty->Set(dirty ? 1 : 0);
}

}  // namespace kyodo::common::metrics
