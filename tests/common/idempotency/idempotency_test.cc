// Request ids (AIP-155) against a test schema with the common migrations.
#include "common/idempotency/idempotency.h"

#include <atomic>
#include <barrier>
#include <cctype>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/server/database.h"
#include "common/status/errors.h"
#include "common/time/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "tests/common/status_util.h"
#include "tests/testing/database.h"

namespace kyodo::common::idempotency {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::kyodo::common::testing::BadRequestField;
using ::kyodo::partner::v1::CreatePartnerRequest;
using ::kyodo::partner::v1::Partner;

constexpr char kId[] = "0f8fad5b-d9cb-469f-a165-70867728950e";
constexpr char kMethod[] = "CreatePartner";

CreatePartnerRequest Request(const std::string& display_name) {
  CreatePartnerRequest request;
  request.mutable_partner()->set_display_name(display_name);
  request.mutable_partner()->set_kind(kyodo::partner::v1::CIVIC_GROUP);
  request.set_request_id(kId);
  return request;
}

class IdempotencyTest : public ::testing::Test {
 protected:
  IdempotencyTest() : db_("idempotency") {
    db_.Migrate({server::CommonMigrations()});
    db_.Exec(
        "CREATE TABLE things (seq BIGINT AUTO_INCREMENT PRIMARY KEY, "
        "label VARCHAR(100) NOT NULL) ENGINE=InnoDB");
    pool_ = db_.NewPool(16);
  }

  // One "CreatePartner" call: in its own transaction, the body inserts a
  // thing and fills the response.
  absl::Status Call(const std::string& request_id, const std::string& principal,
                    const CreatePartnerRequest& request, Partner* response,
                    std::atomic<int>* body_runs,
                    absl::Status body_result = absl::OkStatus()) {
    return db::RunInTransaction(
        *pool_, absl::Now() + absl::Seconds(60), [&](db::Session& s) {
          response->Clear();
          return idempotency::Run(
              s, request_id, principal, kMethod, request, response,
              [&]() -> absl::Status {
                ++*body_runs;
                auto inserted = s.Exec("INSERT INTO things (label) VALUES (?)",
                                       {request.partner().display_name()});
                if (!inserted.ok()) return inserted.status();
                if (!body_result.ok()) return body_result;
                auto seq = s.QueryOne("SELECT LAST_INSERT_ID()");
                if (!seq.ok()) return seq.status();
                response->set_name(
                    absl::StrCat("partners/p", (*seq)->String(0)));
                response->set_display_name(request.partner().display_name());
                return absl::OkStatus();
              });
        });
  }

  int64_t Things() {
    return std::stoll(db_.QueryValue("SELECT COUNT(*) FROM things"));
  }
  int64_t Ids() {
    return std::stoll(db_.QueryValue("SELECT COUNT(*) FROM request_ids"));
  }

  ::kyodo::testing::TestDatabase db_;
  std::unique_ptr<db::ConnectionPool> pool_;
};

TEST_F(IdempotencyTest, SecondCallReturnsTheStoredResponse) {
  std::atomic<int> runs{0};
  Partner first;
  ASSERT_TRUE(Call(kId, "user-1", Request("A"), &first, &runs).ok());
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(Things(), 1);
  EXPECT_EQ(Ids(), 1);
  EXPECT_FALSE(first.name().empty());
  EXPECT_EQ(db_.QueryValue("SELECT response IS NOT NULL FROM request_ids"),
            "1");

  Partner second;
  second.set_description("stale content the stored response replaces");
  ASSERT_TRUE(Call(kId, "user-1", Request("A"), &second, &runs).ok());
  EXPECT_EQ(runs.load(), 1);  // the body did not run again
  EXPECT_EQ(Things(), 1);
  EXPECT_TRUE(MessageDifferencer::Equals(first, second))
      << first.DebugString() << " vs " << second.DebugString();
}

TEST_F(IdempotencyTest, IdsAreCaseInsensitive) {
  std::atomic<int> runs{0};
  Partner first, second;
  ASSERT_TRUE(Call(kId, "user-1", Request("A"), &first, &runs).ok());
  std::string upper = kId;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  ASSERT_TRUE(Call(upper, "user-1", Request("A"), &second, &runs).ok());
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(second.name(), first.name());
}

TEST_F(IdempotencyTest, ReusedIdIsRefused) {
  std::atomic<int> runs{0};
  Partner response;
  ASSERT_TRUE(Call(kId, "user-1", Request("A"), &response, &runs).ok());

  // The same caller and method with another request body.
  absl::Status status = Call(kId, "user-1", Request("B"), &response, &runs);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(ErrorReason(status), "REQUEST_ID_REUSED");
  EXPECT_EQ(BadRequestField(status), "request_id");
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(Things(), 1);
  EXPECT_EQ(Ids(), 1);
}

// Issue 13: an id is scoped to its caller and method. Another caller sending
// the same id (by chance, or to block the owner: the gateway's steps, an
// applicant guessing a staff member's id) neither blocks the owner nor reads
// its answer; the same caller may use one id on two methods.
TEST_F(IdempotencyTest, IdsAreScopedToCallerAndMethod) {
  std::atomic<int> runs{0};
  // The intruder goes first, with a request of its own.
  Partner intruders;
  ASSERT_TRUE(Call(kId, "intruder", Request("mine"), &intruders, &runs).ok());
  // The owner's call runs, is not refused, and answers its own thing.
  Partner owners;
  absl::Status status = Call(kId, "user-1", Request("A"), &owners, &runs);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(owners.display_name(), "A");
  EXPECT_NE(owners.name(), intruders.name());
  // A third caller with the owner's exact request gets its own answer, not
  // the owner's stored one.
  Partner thirds;
  ASSERT_TRUE(Call(kId, "user-2", Request("A"), &thirds, &runs).ok());
  EXPECT_EQ(runs.load(), 3);
  EXPECT_NE(thirds.name(), owners.name());
  // Each replays its own.
  Partner again;
  ASSERT_TRUE(Call(kId, "user-1", Request("A"), &again, &runs).ok());
  EXPECT_EQ(again.name(), owners.name());
  ASSERT_TRUE(Call(kId, "intruder", Request("mine"), &again, &runs).ok());
  EXPECT_EQ(again.name(), intruders.name());
  EXPECT_EQ(runs.load(), 3);
  // The owner's id on another method is another request.
  Partner other_method;
  ASSERT_TRUE(db::RunInTransaction(*pool_, absl::Now() + absl::Seconds(10),
                                   [&](db::Session& s) {
                                     return idempotency::Run(
                                         s, kId, "user-1", "UpdatePartner",
                                         Request("A"), &other_method, [&] {
                                           ++runs;
                                           other_method.set_name("updated");
                                           return absl::OkStatus();
                                         });
                                   })
                  .ok());
  EXPECT_EQ(runs.load(), 4);
  EXPECT_EQ(other_method.name(), "updated");
  EXPECT_EQ(Ids(), 4);
  EXPECT_EQ(Things(), 3);
}

TEST(DeriveRequestIdTest, KeyedIdsNeedTheSecret) {
  const std::string key = "finalize/decide/programmes/p/calls/c";
  const std::string keyed = DeriveRequestId(key, "gateway-secret-1");
  // Stable for the holder of the secret (retries find their first answer).
  EXPECT_EQ(keyed, DeriveRequestId(key, "gateway-secret-1"));
  EXPECT_EQ(keyed.size(), 36u);
  EXPECT_EQ(keyed[8], '-');
  EXPECT_EQ(keyed[23], '-');
  // Not what the public name alone, or another secret, gives.
  EXPECT_NE(keyed, DeriveRequestId(key));
  EXPECT_NE(keyed, DeriveRequestId(key, "gateway-secret-2"));
  EXPECT_NE(keyed, DeriveRequestId(key, ""));
  EXPECT_NE(keyed, DeriveRequestId(key + "x", "gateway-secret-1"));
}

TEST_F(IdempotencyTest, EmptyIdJustRunsTheBody) {
  std::atomic<int> runs{0};
  Partner response;
  ASSERT_TRUE(Call("", "user-1", Request("A"), &response, &runs).ok());
  ASSERT_TRUE(Call("", "user-1", Request("A"), &response, &runs).ok());
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(Things(), 2);
  EXPECT_EQ(Ids(), 0);
}

TEST_F(IdempotencyTest, FailedBodyLeavesNoIdAndMayBeRetried) {
  std::atomic<int> runs{0};
  Partner response;
  absl::Status failed =
      Call(kId, "user-1", Request("A"), &response, &runs,
           FailedPreconditionError(kyodo::type::v1::WRONG_STATE, "refused"));
  EXPECT_EQ(failed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(Ids(), 0);
  EXPECT_EQ(Things(), 0);

  ASSERT_TRUE(Call(kId, "user-1", Request("A"), &response, &runs).ok());
  EXPECT_EQ(runs.load(), 2);  // the retry ran the body
  EXPECT_EQ(Things(), 1);
  EXPECT_EQ(Ids(), 1);
}

TEST_F(IdempotencyTest, ConcurrentCallsWithOneIdHappenOnce) {
  constexpr int kCalls = 10;
  std::barrier go(kCalls);
  std::atomic<int> runs{0};
  std::vector<Partner> responses(kCalls);
  std::vector<absl::Status> results(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      results[i] = Call(kId, "user-1", Request("A"), &responses[i], &runs);
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i];
    EXPECT_FALSE(responses[i].name().empty());
    EXPECT_TRUE(MessageDifferencer::Equals(responses[0], responses[i]))
        << responses[0].DebugString() << " vs " << responses[i].DebugString();
  }
  EXPECT_EQ(Things(), 1);
  EXPECT_EQ(Ids(), 1);
  EXPECT_EQ(pool_->Stats().in_use, 0);
}

TEST_F(IdempotencyTest, WaiterProceedsWhenTheFirstRollsBack) {
  // The first call claims the id and holds its transaction open; a second
  // call with the same id blocks on the claim. The first then fails: the
  // second runs its body as if it were first.
  std::latch claimed(1);
  std::latch finish_first(1);
  std::atomic<int> runs{0};
  absl::Status first_result;
  db::TransactionOptions once;
  once.max_attempts = 1;
  std::thread first([&] {
    Partner response;
    first_result = db::RunInTransaction(
        *pool_, absl::Now() + absl::Seconds(60),
        [&](db::Session& s) {
          return idempotency::Run(
              s, kId, "user-1", kMethod, Request("A"), &response, [&] {
                ++runs;
                claimed.count_down();
                finish_first.wait();
                return absl::AbortedError("first call gives up");
              });
        },
        once);
  });
  claimed.wait();

  Partner second_response;
  absl::Status second_result;
  std::thread second([&] {
    second_result = Call(kId, "user-1", Request("A"), &second_response, &runs);
  });
  // Wait (bounded) until the second call is blocked on the claimed row: its
  // INSERT is executing while the first still holds the claim, so it cannot
  // have finished.
  bool waiting = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(4);
  while (!waiting && absl::Now() < give_up) {
    waiting = db_.QueryValue(
                  "SELECT COUNT(*) FROM information_schema.processlist WHERE "
                  "db = DATABASE() AND command = 'Execute' AND "
                  "info LIKE 'INSERT INTO request_ids%'") != "0";
  }
  EXPECT_TRUE(waiting);
  finish_first.count_down();
  first.join();
  second.join();

  EXPECT_EQ(first_result.code(), absl::StatusCode::kAborted);
  ASSERT_TRUE(second_result.ok()) << second_result;
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(Things(), 1);
  EXPECT_EQ(Ids(), 1);
  EXPECT_FALSE(second_response.name().empty());
}

TEST_F(IdempotencyTest, ClaimAndCompleteDirectly) {
  auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(session.ok());
  db::Session& s = **session;
  auto claimed = Claim(s, kId, "user-1", kMethod, Request("A"));
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_FALSE(claimed->has_value());
  Partner response;
  response.set_name("partners/xyz");
  ASSERT_TRUE(Complete(s, kId, "user-1", kMethod, response).ok());
  auto again = Claim(s, kId, "user-1", kMethod, Request("A"));
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE(again->has_value());
  Partner stored;
  ASSERT_TRUE(stored.ParseFromString(**again));
  EXPECT_EQ(stored.name(), "partners/xyz");
}

TEST_F(IdempotencyTest, PurgeDeletesOldIds) {
  std::atomic<int> runs{0};
  Partner response;
  ASSERT_TRUE(Call(kId, "user-1", Request("A"), &response, &runs).ok());
  ASSERT_TRUE(Call("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "user-1",
                   Request("A"), &response, &runs)
                  .ok());
  db_.Exec(absl::StrCat(
      "UPDATE request_ids SET create_time = '2020-01-01 00:00:00' WHERE "
      "request_id = '",
      kId, "'"));
  auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(session.ok());
  auto none = Purge(**session, absl::FromCivil(absl::CivilDay(2019, 12, 31),
                                               absl::UTCTimeZone()));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  auto purged = Purge(**session, absl::Now() - absl::Hours(24));
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(Ids(), 1);
  // The purged id is free again.
  ASSERT_TRUE(Call(kId, "user-1", Request("B"), &response, &runs).ok());
  EXPECT_EQ(runs.load(), 3);
}

// Issue 13: the scheduled purge deletes ids (and the answers stored with
// them) older than its max age by its clock, and keeps the rest. The clock
// is a fake one set against the database's timestamps: no waiting.
TEST_F(IdempotencyTest, PurgerDeletesIdsOlderThanItsMaxAge) {
  std::atomic<int> runs{0};
  Partner response;
  ASSERT_TRUE(Call(kId, "user-1", Request("A"), &response, &runs).ok());
  // create_time is UTC, as every time the services store.
  absl::Time stored;
  std::string error;
  ASSERT_TRUE(absl::ParseTime("%Y-%m-%d %H:%M:%E*S",
                              db_.QueryValue("SELECT create_time FROM "
                                             "request_ids"),
                              absl::UTCTimeZone(), &stored, &error))
      << error;
  FakeClock clock(stored);
  Purger purger(*pool_, clock, absl::Hours(24 * 7));

  clock.Set(stored + absl::Hours(24 * 7) - absl::Seconds(1));
  auto kept = purger.RunOnce();
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(*kept, 0);
  EXPECT_EQ(Ids(), 1);

  clock.Set(stored + absl::Hours(24 * 7) + absl::Seconds(1));
  auto purged = purger.RunOnce();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(Ids(), 0);
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM request_ids WHERE response "
                           "IS NOT NULL"),
            "0");

  // A shorter configured age purges sooner.
  ASSERT_TRUE(Call(kId, "user-1", Request("B"), &response, &runs).ok());
  Purger hourly(*pool_, clock, absl::Hours(1));
  clock.Set(absl::Now() + absl::Hours(2));
  EXPECT_EQ(*hourly.RunOnce(), 1);
}

// A clock that answers at once on the thread that made it and holds every
// other thread until Release(): a purge run on a thread of its own cannot
// finish before the test says so.
class OneThreadClock : public Clock {
 public:
  explicit OneThreadClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override {
    if (std::this_thread::get_id() != owner_) released_.WaitForNotification();
    return now_;
  }
  void Release() { released_.Notify(); }

 private:
  const absl::Time now_;
  const std::thread::id owner_ = std::this_thread::get_id();
  mutable absl::Notification released_;
};

// Start purges once before it returns, on the calling thread (a service
// calls it before it says SERVING, common/server/bootstrap.cc), and the next
// purge waits a whole interval: nothing of the purge runs under the
// service's first calls.
TEST_F(IdempotencyTest, StartPurgesBeforeItReturnsAndThenOnlyAfterAnInterval) {
  std::atomic<int> runs{0};
  Partner response;
  ASSERT_TRUE(Call(kId, "user-1", Request("A"), &response, &runs).ok());
  OneThreadClock clock(absl::Now() + absl::Hours(2));
  {
    Purger purger(*pool_, clock, absl::Hours(1));
    purger.Start(absl::Hours(1));
    EXPECT_EQ(Ids(), 0) << "the first purge had not run when Start returned";
    // A new id, old by the same clock, stays: the thread's first purge is
    // an hour away (the destructor stops it without one). EXPECT, not
    // ASSERT: the clock must be released before the purger is destroyed.
    EXPECT_TRUE(Call("2f0c1a9e-0000-4000-8000-000000000002", "user-1",
                     Request("B"), &response, &runs)
                    .ok());
    clock.Release();
  }
  EXPECT_EQ(Ids(), 1);
}

}  // namespace
}  // namespace kyodo::common::idempotency
