// The audit trail of project changes, and who may read it.
#include <set>

#include "tests/project-service/project_fixture.h"

using kyodo::project::v1::Project;
using kyodo::testing::AdminToken;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::ViewerToken;
using kyodo::testing::WardStaffToken;

namespace kyodo::project {
namespace {

using kyodo::type::v1::ListAuditEventsRequest;
using kyodo::type::v1::ListAuditEventsResponse;

TEST_F(ProjectServiceTest, EveryChangeIsAuditedWithItsAuthor) {
  const std::string staff = WardStaffToken(kyodo::type::v1::KAWASAKI, "sato");
  Project p = CooperativeProject();
  AddAllPrinciples(p);
  *p.add_outcomes() = Outcome("参加者数", 20, "人");
  Project created;
  ASSERT_TRUE(Create(p, &created, staff).ok());
  Project out;
  Project patch;
  patch.set_name(created.name());
  patch.set_activities(
      "地域の人たちの自然と環境の体験の場づくりを定期的に行う。");
  ASSERT_TRUE(Update(patch, {"activities"}, &out, AdminToken("suzuki")).ok());
  ASSERT_TRUE(Start(created.name(), &out, staff).ok());
  ASSERT_TRUE(Complete(created.name(), &out, staff).ok());
  ASSERT_TRUE(
      Review(created.name(), "体験の場を定期的に設けた", &out, staff).ok());

  ListAuditEventsRequest request;
  request.set_resource(created.name());
  ListAuditEventsResponse events;
  ASSERT_TRUE(
      stub_->ListAuditEvents(Context(staff).get(), request, &events).ok());
  ASSERT_EQ(events.audit_events_size(), 5);
  EXPECT_EQ(events.audit_events(0).method(), "CreateProject");
  EXPECT_EQ(events.audit_events(0).actor(), "sato");
  EXPECT_EQ(events.audit_events(0).actor_role(), "ward_staff");
  const auto& edit = events.audit_events(1);
  EXPECT_EQ(edit.method(), "UpdateProject");
  EXPECT_EQ(edit.actor(), "suzuki");
  ASSERT_EQ(edit.changes_size(), 1);
  EXPECT_EQ(edit.changes(0).field(), "activities");
  EXPECT_EQ(edit.changes(0).after(),
            "\"地域の人たちの自然と環境の体験の場づくりを定期的に行う。\"");
  const auto& start = events.audit_events(2);
  EXPECT_EQ(start.method(), "StartProject");
  ASSERT_EQ(start.changes_size(), 1);
  EXPECT_EQ(start.changes(0).field(), "state");
  EXPECT_EQ(start.changes(0).before(), "\"PLANNED\"");
  EXPECT_EQ(start.changes(0).after(), "\"ACTIVE\"");
  EXPECT_EQ(events.audit_events(3).method(), "CompleteProject");
  const auto& review = events.audit_events(4);
  EXPECT_EQ(review.method(), "ReviewProject");
  std::set<std::string> fields;
  for (const auto& c : review.changes()) fields.insert(c.field());
  EXPECT_TRUE(fields.contains("review"));
  EXPECT_TRUE(fields.contains("state"));
}

TEST_F(ProjectServiceTest, FailedChangesLeaveNoAuditEvent) {
  Project created = CreateOk(CooperativeProject());
  Project out;
  EXPECT_FALSE(Start(created.name(), &out).ok());     // principles missing
  EXPECT_FALSE(Complete(created.name(), &out).ok());  // wrong state
  EXPECT_FALSE(
      Start(created.name(), &out, AdminToken(), "W/\"9\"").ok());  // stale
  Project patch;
  patch.set_name(created.name());
  patch.set_title("");
  EXPECT_FALSE(Update(patch, {"title"}, &out).ok());  // invalid
  EXPECT_FALSE(Cancel(created.name(), "", &out, ViewerToken()).ok());  // denied
  Project bad = UniversityProject();
  bad.mutable_participants(0)->set_partner("partners/nosuchpartner");
  EXPECT_FALSE(Create(bad, &out).ok());
  EXPECT_EQ(CountRows("audit_events"), 1);  // the creation only
  EXPECT_EQ(CountRows("projects"), 1);
  ASSERT_TRUE(Get(created.name(), &out).ok());
  EXPECT_EQ(out.etag(), created.etag());
}

TEST_F(ProjectServiceTest, TheTrailIsForAdminsAndTheStaffOfTheProjectsWards) {
  Project created = CreateOk(CooperativeProject());
  ListAuditEventsRequest request;
  request.set_resource(created.name());
  ListAuditEventsResponse events;
  EXPECT_TRUE(
      stub_->ListAuditEvents(Context(AdminToken()).get(), request, &events)
          .ok());
  EXPECT_TRUE(stub_
                  ->ListAuditEvents(
                      Context(WardStaffToken(kyodo::type::v1::KAWASAKI)).get(),
                      request, &events)
                  .ok());
  EXPECT_EQ(stub_
                ->ListAuditEvents(
                    Context(WardStaffToken(kyodo::type::v1::ASAO)).get(),
                    request, &events)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      stub_->ListAuditEvents(Context(ViewerToken()).get(), request, &events)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Staff learn nothing about projects that do not exist.
  request.set_resource("projects/nosuchproject");
  EXPECT_EQ(stub_
                ->ListAuditEvents(
                    Context(WardStaffToken(kyodo::type::v1::ASAO)).get(),
                    request, &events)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  request.set_resource(civic_.name());
  grpc::Status status =
      stub_->ListAuditEvents(Context(AdminToken()).get(), request, &events);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "resource");
}

}  // namespace
}  // namespace kyodo::project
