// ProjectService.SummarizeProjects against the real MariaDB: its counts and
// sums, made in SQL, equal what a client adds up from ListProjects over the
// same filter, for projects of every state, two wards, two fiscal years,
// contributions of forms with and without amounts, and a deleted project.
#include <map>
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
