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
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/server/database.h"
#include "common/status/errors.h"
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

  auto expect_reused = [&](const absl::Status& status) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(ErrorReason(status), "REQUEST_ID_REUSED");
    EXPECT_EQ(BadRequestField(status), "request_id");
  };
  // Another request body.
  expect_reused(Call(kId, "user-1", Request("B"), &response, &runs));
  // Another principal with the identical request.
  expect_reused(Call(kId, "user-2", Request("A"), &response, &runs));
  // Another method.
  expect_reused(db::RunInTransaction(
      *pool_, absl::Now() + absl::Seconds(10), [&](db::Session& s) {
        return idempotency::Run(s, kId, "user-1", "UpdatePartner", Request("A"),
                                &response, [&] {
                                  ++runs;
                                  return absl::OkStatus();
                                });
      }));
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(Things(), 1);
  EXPECT_EQ(Ids(), 1);
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
  absl::Status failed = Call(kId, "user-1", Request("A"), &response, &runs,
                             FailedPreconditionError("SOME_RULE", "refused"));
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
  ASSERT_TRUE(Complete(s, kId, response).ok());
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

}  // namespace
}  // namespace kyodo::common::idempotency
