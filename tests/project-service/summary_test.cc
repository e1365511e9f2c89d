// ProjectService.SummarizeProjects against the real MariaDB: its counts and
// sums, made in SQL, equal what a client adds up from ListProjects over the
// same filter, for projects of every state, two wards, two fiscal years,
// contributions of forms with and without amounts, and a deleted project.
#include <atomic>
#include <map>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/project-service/project_fixture.h"

using kyodo::project::v1::Participant;
using kyodo::project::v1::Project;
using kyodo::project::v1::ProjectSummary;
using kyodo::testing::AdminToken;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::ViewerToken;

namespace kyodo::project {
namespace {

// state -> (count, form -> (count, yen)), as a summary or as a client adds
// it up.
struct Totals {
  std::map<int, int64_t> projects;
  std::map<std::pair<int, int>, std::pair<int64_t, int64_t>> forms;
  bool operator==(const Totals& o) const {
    return projects == o.projects && forms == o.forms;
  }
};

std::ostream& operator<<(std::ostream& os, const Totals& t) {
  for (const auto& [state, count] : t.projects) {
    os << Project::State_Name(static_cast<Project::State>(state)) << "="
       << count << " ";
  }
  for (const auto& [key, value] : t.forms) {
    os << Project::State_Name(static_cast<Project::State>(key.first)) << "/"
       << v1::ContributionForm_Name(
              static_cast<v1::ContributionForm>(key.second))
       << "=" << value.first << ":" << value.second << " ";
  }
  return os;
}

class SummaryTest : public ProjectServiceTest {
 protected:
  // A project of `city`'s ward in `year` with the given contributions, moved
  // on to `state`.
  Project Make(const kyodo::partner::v1::Partner& city, int year,
               const std::vector<std::pair<v1::ContributionForm, int64_t>>&
                   contributions,
               Project::State state) {
    Project p = CooperativeProject();
    p.set_fiscal_year(year);
    p.clear_participants();
    *p.add_participants() = Party(civic_, Participant::LEAD);
    *p.add_participants() = Party(city, Participant::CITY);
    p.clear_contributions();
    for (const auto& [form, yen] : contributions) {
      auto* c = p.add_contributions();
      c->set_form(form);
      if (yen >= 0) c->set_amount_yen(yen);
    }
    AddAllPrinciples(p);
    Project made = CreateOk(p);
    Project out;
    if (state == Project::ACTIVE || state == Project::COMPLETED) {
      EXPECT_TRUE(Start(made.name(), &out).ok());
    }
    if (state == Project::COMPLETED) {
      EXPECT_TRUE(Complete(made.name(), &out).ok());
    }
    if (state == Project::CANCELLED) {
      EXPECT_TRUE(Cancel(made.name(), "予算が付かなかった", &out).ok());
    }
    return made;
  }

  Totals Summarize(const std::string& filter) {
    v1::SummarizeProjectsRequest request;
    request.set_filter(filter);
    ProjectSummary summary;
    grpc::Status status = stub_->SummarizeProjects(Context(ViewerToken()).get(),
                                                   request, &summary);
    EXPECT_TRUE(status.ok()) << filter << ": " << status.error_message();
    Totals t;
    int last_state = -1;
    for (const auto& s : summary.states()) {
      EXPECT_GT(s.state(), last_state) << "states in number order";
      last_state = s.state();
      t.projects[s.state()] = s.count();
      int last_form = -1;
      for (const auto& f : s.contributions()) {
        EXPECT_GT(f.form(), last_form) << "forms in number order";
        last_form = f.form();
        t.forms[{s.state(), f.form()}] = {f.count(), f.amount_yen()};
      }
    }
    return t;
  }

  // What a client adds up from every page of ListProjects.
  Totals AddUp(const std::string& filter) {
    Totals t;
    v1::ListProjectsRequest request;
    request.set_filter(filter);
    request.set_page_size(2);  // several pages
    do {
      v1::ListProjectsResponse page;
      grpc::Status status =
          stub_->ListProjects(Context(ViewerToken()).get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const Project& p : page.projects()) {
        ++t.projects[p.state()];
        for (const auto& c : p.contributions()) {
          auto& [count, yen] = t.forms[{p.state(), c.form()}];
          ++count;
          yen += c.amount_yen();
        }
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return t;
  }
};

TEST_F(SummaryTest, CountsAndSumsEqualWhatTheListsAddUpTo) {
  using v1::BUSINESS_COOPERATION;
  using v1::CONSIGNMENT;
  using v1::DONATION;
  using v1::GRANT;
  using v1::SUBSIDY;
  Make(city_, 2026, {{CONSIGNMENT, 362100}}, Project::ACTIVE);
  Make(city_, 2026, {{CONSIGNMENT, 500000}, {SUBSIDY, 120000}},
       Project::ACTIVE);
  Make(city_, 2026, {{GRANT, 75000}, {BUSINESS_COOPERATION, -1}},
       Project::PLANNED);
  Make(city_, 2026, {{CONSIGNMENT, 999999}}, Project::CANCELLED);
  Make(city_, 2025, {{CONSIGNMENT, 300000}, {DONATION, 50000}},
       Project::COMPLETED);
  Make(city_asao_, 2026, {{SUBSIDY, 450000}}, Project::ACTIVE);
  Make(city_asao_, 2026, {{BUSINESS_COOPERATION, -1}}, Project::PLANNED);
  const Project deleted =
      Make(city_, 2026, {{GRANT, 888888}}, Project::PLANNED);
  v1::DeleteProjectRequest del;
  del.set_name(deleted.name());
  Project out;
  ASSERT_TRUE(
      stub_->DeleteProject(Context(AdminToken()).get(), del, &out).ok());

  for (const std::string filter :
       {"", "ward = KAWASAKI", "ward = KAWASAKI AND fiscal_year = 2026",
        "ward = ASAO AND fiscal_year = 2026", "state = ACTIVE",
        "ward = KAWASAKI AND state = ACTIVE", "fiscal_year = 2025",
        "ward = TAMA"}) {
    EXPECT_EQ(Summarize(filter), AddUp(filter)) << filter;
  }
  // And the figures themselves, for the dashboard's ward and year.
  const Totals kawasaki = Summarize("ward = KAWASAKI AND fiscal_year = 2026");
  EXPECT_EQ(kawasaki.projects,
            (std::map<int, int64_t>{{Project::PLANNED, 1},
                                    {Project::ACTIVE, 2},
                                    {Project::CANCELLED, 1}}));
  EXPECT_EQ(kawasaki.forms.at({Project::ACTIVE, CONSIGNMENT}),
            std::make_pair(int64_t{2}, int64_t{862100}));
  EXPECT_EQ(kawasaki.forms.at({Project::PLANNED, BUSINESS_COOPERATION}),
            std::make_pair(int64_t{1}, int64_t{0}));
  EXPECT_EQ(kawasaki.forms.count({Project::PLANNED, GRANT}), 1u)
      << "the deleted project's grant is left out";
  EXPECT_EQ(kawasaki.forms.at({Project::PLANNED, GRANT}).second, 75000);
  EXPECT_TRUE(Summarize("ward = TAMA").projects.empty());
}

// project_totals, which the triggers of migration 002 keep, recounted from
// the projects themselves by SQL of the test's own: the rows with n > 0,
// as "ward:year:state:form:n:yen" in key order.
constexpr char kTotals[] =
    "SELECT GROUP_CONCAT(CONCAT_WS(':', ward, fiscal_year, state, form, n, "
    "amount_yen) ORDER BY ward, fiscal_year, state, form SEPARATOR ' ') "
    "FROM project_totals WHERE n > 0";
constexpr char kRecount[] =
    "SELECT GROUP_CONCAT(CONCAT_WS(':', ward, y, state, form, n, yen) "
    "ORDER BY ward, y, state, form SEPARATOR ' ') FROM ("
    " SELECT w.ward, COALESCE(p.start_fiscal_year, 0) AS y, p.state, "
    "  '' AS form, COUNT(*) AS n, 0 AS yen"
    " FROM projects p JOIN project_wards w ON w.project_seq = p.seq"
    " WHERE p.delete_time IS NULL GROUP BY 1, 2, 3"
    " UNION ALL"
    " SELECT w.ward, COALESCE(p.start_fiscal_year, 0), p.state, c.form,"
    "  COUNT(*), COALESCE(SUM(c.amount), 0)"
    " FROM projects p JOIN project_wards w ON w.project_seq = p.seq,"
    "  JSON_TABLE(p.doc, '$.contributions[*]' COLUMNS (form VARCHAR(64)"
    "  PATH '$.form', amount DECIMAL(20, 0) PATH '$.amount_yen')) c"
    " WHERE p.delete_time IS NULL GROUP BY 1, 2, 3, 4) x";

TEST_F(SummaryTest, WardTotalsFollowEveryWriteAndEqualADirectCount) {
  using v1::CONSIGNMENT;
  using v1::GRANT;
  using v1::SUBSIDY;
  const Project moved =
      Make(city_, 2026, {{CONSIGNMENT, 100000}}, Project::ACTIVE);
  const Project edited = Make(city_, 2026, {{GRANT, 5000}}, Project::PLANNED);
  Make(city_asao_, 2026, {{SUBSIDY, 7000}, {SUBSIDY, 3000}}, Project::ACTIVE);
  const Project renamed =
      Make(city_asao_, 2025, {{GRANT, 1}}, Project::COMPLETED);
  const Project gone = Make(city_, 2025, {{GRANT, 42}}, Project::PLANNED);
  const std::string before = project_db_.QueryValue(kTotals);
  EXPECT_EQ(before, project_db_.QueryValue(kRecount));

  // The participants move the first project from KAWASAKI to ASAO.
  Project patch;
  patch.set_name(moved.name());
  *patch.add_participants() = Party(civic_, Participant::LEAD);
  *patch.add_participants() = Party(city_asao_, Participant::CITY);
  Project out;
  ASSERT_TRUE(Update(patch, {"participants"}, &out).ok());
  // Its amounts and its year change.
  patch.Clear();
  patch.set_name(edited.name());
  patch.set_fiscal_year(2027);
  auto* c = patch.add_contributions();
  c->set_form(CONSIGNMENT);
  c->set_amount_yen(250000);
  c = patch.add_contributions();
  c->set_form(GRANT);
  c->set_amount_yen(9000);
  ASSERT_TRUE(Update(patch, {"fiscal_year", "contributions"}, &out).ok())
      << "update";
  // A title edit leaves the totals as they were. (That it takes no lock
  // on them, the trigger's skip, cannot be seen from here.)
  patch.Clear();
  patch.set_name(renamed.name());
  patch.set_title("題名だけ変わる");
  const std::string mid = project_db_.QueryValue(kTotals);
  ASSERT_TRUE(Update(patch, {"title"}, &out).ok());
  EXPECT_EQ(project_db_.QueryValue(kTotals), mid);
  v1::DeleteProjectRequest del;
  del.set_name(gone.name());
  ASSERT_TRUE(
      stub_->DeleteProject(Context(AdminToken()).get(), del, &out).ok());

  const std::string after = project_db_.QueryValue(kTotals);
  EXPECT_NE(after, before);
  EXPECT_EQ(after, project_db_.QueryValue(kRecount));
  // The dashboard's filters, read from the totals, agree with the lists.
  for (const std::string filter :
       {"ward = KAWASAKI", "ward = ASAO", "ward = ASAO AND fiscal_year = 2026",
        "ward = KAWASAKI AND fiscal_year = 2027",
        "ward = ASAO AND state = ACTIVE", "fiscal_year = 2026 AND ward = ASAO",
        "ward = KAWASAKI AND fiscal_year = 2025 AND state = PLANNED"}) {
    EXPECT_EQ(Summarize(filter), AddUp(filter)) << filter;
  }
  const Totals asao = Summarize("ward = ASAO AND fiscal_year = 2026");
  EXPECT_EQ(asao.projects, (std::map<int, int64_t>{{Project::ACTIVE, 2}}));
  EXPECT_EQ(asao.forms.at({Project::ACTIVE, SUBSIDY}),
            std::make_pair(int64_t{2}, int64_t{10000}));
  EXPECT_EQ(asao.forms.at({Project::ACTIVE, CONSIGNMENT}),
            std::make_pair(int64_t{1}, int64_t{100000}));
}

// Writers of two wards at once share their totals rows: each write
// changes them in key order, so none deadlocks and none is lost.
TEST_F(SummaryTest, ConcurrentWritesAllLandInTheTotals) {
  constexpr int kThreads = 8;
  constexpr int kEach = 6;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const Project::State to = (t + i) % 3 == 0   ? Project::COMPLETED
                                  : (t + i) % 3 == 1 ? Project::ACTIVE
                                                     : Project::CANCELLED;
        // Many totals rows: two wards, six years, four forms.
        Project made = Make(t % 2 == 0 ? city_ : city_asao_, 2021 + (t + i) % 6,
                            {{v1::CONSIGNMENT, 1000 + t},
                             {i % 2 == 0 ? v1::GRANT : v1::SUBSIDY, 10 * i},
                             {v1::BUSINESS_COOPERATION, -1}},
                            to);
        if (made.name().empty()) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(project_db_.QueryValue(kTotals), project_db_.QueryValue(kRecount));
  int64_t projects = 0;
  for (const std::string ward : {"KAWASAKI", "ASAO"}) {
    const Totals all = Summarize("ward = " + ward);
    for (const auto& [state, n] : all.projects) projects += n;
    EXPECT_EQ(all, AddUp("ward = " + ward)) << ward;
  }
  EXPECT_EQ(projects, kThreads * kEach);
}

TEST_F(SummaryTest, TotalsRefuseBadRowsAndTheServingAccount) {
  // Straight to the database, as the migrating account.
  auto pool = project_db_.NewPool(1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(session.ok());
  for (const char* bad :
       {"INSERT INTO project_totals VALUES ('ASAO', 2026, 'ACTIVE', '', -1, 0)",
        "INSERT INTO project_totals VALUES ('ASAO', 2026, 'ACTIVE', 'GRANT', "
        "1, -5)",
        "INSERT INTO project_totals VALUES ('ASAO', 2026, 'ACTIVE', '', 1, "
        "5)"}) {
    absl::Status status = (*session)->ExecUnprepared(bad);
    EXPECT_EQ(common::db::MySqlErrorNumber(status), 4025) << bad << status;
  }
  EXPECT_EQ(project_db_.QueryValue("SELECT COUNT(*) FROM project_totals"), "0");
  // A total that no longer matches its projects stops the write that would
  // take it below zero, rather than drifting further.
  const Project p = Make(city_, 2026, {{v1::GRANT, 10}}, Project::PLANNED);
  (*session)
      ->ExecUnprepared("UPDATE project_totals SET n = 0 WHERE form = ''")
      .IgnoreError();
  Project out;
  EXPECT_FALSE(Start(p.name(), &out).ok());
  Project got;
  ASSERT_TRUE(Get(p.name(), &got).ok());
  EXPECT_EQ(got.state(), Project::PLANNED) << "the failed write left no half";
  // The service's own account may read the totals, never write them.
  auto serving = project_db_.NewServingPool(1);
  auto as_service = serving->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(as_service.ok());
  EXPECT_TRUE((*as_service)->Query("SELECT * FROM project_totals").ok());
  absl::Status denied =
      (*as_service)->ExecUnprepared("UPDATE project_totals SET n = n + 1");
  EXPECT_EQ(common::db::MySqlErrorNumber(denied), 1142) << denied;
}

TEST_F(SummaryTest, TheMigrationCountsProjectsWrittenBeforeIt) {
  // A schema as the release before migration 002 left it, written by this
  // service's write path (which 002 left unchanged)...
  kyodo::testing::TestDatabase old_db(TestName() + "_old");
  common::db::MigrationTrack before = KyodoProjectMigrations();
  ASSERT_GE(before.migrations.size(), 2u);
  ASSERT_EQ(before.migrations[1].version, 2);
  before.migrations.resize(1);
  old_db.Migrate({common::server::CommonMigrations(), before});
  service_ = StartProjectService(old_db, partner_client_.get(), &sources_);
  stub_ = v1::ProjectService::NewStub(service_->NewChannel());
  Make(city_, 2026, {{v1::CONSIGNMENT, 362100}}, Project::ACTIVE);
  Make(city_, 2026, {{v1::GRANT, 5}, {v1::GRANT, 6}}, Project::CANCELLED);
  Make(city_asao_, 2025, {{v1::SUBSIDY, 450000}}, Project::COMPLETED);
  const Project deleted =
      Make(city_asao_, 2025, {{v1::GRANT, 9}}, Project::PLANNED);
  v1::DeleteProjectRequest del;
  del.set_name(deleted.name());
  Project out;
  ASSERT_TRUE(
      stub_->DeleteProject(Context(AdminToken()).get(), del, &out).ok());
  // ...then upgraded: the totals hold every project, and keep up after.
  old_db.Migrate(
      {common::server::CommonMigrations(), KyodoProjectMigrations()});
  EXPECT_NE(old_db.QueryValue(kTotals), "");
  EXPECT_EQ(old_db.QueryValue(kTotals), old_db.QueryValue(kRecount));
  Make(city_asao_, 2025, {{v1::SUBSIDY, 1}}, Project::ACTIVE);
  EXPECT_EQ(old_db.QueryValue(kTotals), old_db.QueryValue(kRecount));
  for (const std::string filter :
       {"ward = KAWASAKI AND fiscal_year = 2026", "ward = ASAO",
        "ward = ASAO AND state = COMPLETED"}) {
    EXPECT_EQ(Summarize(filter), AddUp(filter)) << filter;
  }
}

TEST_F(SummaryTest, ABadFilterIsRefusedNamingIt) {
  v1::SummarizeProjectsRequest request;
  request.set_filter("ward = NOWHERE");
  ProjectSummary summary;
  grpc::Status status =
      stub_->SummarizeProjects(Context(ViewerToken()).get(), request, &summary);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "filter");
  // Anonymous callers are refused, as on every method.
  status = stub_->SummarizeProjects(Context("").get(),
                                    v1::SummarizeProjectsRequest(), &summary);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace kyodo::project
