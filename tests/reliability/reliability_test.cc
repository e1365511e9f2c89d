// Reliability scenarios of one service process (partner-service), each as a
// test: the database stopped and restarted under load, SIGTERM under load,
// pool and thread exhaustion, and oversized messages.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/reliability/partner_process.h"
#include "tests/testing/auth.h"
#include "tests/testing/database.h"
#include "tests/testing/fault_proxy.h"
#include "tests/testing/private_mariadb.h"

namespace kyodo::reliability {
namespace {

using partner::v1::GetPartnerRequest;
using partner::v1::Partner;

// Calls GetPartner on `threads` threads until stopped, recording each call.
class Load {
 public:
  Load(PartnerProcess& service, std::vector<std::string> names, int threads,
       absl::Duration deadline)
      : names_(std::move(names)) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, &service, deadline, t] {
        auto stub = service.NewStub();
        std::mt19937 rng(t);
        while (!stop_) {
          GetPartnerRequest request;
          request.set_name(names_[rng() % names_.size()]);
          Partner out;
          CallRecord record;
          record.start = absl::Now();
          record.code =
              stub->GetPartner(
                      testing::Context(testing::ViewerToken(), deadline).get(),
                      request, &out)
                  .error_code();
          record.end = absl::Now();
          std::lock_guard<std::mutex> lock(mu_);
          records_.push_back(record);
        }
      });
    }
  }
  ~Load() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<CallRecord> records() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }
  // The calls completed that started at `t` or later.
  int CompletedStartingAfter(absl::Time t) {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const CallRecord& r : records_) n += r.start >= t;
    return n;
  }
  // Waits until `n` calls have completed or `timeout` passed; true if they
  // have.
  bool WaitCompleted(size_t n, absl::Duration timeout) {
    const absl::Time give_up = absl::Now() + timeout;
    while (absl::Now() < give_up) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (records_.size() >= n) return true;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }

 private:
  std::vector<std::string> names_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<CallRecord> records_;
  std::vector<std::thread> threads_;
};

// MariaDB stopped for 10 s and restarted under load: calls fail UNAVAILABLE
// within their deadlines, at least 99% succeed within 5 s of recovery, and
// the pool ends with no dead or leaked session.
TEST(ReliabilityTest, DatabaseStoppedTenSecondsUnderLoad) {
  testing::PrivateMariaDb db;
  ASSERT_TRUE(db.Start());
  PartnerProcess service({db.port(), db.password_file(), "kyodo_partner"},
                         {"--db_pool_size=8"});
  ASSERT_TRUE(service.Start());
  ASSERT_TRUE(service.WaitServing(absl::Seconds(60)));
  auto stub = service.NewStub();
  const std::vector<std::string> names = SeedPartners(stub.get(), 20);

  const absl::Duration deadline = absl::Seconds(1);
  Load load(service, names, 6, deadline);
  // The load flows before the outage: counted in calls, not wall time.
  ASSERT_TRUE(load.WaitCompleted(60, absl::Seconds(60)));
  const absl::Time stopped = absl::Now();
  ASSERT_TRUE(db.Stop());
  absl::SleepFor(absl::Seconds(10) - (absl::Now() - stopped));  // the outage
  ASSERT_TRUE(db.Start());
  const absl::Time recovered = absl::Now();
  // The load runs on after the recovery until 150 calls have completed
  // that started 5 s or more after it (the ones judged below).
  const absl::Time give_up = absl::Now() + absl::Seconds(120);
  while (load.CompletedStartingAfter(recovered + absl::Seconds(5)) < 150 &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(50));  // polling, not waiting
  }
  load.Stop();

  int failed = 0, late = 0, after = 0, after_ok = 0, during_unavailable = 0;
  for (const CallRecord& r : load.records()) {
    if (r.code != grpc::StatusCode::OK) {
      ++failed;
      EXPECT_EQ(r.code, grpc::StatusCode::UNAVAILABLE)
          << "at " << absl::FormatDuration(r.start - stopped)
          << " after the stop";
      // A margin for a loaded 2-core machine (100 ms was not enough); a
      // call held past its deadline (a connect timeout) takes seconds more.
      if (r.end - r.start > deadline + absl::Milliseconds(500)) ++late;
      if (r.start >= stopped && r.start < recovered) ++during_unavailable;
    }
    if (r.start >= recovered + absl::Seconds(5)) {
      ++after;
      if (r.code == grpc::StatusCode::OK) ++after_ok;
    }
  }
  EXPECT_GT(during_unavailable, 0) << "the outage was not seen";
  EXPECT_EQ(late, 0) << "failures beyond the deadline";
  ASSERT_GT(after, 100);
  EXPECT_GE(after_ok * 100, after * 99) << after_ok << " of " << after;

  // No leaked session, none waiting, dead ones dropped; every session the
  // pool now holds works (as many sequential calls as it can hold). A call
  // the client gave up on at its deadline may still hold its session on
  // the server for a moment: a leaked one never comes back.
  const absl::Time settle = absl::Now() + absl::Seconds(10);
  while (service.Metric("kyodo_db_pool_sessions", {{"state", "in_use"}}) != 0 &&
         absl::Now() < settle) {
    absl::SleepFor(absl::Milliseconds(20));  // polling, not waiting
  }
  EXPECT_EQ(service.Metric("kyodo_db_pool_sessions", {{"state", "in_use"}}), 0);
  EXPECT_EQ(service.Metric("kyodo_db_pool_sessions", {{"state", "waiting"}}),
            0);
  const double open =
      service.Metric("kyodo_db_pool_sessions", {{"state", "open"}});
  EXPECT_GE(open, 1);
  EXPECT_LE(open, 8);
  EXPECT_GT(
      service.Metric("kyodo_db_pool_events_total", {{"event", "dropped"}}), 0);
  for (int i = 0; i < 16; ++i) {
    GetPartnerRequest request;
    request.set_name(names[i]);
    Partner out;
    EXPECT_TRUE(stub->GetPartner(testing::Context(testing::ViewerToken()).get(),
                                 request, &out)
                    .ok());
  }
}

// SIGTERM under load: health turns NOT_SERVING first, no call accepted
// before the signal fails, and the process exits cleanly.
TEST(ReliabilityTest, SigtermUnderLoad) {
  testing::TestDatabase db("sigterm");
  PartnerProcess service(
      {db.options().port,
       std::string(std::getenv("KYODO_TEST_DB_PASSWORD_FILE")), db.name()},
      {"--drain=1s", "--shutdown_grace=5s"});
  ASSERT_TRUE(service.Start());
  ASSERT_TRUE(service.WaitServing(absl::Seconds(60)));
  auto stub = service.NewStub();
  const std::vector<std::string> names = SeedPartners(stub.get(), 10);

  std::atomic<bool> watching{true};
  absl::Time not_serving = absl::InfiniteFuture();
  std::thread watcher([&] {
    auto health = grpc::health::v1::Health::NewStub(service.NewChannel());
    while (watching) {
      grpc::ClientContext context;
      context.set_deadline(
          absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
      const grpc::Status status = health->Check(&context, request, &response);
      if (!status.ok() ||
          response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
        not_serving = absl::Now();
        return;
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
  });
  Load load(service, names, 4, absl::Seconds(5));
  // SIGTERM once the load is flowing: counted in calls, not wall time (a
  // second gave 18 calls under AddressSanitizer on a loaded machine).
  ASSERT_TRUE(load.WaitCompleted(60, absl::Seconds(60)));
  const absl::Time signalled = absl::Now();
  service.process().Signal(SIGTERM);
  int status = 0;
  ASSERT_TRUE(service.process().Wait(absl::Seconds(15), &status));
  load.Stop();
  watching = false;
  watcher.join();

  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_NE(not_serving, absl::InfiniteFuture());
  absl::Time first_failure = absl::InfiniteFuture();
  int before = 0;
  for (const CallRecord& r : load.records()) {
    if (r.start < signalled) {
      ++before;
      EXPECT_EQ(r.code, grpc::StatusCode::OK)
          << "a call accepted before SIGTERM failed";
    }
    if (r.code != grpc::StatusCode::OK)
      first_failure = std::min(first_failure, r.end);
  }
  EXPECT_GT(before, 50);
  EXPECT_LT(not_serving, first_failure) << "health must turn NOT_SERVING first";
}

// Pool and thread exhaustion: extra calls fail fast with RESOURCE_EXHAUSTED
// and the service recovers at once; an oversized message gets
// RESOURCE_EXHAUSTED and the server keeps serving.
TEST(ReliabilityTest, ExhaustionFailsFastAndRecovers) {
  testing::TestDatabase db("exhaustion");
  testing::FaultProxy to_db(db.options().port);
  PartnerProcess service(
      {to_db.port(), std::string(std::getenv("KYODO_TEST_DB_PASSWORD_FILE")),
       db.name()},
      {"--db_pool_size=2", "--db_pool_max_waiters=0",
       "--max_message_bytes=65536"});
  ASSERT_TRUE(service.Start());
  ASSERT_TRUE(service.WaitServing(absl::Seconds(60)));
  auto stub = service.NewStub();
  const std::vector<std::string> names = SeedPartners(stub.get(), 4);

  // Two slow calls hold both sessions.
  to_db.SetMode(testing::FaultProxy::Mode::kDelay);
  to_db.SetDelay(absl::Seconds(5));
  std::vector<std::thread> holders;
  std::atomic<int> holders_done{0};
  for (int i = 0; i < 2; ++i) {
    holders.emplace_back([&, i] {
      auto own = service.NewStub();
      GetPartnerRequest request;
      request.set_name(names[i]);
      Partner out;
      own->GetPartner(testing::Context(testing::ViewerToken()).get(), request,
                      &out);
      ++holders_done;
    });
  }
  // Until both sessions are taken...
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (service.Metric("kyodo_db_pool_sessions", {{"state", "in_use"}}) < 2 &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  // ...every extra call is refused at once.
  for (int i = 0; i < 5; ++i) {
    GetPartnerRequest request;
    request.set_name(names[2]);
    Partner out;
    grpc::Status status = stub->GetPartner(
        testing::Context(testing::ViewerToken()).get(), request, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << status.error_message();
    // At once: refused while both sessions are still held, not after
    // waiting for one to come free (no wall-clock bound, which a loaded
    // machine can break).
    EXPECT_EQ(holders_done.load(), 0) << "the refusal waited for a session";
  }
  to_db.SetMode(testing::FaultProxy::Mode::kPass);
  for (auto& t : holders) t.join();
  // Recovered at once.
  GetPartnerRequest request;
  request.set_name(names[3]);
  Partner out;
  EXPECT_TRUE(stub->GetPartner(testing::Context(testing::ViewerToken()).get(),
                               request, &out)
                  .ok());

  // An oversized message, then an ordinary call.
  grpc::GenericStub generic(service.NewChannel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  context.AddMetadata("authorization", "Bearer " + testing::AdminToken());
  partner::v1::BatchGetPartnersRequest huge;
  for (int i = 0; i < 800; ++i)
    huge.add_names("partners/" + std::string(90, 'a'));
  const std::string bytes = huge.SerializeAsString();
  ASSERT_GT(bytes.size(), 65536u);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer in(&slice, 1), reply;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status big;
  generic.UnaryCall(&context,
                    "/kyodo.partner.v1.PartnerService/BatchGetPartners",
                    grpc::StubOptions(), &in, &reply, [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      big = s;
                      done = true;
                      cv.notify_one();
                    });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  }
  EXPECT_EQ(big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << big.error_message();
  EXPECT_TRUE(stub->GetPartner(testing::Context(testing::ViewerToken()).get(),
                               request, &out)
                  .ok());
}

}  // namespace
}  // namespace kyodo::reliability
