// Test support: a TCP proxy that injects faults between two processes
// (gateway <-> service, service <-> MariaDB).
//
// Modes apply to data from the moment they are set:
//   kPass       forward bytes as they come
//   kDelay      hold each chunk for `delay` before forwarding it
//   kBlackhole  accept connections and data, forward nothing, answer nothing
//   kReset      reset every connection (RST) as soon as data arrives
//   kCloseAfter forward `close_after_bytes` bytes per connection, then close
//               both sides (the reply to a call cut mid-way)
//   kDropReplies forward requests, swallow everything coming back (a call
//               that completes on the server while its reply is lost)
// Existing connections can also be cut at once with ResetAll().
#ifndef KYODO_TESTS_TESTING_FAULT_PROXY_H_
#define KYODO_TESTS_TESTING_FAULT_PROXY_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace kyodo::testing {

class FaultProxy {
 public:
  enum class Mode {
    kPass,
    kDelay,
    kBlackhole,
    kReset,
    kCloseAfter,
    kDropReplies
  };

  // Listens on a free loopback port and forwards to 127.0.0.1:target_port.
  explicit FaultProxy(int target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  std::string address() const;

  void SetMode(Mode mode);
  void SetDelay(absl::Duration delay);
  void SetCloseAfterBytes(int64_t bytes);
  // Resets every open connection now.
  void ResetAll();
  int64_t connections_accepted() const { return accepted_.load(); }
  // HTTP/2 HEADERS frames received from clients (whatever the mode): one per
  // gRPC call started through the proxy. A test waits for it to know its
  // calls are inside the proxy, instead of sleeping.
  int64_t calls_received() const { return calls_received_.load(); }

 private:
  struct Connection;
  void AcceptLoop();
  void Pump(std::shared_ptr<Connection> c, bool upstream);
  // Follows the HTTP/2 frames a client sends (counting calls_received_).
  void Follow(Connection& c, const char* data, size_t n);

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> mode_{0};
  std::atomic<int64_t> delay_us_{0};
  std::atomic<int64_t> close_after_{0};
  std::atomic<int64_t> accepted_{0};
  std::atomic<int64_t> calls_received_{0};
  std::mutex mu_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_FAULT_PROXY_H_
