// Client-side load balancing (docs/OPERATIONS.md, "Scale out"): three
// replicas of partner-service, as processes on 127.0.0.2, .3 and .4 (all of
// 127/8 is loopback on Linux, bound without privileges) and one port,
// behind one DNS name, which dnsmasq serves on a loopback port from a hosts
// file (no change to the machine's /etc/hosts or resolver). The gateway is
// given that name the way a cluster gives it a headless Service's
// (dns://<server>/name:port; in a cluster the server part is left out).
//
// It shows: each replica receives at least 20 % of 3,000 forwarded calls;
// a replica added to the name later is found because servers close old
// connections (--max_connection_age) and clients resolve again; and after a
// replica restarts it again receives its share.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/downstream.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/cluster.h"
#include "tests/testing/process.h"
#include "tests/testing/scrape.h"

namespace kyodo::deploy {
namespace {

using testing::ChildProcess;
using testing::Cluster;
using testing::Service;

constexpr char kName[] = "partners.kyodo.test";

// The number of A records `server_port` (on 127.0.0.1) answers for `name`;
// -1 without an answer within a second.
int CountARecords(int server_port, const std::string& name) {
  std::string query = {'\x12', '\x34', '\x01', '\x00', '\x00', '\x01',
                       '\x00', '\x00', '\x00', '\x00', '\x00', '\x00'};
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    query.push_back(static_cast<char>(dot - start));
    query.append(name, start, dot - start);
    start = dot + 1;
  }
  query.append({'\x00', '\x00', '\x01', '\x00', '\x01'});  // root, A, IN
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(server_port);
  unsigned char answer[512];
  ssize_t n = -1;
  if (sendto(fd, query.data(), query.size(), 0,
             reinterpret_cast<sockaddr*>(&address), sizeof(address)) > 0) {
    n = recv(fd, answer, sizeof(answer), 0);
  }
  close(fd);
  if (n < 12 || answer[0] != 0x12 || answer[1] != 0x34) return -1;
  return (answer[6] << 8) | answer[7];  // ANCOUNT
}

// dnsmasq answering kName from a hosts file, nothing else (no upstream).
class NameServer {
 public:
  // The hosts file lives in a directory of its own that anyone may read:
  // dnsmasq started as root reads it as `nobody`.
  NameServer() : port_(testing::FreeLoopbackPort()) {
    char pattern[] = "/tmp/kyodo-dns.XXXXXX";
    dir_ = mkdtemp(pattern);
    chmod(dir_.c_str(), 0755);
    hosts_ = dir_ + "/hosts";
  }
  ~NameServer() {
    process_.reset();
    std::remove(hosts_.c_str());
    rmdir(dir_.c_str());
  }

  // Writes the addresses and (re)loads them: starts dnsmasq the first time,
  // later SIGHUP makes it read the file again. Returns once it answers with
  // exactly these.
  void Serve(const std::vector<std::string>& addresses,
             const std::string& log) {
    {
      std::ofstream out(hosts_);
      for (const std::string& a : addresses) out << a << " " << kName << "\n";
    }
    chmod(hosts_.c_str(), 0644);
    if (process_ == nullptr) {
      // dnsmasq cannot bind port 0 and say which it got: it is given a free
      // port, which another test may take before it binds it (ctest -j).
      // Then it exits at once, and is started again on another.
      for (int attempt = 0;; ++attempt) {
        process_ = std::make_unique<ChildProcess>(
            "/usr/sbin/dnsmasq",
            std::vector<std::string>{
                "--keep-in-foreground", "--conf-file=/dev/null",
                absl::StrCat("--port=", port_), "--listen-address=127.0.0.1",
                "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--no-negcache", "--local-ttl=0",
                absl::StrCat("--addn-hosts=", hosts_),
                "--pid-file=", "--log-facility=-"},
            log);
        ASSERT_TRUE(process_->Start());
        const absl::Time give_up = absl::Now() + absl::Seconds(20);
        while (process_->Running() && CountARecords(port_, kName) < 0) {
          ASSERT_LT(absl::Now(), give_up) << "dnsmasq does not answer";
          absl::SleepFor(absl::Milliseconds(20));  // polling, not waiting
        }
        if (process_->Running()) break;
        ASSERT_LT(attempt, 2) << "dnsmasq exited:\n" << process_->LogTail();
        port_ = testing::FreeLoopbackPort();
      }
    } else {
      process_->Signal(SIGHUP);
    }
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (CountARecords(port_, kName) != static_cast<int>(addresses.size())) {
      ASSERT_TRUE(process_->Running()) << "dnsmasq exited:\n"
                                       << process_->LogTail();
      ASSERT_LT(absl::Now(), give_up) << "dnsmasq does not answer";
      absl::SleepFor(absl::Milliseconds(20));  // polling, not waiting
    }
  }
  int port() const { return port_; }

 private:
  std::string dir_;
  std::string hosts_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

bool Serving(const std::string& address) {
  auto stub = grpc::health::v1::Health::NewStub(
      common::grpc_client::NewChannel(address));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  return stub->Check(&context, request, &response).ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

// The same port reserved on each address (a free one on the first, tried on
// the others until all have it).
std::vector<std::unique_ptr<testing::ReservedPort>> ReservePortOnEach(
    const std::vector<std::string>& ips) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::vector<std::unique_ptr<testing::ReservedPort>> all;
    all.push_back(std::make_unique<testing::ReservedPort>(ips.front()));
    const int port = all.front()->port();
    for (size_t i = 1; i < ips.size(); ++i) {
      all.push_back(std::make_unique<testing::ReservedPort>(ips[i], port));
      if (all.back()->port() != port) break;
    }
    if (all.size() == ips.size() && all.back()->port() == port) return all;
  }
  ADD_FAILURE() << "no port free on all of the addresses";
  return {};
}

class BalancingTest : public ::testing::Test {
 protected:
  static constexpr int kReplicas = 3;

  void StartReplica(int i) {
    std::vector<std::string> flags = cluster_.Flags(Service::kPartner);
    flags.push_back(absl::StrCat("--listen=", address_[i]));
    flags.push_back("--metrics_listen=127.0.0.1:0");
    // Short, so the test sees a replica found again within seconds; the
    // production default is 5 minutes (docs/OPERATIONS.md, "Scale out").
    flags.push_back("--max_connection_age=1s");
    flags.push_back("--max_connection_age_grace=1s");
    replica_[i] = std::make_unique<ChildProcess>(
        ChildProcess::Binary("partner-service"), flags,
        absl::StrCat(cluster_.log_dir(), "/replica-", i, ".log"));
    ASSERT_TRUE(replica_[i]->Start());
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (!Serving(address_[i])) {
      ASSERT_TRUE(replica_[i]->Running()) << replica_[i]->LogTail();
      ASSERT_LT(absl::Now(), give_up) << replica_[i]->LogTail();
      absl::SleepFor(absl::Milliseconds(50));  // polling, not waiting
    }
    metrics_port_[i] =
        replica_[i]->WaitForLoggedPort("serving metrics", absl::Seconds(30));
    ASSERT_NE(metrics_port_[i], 0) << replica_[i]->LogTail();
  }

  // ListPartners calls each replica has served since it started.
  std::array<double, kReplicas> Served() {
    std::array<double, kReplicas> served;
    for (int i = 0; i < kReplicas; ++i) {
      served[i] =
          testing::Sample(testing::Scrape(metrics_port_[i]), "kyodo_rpc_total",
                          {"method=\"ListPartners\"", "code=\"OK\""});
      if (served[i] < 0) served[i] = 0;  // no call yet: no sample
    }
    return served;
  }

  // `n` forwarded calls through the gateway; the number that failed.
  int Call(int n) {
    int failed = 0;
    partner::v1::ListPartnersRequest request;
    request.set_page_size(1);
    for (int k = 0; k < n; ++k) {
      partner::v1::ListPartnersResponse response;
      if (!partners_
               ->ListPartners(testing::Context(testing::AdminToken()).get(),
                              request, &response)
               .ok()) {
        ++failed;
      }
    }
    return failed;
  }

  // Calls in batches until replica `i` has served a call (at most 30 s).
  void CallUntilServedBy(int i) {
    const double before = Served()[i];
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (Served()[i] == before) {
      ASSERT_LT(absl::Now(), give_up)
          << "replica " << address_[i] << " gets no calls";
      Call(30);
    }
  }

  // 3,000 calls, all succeeding, each replica serving at least 20 %.
  void ExpectSpread(const std::string& when) {
    const std::array<double, kReplicas> before = Served();
    EXPECT_EQ(Call(3000), 0) << when;
    const std::array<double, kReplicas> after = Served();
    for (int i = 0; i < kReplicas; ++i) {
      EXPECT_GE(after[i] - before[i], 600)
          << when << ": replica " << address_[i] << " served "
          << after[i] - before[i] << " of 3000";
      std::cout << when << ": " << address_[i] << " served "
                << after[i] - before[i] << " of 3000\n";
    }
  }

  // One port on the three addresses, held until the replicas listen on it
  // (testing::ReservedPort): the name resolves to addresses only.
  std::vector<std::unique_ptr<testing::ReservedPort>> reserved_ =
      ReservePortOnEach({"127.0.0.2", "127.0.0.3", "127.0.0.4"});
  const int port_ = reserved_.front()->port();
  std::array<std::string, kReplicas> address_ = {
      absl::StrCat("127.0.0.2:", port_), absl::StrCat("127.0.0.3:", port_),
      absl::StrCat("127.0.0.4:", port_)};
  Cluster cluster_{"balancing"};
  std::array<int, kReplicas> metrics_port_{};  // read from their logs
  std::array<std::unique_ptr<ChildProcess>, kReplicas> replica_;
  std::unique_ptr<partner::v1::PartnerService::Stub> partners_;
};

TEST_F(BalancingTest, ThreeReplicasBehindOneNameEachServeAFifth) {
  for (int i = 0; i < kReplicas; ++i) {
    StartReplica(i);
    if (HasFatalFailure()) return;
  }
  // The name first lists two replicas: the third is running but unknown.
  NameServer dns;
  dns.Serve({"127.0.0.2", "127.0.0.3"}, cluster_.log_dir() + "/dnsmasq.log");
  if (HasFatalFailure()) return;
  cluster_.SetExtraFlags(Service::kGateway,
                         {absl::StrCat("--partner_addr=dns://127.0.0.1:",
                                       dns.port(), "/", kName, ":", port_)});
  cluster_.Restart(Service::kGateway);
  partners_ =
      partner::v1::PartnerService::NewStub(cluster_.Channel(Service::kGateway));
  EXPECT_EQ(Call(300), 0);
  EXPECT_EQ(Served()[2], 0) << "a replica outside the name got calls";

  // A new replica (the autoscaler's): the servers close connections older
  // than --max_connection_age, the gateway resolves the name again and
  // finds it, without a restart.
  dns.Serve({"127.0.0.2", "127.0.0.3", "127.0.0.4"},
            cluster_.log_dir() + "/dnsmasq.log");
  if (HasFatalFailure()) return;
  CallUntilServedBy(2);
  if (HasFatalFailure()) return;
  ExpectSpread("three replicas");

  // A replica restarts (killed, as a crashed pod; started again on its
  // address): once it serves, it gets its share again.
  replica_[1].reset();  // SIGKILL
  const int failed_while_down = Call(300);
  std::cout << "calls failed while a replica was down: " << failed_while_down
            << " of 300\n";
  StartReplica(1);
  if (HasFatalFailure()) return;
  CallUntilServedBy(1);
  if (HasFatalFailure()) return;
  ExpectSpread("after a restart");
}

}  // namespace
}  // namespace kyodo::deploy
