// The audit trail: diffs, recording inside transactions, listing pages.
#include "common/audit/audit.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/paging/page_token.h"
#include "common/server/database.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "tests/common/status_util.h"
#include "tests/testing/database.h"
#include "tests/testing/log_capture.h"

namespace kyodo::common::audit {
namespace {

using ::kyodo::common::testing::BadRequestField;
using ::kyodo::partner::v1::Partner;
using ::kyodo::type::v1::FieldChange;

std::string Show(const FieldChange& c) {
  return absl::StrCat(
      c.field(), " ", c.has_before() ? c.before() : std::string("<unset>"),
      " -> ", c.has_after() ? c.after() : std::string("<unset>"));
}

std::vector<std::string> Show(const std::vector<FieldChange>& changes) {
  std::vector<std::string> out;
  for (const FieldChange& c : changes) out.push_back(Show(c));
  return out;
}

Partner Before() {
  Partner p;
  p.set_name("partners/abc");
  p.set_kind(kyodo::partner::v1::CIVIC_GROUP);
  p.set_display_name("Old name");
  p.set_ward(kyodo::type::v1::ASAO);
  p.set_description("will be cleared");
  p.add_contacts()->set_email("a@example.jp");
  p.set_etag("W/\"1\"");
  p.mutable_update_time()->set_seconds(1000);
  return p;
}

TEST(DiffTest, ListsChangedTopLevelFields) {
  Partner before = Before();
  Partner after = before;
  after.set_display_name("\xE6\x96\xB0\xE3\x81\x97\xE3\x81\x84");  // 新しい
  after.clear_description();
  after.set_name_kana("\xE3\x81\x82");
  after.mutable_contacts(0)->set_email("b@example.jp");
  after.set_kind(kyodo::partner::v1::COMPANY);
  // Bookkeeping changes are not reported.
  after.set_etag("W/\"2\"");
  after.mutable_update_time()->set_seconds(2000);

  EXPECT_THAT(
      Show(Diff(&before, &after)),
      ::testing::ElementsAre("kind \"CIVIC_GROUP\" -> \"COMPANY\"",
                             "display_name \"Old name\" -> "
                             "\"\xE6\x96\xB0\xE3\x81\x97\xE3\x81\x84\"",
                             "name_kana <unset> -> \"\xE3\x81\x82\"",
                             "description \"will be cleared\" -> <unset>",
                             "contacts [{\"email\":\"a@example.jp\"}] -> "
                             "[{\"email\":\"b@example.jp\"}]"));
}

TEST(DiffTest, NothingChangedIsEmpty) {
  Partner before = Before();
  Partner after = before;
  after.set_etag("W/\"9\"");
  after.mutable_update_time()->set_seconds(9999);
  EXPECT_TRUE(Diff(&before, &after).empty());
  EXPECT_TRUE(Diff(&before, &before).empty());
}

TEST(DiffTest, CreationAndDeletion) {
  Partner p;
  p.set_display_name("X");
  p.set_ward(kyodo::type::v1::TAMA);
  p.set_etag("W/\"1\"");
  EXPECT_THAT(Show(Diff(nullptr, &p)),
              ::testing::ElementsAre("display_name <unset> -> \"X\"",
                                     "ward <unset> -> \"TAMA\""));
  EXPECT_THAT(Show(Diff(&p, nullptr)),
              ::testing::ElementsAre("display_name \"X\" -> <unset>",
                                     "ward \"TAMA\" -> <unset>"));
}

Actor TestActor(absl::Time time, const std::string& request_id = "") {
  Actor actor;
  actor.subject = "staff-1";
  actor.role = "ward_staff";
  actor.method = "UpdatePartner";
  actor.call_id = "call-42";
  actor.request_id = request_id;
  actor.time = time;
  return actor;
}

class AuditTest : public ::testing::Test {
 protected:
  AuditTest() : db_("audit") {
    db_.Migrate({server::CommonMigrations()});
    pool_ = db_.NewPool(4);
  }

  absl::Status InTransaction(
      absl::FunctionRef<absl::Status(db::Session&)> body) {
    return db::RunInTransaction(*pool_, absl::Now() + absl::Seconds(30), body);
  }

  int64_t Events() {
    return std::stoll(db_.QueryValue("SELECT COUNT(*) FROM audit_events"));
  }

  std::vector<kyodo::type::v1::AuditEvent> ListAll(
      const std::string& resource) {
    auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
    EXPECT_TRUE(session.ok());
    auto events = List(**session, resource, 0, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : std::vector<kyodo::type::v1::AuditEvent>();
  }

  ::kyodo::testing::TestDatabase db_;
  std::unique_ptr<db::ConnectionPool> pool_;
};

TEST_F(AuditTest, RecordWritesOneEventWithTheChanges) {
  Partner before = Before();
  Partner after = before;
  after.set_display_name("New name");
  const absl::Time when = absl::FromUnixMicros(1775000000123456);
  ASSERT_TRUE(InTransaction([&](db::Session& s) {
                return Record(
                    s, TestActor(when, "123e4567-e89b-12d3-a456-426614174000"),
                    "partners/abc", &before, &after);
              }).ok());
  auto events = ListAll("partners/abc");
  ASSERT_EQ(events.size(), 1u);
  const auto& e = events[0];
  EXPECT_GT(e.id(), 0);
  EXPECT_EQ(e.resource(), "partners/abc");
  EXPECT_EQ(e.method(), "UpdatePartner");
  EXPECT_EQ(e.actor(), "staff-1");
  EXPECT_EQ(e.actor_role(), "ward_staff");
  EXPECT_EQ(e.call_id(), "call-42");
  EXPECT_EQ(e.request_id(), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMicroseconds(e.time()),
            1775000000123456);
  ASSERT_EQ(e.changes_size(), 1);
  EXPECT_EQ(Show(e.changes(0)), "display_name \"Old name\" -> \"New name\"");
  EXPECT_TRUE(ListAll("partners/other").empty());
}

// An event whose changes are not a list would read as "nothing changed".
TEST_F(AuditTest, ChangesThatAreNoListAreDataLoss) {
  Partner p;
  p.set_display_name("X");
  ASSERT_TRUE(InTransaction([&](db::Session& s) {
                return Record(s, TestActor(absl::Now()), "partners/x", nullptr,
                              &p);
              }).ok());
  ASSERT_EQ(ListAll("partners/x").size(), 1u);
  const std::string id = db_.QueryValue("SELECT id FROM audit_events");
  db_.Exec("UPDATE audit_events SET changes = '{}' WHERE id = " + id);
  ::kyodo::testing::LogCapture log;
  auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(List(**session, "partners/x", 0, 10).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_NE(log.LineWith({"\"table\":\"audit_events\"",
                          "\"row\":\"" + id + "\"", "\"column\":\"changes\""}),
            "");
}

// A change that does not name its field would show an unnamed change.
TEST_F(AuditTest, AChangeWithoutItsFieldIsDataLoss) {
  Partner p;
  p.set_display_name("X");
  ASSERT_TRUE(InTransaction([&](db::Session& s) {
                return Record(s, TestActor(absl::Now()), "partners/y", nullptr,
                              &p);
              }).ok());
  ASSERT_EQ(ListAll("partners/y").size(), 1u);
  const std::string id = db_.QueryValue("SELECT id FROM audit_events");
  db_.Exec(
      "UPDATE audit_events SET changes = '[{\"after\": \"X\"}]' WHERE id = " +
      id);
  ::kyodo::testing::LogCapture log;
  auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(List(**session, "partners/y", 0, 10).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_NE(log.LineWith({"\"row\":\"" + id + "\"", "without its field"}), "");
}

TEST_F(AuditTest, RecordWithoutRequestIdStoresNone) {
  Partner p;
  p.set_display_name("X");
  ASSERT_TRUE(InTransaction([&](db::Session& s) {
                return Record(s, TestActor(absl::Now()), "partners/x", nullptr,
                              &p);
              }).ok());
  auto events = ListAll("partners/x");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].has_request_id());
  EXPECT_EQ(db_.QueryValue("SELECT request_id IS NULL FROM audit_events"), "1");
}

TEST_F(AuditTest, NothingChangedWritesNothing) {
  Partner before = Before();
  Partner after = before;
  after.set_etag("W/\"2\"");
  ASSERT_TRUE(InTransaction([&](db::Session& s) {
                return Record(s, TestActor(absl::Now()), "partners/abc",
                              &before, &after);
              }).ok());
  EXPECT_EQ(Events(), 0);
}

TEST_F(AuditTest, RolledBackChangeLeavesNoEvent) {
  Partner before = Before();
  Partner after = before;
  after.set_display_name("Never happened");
  absl::Status status = InTransaction([&](db::Session& s) -> absl::Status {
    absl::Status recorded =
        Record(s, TestActor(absl::Now()), "partners/abc", &before, &after);
    if (!recorded.ok()) return recorded;
    return FailedPreconditionError(kyodo::type::v1::WRONG_STATE,
                                   "the change is refused");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Events(), 0);
}

TEST_F(AuditTest, ListAndPages) {
  // Seven events on one resource, interleaved with two on another.
  for (int i = 0; i < 9; ++i) {
    Partner p;
    p.set_display_name(absl::StrCat("v", i));
    const std::string resource = i % 4 == 3 ? "partners/b" : "partners/a";
    ASSERT_TRUE(InTransaction([&](db::Session& s) {
                  return Record(s, TestActor(absl::Now()), resource, nullptr,
                                &p);
                }).ok());
  }
  std::vector<kyodo::type::v1::AuditEvent> all = ListAll("partners/a");
  ASSERT_EQ(all.size(), 7u);
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GT(all[i].id(), all[i - 1].id());  // oldest first
  }
  EXPECT_EQ(ListAll("partners/b").size(), 2u);
  {
    auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(session.ok());
    auto after = List(**session, "partners/a", all[2].id(), 2);
    ASSERT_TRUE(after.ok());
    ASSERT_EQ(after->size(), 2u);
    EXPECT_EQ((*after)[0].id(), all[3].id());
    EXPECT_EQ((*after)[1].id(), all[4].id());
  }

  const paging::PageTokenCodec pages("audit-page-key-0123456789");
  auto session = pool_->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(session.ok());
  kyodo::type::v1::ListAuditEventsRequest request;
  request.set_resource("partners/a");
  request.set_page_size(3);
  std::vector<int64_t> seen;
  std::vector<int> page_sizes;
  std::string first_token;
  for (int page = 0; page < 10; ++page) {
    kyodo::type::v1::ListAuditEventsResponse response;
    ASSERT_TRUE(ListPage(**session, request, pages, &response).ok());
    page_sizes.push_back(response.audit_events_size());
    for (const auto& e : response.audit_events()) seen.push_back(e.id());
    if (page == 0) first_token = response.next_page_token();
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_THAT(page_sizes, ::testing::ElementsAre(3, 3, 1));
  ASSERT_EQ(seen.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(seen[i], all[i].id());

  // A token is bound to its resource.
  kyodo::type::v1::ListAuditEventsRequest other;
  other.set_resource("partners/b");
  other.set_page_token(first_token);
  kyodo::type::v1::ListAuditEventsResponse response;
  absl::Status foreign = ListPage(**session, other, pages, &response);
  EXPECT_EQ(foreign.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadRequestField(foreign), "page_token");

  // Page size rules.
  kyodo::type::v1::ListAuditEventsRequest negative;
  negative.set_resource("partners/a");
  negative.set_page_size(-1);
  absl::Status bad_size = ListPage(**session, negative, pages, &response);
  EXPECT_EQ(bad_size.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadRequestField(bad_size), "page_size");

  kyodo::type::v1::ListAuditEventsRequest everything;
  everything.set_resource("partners/a");
  kyodo::type::v1::ListAuditEventsResponse one_page;
  ASSERT_TRUE(ListPage(**session, everything, pages, &one_page).ok());
  EXPECT_EQ(one_page.audit_events_size(), 7);
  EXPECT_EQ(one_page.next_page_token(), "");
}

}  // namespace
}  // namespace kyodo::common::audit
