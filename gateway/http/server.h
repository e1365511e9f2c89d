// The gateway's HTTP entry: a libmicrohttpd server on its own port, in the
// gateway's process, serving Handler (handler.h) and calling the gateway's
// gRPC server over an in-process channel. It starts and stops with the gRPC
// server (common/server/host.h, Companion): on SIGTERM it keeps serving
// through the drain period, then stops accepting connections, answers
// "Connection: close" and lets calls in flight finish within the grace.
//
// Why libmicrohttpd: docs/HTTP.md ("The HTTP library") and the measurement
// in tests/bench/http_libraries/.
#ifndef KYODO_GATEWAY_HTTP_SERVER_H_
#define KYODO_GATEWAY_HTTP_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/host.h"
#include "gateway/http/handler.h"

struct MHD_Daemon;

namespace kyodo::gateway::http {

struct HttpOptions {
  std::string listen;  // "127.0.0.1:50054", "0.0.0.0:8080", "[::]:8080"
  // Full names of the gRPC services reachable over HTTP.
  std::set<std::string> services;
  size_t max_body_bytes = 4 << 20;  // larger: 413
  // Memory for one connection's request line and headers (and buffers);
  // a request whose headers do not fit is refused (431).
  size_t max_header_bytes = 32 << 10;
  int max_connections = 256;                        // a thread each
  absl::Duration idle_timeout = absl::Seconds(60);  // keep-alive
  HandlerOptions handler;
  std::string tls_cert_file;  // PEM; "" = plaintext
  std::string tls_key_file;
};

class HttpServer final : public common::server::Companion {
 public:
  // Checks the options and reads the TLS files; serves nothing until Start.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Create(
      HttpOptions options);
  ~HttpServer() override;

  absl::Status Start(grpc::Server* server) override;
  void StopAccepting(absl::Time deadline) override;
  void Stop() override;

  int port() const { return port_; }

  // libmicrohttpd's callbacks (server.cc).
  struct Access;

 private:
  explicit HttpServer(HttpOptions options) : options_(std::move(options)) {}

  HttpOptions options_;
  std::string tls_cert_;
  std::string tls_key_;
  std::unique_ptr<Handler> handler_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
  std::atomic<bool> draining_{false};
  // Requests being answered (until their answer is sent or abandoned).
  std::mutex mu_;
  std::condition_variable idle_;
  int in_flight_ = 0;
};

}  // namespace kyodo::gateway::http

#endif  // KYODO_GATEWAY_HTTP_SERVER_H_
