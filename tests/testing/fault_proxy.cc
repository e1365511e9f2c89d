#include "tests/testing/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kyodo::testing {

struct FaultProxy::Connection {
  int client = -1;
  int server = -1;
  std::atomic<int64_t> forwarded{0};
  std::atomic<bool> closed{false};
  // The client's HTTP/2 framing, read by its upstream pump only: the
  // connection preface, then frames of a 9-byte header and a payload.
  int64_t preface_left = 24;
  int64_t payload_left = 0;
  std::string frame_header;

  // RST instead of FIN: SO_LINGER with a zero timeout.
  void Reset() {
    if (closed.exchange(true)) return;
    linger hard{1, 0};
    setsockopt(client, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
    setsockopt(server, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
    shutdown(client, SHUT_RDWR);
    shutdown(server, SHUT_RDWR);
  }
  void Close() {
    if (closed.exchange(true)) return;
    shutdown(client, SHUT_RDWR);
    shutdown(server, SHUT_RDWR);
  }
};

FaultProxy::FaultProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  listen(listen_fd_, 128);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& c : connections_) c->Close();
  }
  for (auto& t : threads_) t.join();
  for (auto& c : connections_) {
    close(c->client);
    close(c->server);
  }
}

std::string FaultProxy::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

void FaultProxy::SetMode(Mode mode) { mode_ = static_cast<int>(mode); }
void FaultProxy::SetDelay(absl::Duration delay) {
  delay_us_ = absl::ToInt64Microseconds(delay);
}
void FaultProxy::SetCloseAfterBytes(int64_t bytes) { close_after_ = bytes; }

void FaultProxy::ResetAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& c : connections_) c->Reset();
}

void FaultProxy::AcceptLoop() {
  while (!stopping_) {
    const int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) {
      if (stopping_) return;
      continue;
    }
    ++accepted_;
    const int server = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    target.sin_port = htons(static_cast<uint16_t>(target_port_));
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(server, reinterpret_cast<sockaddr*>(&target), sizeof(target)) !=
        0) {
      // The target is down: the client sees its connection refused-like.
      linger hard{1, 0};
      setsockopt(client, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
      close(client);
      close(server);
      continue;
    }
    auto c = std::make_shared<Connection>();
    c->client = client;
    c->server = server;
    std::lock_guard<std::mutex> lock(mu_);
    connections_.push_back(c);
    threads_.emplace_back([this, c] { Pump(c, true); });
    threads_.emplace_back([this, c] { Pump(c, false); });
  }
}

void FaultProxy::Follow(Connection& c, const char* data, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (c.preface_left > 0 || c.payload_left > 0) {
      int64_t& left = c.preface_left > 0 ? c.preface_left : c.payload_left;
      const int64_t k = std::min<int64_t>(left, static_cast<int64_t>(n - i));
      left -= k;
      i += static_cast<size_t>(k);
      continue;
    }
    c.frame_header.push_back(data[i++]);
    if (c.frame_header.size() < 9) continue;
    const auto byte = [&](int j) {
      return static_cast<int64_t>(static_cast<uint8_t>(c.frame_header[j]));
    };
    c.payload_left = (byte(0) << 16) | (byte(1) << 8) | byte(2);
    if (byte(3) == 0x1) ++calls_received_;  // HEADERS: a new stream
    c.frame_header.clear();
  }
}

void FaultProxy::Pump(std::shared_ptr<Connection> c, bool upstream) {
  const int from = upstream ? c->client : c->server;
  const int to = upstream ? c->server : c->client;
  char buffer[16384];
  while (!c->closed && !stopping_) {
    pollfd p{from, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = recv(from, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      c->Close();
      return;
    }
    if (upstream) Follow(*c, buffer, static_cast<size_t>(n));
    switch (static_cast<Mode>(mode_.load())) {
      case Mode::kBlackhole:
        continue;  // swallowed
      case Mode::kReset:
        c->Reset();
        return;
      case Mode::kDelay:
        absl::SleepFor(absl::Microseconds(delay_us_.load()));
        break;
      case Mode::kCloseAfter: {
        const int64_t left = close_after_.load() - c->forwarded.load();
        if (left <= 0) {
          c->Close();
          return;
        }
        if (n > left) {
          send(to, buffer, static_cast<size_t>(left), MSG_NOSIGNAL);
          c->forwarded += left;
          c->Close();
          return;
        }
        break;
      }
      case Mode::kDropReplies:
        if (!upstream) continue;
        break;
      case Mode::kPass:
        break;
    }
    if (send(to, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) < 0) {
      c->Close();
      return;
    }
    c->forwarded += n;
  }
}

}  // namespace kyodo::testing
