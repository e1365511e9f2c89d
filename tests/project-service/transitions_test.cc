// The life of a project over gRPC: PLANNED -> ACTIVE -> COMPLETED ->
// REVIEWED, cancellation, and the rules of 協働型事業 at each step.
#include "tests/project-service/project_fixture.h"

using kyodo::project::v1::Participant;
using kyodo::project::v1::Project;
using kyodo::testing::AdminToken;
using kyodo::testing::BadField;
using kyodo::testing::Reason;
using kyodo::testing::WardStaffToken;

namespace kyodo::project {
namespace {

// The "done when" case: a 協働型事業 whose parties are a university, a
// company and a city unit is refused when it is written, naming the rule.
TEST_F(ProjectServiceTest,
       CooperativeProjectOfUniversityCompanyAndCityIsRefused) {
  Project p;
  p.set_title("大学・企業・市の連携事業");
  p.set_issue("地域の課題");
  p.set_programme(v1::COOPERATIVE_PROJECT);
  *p.add_participants() = Party(university_, Participant::LEAD);
  *p.add_participants() = Party(company_, Participant::PARTNER);
  *p.add_participants() = Party(city_, Participant::CITY);
  AddAllPrinciples(p);
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "COOPERATIVE_PROJECT_NEEDS_CIVIC_GROUP_AND_CITY");
  EXPECT_EQ(CountRows("projects"), 0);
  EXPECT_EQ(CountRows("audit_events"), 0);

  // The same through the flag on another programme.
  p.set_programme(v1::WARD_CITIZEN_PROPOSAL);
  p.set_cooperative_project(true);
  EXPECT_EQ(Reason(Create(p, &out)),
            "COOPERATIVE_PROJECT_NEEDS_CIVIC_GROUP_AND_CITY");

  // As a plain partnership it is fine, and it cannot be turned into a
  // 協働型事業 later either.
  p.set_cooperative_project(false);
  Project created = CreateOk(p);
  Project patch;
  patch.set_name(created.name());
  patch.set_cooperative_project(true);
  status = Update(patch, {"cooperative_project"}, &out);
  EXPECT_EQ(Reason(status), "COOPERATIVE_PROJECT_NEEDS_CIVIC_GROUP_AND_CITY");
  patch.set_programme(v1::COOPERATIVE_PROJECT);
  EXPECT_EQ(Reason(Update(patch, {"programme"}, &out)),
            "COOPERATIVE_PROJECT_NEEDS_CIVIC_GROUP_AND_CITY");
}

TEST_F(ProjectServiceTest, CooperativeProjectsNeedACivicGroupAndACityUnit) {
  // A civic group without a city unit.
  Project p = CooperativeProject();
  p.clear_contributions();
  p.mutable_participants(1)->set_partner(company_.name());
  p.mutable_participants(1)->set_role(Participant::PARTNER);
  Project out;
  EXPECT_EQ(Reason(Create(p, &out)),
            "COOPERATIVE_PROJECT_NEEDS_CIVIC_GROUP_AND_CITY");
  // The programme implies the flag.
  p = CooperativeProject();
  p.set_programme(v1::COOPERATIVE_PROJECT);
  p.clear_cooperative_project();
  Project created = CreateOk(p);
  EXPECT_TRUE(created.cooperative_project());
}

TEST_F(ProjectServiceTest, CooperativeProjectStartsOnlyWithAllSixPrinciples) {
  Project p = CooperativeProject();
  auto* roles = p.add_principles();
  roles->set_principle(v1::ROLES_AND_RESPONSIBILITIES);
  roles->set_note("市民活動団体：事業の企画、運営／行政：事業広報の支援");
  auto* blank = p.add_principles();
  blank->set_principle(v1::OPENNESS);
  blank->set_note("　");          // a full-width space is no note
  Project created = CreateOk(p);  // planning may go on without them
  EXPECT_EQ(created.state(), Project::PLANNED);

  Project out;
  grpc::Status status = Start(created.name(), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PRINCIPLES_NOT_ADDRESSED");
  EXPECT_EQ(Metadata(status)["missing"],
            "SHARED_PURPOSE,EQUAL_RELATIONSHIP,MUTUAL_UNDERSTANDING,OPENNESS,"
            "REVIEW_OF_OUTCOMES");

  Project patch;
  patch.set_name(created.name());
  AddAllPrinciples(patch);
  ASSERT_TRUE(Update(patch, {"principles"}, &out).ok());
  ASSERT_TRUE(Start(created.name(), &out).ok());
  EXPECT_EQ(out.state(), Project::ACTIVE);

  // Once started, the principles stay addressed.
  patch.mutable_principles(3)->set_note("");
  status = Update(patch, {"principles"}, &out);
  EXPECT_EQ(Reason(status), "PRINCIPLES_NOT_ADDRESSED");
  EXPECT_EQ(Metadata(status)["missing"], "OPENNESS");
}

TEST_F(ProjectServiceTest, OtherProjectsStartWithoutPrinciples) {
  Project created = CreateOk(UniversityProject());
  Project out;
  ASSERT_TRUE(Start(created.name(), &out).ok());
  EXPECT_EQ(out.state(), Project::ACTIVE);
}

TEST_F(ProjectServiceTest, FullLifeWithTheReviewOfOutcomes) {
  Project p = CooperativeProject();
  p.set_title("みやまえ文化魂2014");
  AddAllPrinciples(p);
  *p.add_outcomes() = Outcome("出演団体数", 9, "団体");
  Project created = CreateOk(p);
  Project out;
  ASSERT_TRUE(Start(created.name(), &out).ok());
  ASSERT_TRUE(Complete(created.name(), &out).ok());
  EXPECT_EQ(out.state(), Project::COMPLETED);

  service_->clock().Advance(absl::Hours(24));
  v1::OutcomeIndicator visitors = Outcome("来場者数", 600, "人");
  visitors.set_approximate(true);
  const std::string text =
      "当日は、9団体約80人の中学生や高校生が出演し、約600人の来場者があった。";
  ASSERT_TRUE(Review(created.name(), text, &out,
                     WardStaffToken(kyodo::type::v1::KAWASAKI, "sato"),
                     {visitors})
                  .ok());
  EXPECT_EQ(out.state(), Project::REVIEWED);
  EXPECT_EQ(out.review().text(), text);
  EXPECT_EQ(out.review().reviewed_by(), "sato");
  EXPECT_EQ(out.review().review_time().seconds(),
            absl::ToUnixSeconds(service_->clock().Now()));
  ASSERT_EQ(out.outcomes_size(), 2);
  EXPECT_TRUE(out.outcomes(1).approximate());

  Project got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), out.SerializeAsString());

  // A reviewed project is a closed record.
  Project patch;
  patch.set_name(created.name());
  patch.set_activities("x");
  grpc::Status status = Update(patch, {"activities"}, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PROJECT_CLOSED");
}

TEST_F(ProjectServiceTest, ReviewNeedsTextAndAnOutcome) {
  Project created = CreateOk(UniversityProject());
  Project out;
  ASSERT_TRUE(Start(created.name(), &out).ok());
  ASSERT_TRUE(Complete(created.name(), &out).ok());
  grpc::Status status = Review(created.name(), "　", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "review_text");
  status = Review(created.name(), "成果を振り返った", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "OUTCOMES_REQUIRED");
  status = Review(created.name(), "成果を振り返った", &out, AdminToken(),
                  {Outcome("", 1, "人")});
  EXPECT_EQ(BadField(status), "outcomes[0].name");
  ASSERT_TRUE(Get(created.name(), &out).ok());
  EXPECT_EQ(out.state(), Project::COMPLETED);
  EXPECT_FALSE(out.has_review());
}

TEST_F(ProjectServiceTest, WrongStateTransitionsNameTheStates) {
  Project created = CreateOk(UniversityProject());
  Project out;
  grpc::Status status = Complete(created.name(), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "WRONG_STATE");
  EXPECT_EQ(Metadata(status)["state"], "PLANNED");
  EXPECT_EQ(Metadata(status)["allowed"], "ACTIVE");
  EXPECT_NE(status.error_message().find("PLANNED"), std::string::npos);

  ASSERT_TRUE(Start(created.name(), &out).ok());
  EXPECT_EQ(Reason(Start(created.name(), &out)), "WRONG_STATE");
  EXPECT_EQ(Reason(Review(created.name(), "振り返り", &out, AdminToken(),
                          {Outcome("受講者数", 54, "名")})),
            "WRONG_STATE");
  ASSERT_TRUE(Complete(created.name(), &out).ok());
  status = Cancel(created.name(), "", &out);
  EXPECT_EQ(Reason(status), "WRONG_STATE");
  EXPECT_EQ(Metadata(status)["allowed"], "PLANNED or ACTIVE");
}

TEST_F(ProjectServiceTest, CancelFromPlannedOrActiveKeepsTheReason) {
  Project planned = CreateOk(UniversityProject());
  Project active = CreateOk(UniversityProject());
  Project out;
  ASSERT_TRUE(Start(active.name(), &out).ok());
  ASSERT_TRUE(Cancel(planned.name(), "予算が確保できなかった", &out).ok());
  EXPECT_EQ(out.state(), Project::CANCELLED);
  EXPECT_EQ(out.cancel_reason(), "予算が確保できなかった");
  ASSERT_TRUE(Cancel(active.name(), "", &out).ok());
  EXPECT_EQ(out.state(), Project::CANCELLED);
  EXPECT_EQ(Reason(Start(active.name(), &out)), "WRONG_STATE");
  EXPECT_EQ(Reason(Cancel(active.name(), "", &out)), "WRONG_STATE");
}

}  // namespace
}  // namespace kyodo::project
