// Runs a gRPC server for one kyodo service: builds it, serves grpc.health.v1
// (readiness reflects the database and schema), optional reflection, and
// stops gracefully.
//
// Health: the overall status ("") and each registered service name report
// SERVING while the readiness check passes, checked every
// `readiness_interval`; the name "liveness" reports SERVING for as long as
// the process serves at all (for liveness probes that must not restart a pod
// because its database is down).
//
// Stopping (SIGTERM, SIGINT or Stop()): every health status turns
// NOT_SERVING first, calls are still served for `drain` so load balancers
// notice, then the server (and each companion) stops accepting calls and
// gives in-flight ones `grace` to finish before cancelling them.
#ifndef KYODO_COMMON_SERVER_HOST_H_
#define KYODO_COMMON_SERVER_HOST_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

namespace kyodo::common::server {

// Something that serves beside the gRPC server, in the same process and
// with the same lifetime (the gateway's HTTP entry, gateway/http/).
class Companion {
 public:
  virtual ~Companion() = default;
  // Called once the gRPC server runs; `server` gives in-process channels.
  // An error stops the process before it serves.
  virtual absl::Status Start(grpc::Server* server) = 0;
  // Called when the drain period ends: stop accepting connections, and
  // return when the calls in flight have ended or at `deadline` (the end of
  // the grace). The gRPC server stops after that, since a companion's calls
  // may ride an in-process channel that its stop would close.
  virtual void StopAccepting(absl::Time deadline) = 0;
  // Called once the gRPC server has stopped (in-flight calls ended).
  virtual void Stop() = 0;
};

struct HostOptions {
  std::string listen = "127.0.0.1:0";
  bool reflection = false;
  absl::Duration drain = absl::Seconds(5);
  absl::Duration grace = absl::Seconds(10);
  int max_threads = 64;
  int max_message_bytes = 4 << 20;
  // A client connection older than this is closed (GOAWAY; its calls get
  // `max_connection_age_grace` to finish), so clients that balance over a
  // service's replicas resolve its name again and find new ones. Zero =
  // never.
  absl::Duration max_connection_age = absl::ZeroDuration();
  absl::Duration max_connection_age_grace = absl::ZeroDuration();
  // True when the service can do its work (database reachable, schema
  // current). Unset = always ready.
  std::function<bool()> readiness;
  absl::Duration readiness_interval = absl::Seconds(2);
  // Defaults to insecure (plaintext) credentials.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // Full service names reported alongside the overall status "", e.g.
  // "kyodo.partner.v1.PartnerService".
  std::vector<std::string> health_names;
  // Called with the builder before the server is built (e.g. to add
  // metrics).
  std::function<void(grpc::ServerBuilder&)> configure;
  // Started after the server, stopped with it (not owned).
  std::vector<Companion*> companions;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts
// afterwards, so that ServiceHost::Serve can wait for them. Call first in
// main(), before any thread exists.
void BlockTerminationSignals();

class ServiceHost {
 public:
  // Builds and starts the server. UNAVAILABLE when the address cannot be
  // bound.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Start(
      HostOptions options, const std::vector<grpc::Service*>& services);
  ~ServiceHost();

  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  grpc::Server* server() { return server_.get(); }

  // Blocks until SIGTERM/SIGINT (needs BlockTerminationSignals) or Stop(),
  // then drains and shuts down.
  void Serve();
  // Starts the graceful stop from another thread; Serve returns when done.
  // Also usable without Serve (tests): then it blocks until stopped.
  void Stop();

 private:
  explicit ServiceHost(HostOptions options) : options_(std::move(options)) {}
  void SetServing(bool serving);
  void ReadinessLoop();
  void Shutdown();

  HostOptions options_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::thread readiness_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  bool stopped_ = false;
  std::once_flag shutdown_once_;
};

}  // namespace kyodo::common::server

#endif  // KYODO_COMMON_SERVER_HOST_H_
