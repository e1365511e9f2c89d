// Request ids (AIP-155), one project per source proposal, filters (AIP-160)
// and keyset paging (AIP-158) of project-service, under concurrency, against
// the real MariaDB.
#include <barrier>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/project-service/project_fixture.h"

using kyodo::project::v1::Participant;
using kyodo::project::v1::Project;
using kyodo::project::v1::ProjectService;
using kyodo::testing::AdminToken;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::Reason;

namespace kyodo::project {
namespace {

constexpr char kRequestId[] = "5b0c8a3e-7f0d-4d8e-9a61-2f4c1b7e9d10";
constexpr char kProposal[] = "programmes/kawasaki/calls/fy2026/proposals/p1";

TEST_F(ProjectServiceTest, RequestIdReplayReturnsTheFirstResponse) {
  Project first, second;
  ASSERT_TRUE(
      Create(CooperativeProject(), &first, AdminToken(), kRequestId).ok());
  ASSERT_TRUE(
      Create(CooperativeProject(), &second, AdminToken(), kRequestId).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountRows("projects"), 1);
  EXPECT_EQ(CountRows("audit_events"), 1);

  // Transitions replay too.
  v1::StartProjectRequest start;
  start.set_name(first.name());
  start.set_request_id("6c1d9b4f-8a1e-4e9f-ab72-3a5d2c8f0e21");
  Project a, b;
  Project patch;
  patch.set_name(first.name());
  AddAllPrinciples(patch);
  ASSERT_TRUE(Update(patch, {"principles"}, &a).ok());
  ASSERT_TRUE(stub_->StartProject(Context(AdminToken()).get(), start, &a).ok());
  ASSERT_TRUE(stub_->StartProject(Context(AdminToken()).get(), start, &b).ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_EQ(CountRows("audit_events"), 3);
}

TEST_F(ProjectServiceTest, RequestIdWithAnotherBodyIsRefused) {
  Project first;
  ASSERT_TRUE(
      Create(CooperativeProject(), &first, AdminToken(), kRequestId).ok());
  Project other = CooperativeProject();
  other.set_title("別の事業");
  Project second;
  grpc::Status status = Create(other, &second, AdminToken(), kRequestId);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(status), "REQUEST_ID_REUSED");
  EXPECT_EQ(BadField(status), "request_id");
  EXPECT_EQ(CountRows("projects"), 1);
  EXPECT_EQ(BadField(Create(other, &second, AdminToken(), "not-a-uuid")),
            "request_id");
}

TEST_F(ProjectServiceTest,
       TwentyConcurrentCreatesWithOneRequestIdMakeOneProject) {
  constexpr int kCalls = 20;
  Project p = CooperativeProject();
  p.set_source_proposal(kProposal);
  std::vector<Project> answers(kCalls);
  std::vector<grpc::Status> statuses(kCalls);
  std::barrier start(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      auto stub = ProjectService::NewStub(service_->NewChannel());
      v1::CreateProjectRequest request;
      *request.mutable_project() = p;
      request.set_request_id(kRequestId);
      auto context = Context(AdminToken(), absl::Seconds(60));
      start.arrive_and_wait();
      statuses[i] = stub->CreateProject(context.get(), request, &answers[i]);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    EXPECT_EQ(answers[i].SerializeAsString(), answers[0].SerializeAsString());
  }
  EXPECT_EQ(CountRows("projects"), 1);
  EXPECT_EQ(CountRows("request_ids"), 1);
  EXPECT_EQ(CountRows("audit_events"), 1);
}

TEST_F(ProjectServiceTest,
       ASecondProjectForTheSameProposalIsRefusedNamingTheFirst) {
  Project p = CooperativeProject();
  p.set_source_proposal(kProposal);
  Project first = CreateOk(p);
  EXPECT_EQ(first.source_proposal(), kProposal);

  Project out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(status), "PROPOSAL_ALREADY_HAS_PROJECT");
  EXPECT_EQ(Metadata(status)["project"], first.name());
  EXPECT_EQ(CountRows("projects"), 1);
  EXPECT_EQ(CountRows("audit_events"), 1);

  // Nor can another project take the proposal by an update (one the
  // decision would allow, so that only the first project stands in the
  // way), nor a deleted project give it back.
  Project other = CreateOk(CooperativeProject());
  Project patch;
  patch.set_name(other.name());
  patch.set_source_proposal(kProposal);
  status = Update(patch, {"source_proposal"}, &out);
  EXPECT_EQ(Reason(status), "PROPOSAL_ALREADY_HAS_PROJECT");
  EXPECT_EQ(Metadata(status)["project"], first.name());
  v1::DeleteProjectRequest del;
  del.set_name(first.name());
  ASSERT_TRUE(
      stub_->DeleteProject(Context(AdminToken()).get(), del, &out).ok());
  EXPECT_EQ(Reason(Create(p, &out)), "PROPOSAL_ALREADY_HAS_PROJECT");
}

TEST_F(ProjectServiceTest, ConcurrentCreatesForOneProposalMakeOneProject) {
  constexpr int kCalls = 8;
  Project p = CooperativeProject();
  p.set_source_proposal(kProposal);
  std::vector<Project> answers(kCalls);
  std::vector<grpc::Status> statuses(kCalls);
  std::barrier start(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      auto stub = ProjectService::NewStub(service_->NewChannel());
      v1::CreateProjectRequest request;
      *request.mutable_project() = p;  // no request id: distinct calls
      auto context = Context(AdminToken(), absl::Seconds(60));
      start.arrive_and_wait();
      statuses[i] = stub->CreateProject(context.get(), request, &answers[i]);
    });
  }
  for (auto& t : threads) t.join();
  std::string winner;
  for (int i = 0; i < kCalls; ++i) {
    if (statuses[i].ok()) {
      EXPECT_TRUE(winner.empty()) << "two projects for one proposal";
      winner = answers[i].name();
    }
  }
  ASSERT_FALSE(winner.empty());
  for (int i = 0; i < kCalls; ++i) {
    if (statuses[i].ok()) continue;
    EXPECT_EQ(statuses[i].error_code(), grpc::StatusCode::ALREADY_EXISTS)
        << statuses[i].error_message();
    EXPECT_EQ(Metadata(statuses[i])["project"], winner);
  }
  EXPECT_EQ(CountRows("projects"), 1);
}

TEST_F(ProjectServiceTest, FiltersSelectTheRightProjects) {
  // A: 協働型事業 in Kawasaki, FY2014, from a proposal, ACTIVE.
  Project a = CooperativeProject();
  a.set_fiscal_year(2014);
  a.set_source_proposal(kProposal);
  sources_.Adopt(kProposal, civic_.name(), 2014);  // adopted for FY2014
  AddAllPrinciples(a);
  a = CreateOk(a);
  Project out;
  ASSERT_TRUE(Start(a.name(), &out).ok());
  // B: university partnership, FY2016, under an agreement id, PLANNED.
  kyodo::partner::v1::CreateAgreementRequest ar;
  ar.mutable_agreement()->set_display_name("川崎市と明治大学との包括協定");
  ar.mutable_agreement()->set_kind(
      kyodo::partner::v1::Agreement::COMPREHENSIVE);
  ar.mutable_agreement()->add_parties(bureau_.name());
  ar.mutable_agreement()->add_parties(university_.name());
  kyodo::partner::v1::Agreement agreement;
  ASSERT_TRUE(
      partners_->CreateAgreement(Context(AdminToken()).get(), ar, &agreement)
          .ok());
  Project b = UniversityProject();
  b.set_fiscal_year(2016);
  b.set_agreement(agreement.name());
  b = CreateOk(b);
  // C: Asao, led by the company, no timing, from another call's proposal.
  Project c = UniversityProject();
  c.set_programme(v1::OTHER_PROGRAMME);
  c.clear_participants();
  c.clear_patterns();
  *c.add_participants() = Party(company_, Participant::LEAD);
  *c.add_participants() = Party(city_asao_, Participant::CITY);
  *c.add_participants() = Party(civic_, Participant::PARTNER);
  c.set_source_proposal("programmes/asao/calls/fy2016/proposals/p9");
  c = CreateOk(c);

  using Names = std::vector<std::string>;
  EXPECT_EQ(ListNames("programme = WARD_CITIZEN_PROPOSAL"), Names{a.name()});
  EXPECT_EQ(ListNames("programme != WARD_CITIZEN_PROPOSAL"),
            (Names{b.name(), c.name()}));
  EXPECT_EQ(ListNames("state = ACTIVE"), Names{a.name()});
  EXPECT_EQ(ListNames("state = PLANNED"), (Names{b.name(), c.name()}));
  EXPECT_EQ(ListNames("ward = KAWASAKI"), Names{a.name()});
  EXPECT_EQ(ListNames("ward = ASAO"), Names{c.name()});
  EXPECT_EQ(ListNames("ward != KAWASAKI"), (Names{b.name(), c.name()}));
  EXPECT_EQ(ListNames("ward = TAMA"),
            Names{});  // the university's ward is no city ward
  EXPECT_EQ(ListNames("fiscal_year = 2014"), Names{a.name()});
  EXPECT_EQ(ListNames("fiscal_year > 2014"), Names{b.name()});
  EXPECT_EQ(ListNames("fiscal_year < 2020 AND fiscal_year > 2000"),
            (Names{a.name(), b.name()}));
  EXPECT_EQ(ListNames("participant = " + civic_.name()),
            (Names{a.name(), c.name()}));
  EXPECT_EQ(ListNames("participant = " + university_.name()), Names{b.name()});
  EXPECT_EQ(ListNames("participant != " + civic_.name()), Names{b.name()});
  EXPECT_EQ(ListNames("lead = " + civic_.name()), Names{a.name()});
  EXPECT_EQ(ListNames("lead = " + company_.name()), Names{c.name()});
  EXPECT_EQ(ListNames("lead = " + university_.name()), Names{});
  EXPECT_EQ(ListNames(absl::StrCat("source_proposal = \"", kProposal, "\"")),
            Names{a.name()});
  EXPECT_EQ(ListNames("source_programme = programmes/kawasaki"),
            Names{a.name()});
  EXPECT_EQ(ListNames("source_programme = programmes/asao"), Names{c.name()});
  EXPECT_EQ(ListNames("agreement = " + agreement.name()), Names{b.name()});
  EXPECT_EQ(ListNames("cooperative_project = true"), Names{a.name()});
  EXPECT_EQ(ListNames("cooperative_project = false AND state = PLANNED"),
            (Names{b.name(), c.name()}));
  EXPECT_EQ(ListNames("create_time > 2000-01-01T00:00:00Z").size(), 3u);
  EXPECT_EQ(ListNames("update_time < 2000-01-01T00:00:00Z").size(), 0u);

  // Unknown fields and values are refused naming the filter.
  for (const std::string bad :
       {"title = x", "ward = SHIBUYA", "programme = NOPE",
        "participant = projects/x", "fiscal_year = soon",
        "source_programme = calls/x", "state : ACTIVE"}) {
    v1::ListProjectsRequest request;
    request.set_filter(bad);
    v1::ListProjectsResponse response;
    grpc::Status status =
        stub_->ListProjects(Context(AdminToken()).get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(BadField(status), "filter") << bad;
  }
}

TEST_F(ProjectServiceTest,
       PagingWalksEveryProjectOnceWithTokensBoundToTheQuery) {
  constexpr int kProjects = 23;
  std::set<std::string> created;
  for (int i = 0; i < kProjects; ++i) {
    Project p = i % 2 == 0 ? CooperativeProject() : UniversityProject();
    p.set_title("事業" + std::to_string(i));
    created.insert(CreateOk(p).name());
  }
  v1::ListProjectsRequest list;
  list.set_page_size(-1);
  v1::ListProjectsResponse page;
  grpc::Status status =
      stub_->ListProjects(Context(AdminToken()).get(), list, &page);
  EXPECT_EQ(BadField(status), "page_size");

  list.set_page_size(5);
  list.set_filter("ward = KAWASAKI");
  std::map<std::string, int> seen;
  int pages = 0;
  do {
    page.Clear();
    ASSERT_TRUE(
        stub_->ListProjects(Context(AdminToken()).get(), list, &page).ok());
    for (const Project& p : page.projects()) {
      ++seen[p.name()];
      EXPECT_EQ(p.wards(0), kyodo::type::v1::KAWASAKI);
    }
    list.set_page_token(page.next_page_token());
    ++pages;
    if (pages == 1) {
      // The token belongs to its filter.
      v1::ListProjectsRequest other = list;
      other.set_filter("ward = ASAO");
      v1::ListProjectsResponse ignored;
      status =
          stub_->ListProjects(Context(AdminToken()).get(), other, &ignored);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_EQ(BadField(status), "page_token");
      other.set_filter(list.filter());
      other.set_show_deleted(true);
      EXPECT_EQ(BadField(stub_->ListProjects(Context(AdminToken()).get(), other,
                                             &ignored)),
                "page_token");
    }
  } while (!list.page_token().empty() && pages < 100);
  EXPECT_EQ(pages, 3);  // 12 Kawasaki projects in pages of 5
  EXPECT_EQ(seen.size(), 12u);
  for (const auto& [name, count] : seen) {
    EXPECT_EQ(count, 1) << name;
    EXPECT_TRUE(created.contains(name));
  }
}

}  // namespace
}  // namespace kyodo::project
