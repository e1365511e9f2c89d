// The project rules that need no database: input checks, partner facts,
// the rules of 協働型事業 and the state machine.
#include "project-service/domain/rules.h"

#include <string>

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace kyodo::project::domain {
namespace {

using kyodo::partner::v1::Partner;
using kyodo::project::v1::Participant;
using kyodo::project::v1::Project;

std::string Field(const absl::Status& status) {
  auto bad = common::GetBadRequest(status);
  if (!bad.has_value() || bad->field_violations_size() == 0) return "";
  return bad->field_violations(0).field();
}

Partner MakePartner(
    const std::string& id, kyodo::partner::v1::PartnerKind kind,
    kyodo::type::v1::Ward ward = kyodo::type::v1::WARD_UNSPECIFIED) {
  Partner p;
  p.set_name("partners/" + id);
  p.set_kind(kind);
  p.set_display_name("名前" + id);
  p.set_state(Partner::ACTIVE);
  if (ward != kyodo::type::v1::WARD_UNSPECIFIED) p.set_ward(ward);
  return p;
}

Participant Party(const std::string& id, Participant::Role role) {
  Participant x;
  x.set_partner("partners/" + id);
  x.set_role(role);
  return x;
}

// A valid project of a civic group and a city unit.
Project Valid() {
  Project p;
  p.set_title("ノーマライゼーションの世界を作ろう！");
  p.set_issue("障害者や高齢者は、地域社会から孤立しやすい");
  p.set_programme(v1::CITIZEN_STUDY_CLASS);
  *p.add_participants() = Party("himawari", Participant::LEAD);
  *p.add_participants() = Party("nakahara", Participant::CITY);
  auto* c = p.add_contributions();
  c->set_form(v1::CONSIGNMENT);
  c->set_amount_yen(75000);
  c->set_from_partner("partners/nakahara");
  c->set_to_partner("partners/himawari");
  return p;
}

PartnersByName Facts() {
  PartnersByName facts;
  for (const Partner& p :
       {MakePartner("himawari", kyodo::partner::v1::CIVIC_GROUP,
                    kyodo::type::v1::NAKAHARA),
        MakePartner("nakahara", kyodo::partner::v1::CITY_UNIT,
                    kyodo::type::v1::NAKAHARA),
        MakePartner("meiji", kyodo::partner::v1::UNIVERSITY,
                    kyodo::type::v1::TAMA),
        MakePartner("asao", kyodo::partner::v1::CITY_UNIT,
                    kyodo::type::v1::ASAO)}) {
    facts[p.name()] = p;
  }
  return facts;
}

TEST(ProjectBlankTest, WhiteSpaceOfEitherWidthIsBlank) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \t\n"));
  EXPECT_TRUE(IsBlank("\xE3\x80\x80 \xE3\x80\x80"));  // full-width spaces
  EXPECT_FALSE(IsBlank("　課題　"));
  EXPECT_FALSE(IsBlank("x"));
}

TEST(ProjectValidateTest, AValidProjectPasses) {
  EXPECT_TRUE(ValidateProject(Valid(), "project").ok());
}

TEST(ProjectValidateTest, RequiredFieldsAreNamed) {
  Project p = Valid();
  p.set_title("　");
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.title");
  p = Valid();
  p.clear_issue();
  absl::Status status = ValidateProject(p, "project");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Field(status), "project.issue");
  p = Valid();
  p.clear_programme();
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.programme");
}

TEST(ProjectValidateTest, AmountsAreNonNegativeYenOnMoneyFormsOnly) {
  Project p = Valid();
  p.mutable_contributions(0)->set_amount_yen(-1);
  absl::Status status = ValidateProject(p, "project");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Field(status), "project.contributions[0].amount_yen");
  EXPECT_EQ(common::ErrorReason(status), "NEGATIVE_AMOUNT");
  p.mutable_contributions(0)->set_amount_yen(0);
  EXPECT_TRUE(ValidateProject(p, "project").ok());
  p.mutable_contributions(0)->set_form(v1::BUSINESS_COOPERATION);
  EXPECT_EQ(Field(ValidateProject(p, "project")),
            "project.contributions[0].amount_yen");
  p.mutable_contributions(0)->clear_amount_yen();
  EXPECT_TRUE(ValidateProject(p, "project").ok());
  p.mutable_contributions(0)->clear_form();
  EXPECT_EQ(Field(ValidateProject(p, "project")),
            "project.contributions[0].form");
}

// Expense lines (経費内訳) itemise a money contribution and add up to it.
TEST(ProjectValidateTest, ExpenseLinesItemiseTheAmountExactly) {
  using Line = v1::ExpenseLine;
  Project p = Valid();  // a consignment of 75,000 yen
  v1::Contribution* c = p.mutable_contributions(0);
  auto add = [&](Line::Item item, int64_t yen, const std::string& what = "") {
    Line* line = c->add_expense_lines();
    line->set_item(item);
    line->set_amount_yen(yen);
    if (!what.empty()) line->set_description(what);
  };
  add(Line::LECTURER_FEE, 30000, "講師2名×3回");
  add(Line::SUPPLIES, 8000);
  add(Line::PRINTING, 12000);
  absl::Status status = ValidateProject(p, "project");
  EXPECT_EQ(Field(status), "project.contributions[0].expense_lines");
  EXPECT_NE(std::string(status.message()).find("add up to 50000 yen"),
            std::string::npos)
      << status.message();
  add(Line::OTHER, 25000);
  EXPECT_EQ(Field(ValidateProject(p, "project")),
            "project.contributions[0].expense_lines[3].description");
  c->mutable_expense_lines(3)->set_description("会場の保険");
  EXPECT_TRUE(ValidateProject(p, "project").ok());

  c->mutable_expense_lines(1)->set_amount_yen(-1);
  status = ValidateProject(p, "project");
  EXPECT_EQ(Field(status),
            "project.contributions[0].expense_lines[1].amount_yen");
  EXPECT_EQ(common::ErrorReason(status), "NEGATIVE_AMOUNT");
  c->mutable_expense_lines(1)->set_amount_yen(8000);
  c->mutable_expense_lines(2)->clear_item();
  EXPECT_EQ(Field(ValidateProject(p, "project")),
            "project.contributions[0].expense_lines[2].item");
  c->mutable_expense_lines(2)->set_item(Line::PRINTING);
  c->mutable_expense_lines(2)->clear_amount_yen();
  EXPECT_EQ(Field(ValidateProject(p, "project")),
            "project.contributions[0].expense_lines[2].amount_yen");
  c->mutable_expense_lines(2)->set_amount_yen(12000);
  ASSERT_TRUE(ValidateProject(p, "project").ok());

  // Only an amount is itemised.
  c->set_form(v1::BUSINESS_COOPERATION);
  c->clear_amount_yen();
  EXPECT_EQ(Field(ValidateProject(p, "project")),
            "project.contributions[0].expense_lines");
}

TEST(ProjectValidateTest, ContributionPartiesAreParticipants) {
  Project p = Valid();
  p.mutable_contributions(0)->set_to_partner("partners/someoneelse");
  absl::Status status = ValidateProject(p, "project");
  EXPECT_EQ(Field(status), "project.contributions[0].to_partner");
  EXPECT_EQ(common::ErrorReason(status), "PARTY_NOT_PARTICIPANT");
}

TEST(ProjectValidateTest, ParticipantsAreWellFormedAndListedOnce) {
  Project p = Valid();
  *p.add_participants() = Party("himawari", Participant::PARTNER);
  absl::Status status = ValidateProject(p, "project");
  EXPECT_EQ(Field(status), "project.participants[2].partner");
  EXPECT_EQ(common::ErrorReason(status), "DUPLICATE_PARTICIPANT");
  p = Valid();
  p.mutable_participants(1)->clear_role();
  EXPECT_EQ(Field(ValidateProject(p, "project")),
            "project.participants[1].role");
  p = Valid();
  p.mutable_participants(0)->set_partner("projects/x");
  EXPECT_EQ(Field(ValidateProject(p, "project")),
            "project.participants[0].partner");
}

TEST(ProjectValidateTest, ListsHoldKnownDistinctValues) {
  Project p = Valid();
  p.add_patterns(v1::PUBLIC_COURSES);
  p.add_patterns(v1::PUBLIC_COURSES);
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.patterns[1]");
  p = Valid();
  p.add_principles()->set_principle(v1::OPENNESS);
  p.add_principles()->set_principle(v1::OPENNESS);
  EXPECT_EQ(Field(ValidateProject(p, "project")),
            "project.principles[1].principle");
  p = Valid();
  p.add_outcomes()->set_value(3);
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.outcomes[0].name");
  p.mutable_outcomes(0)->set_name("受講者数");
  p.mutable_outcomes(0)->set_value(std::nan(""));
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.outcomes[0].value");
}

TEST(ProjectValidateTest, TimingMayBeUnsetPartialOrComplete) {
  Project p = Valid();
  EXPECT_TRUE(ValidateProject(p, "project").ok());
  p.set_fiscal_year(1800);
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.fiscal_year");
  p.set_fiscal_year(2014);
  EXPECT_TRUE(ValidateProject(p, "project").ok());

  p.mutable_period()->mutable_start_date()->set_year(2014);  // 文化魂2014
  EXPECT_TRUE(ValidateProject(p, "project").ok());
  p.mutable_period()->mutable_end_date()->set_year(2014);
  p.mutable_period()->mutable_start_date()->set_month(6);
  EXPECT_TRUE(ValidateProject(p, "project").ok());  // ends within 2014
  p.mutable_period()->mutable_end_date()->set_year(2013);
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.period.end_date");
  p.mutable_period()->clear_start_date();
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.period.start_date");
}

TEST(ProjectValidateTest, NamesOfOtherServicesAreWellFormed) {
  Project p = Valid();
  p.set_source_proposal("programmes/asao/calls/fy2026/proposals/p1");
  p.set_agreement("agreements/fujitsu");
  EXPECT_TRUE(ValidateProject(p, "project").ok());
  p.set_source_proposal("proposals/p1");
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.source_proposal");
  p.clear_source_proposal();
  p.set_agreement("partners/x");
  EXPECT_EQ(Field(ValidateProject(p, "project")), "project.agreement");
}

TEST(ProjectParticipantsTest, TwoPartiesAreNeeded) {
  Project p = Valid();
  EXPECT_TRUE(CheckParticipantCount(p).ok());
  p.mutable_participants()->RemoveLast();
  absl::Status status = CheckParticipantCount(p);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ErrorReason(status), "PARTICIPANTS_TOO_FEW");
}

TEST(ProjectParticipantsTest, PartnerFactsAreCopiedAndChecked) {
  Project p = Valid();
  ASSERT_TRUE(ApplyPartners(Facts(), p).ok());
  EXPECT_EQ(p.participants(0).display_name(), "名前himawari");
  EXPECT_EQ(p.participants(0).partner_kind(), "CIVIC_GROUP");
  EXPECT_EQ(p.participants(1).ward(), kyodo::type::v1::NAKAHARA);

  PartnersByName facts = Facts();
  facts.erase("partners/himawari");
  absl::Status status = ApplyPartners(facts, p);
  EXPECT_EQ(common::ErrorReason(status), "PARTICIPANT_NOT_FOUND");

  facts = Facts();
  facts["partners/himawari"].set_state(Partner::INACTIVE);
  EXPECT_EQ(common::ErrorReason(ApplyPartners(facts, p)),
            "PARTICIPANT_NOT_ACTIVE");
  facts = Facts();
  facts["partners/himawari"].mutable_delete_time()->set_seconds(1);
  EXPECT_EQ(common::ErrorReason(ApplyPartners(facts, p)),
            "PARTICIPANT_NOT_ACTIVE");

  // Role CITY is for city units.
  p.mutable_participants(0)->set_role(Participant::CITY);
  status = ApplyPartners(Facts(), p);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ErrorReason(status), "CITY_ROLE_NEEDS_CITY_UNIT");
}

TEST(ProjectDeriveTest, WardsComeFromCityUnitsOnly) {
  Project p = Valid();
  *p.add_participants() = Party("asao", Participant::PARTNER);
  *p.add_participants() =
      Party("meiji", Participant::PARTNER);  // TAMA, not a unit
  ASSERT_TRUE(ApplyPartners(Facts(), p).ok());
  Derive(p);
  ASSERT_EQ(p.wards_size(), 2);
  EXPECT_EQ(p.wards(0), kyodo::type::v1::NAKAHARA);
  EXPECT_EQ(p.wards(1), kyodo::type::v1::ASAO);
}

TEST(ProjectDeriveTest, StartFiscalYearRunsAprilToMarch) {
  Project p = Valid();
  EXPECT_FALSE(StartFiscalYear(p).has_value());
  p.set_fiscal_year(2014);
  EXPECT_EQ(StartFiscalYear(p), 2014);
  auto* start = p.mutable_period()->mutable_start_date();
  start->set_year(2015);
  start->set_month(3);
  start->set_day(31);
  EXPECT_EQ(StartFiscalYear(p), 2014);
  start->set_month(4);
  start->set_day(1);
  EXPECT_EQ(StartFiscalYear(p), 2015);
  start->set_day(0);  // April 2015
  EXPECT_EQ(StartFiscalYear(p), 2015);
  start->set_month(0);  // 2015 alone: January to March are 年度 2014
  EXPECT_FALSE(StartFiscalYear(p).has_value());
  Derive(p);
  EXPECT_FALSE(p.has_start_fiscal_year());
}

TEST(ProjectCooperativeTest, ProgrammeImpliesTheFlag) {
  Project p = Valid();
  p.set_programme(v1::COOPERATIVE_PROJECT);
  Normalise(p);
  EXPECT_TRUE(p.cooperative_project());
  p = Valid();
  Normalise(p);
  EXPECT_FALSE(p.cooperative_project());
}

TEST(ProjectCooperativeTest, NeedsACivicGroupAndACityUnit) {
  Project p = Valid();
  p.set_cooperative_project(true);
  ASSERT_TRUE(ApplyPartners(Facts(), p).ok());
  EXPECT_TRUE(CheckCooperativeParties(p).ok());

  // A university, and a city unit: not a 協働型事業.
  Project q = Valid();
  q.set_cooperative_project(true);
  q.mutable_participants(0)->set_partner("partners/meiji");
  q.mutable_contributions(0)->clear_to_partner();
  ASSERT_TRUE(ApplyPartners(Facts(), q).ok());
  absl::Status status = CheckCooperativeParties(q);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ErrorReason(status),
            "COOPERATIVE_PROJECT_NEEDS_CIVIC_GROUP_AND_CITY");
  q.set_cooperative_project(false);
  EXPECT_TRUE(CheckCooperativeParties(q).ok());
}

TEST(ProjectPatternTest, UniversityPatternsNeedAUniversityParty) {
  // A civic group and a city unit: no patterns, and none allowed.
  Project p = Valid();
  ASSERT_TRUE(ApplyPartners(Facts(), p).ok());
  EXPECT_TRUE(CheckPatternParties(p).ok());
  p.add_patterns(v1::PUBLIC_COURSES);
  absl::Status status = CheckPatternParties(p);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ErrorReason(status), "PATTERNS_NEED_UNIVERSITY");
  EXPECT_EQ(common::ErrorReason(CheckRules(p)), "PATTERNS_NEED_UNIVERSITY");

  // With the university in place of the civic group, they are.
  p.mutable_participants(0)->set_partner("partners/meiji");
  p.mutable_contributions(0)->clear_to_partner();
  ASSERT_TRUE(ApplyPartners(Facts(), p).ok());
  EXPECT_TRUE(CheckPatternParties(p).ok());
  EXPECT_TRUE(CheckRules(p).ok());
}

TEST(ProjectCooperativeTest, AllSixPrinciplesNeedNotes) {
  Project p = Valid();
  p.set_cooperative_project(true);
  auto* note = p.add_principles();
  note->set_principle(v1::ROLES_AND_RESPONSIBILITIES);
  note->set_note("市民活動団体：企画立案、講師打合せ");
  auto* blank = p.add_principles();
  blank->set_principle(v1::OPENNESS);
  blank->set_note("\xE3\x80\x80");
  absl::Status status = CheckPrinciples(p);
  EXPECT_EQ(common::ErrorReason(status), "PRINCIPLES_NOT_ADDRESSED");
  auto info = common::GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("missing"),
            "SHARED_PURPOSE,EQUAL_RELATIONSHIP,MUTUAL_UNDERSTANDING,OPENNESS,"
            "REVIEW_OF_OUTCOMES");
  EXPECT_NE(status.message().find("公開性・透明性"), std::string::npos);
  p.set_cooperative_project(false);
  EXPECT_TRUE(CheckPrinciples(p).ok());
}

TEST(ProjectStatesTest, TheHappyPath) {
  Project p = Valid();
  p.set_state(Project::PLANNED);
  ASSERT_TRUE(Start(p).ok());
  EXPECT_EQ(p.state(), Project::ACTIVE);
  ASSERT_TRUE(Complete(p).ok());
  EXPECT_EQ(p.state(), Project::COMPLETED);
  ReviewInput review;
  review.text = "当日は約600人の来場者があった";
  review.reviewed_by = "staff-1";
  review.review_time.set_seconds(1700000000);
  review.outcomes.push_back(v1::OutcomeIndicator());
  review.outcomes.back().set_name("来場者数");
  review.outcomes.back().set_value(600);
  ASSERT_TRUE(Review(p, review).ok());
  EXPECT_EQ(p.state(), Project::REVIEWED);
  EXPECT_EQ(p.review().text(), review.text);
  EXPECT_EQ(p.review().reviewed_by(), "staff-1");
  EXPECT_EQ(p.outcomes_size(), 1);
}

TEST(ProjectStatesTest, WrongStatesAreRefusedNamingThem) {
  struct Case {
    Project::State from;
    std::function<absl::Status(Project&)> transition;
    bool allowed;
  };
  ReviewInput review{"振り返り", {}, "s", {}};
  auto outcome = [] {
    v1::OutcomeIndicator o;
    o.set_name("参加者数");
    o.set_value(163);
    return o;
  };
  const std::vector<Case> cases = {
      {Project::PLANNED, [](Project& p) { return Start(p); }, true},
      {Project::ACTIVE, [](Project& p) { return Start(p); }, false},
      {Project::PLANNED, [](Project& p) { return Complete(p); }, false},
      {Project::ACTIVE, [](Project& p) { return Complete(p); }, true},
      {Project::ACTIVE, [&](Project& p) { return Review(p, review); }, false},
      {Project::REVIEWED, [&](Project& p) { return Review(p, review); }, false},
      {Project::PLANNED, [](Project& p) { return Cancel(p, "中止"); }, true},
      {Project::ACTIVE, [](Project& p) { return Cancel(p, ""); }, true},
      {Project::COMPLETED, [](Project& p) { return Cancel(p, ""); }, false},
      {Project::CANCELLED, [](Project& p) { return Cancel(p, ""); }, false},
  };
  for (const Case& c : cases) {
    Project p = Valid();
    *p.add_outcomes() = outcome();
    p.set_state(c.from);
    absl::Status status = c.transition(p);
    EXPECT_EQ(status.ok(), c.allowed)
        << Project::State_Name(c.from) << " " << status;
    if (!c.allowed) {
      EXPECT_EQ(common::ErrorReason(status), "WRONG_STATE");
      EXPECT_NE(status.message().find(Project::State_Name(c.from)),
                std::string::npos);
    }
  }
}

TEST(ProjectStatesTest, ReviewNeedsOutcomesAndText) {
  Project p = Valid();
  p.set_state(Project::COMPLETED);
  absl::Status status = Review(p, ReviewInput{"振り返り", {}, "s", {}});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(common::ErrorReason(status), "OUTCOMES_REQUIRED");
  google::protobuf::RepeatedPtrField<v1::OutcomeIndicator> none;
  EXPECT_EQ(Field(ValidateReview(" ", none)), "review_text");
}

TEST(ProjectStatesTest, CooperativeProjectsStartOnlyWithTheirPrinciples) {
  Project p = Valid();
  p.set_cooperative_project(true);
  ASSERT_TRUE(ApplyPartners(Facts(), p).ok());
  p.set_state(Project::PLANNED);
  EXPECT_EQ(common::ErrorReason(Start(p)), "PRINCIPLES_NOT_ADDRESSED");
  for (int v = v1::SHARED_PURPOSE; v <= v1::REVIEW_OF_OUTCOMES; ++v) {
    auto* note = p.add_principles();
    note->set_principle(static_cast<v1::Principle>(v));
    note->set_note("確認済み");
  }
  p.set_state(Project::PLANNED);
  EXPECT_TRUE(Start(p).ok());
}

TEST(ProjectStatesTest, DeletedProjectsAndClosedRecords) {
  Project p = Valid();
  p.set_state(Project::ACTIVE);
  google::protobuf::Timestamp now;
  now.set_seconds(1);
  EXPECT_EQ(common::ErrorReason(Delete(p, now)), "WRONG_STATE");
  p.set_state(Project::CANCELLED);
  EXPECT_EQ(common::ErrorReason(CheckEditable(p)), "PROJECT_CLOSED");
  ASSERT_TRUE(Delete(p, now).ok());
  EXPECT_TRUE(p.has_delete_time());
  EXPECT_EQ(common::ErrorReason(Delete(p, now)), "ALREADY_DELETED");
  EXPECT_EQ(common::ErrorReason(CheckEditable(p)), "PROJECT_DELETED");
  p.set_state(Project::PLANNED);
  EXPECT_EQ(common::ErrorReason(Start(p)), "PROJECT_DELETED");
}

TEST(ProjectStatesTest, SourceProposalIsImmutableOnceSet) {
  Project before = Valid(), after = Valid();
  after.set_source_proposal("programmes/a/calls/b/proposals/c");
  EXPECT_TRUE(CheckSourceProposalKept(before, after).ok());
  before = after;
  after.set_source_proposal("programmes/a/calls/b/proposals/d");
  EXPECT_EQ(common::ErrorReason(CheckSourceProposalKept(before, after)),
            "SOURCE_PROPOSAL_IMMUTABLE");
  after.clear_source_proposal();
  EXPECT_EQ(common::ErrorReason(CheckSourceProposalKept(before, after)),
            "SOURCE_PROPOSAL_IMMUTABLE");
}

}  // namespace
}  // namespace kyodo::project::domain
