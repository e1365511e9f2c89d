// ProjectService over gRPC against the real MariaDB and the real
// partner-service: the standard methods and every error class of docs/API.md.
#include "tests/project-service/project_fixture.h"

using kyodo::partner::v1::Partner;
using kyodo::project::v1::Participant;
using kyodo::project::v1::Project;
using kyodo::testing::AdminToken;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::ViewerToken;
using kyodo::testing::WardStaffToken;

namespace kyodo::project {
namespace {

TEST_F(ProjectServiceTest, CreateCopiesPartnerFactsAndReadsBack) {
  Project request = CooperativeProject();
  request.set_activities(
      "自然教育に実績をもつ団体のノウハウを活用して、川崎区市民健康の森「海風の"
      "森」で、"
      "子どもを中心に、森づくりを体験してもらう。");
  // Output-only values sent by the caller are ignored.
  request.mutable_participants(0)->set_display_name("偽の名前");
  request.set_state(Project::REVIEWED);
  request.add_wards(kyodo::type::v1::ASAO);
  request.mutable_review()->set_text("x");
  Project created = CreateOk(request);

  EXPECT_TRUE(absl::StartsWith(created.name(), "projects/"));
  EXPECT_EQ(created.state(), Project::PLANNED);
  EXPECT_EQ(created.etag(), "W/\"1\"");
  EXPECT_FALSE(created.has_review());
  ASSERT_EQ(created.participants_size(), 2);
  EXPECT_EQ(created.participants(0).display_name(), "海風の森をMAZUつくる会");
  EXPECT_EQ(created.participants(0).partner_kind(), "CIVIC_GROUP");
  EXPECT_EQ(created.participants(0).responsibilities(),
            "事業の企画、運営、募集チラシの作成、講師調整");
  EXPECT_EQ(created.participants(1).display_name(), "川崎区役所企画課");
  EXPECT_EQ(created.participants(1).ward(), kyodo::type::v1::KAWASAKI);
  ASSERT_EQ(created.wards_size(), 1);
  EXPECT_EQ(created.wards(0), kyodo::type::v1::KAWASAKI);
  EXPECT_FALSE(created.has_start_fiscal_year());  // timing unknown: allowed
  EXPECT_FALSE(created.has_fiscal_year());
  EXPECT_EQ(created.contributions(0).amount_yen(), 362100);

  // Japanese text comes back byte for byte.
  Project got;
  ASSERT_TRUE(Get(created.name(), &got, ViewerToken()).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(got.title(), "海風の森「森の楽園」");
  EXPECT_EQ(got.activities(), request.activities());
  EXPECT_EQ(CountRows("projects"), 1);
  EXPECT_EQ(CountRows("project_participants"), 2);
  EXPECT_EQ(CountRows("project_wards"), 1);
}

TEST_F(ProjectServiceTest, TimingIsAFiscalYearOrAPeriod) {
  Project p = UniversityProject();
  p.set_fiscal_year(2014);
  Project created = CreateOk(p);
  EXPECT_EQ(created.fiscal_year(), 2014);
  EXPECT_EQ(created.start_fiscal_year(), 2014);

  Project q = UniversityProject();
  q.mutable_period()->mutable_start_date()->set_year(2015);
  q.mutable_period()->mutable_start_date()->set_month(2);
  created = CreateOk(q);
  EXPECT_EQ(created.start_fiscal_year(), 2014);  // February 2015 is 年度 2014

  Project r = UniversityProject();
  r.mutable_period()->mutable_start_date()->set_year(2014);  // year alone
  created = CreateOk(r);
  EXPECT_FALSE(created.has_start_fiscal_year());
  EXPECT_EQ(created.period().start_date().year(), 2014);
}

TEST_F(ProjectServiceTest, MissingTitleOrIssueIsInvalidArgumentNamingTheField) {
  Project p = UniversityProject();
  p.clear_title();
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "project.title");
  EXPECT_EQ(kyodo::testing::Domain(status), "kyodo.project");

  p = UniversityProject();
  p.set_issue("　");
  status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "project.issue");

  p = UniversityProject();
  p.clear_programme();
  EXPECT_EQ(BadField(Create(p, &out)), "project.programme");
  EXPECT_EQ(CountRows("projects"), 0);
  EXPECT_EQ(CountRows("audit_events"), 0);
}

TEST_F(ProjectServiceTest, InvalidUtf8IsRefusedNamingTheField) {
  Project p = UniversityProject();
  p.set_title(std::string("生ごみ\xff", 10));
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "project.title");
}

TEST_F(ProjectServiceTest, NegativeAmountIsInvalidArgument) {
  Project p = CooperativeProject();
  p.mutable_contributions(0)->set_amount_yen(-362100);
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "project.contributions[0].amount_yen");
  EXPECT_EQ(Reason(status), "NEGATIVE_AMOUNT");
  EXPECT_EQ(CountRows("projects"), 0);
}

// A consignment's expense lines (経費内訳) are stored and read back; lines
// that do not add up to the amount are refused and nothing is stored.
TEST_F(ProjectServiceTest, ExpenseLinesRoundTripAndMustAddUp) {
  Project p = CooperativeProject();  // a consignment of 362,100 yen
  auto add = [&](v1::ExpenseLine::Item item, int64_t yen,
                 const std::string& what) {
    v1::ExpenseLine* line = p.mutable_contributions(0)->add_expense_lines();
    line->set_item(item);
    line->set_amount_yen(yen);
    line->set_description(what);
  };
  add(v1::ExpenseLine::LECTURER_FEE, 120000, "講師謝礼 2名×6回");
  add(v1::ExpenseLine::SUPPLIES, 142100, "苗木・軍手");
  add(v1::ExpenseLine::PRINTING, 90000, "募集チラシ");
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "project.contributions[0].expense_lines");
  EXPECT_EQ(CountRows("projects"), 0);

  add(v1::ExpenseLine::INSURANCE, 10000, "ボランティア保険");
  Project created = CreateOk(p);
  ASSERT_EQ(created.contributions(0).expense_lines_size(), 4);
  Project got;
  ASSERT_TRUE(Get(created.name(), &got, ViewerToken()).ok());
  EXPECT_EQ(got.contributions(0).SerializeAsString(),
            p.contributions(0).SerializeAsString());
  EXPECT_EQ(got.contributions(0).expense_lines(0).description(),
            "講師謝礼 2名×6回");
}

TEST_F(ProjectServiceTest, APartnerListedTwiceIsInvalidArgument) {
  Project p = UniversityProject();
  *p.add_participants() = Party(university_, Participant::LEAD);
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "project.participants[2].partner");
  EXPECT_EQ(Reason(status), "DUPLICATE_PARTICIPANT");
}

TEST_F(ProjectServiceTest, OnePartyIsTooFew) {
  Project p = UniversityProject();
  p.mutable_participants()->RemoveLast();
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PARTICIPANTS_TOO_FEW");
  EXPECT_EQ(CountRows("projects"), 0);
}

TEST_F(ProjectServiceTest, CitizenToCitizenProjectsNeedNoCity) {
  // まとめ⑥: a company with an NPO counts; no CITY_UNIT party needed.
  Project p = UniversityProject();
  p.clear_participants();
  p.clear_patterns();  // no university among the parties
  *p.add_participants() = Party(company_, Participant::PARTNER);
  *p.add_participants() = Party(civic_, Participant::LEAD);
  Project created = CreateOk(p);
  EXPECT_EQ(created.wards_size(), 0);
}

TEST_F(ProjectServiceTest, AnUnknownParticipantIsRefusedNamingIt) {
  Project p = UniversityProject();
  p.mutable_participants(0)->set_partner("partners/nosuchpartner");
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PARTICIPANT_NOT_FOUND");
  EXPECT_EQ(Metadata(status)["partner"], "partners/nosuchpartner");
  EXPECT_EQ(kyodo::testing::Domain(status), "kyodo.project");
  EXPECT_EQ(CountRows("projects"), 0);
}

TEST_F(ProjectServiceTest, InactiveOrDeletedParticipantsAreRefused) {
  kyodo::partner::v1::DeactivatePartnerRequest deactivate;
  deactivate.set_name(university_.name());
  Partner changed;
  ASSERT_TRUE(
      partners_
          ->DeactivatePartner(Context(AdminToken()).get(), deactivate, &changed)
          .ok());
  Project out;
  grpc::Status status = Create(UniversityProject(), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PARTICIPANT_NOT_ACTIVE");
  EXPECT_EQ(Metadata(status)["partner"], university_.name());

  kyodo::partner::v1::DeletePartnerRequest del;
  del.set_name(company_.name());
  ASSERT_TRUE(
      partners_->DeletePartner(Context(AdminToken()).get(), del, &changed)
          .ok());
  Project p = UniversityProject();
  p.mutable_participants(0)->set_partner(company_.name());
  status = Create(p, &out);
  EXPECT_EQ(Reason(status), "PARTICIPANT_NOT_ACTIVE");
  EXPECT_EQ(Metadata(status)["partner"], company_.name());
  EXPECT_EQ(CountRows("projects"), 0);
}

TEST_F(ProjectServiceTest, RoleCityIsForCityUnits) {
  Project p = UniversityProject();
  p.mutable_participants(0)->set_role(Participant::CITY);
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "CITY_ROLE_NEEDS_CITY_UNIT");
}

// University patterns (①-④) only with a UNIVERSITY party: the paper's
// company cases are sorted by patterns of their own, not these.
TEST_F(ProjectServiceTest, UniversityPatternsNeedAUniversityParty) {
  Project p = UniversityProject();
  p.mutable_participants(0)->set_partner(company_.name());
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PATTERNS_NEED_UNIVERSITY");
  EXPECT_EQ(CountRows("projects"), 0);

  // Without patterns the company's project is stored; patterns cannot be
  // added to it afterwards.
  p.clear_patterns();
  Project company = CreateOk(p);
  EXPECT_TRUE(company.patterns().empty());
  Project patch;
  patch.set_name(company.name());
  patch.set_etag(company.etag());
  patch.add_patterns(v1::INTERNSHIPS);
  status = Update(patch, {"patterns"}, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PATTERNS_NEED_UNIVERSITY");

  // Nor can a university's project swap the university out and keep them.
  Project university = CreateOk(UniversityProject());
  patch.Clear();
  patch.set_name(university.name());
  patch.set_etag(university.etag());
  *patch.add_participants() = Party(company_, Participant::PARTNER);
  *patch.add_participants() = Party(bureau_, Participant::CITY);
  status = Update(patch, {"participants"}, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PATTERNS_NEED_UNIVERSITY");

  // Both refusals changed nothing.
  Project stored;
  ASSERT_TRUE(Get(company.name(), &stored).ok());
  EXPECT_TRUE(stored.patterns().empty());
  EXPECT_EQ(stored.etag(), company.etag());
  ASSERT_TRUE(Get(university.name(), &stored).ok());
  EXPECT_EQ(stored.patterns_size(), 2);
  EXPECT_EQ(stored.participants(0).partner(), university_.name());
  EXPECT_EQ(stored.etag(), university.etag());

  // Clearing the patterns with the swap is accepted.
  status = Update(patch, {"participants", "patterns"}, &out);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(out.patterns().empty());
}

TEST_F(ProjectServiceTest, ContributionPartiesMustBeParticipants) {
  Project p = CooperativeProject();
  p.mutable_contributions(0)->set_to_partner(company_.name());
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "project.contributions[0].to_partner");
}

TEST_F(ProjectServiceTest, TheAgreementMustExist) {
  kyodo::partner::v1::CreateAgreementRequest request;
  request.mutable_agreement()->set_display_name("川崎市と明治大学との包括協定");
  request.mutable_agreement()->set_kind(
      kyodo::partner::v1::Agreement::COMPREHENSIVE);
  request.mutable_agreement()->add_parties(bureau_.name());
  request.mutable_agreement()->add_parties(university_.name());
  kyodo::partner::v1::Agreement agreement;
  ASSERT_TRUE(
      partners_
          ->CreateAgreement(Context(AdminToken()).get(), request, &agreement)
          .ok());

  Project p = UniversityProject();
  p.set_agreement("agreements/nosuchagreement");
  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "AGREEMENT_NOT_FOUND");
  p.set_agreement(agreement.name());
  Project created = CreateOk(p);
  EXPECT_EQ(created.agreement(), agreement.name());
}

TEST_F(ProjectServiceTest, UnknownProjectIsNotFoundAndBadNamesAreInvalid) {
  Project out;
  grpc::Status status = Get("projects/doesnotexist", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(status), "NOT_FOUND");
  status = Get("partners/abc", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "name");
  EXPECT_EQ(Start("projects/doesnotexist", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ProjectServiceTest, StaleEtagIsAbortedAndChangesNothing) {
  Project created = CreateOk(UniversityProject());
  Project patch;
  patch.set_name(created.name());
  patch.set_etag(created.etag());
  patch.set_activities("市民モニターを選出し、生ごみの堆肥化に取り組む。");
  Project first;
  ASSERT_TRUE(Update(patch, {"activities"}, &first).ok());
  EXPECT_EQ(first.etag(), "W/\"2\"");

  patch.set_activities("上書き");
  Project out;
  grpc::Status status = Update(patch, {"activities"}, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(status), "ETAG_MISMATCH");
  status = Start(created.name(), &out, AdminToken(), created.etag());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  v1::DeleteProjectRequest del;
  del.set_name(created.name());
  del.set_etag(created.etag());
  EXPECT_EQ(
      stub_->DeleteProject(Context(AdminToken()).get(), del, &out).error_code(),
      grpc::StatusCode::ABORTED);

  Project got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(got.activities(),
            "市民モニターを選出し、生ごみの堆肥化に取り組む。");
  EXPECT_EQ(got.state(), Project::PLANNED);
  EXPECT_FALSE(got.has_delete_time());
}

TEST_F(ProjectServiceTest, MissingOrBadTokenIsUnauthenticated) {
  Project out;
  v1::GetProjectRequest request;
  request.set_name("projects/abc");
  EXPECT_EQ(stub_->GetProject(Context("").get(), request, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub_->GetProject(Context("not.a.token").get(), request, &out)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Create(UniversityProject(), &out, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CountRows("projects"), 0);
}

TEST_F(ProjectServiceTest, PermissionIsCheckedBeforeExistence) {
  Project out;
  for (const std::string& token :
       {ViewerToken(), kyodo::testing::ApplicantToken(civic_.name()),
        kyodo::testing::ReviewerToken("r1")}) {
    EXPECT_EQ(Start("projects/nosuchproject", &out, token).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    Project patch;
    patch.set_name("projects/nosuchproject");
    patch.set_title("x");
    EXPECT_EQ(Update(patch, {"title"}, &out, token).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    v1::DeleteProjectRequest del;
    del.set_name("projects/nosuchproject");
    EXPECT_EQ(
        stub_->DeleteProject(Context(token).get(), del, &out).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Review("projects/nosuchproject", "", &out, token).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Create(UniversityProject(), &out, token).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Start("projects/nosuchproject", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(CountRows("projects"), 0);
}

TEST_F(ProjectServiceTest, WardStaffChangeOnlyTheProjectsOfTheirWard) {
  const std::string kawasaki = WardStaffToken(kyodo::type::v1::KAWASAKI);
  const std::string asao = WardStaffToken(kyodo::type::v1::ASAO);
  Project out;
  // Creating in another ward is refused; in their own it works.
  grpc::Status status = Create(CooperativeProject(), &out, asao);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Create(CooperativeProject(), &out, kawasaki).ok());
  const Project created = out;

  // Reading is for everyone; changing for the ward's staff and admins.
  EXPECT_TRUE(Get(created.name(), &out, asao).ok());
  Project patch;
  patch.set_name(created.name());
  patch.set_activities("自然と環境の体験の場づくりを定期的に行う。");
  EXPECT_EQ(Update(patch, {"activities"}, &out, asao).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Cancel(created.name(), "", &out, asao).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Update(patch, {"activities"}, &out, kawasaki).ok());

  // Staff may not move a project out of their ward.
  patch.clear_activities();
  *patch.add_participants() = Party(civic_, Participant::LEAD);
  *patch.add_participants() = Party(city_asao_, Participant::CITY);
  auto* consignment = patch.add_contributions();
  consignment->set_form(v1::CONSIGNMENT);
  consignment->set_from_partner(city_asao_.name());
  consignment->set_to_partner(civic_.name());
  status = Update(patch, {"participants", "contributions"}, &out, kawasaki);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // An admin may.
  ASSERT_TRUE(Update(patch, {"participants", "contributions"}, &out).ok());
  ASSERT_EQ(out.wards_size(), 1);
  EXPECT_EQ(out.wards(0), kyodo::type::v1::ASAO);
  EXPECT_TRUE(
      Cancel(created.name(), "区の事業として継続しない", &out, asao).ok());

  // Projects of bureau units without a ward are for admins.
  Project bureau = CreateOk(UniversityProject());
  EXPECT_EQ(Start(bureau.name(), &out, kawasaki).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ProjectServiceTest, UpdateMaskRules) {
  Project created = CreateOk(UniversityProject());
  Project patch;
  patch.set_name(created.name());
  Project out;
  grpc::Status status = Update(patch, {"state"}, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "update_mask");
  EXPECT_EQ(BadField(Update(patch, {"review"}, &out)), "update_mask");
  // A masked field left unset is cleared: a title is required.
  status = Update(patch, {"title"}, &out);
  EXPECT_EQ(BadField(status), "project.title");

  // Switching the timing between fiscal year and period.
  patch.set_fiscal_year(2014);
  ASSERT_TRUE(Update(patch, {"fiscal_year"}, &out).ok());
  EXPECT_EQ(out.start_fiscal_year(), 2014);
  patch.mutable_period()->mutable_start_date()->set_year(2016);
  patch.mutable_period()->mutable_start_date()->set_month(5);
  ASSERT_TRUE(Update(patch, {"period"}, &out).ok());
  EXPECT_FALSE(out.has_fiscal_year());
  EXPECT_EQ(out.start_fiscal_year(), 2016);
}

TEST_F(ProjectServiceTest, UpdatingParticipantsAsksPartnerServiceAgain) {
  Project created = CreateOk(UniversityProject());
  Project patch;
  patch.set_name(created.name());
  *patch.add_participants() =
      Party(university_, Participant::LEAD, "市民モニターの選出");
  *patch.add_participants() = Party(bureau_, Participant::CITY);
  *patch.add_participants() = Party(civic_, Participant::PARTNER);
  Project out;
  ASSERT_TRUE(Update(patch, {"participants"}, &out).ok());
  ASSERT_EQ(out.participants_size(), 3);
  EXPECT_EQ(out.participants(2).display_name(), "海風の森をMAZUつくる会");
  EXPECT_EQ(CountRows("project_participants"), 3);

  patch.mutable_participants(2)->set_partner("partners/nosuchpartner");
  grpc::Status status = Update(patch, {"participants"}, &out);
  EXPECT_EQ(Reason(status), "PARTICIPANT_NOT_FOUND");
  patch.mutable_participants()->DeleteSubrange(1, 2);
  status = Update(patch, {"participants"}, &out);
  EXPECT_EQ(Reason(status), "PARTICIPANTS_TOO_FEW");
}

TEST_F(ProjectServiceTest, SourceProposalIsImmutableOnceSet) {
  Project created = CreateOk(CooperativeProject());
  Project patch;
  patch.set_name(created.name());
  patch.set_source_proposal("programmes/asao/calls/fy2026/proposals/one");
  Project out;
  ASSERT_TRUE(Update(patch, {"source_proposal"}, &out).ok());
  patch.set_source_proposal("programmes/asao/calls/fy2026/proposals/two");
  grpc::Status status = Update(patch, {"source_proposal"}, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "SOURCE_PROPOSAL_IMMUTABLE");
  patch.clear_source_proposal();
  EXPECT_EQ(Reason(Update(patch, {"source_proposal"}, &out)),
            "SOURCE_PROPOSAL_IMMUTABLE");
}

TEST_F(ProjectServiceTest, SoftDeleteOfPlannedAndCancelledProjects) {
  Project kept = CreateOk(UniversityProject());
  Project gone = CreateOk(UniversityProject());
  Project active = CreateOk(UniversityProject());
  Project out;
  ASSERT_TRUE(Start(active.name(), &out).ok());

  v1::DeleteProjectRequest del;
  del.set_name(gone.name());
  del.set_etag(gone.etag());
  ASSERT_TRUE(
      stub_->DeleteProject(Context(AdminToken()).get(), del, &out).ok());
  EXPECT_TRUE(out.has_delete_time());
  EXPECT_EQ(ListNames("").size(), 2u);
  EXPECT_EQ(ListNames("", true).size(), 3u);
  Project got;
  ASSERT_TRUE(Get(gone.name(), &got).ok());
  EXPECT_TRUE(got.has_delete_time());

  del.clear_etag();
  grpc::Status status =
      stub_->DeleteProject(Context(AdminToken()).get(), del, &out);
  EXPECT_EQ(Reason(status), "ALREADY_DELETED");
  status = Start(gone.name(), &out);
  EXPECT_EQ(Reason(status), "PROJECT_DELETED");

  del.set_name(active.name());
  status = stub_->DeleteProject(Context(AdminToken()).get(), del, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "WRONG_STATE");
  ASSERT_TRUE(Cancel(active.name(), "", &out).ok());
  EXPECT_TRUE(
      stub_->DeleteProject(Context(AdminToken()).get(), del, &out).ok());
}

}  // namespace
}  // namespace kyodo::project
