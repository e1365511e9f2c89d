// Fixture of the project-service tests: the real partner-service and the
// real project-service, each over gRPC on a loopback port and on a fresh
// schema of the test MariaDB, project-service asking partner-service about
// the parties exactly as it does in production.
#ifndef KYODO_TESTS_PROJECT_SERVICE_PROJECT_FIXTURE_H_
#define KYODO_TESTS_PROJECT_SERVICE_PROJECT_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/grpc/downstream.h"
#include "common/server/database.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "partner-service/service.h"
#include "partner_migrations.h"
#include "project-service/clients/partner_client.h"
#include "project-service/service.h"
#include "project_migrations.h"
#include "tests/project-service/fake_sources.h"
#include "tests/testing/auth.h"
#include "tests/testing/database.h"
#include "tests/testing/service.h"
#include "tests/testing/status.h"

namespace kyodo::project {

// The ErrorInfo metadata of a status (empty when there is none).
inline std::map<std::string, std::string> Metadata(const grpc::Status& status) {
  google::rpc::Status details;
  details.ParseFromString(status.error_details());
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) {
      return {info.metadata().begin(), info.metadata().end()};
    }
  }
  return {};
}

// The six principles with notes, as a started 協働型事業 needs them.
inline void AddAllPrinciples(kyodo::project::v1::Project& p) {
  for (int v = v1::SHARED_PURPOSE; v <= v1::REVIEW_OF_OUTCOMES; ++v) {
    auto* note = p.add_principles();
    note->set_principle(static_cast<v1::Principle>(v));
    note->set_note("実施前に協議して確認した");
  }
}

inline v1::OutcomeIndicator Outcome(const std::string& name, double value,
                                    const std::string& unit) {
  v1::OutcomeIndicator o;
  o.set_name(name);
  o.set_value(value);
  o.set_unit(unit);
  return o;
}

class ProjectServiceTest : public ::testing::Test {
 protected:
  ProjectServiceTest()
      : partner_db_(TestName() + "_p"), project_db_(TestName()) {
    partner_db_.Migrate(
        {common::server::CommonMigrations(), KyodoPartnerMigrations()});
    project_db_.Migrate(
        {common::server::CommonMigrations(), KyodoProjectMigrations()});
    partner_service_ = std::make_unique<kyodo::testing::TestService>(
        partner_db_, "kyodo.partner",
        [](const kyodo::testing::ServiceEnv& env) {
          return std::make_unique<kyodo::partner::PartnerServiceImpl>(
              kyodo::partner::ServiceDeps{env.pool, env.rpc, env.pages,
                                          env.clock});
        });
    partners_ = kyodo::partner::v1::PartnerService::NewStub(
        partner_service_->NewChannel());
    partner_client_ = std::make_unique<PartnerClient>(
        common::grpc_client::NewChannel(partner_service_->address()));
    service_ =
        StartProjectService(project_db_, partner_client_.get(), &sources_);
    stub_ = kyodo::project::v1::ProjectService::NewStub(service_->NewChannel());
    SetUpParties();
    // The adopted proposals the tests' projects name as their source
    // (proposal-service checks them, issue 13).
    sources_.Adopt("programmes/kawasaki/calls/fy2026/proposals/p1",
                   civic_.name(), 2026);
    sources_.Adopt("programmes/asao/calls/fy2026/proposals/one", civic_.name(),
                   2026);
    sources_.Adopt("programmes/asao/calls/fy2016/proposals/p9", company_.name(),
                   2016);
  }

  static std::string TestName() {
    return ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  static std::unique_ptr<kyodo::testing::TestService> StartProjectService(
      const kyodo::testing::TestDatabase& db, const PartnerClient* client,
      const SourceProposals* sources = nullptr) {
    return std::make_unique<kyodo::testing::TestService>(
        db, "kyodo.project",
        [client, sources](const kyodo::testing::ServiceEnv& env) {
          return std::make_unique<ProjectServiceImpl>(
              ServiceDeps{env.pool, env.rpc, env.pages, client, sources});
        });
  }

  // Registers a partner with partner-service (as an admin).
  kyodo::partner::v1::Partner AddPartner(
      kyodo::partner::v1::PartnerKind kind, const std::string& display_name,
      kyodo::type::v1::Ward ward = kyodo::type::v1::WARD_UNSPECIFIED) {
    kyodo::partner::v1::CreatePartnerRequest request;
    request.mutable_partner()->set_kind(kind);
    request.mutable_partner()->set_display_name(display_name);
    if (ward != kyodo::type::v1::WARD_UNSPECIFIED) {
      request.mutable_partner()->set_ward(ward);
    }
    kyodo::partner::v1::Partner out;
    grpc::Status status = partners_->CreatePartner(
        kyodo::testing::Context(kyodo::testing::AdminToken()).get(), request,
        &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // The parties of the paper's case studies used across the tests.
  void SetUpParties() {
    civic_ = AddPartner(kyodo::partner::v1::CIVIC_GROUP,
                        "海風の森をMAZUつくる会", kyodo::type::v1::KAWASAKI);
    city_ = AddPartner(kyodo::partner::v1::CITY_UNIT, "川崎区役所企画課",
                       kyodo::type::v1::KAWASAKI);
    city_asao_ = AddPartner(kyodo::partner::v1::CITY_UNIT, "麻生区子育て支援室",
                            kyodo::type::v1::ASAO);
    bureau_ = AddPartner(kyodo::partner::v1::CITY_UNIT, "環境局減量推進課");
    university_ = AddPartner(kyodo::partner::v1::UNIVERSITY, "明治大学",
                             kyodo::type::v1::TAMA);
    company_ = AddPartner(kyodo::partner::v1::COMPANY, "富士通株式会社");
  }

  static kyodo::project::v1::Participant Party(
      const kyodo::partner::v1::Partner& partner,
      kyodo::project::v1::Participant::Role role,
      const std::string& responsibilities = "") {
    kyodo::project::v1::Participant p;
    p.set_partner(partner.name());
    p.set_role(role);
    if (!responsibilities.empty()) p.set_responsibilities(responsibilities);
    return p;
  }

  // A 協働型事業 of a civic group and the Kawasaki ward unit (海風の森).
  kyodo::project::v1::Project CooperativeProject() const {
    kyodo::project::v1::Project p;
    p.set_title("海風の森「森の楽園」");
    p.set_issue(
        "川崎区は緑地が少なく、区民が身近に自然や生物の多様性に触れる機会が少な"
        "い。");
    p.set_programme(v1::WARD_CITIZEN_PROPOSAL);
    p.set_cooperative_project(true);
    *p.add_participants() =
        Party(civic_, kyodo::project::v1::Participant::LEAD,
              "事業の企画、運営、募集チラシの作成、講師調整");
    *p.add_participants() = Party(city_, kyodo::project::v1::Participant::CITY,
                                  "事業広報の支援、関係機関との連絡調整など");
    auto* c = p.add_contributions();
    c->set_form(v1::CONSIGNMENT);
    c->set_amount_yen(362100);
    c->set_from_partner(city_.name());
    c->set_to_partner(civic_.name());
    return p;
  }

  // A university partnership (明治大学 × 環境局減量推進課).
  kyodo::project::v1::Project UniversityProject() const {
    kyodo::project::v1::Project p;
    p.set_title("生ごみリサイクル連携事業");
    p.set_issue(
        "ごみの減量化、資源循環の推進の観点から、生ごみ堆肥の信頼性向上、"
        "生ごみ堆肥の活用先の確保");
    p.set_programme(v1::AGREEMENT_PARTNERSHIP);
    p.add_patterns(v1::JOINT_RESEARCH);
    p.add_patterns(v1::PUBLIC_COURSES);
    *p.add_participants() =
        Party(university_, kyodo::project::v1::Participant::PARTNER);
    *p.add_participants() =
        Party(bureau_, kyodo::project::v1::Participant::CITY);
    p.add_contributions()->set_form(v1::BUSINESS_COOPERATION);
    return p;
  }

  grpc::Status Create(const kyodo::project::v1::Project& project,
                      kyodo::project::v1::Project* out,
                      const std::string& token = kyodo::testing::AdminToken(),
                      const std::string& request_id = "",
                      absl::Duration deadline = absl::Seconds(20)) {
    v1::CreateProjectRequest request;
    *request.mutable_project() = project;
    if (!request_id.empty()) request.set_request_id(request_id);
    return stub_->CreateProject(kyodo::testing::Context(token, deadline).get(),
                                request, out);
  }

  kyodo::project::v1::Project CreateOk(
      const kyodo::project::v1::Project& project) {
    kyodo::project::v1::Project out;
    grpc::Status status = Create(project, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  grpc::Status Get(const std::string& name, kyodo::project::v1::Project* out,
                   const std::string& token = kyodo::testing::AdminToken()) {
    v1::GetProjectRequest request;
    request.set_name(name);
    return stub_->GetProject(kyodo::testing::Context(token).get(), request,
                             out);
  }

  grpc::Status Start(const std::string& name, kyodo::project::v1::Project* out,
                     const std::string& token = kyodo::testing::AdminToken(),
                     const std::string& etag = "") {
    v1::StartProjectRequest request;
    request.set_name(name);
    request.set_etag(etag);
    return stub_->StartProject(kyodo::testing::Context(token).get(), request,
                               out);
  }

  grpc::Status Complete(
      const std::string& name, kyodo::project::v1::Project* out,
      const std::string& token = kyodo::testing::AdminToken()) {
    v1::CompleteProjectRequest request;
    request.set_name(name);
    return stub_->CompleteProject(kyodo::testing::Context(token).get(), request,
                                  out);
  }

  grpc::Status Review(const std::string& name, const std::string& text,
                      kyodo::project::v1::Project* out,
                      const std::string& token = kyodo::testing::AdminToken(),
                      const std::vector<v1::OutcomeIndicator>& outcomes = {}) {
    v1::ReviewProjectRequest request;
    request.set_name(name);
    request.set_review_text(text);
    for (const auto& o : outcomes) *request.add_outcomes() = o;
    return stub_->ReviewProject(kyodo::testing::Context(token).get(), request,
                                out);
  }

  grpc::Status Cancel(const std::string& name, const std::string& reason,
                      kyodo::project::v1::Project* out,
                      const std::string& token = kyodo::testing::AdminToken()) {
    v1::CancelProjectRequest request;
    request.set_name(name);
    request.set_reason(reason);
    return stub_->CancelProject(kyodo::testing::Context(token).get(), request,
                                out);
  }

  grpc::Status Update(const kyodo::project::v1::Project& patch,
                      const std::vector<std::string>& mask,
                      kyodo::project::v1::Project* out,
                      const std::string& token = kyodo::testing::AdminToken()) {
    v1::UpdateProjectRequest request;
    *request.mutable_project() = patch;
    for (const auto& path : mask)
      request.mutable_update_mask()->add_paths(path);
    return stub_->UpdateProject(kyodo::testing::Context(token).get(), request,
                                out);
  }

  // The names of the projects a filter lists (one page of up to 500).
  std::vector<std::string> ListNames(const std::string& filter,
                                     bool show_deleted = false) {
    v1::ListProjectsRequest request;
    request.set_filter(filter);
    request.set_page_size(500);
    request.set_show_deleted(show_deleted);
    v1::ListProjectsResponse response;
    grpc::Status status = stub_->ListProjects(
        kyodo::testing::Context(kyodo::testing::ViewerToken()).get(), request,
        &response);
    EXPECT_TRUE(status.ok()) << filter << ": " << status.error_message();
    std::vector<std::string> names;
    for (const kyodo::project::v1::Project& p : response.projects())
      names.push_back(p.name());
    return names;
  }

  int CountRows(const std::string& table) {
    return std::stoi(project_db_.QueryValue("SELECT COUNT(*) FROM " + table));
  }

  FakeSources sources_;  // before the service, which uses it
  kyodo::testing::TestDatabase partner_db_;
  kyodo::testing::TestDatabase project_db_;
  std::unique_ptr<kyodo::testing::TestService> partner_service_;
  std::unique_ptr<kyodo::partner::v1::PartnerService::Stub> partners_;
  std::unique_ptr<PartnerClient> partner_client_;
  std::unique_ptr<kyodo::testing::TestService> service_;
  std::unique_ptr<kyodo::project::v1::ProjectService::Stub> stub_;

  kyodo::partner::v1::Partner civic_, city_, city_asao_, bureau_, university_,
      company_;
};

}  // namespace kyodo::project

#endif  // KYODO_TESTS_PROJECT_SERVICE_PROJECT_FIXTURE_H_
