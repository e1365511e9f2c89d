#include "common/server/host.h"

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"

namespace kyodo::common::server {
namespace {

constexpr char kLiveness[] = "liveness";

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Start(
    HostOptions options, const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  if (options.reflection)
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen,
                           options.credentials != nullptr
                               ? options.credentials
                               : grpc::InsecureServerCredentials(),
                           &port);
  grpc::ResourceQuota quota("kyodo");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  // gRPC's sync server keeps at most 2 idle polling threads by default: a
  // thread that finishes a call while 2 others poll exits, and the next
  // call makes a new one, so under concurrency nearly every call pays a
  // thread creation and exit (see docs/BENCHMARKS.md). Keeping up to a
  // quarter of the thread quota as pollers lets finished threads wait for
  // the next call instead; they still count against max_threads.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
      std::max(2, options.max_threads / 4));
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  if (options.max_connection_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_MS,
        static_cast<int>(std::min<int64_t>(
            absl::ToInt64Milliseconds(options.max_connection_age), INT32_MAX)));
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
        static_cast<int>(std::min<int64_t>(
            absl::ToInt64Milliseconds(options.max_connection_age_grace),
            INT32_MAX)));
  }
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (options.configure) options.configure(builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen));
  }
  auto host = std::unique_ptr<ServiceHost>(new ServiceHost(std::move(options)));
  host->server_ = std::move(server);
  host->port_ = port;
  for (Companion* companion : host->options_.companions) {
    absl::Status started = companion->Start(host->server_.get());
    if (!started.ok()) {
      host->server_->Shutdown();
      return started;
    }
  }
  host->server_->GetHealthCheckService()->SetServingStatus(kLiveness, true);
  host->SetServing(!host->options_.readiness || host->options_.readiness());
  host->readiness_thread_ =
      std::thread([h = host.get()] { h->ReadinessLoop(); });
  log::Info("serving", {{"listen", host->options_.listen}, {"port", port}});
  return host;
}

ServiceHost::~ServiceHost() { Stop(); }

void ServiceHost::SetServing(bool serving) {
  // The overall status "" is what probes and `grpc_health_probe` ask by
  // default; per-service names follow it. "liveness" is left alone.
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus("", serving);
  for (const std::string& name : options_.health_names) {
    health->SetServingStatus(name, serving);
  }
}

void ServiceHost::ReadinessLoop() {
  bool last = true;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_requested_) {
    cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.readiness_interval));
    if (stop_requested_ || !options_.readiness) continue;
    lock.unlock();
    const bool ready = options_.readiness();
    if (ready != last) {
      log::Write(ready ? log::Level::kInfo : log::Level::kWarning,
                 ready ? "ready" : "not ready");
      last = ready;
    }
    SetServing(ready);
    lock.lock();
  }
}

void ServiceHost::Serve() {
  std::thread signals([this] {
    sigset_t set = TerminationSignals();
    int signal = 0;
    sigwait(&set, &signal);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_ || stop_requested_) return;
    }
    log::Info("stopping", {{"signal", signal}});
    Shutdown();
  });
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stopped_; });
  }
  // Wake the signal thread if Stop() ended the wait. SIGTERM is blocked in
  // every thread and that thread is parked in sigwait() for it, so this
  // ends the wait and terminates nothing.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
}

void ServiceHost::Stop() { Shutdown(); }

void ServiceHost::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    // NOT_SERVING first, for every name, and frozen there.
    server_->GetHealthCheckService()->Shutdown();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_requested_ = true;
    }
    cv_.notify_all();
    absl::SleepFor(options_.drain);
    const absl::Time deadline = absl::Now() + options_.grace;
    for (Companion* companion : options_.companions) {
      companion->StopAccepting(deadline);
    }
    server_->Shutdown(absl::ToChronoTime(deadline));
    for (Companion* companion : options_.companions) companion->Stop();
    if (readiness_thread_.joinable()) readiness_thread_.join();
    log::Info("stopped");
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  });
}

}  // namespace kyodo::common::server
