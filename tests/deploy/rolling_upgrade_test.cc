// An upgrade of a running stack under load (docs/OPERATIONS.md, "Migrate,
// upgrade and roll back"). The stack is tests/testing/cluster.h's, with two
// replicas of partner-service on 127.0.0.2 and .3 behind the gateway
// (round_robin over both addresses, as over a headless Service's). The
// release after this one is partner-service-next: this code with one more
// migration on the partner track, an expand step (next_release_main.cc).
//
// While a writer and a reader call through the gateway without pause:
//   1. the next release's migration step runs against the serving schema;
//   2. the replicas are replaced one at a time by the next release, each
//      stopped as Kubernetes stops a pod (SIGTERM: NOT_SERVING, --drain,
//      then the in-flight calls finish) and started again on its address;
//   3. the release after that (partner-service-broken) fails its migration
//      halfway: its step exits 1, a replica of it never becomes ready, and
//      the running release keeps serving.
// It shows: no call fails; a replica is unready only between its SIGTERM
// and its exit, and that takes no longer than its drain plus its shutdown
// grace; every successful write is in the database once.
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
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

constexpr int kReplicas = 2;
// A pod's settings in deploy/k8s/base are longer (--drain=5s); these keep
// the test short and are what the bounds below are measured against.
constexpr absl::Duration kDrain = absl::Seconds(2);
constexpr absl::Duration kGrace = absl::Seconds(5);

std::string TestBinary(const std::string& name) {
  return absl::StrCat(KYODO_BINARY_DIR, "/tests/deploy/", name);
}

bool Serving(grpc::health::v1::Health::Stub& health) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  return health.Check(&context, request, &response).ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

// Calls through the gateway from two threads until stopped: a writer
// (CreatePartner with a request_id, as clients that retry send) and a
// reader (ListPartners, and GetPartner of the last partner written).
class Load {
 public:
  explicit Load(std::shared_ptr<grpc::Channel> gateway)
      : writer_stub_(partner::v1::PartnerService::NewStub(gateway)),
        reader_stub_(partner::v1::PartnerService::NewStub(gateway)) {
    writer_ = std::thread([this] { Write(); });
    reader_ = std::thread([this] { Read(); });
  }
  ~Load() { Stop(); }

  void Stop() {
    stop_ = true;
    if (writer_.joinable()) writer_.join();
    if (reader_.joinable()) reader_.join();
  }
  int writes() const { return writes_; }
  int reads() const { return reads_; }
  int failed() const { return failed_; }
  std::vector<std::string> failures() {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }

  // Waits until `n` more writes and reads have succeeded (deadline 60 s):
  // calls are served at this step, not only before and after it.
  void AwaitProgress(int n, const std::string& step) {
    const int writes = writes_, reads = reads_;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (writes_ < writes + n || reads_ < reads + n) {
      ASSERT_LT(absl::Now(), give_up)
          << step << ": calls stalled (" << writes_ << " writes, " << reads_
          << " reads, " << failed_ << " failed)";
      absl::SleepFor(absl::Milliseconds(20));  // polling, not waiting
    }
  }

 private:
  void Fail(const std::string& what, const grpc::Status& status) {
    ++failed_;
    std::lock_guard<std::mutex> lock(mu_);
    if (failures_.size() < 10) {
      failures_.push_back(absl::StrCat(what, ": ", status.error_code(), " ",
                                       status.error_message()));
    }
  }

  void Write() {
    for (int i = 0; !stop_; ++i) {
      partner::v1::CreatePartnerRequest create;
      create.mutable_partner()->set_kind(partner::v1::CIVIC_GROUP);
      create.mutable_partner()->set_display_name(
          absl::StrCat("移行中の会 ", i));
      create.set_request_id(testing::NewRequestId());
      partner::v1::Partner created;
      grpc::Status status = writer_stub_->CreatePartner(
          testing::Context(testing::AdminToken(), absl::Seconds(20)).get(),
          create, &created);
      if (!status.ok()) {
        Fail("CreatePartner", status);
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_written_ = created.name();
      }
      ++writes_;
    }
  }

  void Read() {
    while (!stop_) {
      partner::v1::ListPartnersRequest list;
      list.set_page_size(5);
      partner::v1::ListPartnersResponse listed;
      grpc::Status status = reader_stub_->ListPartners(
          testing::Context(testing::AdminToken(), absl::Seconds(20)).get(),
          list, &listed);
      if (!status.ok()) {
        Fail("ListPartners", status);
        continue;
      }
      std::string name;
      {
        std::lock_guard<std::mutex> lock(mu_);
        name = last_written_;
      }
      if (!name.empty()) {
        partner::v1::GetPartnerRequest get;
        get.set_name(name);
        partner::v1::Partner got;
        status = reader_stub_->GetPartner(
            testing::Context(testing::AdminToken(), absl::Seconds(20)).get(),
            get, &got);
        if (!status.ok()) {
          Fail("GetPartner " + name, status);
          continue;
        }
      }
      ++reads_;
    }
  }

  std::unique_ptr<partner::v1::PartnerService::Stub> writer_stub_;
  std::unique_ptr<partner::v1::PartnerService::Stub> reader_stub_;
  std::atomic<bool> stop_{false};
  std::atomic<int> writes_{0}, reads_{0}, failed_{0};
  std::mutex mu_;
  std::string last_written_;
  std::vector<std::string> failures_;
  std::thread writer_, reader_;
};

// Probes each replica's readiness every 20 ms and keeps, per replica, the
// longest stretch it was not SERVING while it should have been: after it
// was first seen SERVING and before the test sent it SIGTERM. A probe that
// misses its 1 s deadline on a busy machine counts as unready.
class ReadinessWatch {
 public:
  explicit ReadinessWatch(const std::array<std::string, kReplicas>& addresses) {
    for (int i = 0; i < kReplicas; ++i) {
      health_[i] = grpc::health::v1::Health::NewStub(
          common::grpc_client::NewChannel(addresses[i]));
    }
    thread_ = std::thread([this] { Run(); });
  }
  ~ReadinessWatch() {
    stop_ = true;
    thread_.join();
  }

  // The replica was just seen SERVING: from now on it must stay so.
  void Expect(int i) {
    std::lock_guard<std::mutex> lock(mu_);
    expected_[i] = true;
    unready_since_[i] = absl::InfiniteFuture();
  }
  // The replica is being stopped (SIGTERM): unready is what it should be.
  void Release(int i) {
    std::lock_guard<std::mutex> lock(mu_);
    Close(i, absl::Now());
    expected_[i] = false;
  }
  absl::Duration LongestUnready(int i) {
    std::lock_guard<std::mutex> lock(mu_);
    absl::Duration longest = longest_[i];
    if (expected_[i] && unready_since_[i] != absl::InfiniteFuture()) {
      longest = std::max(longest, absl::Now() - unready_since_[i]);
    }
    return longest;
  }

 private:
  void Close(int i, absl::Time now) {
    if (expected_[i] && unready_since_[i] != absl::InfiniteFuture()) {
      longest_[i] = std::max(longest_[i], now - unready_since_[i]);
    }
    unready_since_[i] = absl::InfiniteFuture();
  }
  void Run() {
    while (!stop_) {
      for (int i = 0; i < kReplicas; ++i) {
        const absl::Time asked = absl::Now();
        const bool serving = Serving(*health_[i]);
        std::lock_guard<std::mutex> lock(mu_);
        if (!expected_[i]) continue;
        if (serving) {
          Close(i, absl::Now());
        } else if (unready_since_[i] == absl::InfiniteFuture()) {
          unready_since_[i] = asked;
        }
      }
      absl::SleepFor(absl::Milliseconds(20));  // the probe period
    }
  }

  std::array<std::unique_ptr<grpc::health::v1::Health::Stub>, kReplicas>
      health_;
  std::mutex mu_;
  std::array<bool, kReplicas> expected_{};
  std::array<absl::Time, kReplicas> unready_since_ = {absl::InfiniteFuture(),
                                                      absl::InfiniteFuture()};
  std::array<absl::Duration, kReplicas> longest_{};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class RollingUpgradeTest : public ::testing::Test {
 protected:
  // A replica of `binary` on `address`; waits until it is SERVING.
  std::unique_ptr<ChildProcess> StartReplica(const std::string& binary,
                                             const std::string& address,
                                             const std::string& log) {
    std::vector<std::string> flags = cluster_.Flags(Service::kPartner);
    flags.push_back(absl::StrCat("--listen=", address));
    flags.push_back(absl::StrCat("--drain=", absl::FormatDuration(kDrain)));
    flags.push_back(
        absl::StrCat("--shutdown_grace=", absl::FormatDuration(kGrace)));
    auto replica = std::make_unique<ChildProcess>(
        binary, flags, absl::StrCat(cluster_.log_dir(), "/", log, ".log"));
    EXPECT_TRUE(replica->Start());
    auto health = grpc::health::v1::Health::NewStub(
        common::grpc_client::NewChannel(address));
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (!Serving(*health)) {
      if (!replica->Running() || absl::Now() > give_up) {
        ADD_FAILURE() << log << " not SERVING:\n" << replica->LogTail();
        return nullptr;
      }
      absl::SleepFor(absl::Milliseconds(50));  // polling, not waiting
    }
    return replica;
  }

  // `binary --migrate_only` as the migration Job runs it; its exit code.
  int MigrationStep(const std::string& binary, const std::string& log) {
    const common::db::PoolOptions& db =
        cluster_.Database(Service::kPartner).options();
    ChildProcess step(
        binary,
        {"--migrate_only", absl::StrCat("--db_host=", db.host),
         absl::StrCat("--db_port=", db.port),
         absl::StrCat("--db_user=", db.user),
         absl::StrCat("--db_name=", db.database),
         absl::StrCat("--db_password_file=", cluster_.log_dir(),
                      "/db_migrate.password"),
         absl::StrCat("--db_serving_role=", testing::kServingRole),
         absl::StrCat("--jwt_key_file=",
                      testing::TestKeyFile(cluster_.log_dir())),
         absl::StrCat("--page_token_key_file=", cluster_.log_dir(),
                      "/page.key")},
        absl::StrCat(cluster_.log_dir(), "/", log, ".log"));
    EXPECT_TRUE(step.Start());
    int status = 0;
    EXPECT_TRUE(step.Wait(absl::Seconds(120), &status)) << step.LogTail();
    step_log_ = step.LogTail();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // CreatePartner calls the replica with metrics on `port` has answered.
  static double Writes(int port) {
    const double n =
        testing::Sample(testing::Scrape(port), "kyodo_rpc_total",
                        {"method=\"CreatePartner\"", "code=\"OK\""});
    return n < 0 ? 0 : n;
  }

  // One port on both addresses, held until the replicas listen on it
  // (testing::ReservedPort), and again while a replica is replaced.
  const testing::ReservedPort reserved_{"127.0.0.2"};
  const int port_ = reserved_.port();
  const testing::ReservedPort reserved_too_{"127.0.0.3", port_};
  Cluster cluster_{"rolling"};
  const std::array<std::string, kReplicas> address_ = {
      absl::StrCat("127.0.0.2:", port_), absl::StrCat("127.0.0.3:", port_)};
  std::array<std::unique_ptr<ChildProcess>, kReplicas> replica_;
  std::string step_log_;
};

TEST_F(RollingUpgradeTest, NextReleaseRolledOutUnderLoadFailsNoCall) {
  ASSERT_EQ(reserved_too_.port(), port_) << "port taken on 127.0.0.3";
  // This release: two replicas, the gateway spreading calls over both.
  for (int i = 0; i < kReplicas; ++i) {
    replica_[i] = StartReplica(testing::ChildProcess::Binary("partner-service"),
                               address_[i], absl::StrCat("release-", i));
    ASSERT_NE(replica_[i], nullptr);
  }
  cluster_.SetExtraFlags(
      Service::kGateway,
      {absl::StrCat("--partner_addr=ipv4:", address_[0], ",", address_[1])});
  cluster_.Restart(Service::kGateway);
  if (HasFatalFailure()) return;
  ReadinessWatch watch(address_);
  for (int i = 0; i < kReplicas; ++i) watch.Expect(i);
  Load load(cluster_.Channel(Service::kGateway));
  load.AwaitProgress(20, "this release");
  if (HasFatalFailure()) return;

  // 1. The next release's migration step, against the schema in use.
  const testing::TestDatabase& db = cluster_.Database(Service::kPartner);
  ASSERT_EQ(MigrationStep(TestBinary("partner-service-next"), "migrate-next"),
            0)
      << step_log_;
  EXPECT_TRUE(absl::StrContains(step_log_, "\"applied\":1")) << step_log_;
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM information_schema.COLUMNS "
                          "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "
                          "'partners' AND COLUMN_NAME = 'upgrade_note'"),
            "1");
  load.AwaitProgress(20, "this release on the next schema");
  if (HasFatalFailure()) return;

  // 2. The replicas replaced one at a time, as a rolling update does.
  std::array<int, kReplicas> metrics_port;
  for (int i = 0; i < kReplicas; ++i) {
    watch.Release(i);
    const absl::Time stopping = absl::Now();
    replica_[i]->Signal(SIGTERM);
    int status = 0;
    ASSERT_TRUE(replica_[i]->Wait(kDrain + kGrace + absl::Seconds(5), &status))
        << "replica " << i << " did not stop:\n"
        << replica_[i]->LogTail();
    const absl::Duration stopped_after = absl::Now() - stopping;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << replica_[i]->LogTail();
    EXPECT_LE(stopped_after, kDrain + kGrace)
        << "replica " << i << " unready for longer than its drain and grace";
    std::cout << "replica " << i << " stopped " << stopped_after
              << " after SIGTERM (drain " << kDrain << ")\n";
    cluster_.SetExtraFlags(Service::kPartner, {"--metrics_listen=127.0.0.1:0"});
    replica_[i] = StartReplica(TestBinary("partner-service-next"), address_[i],
                               absl::StrCat("next-", i));
    ASSERT_NE(replica_[i], nullptr);
    metrics_port[i] =
        replica_[i]->WaitForLoggedPort("serving metrics", absl::Seconds(30));
    ASSERT_NE(metrics_port[i], 0) << replica_[i]->LogTail();
    watch.Expect(i);
    // The gateway finds the new replica again and sends it calls.
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (Writes(metrics_port[i]) < 5) {
      ASSERT_LT(absl::Now(), give_up)
          << "the next release's replica " << i << " gets no calls";
      absl::SleepFor(absl::Milliseconds(20));  // polling, not waiting
    }
  }
  load.AwaitProgress(20, "the next release");
  if (HasFatalFailure()) return;

  // 3. The release after that fails its migration halfway.
  EXPECT_EQ(
      MigrationStep(TestBinary("partner-service-broken"), "migrate-broken"), 1)
      << step_log_;
  EXPECT_EQ(db.QueryValue("SELECT COUNT(*) FROM schema_migrations WHERE "
                          "track = 'partner' AND dirty"),
            "1");
  // A replica of it (the rollout's first new pod) never becomes ready: its
  // readiness check finds its own migration dirty and says so.
  cluster_.SetExtraFlags(Service::kPartner, {});
  ChildProcess broken(
      TestBinary("partner-service-broken"),
      [&] {
        std::vector<std::string> flags = cluster_.Flags(Service::kPartner);
        flags.push_back("--listen=127.0.0.4:0");
        return flags;
      }(),
      cluster_.log_dir() + "/broken.log");
  ASSERT_TRUE(broken.Start());
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (!absl::StrContains(broken.LogTail(), "\"msg\":\"schema dirty\"")) {
    ASSERT_TRUE(broken.Running()) << broken.LogTail();
    ASSERT_LT(absl::Now(), give_up) << broken.LogTail();
    absl::SleepFor(absl::Milliseconds(20));  // polling, not waiting
  }
  EXPECT_TRUE(absl::StrContains(broken.LogTail(), "\"serving\":false"))
      << broken.LogTail();
  EXPECT_FALSE(absl::StrContains(broken.LogTail(), "\"msg\":\"ready\""))
      << broken.LogTail();
  broken.Signal(SIGTERM);
  EXPECT_TRUE(broken.Wait(absl::Seconds(15)));
  // The running release keeps answering.
  load.AwaitProgress(20, "after the failed migration");
  if (HasFatalFailure()) return;
  load.Stop();

  for (int i = 0; i < kReplicas; ++i) {
    EXPECT_LT(watch.LongestUnready(i), kDrain)
        << "replica " << i << " was unready while it should have served";
    std::cout << "replica " << i
              << " longest unready while serving: " << watch.LongestUnready(i)
              << "\n";
  }
  EXPECT_EQ(load.failed(), 0) << [&] {
    std::string all;
    for (const std::string& f : load.failures()) absl::StrAppend(&all, f, "\n");
    return all;
  }();
  std::cout << load.writes() << " writes and " << load.reads()
            << " reads succeeded, " << load.failed() << " failed\n";
  // Every answered write is stored, once.
  EXPECT_EQ(std::stoi(db.QueryValue(
                "SELECT COUNT(*) FROM partners WHERE display_name LIKE "
                "'移行中の会 %'")),
            load.writes());
  for (auto& replica : replica_) {
    if (replica != nullptr) replica->Signal(SIGTERM);
  }
  for (auto& replica : replica_) {
    if (replica != nullptr) replica->Wait(kDrain + kGrace + absl::Seconds(5));
  }
}

}  // namespace
}  // namespace kyodo::deploy
