// Issue 13, item 7: large drafts must not break the ward staff's views.
// One applicant tries 200 drafts of the largest size the proto allows: the
// 21st is refused (FAILED_PRECONDITION TOO_MANY_DRAFTS, the limit in
// ErrorInfo metadata). Nine more applicants fill their 20 each, so the
// ward's call holds 200 drafts of about 28 KB, 5.6 MB in all, more than one
// page under gRPC's default 4 MiB receive limit: the staff's dashboard
// and the applicant's profile still answer, with every draft counted.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/integration/round_fixture.h"
#include "tests/testing/auth.h"
#include "tests/testing/status.h"

namespace kyodo::integration {
namespace {

using testing::Context;

std::string Repeat(const std::string& unit, size_t max_bytes) {
  std::string out;
  while (out.size() + unit.size() <= max_bytes) out += unit;
  return out;
}

class LargeDraftsTest : public RoundTest {
 protected:
  // A draft as large as the proto allows in its text fields.
  grpc::Status Draft(const std::string& applicant, int i) {
    pv1::CreateProposalRequest request;
    request.set_parent(call_);
    pv1::Proposal* p = request.mutable_proposal();
    p->set_applicant(applicant);
    p->set_title(Repeat(absl::StrCat("下書き", i, " "), 500));
    p->set_issue(Repeat("地域の課題。", 8000));
    p->set_plan(Repeat("交流行事と見守り活動。", 20000));
    p->set_requested_amount_yen(100000);
    pv1::Proposal created;
    return proposals_->CreateProposal(
        Context(testing::ApplicantToken(applicant, "big")).get(), request,
        &created);
  }
};

TEST_F(LargeDraftsTest, DraftsAreBoundedAndStaffViewsSurviveLargeOnes) {
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
  std::vector<std::string> applicants;
  for (const auto& [ref, name] : refs_) {
    if (absl::StartsWith(name, "partners/")) applicants.push_back(name);
    if (applicants.size() == 10) break;
  }
  ASSERT_EQ(applicants.size(), 10u);

  // One applicant, 200 tries: 20 drafts, then refused.
  int accepted = 0;
  grpc::Status refused;
  for (int i = 0; i < 200; ++i) {
    grpc::Status status = Draft(applicants[0], i);
    if (!status.ok()) {
      refused = status;
      break;
    }
    ++accepted;
  }
  EXPECT_EQ(accepted, 20);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << refused.error_message();
  EXPECT_EQ(testing::Reason(refused), "TOO_MANY_DRAFTS");
  // Still refused, and another applicant is not held back by it.
  EXPECT_EQ(testing::Reason(Draft(applicants[0], 999)), "TOO_MANY_DRAFTS");
  for (size_t a = 1; a < applicants.size(); ++a) {
    for (int i = 0; i < 20; ++i) {
      grpc::Status status = Draft(applicants[a], i);
      ASSERT_TRUE(status.ok())
          << a << "/" << i << ": " << status.error_message();
    }
  }

  // The ward's staff: the dashboard counts all 200.
  gv1::GetWardDashboardRequest dashboard_request;
  dashboard_request.set_ward(type::v1::KAWASAKI);
  dashboard_request.set_fiscal_year(2026);
  gv1::WardDashboard dashboard;
  grpc::Status status = gateway_->GetWardDashboard(
      Context(Staff()).get(), dashboard_request, &dashboard);
  ASSERT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();
  std::map<std::string, int> by_state;
  for (const auto& s : dashboard.proposals_by_state())
    by_state[s.state()] = s.count();
  EXPECT_EQ(by_state, (std::map<std::string, int>{{"DRAFT", 200}}));

  // The first applicant's profile, as staff and as itself.
  gv1::GetPartnerProfileRequest profile_request;
  profile_request.set_name(applicants[0]);
  for (const std::string& token :
       {Staff(), testing::ApplicantToken(applicants[0], "big")}) {
    gv1::PartnerProfile profile;
    status = gateway_->GetPartnerProfile(Context(token).get(), profile_request,
                                         &profile);
    ASSERT_TRUE(status.ok())
        << status.error_code() << " " << status.error_message();
    EXPECT_EQ(profile.proposals_size(), 20);
  }

  // Deleting a draft frees its place.
  pv1::ListProposalsRequest list;
  list.set_parent(call_);
  list.set_page_size(1);
  list.set_filter(absl::StrCat("applicant = \"", applicants[0], "\""));
  pv1::ListProposalsResponse page;
  ASSERT_TRUE(
      proposals_->ListProposals(Context(Staff()).get(), list, &page).ok());
  ASSERT_EQ(page.proposals_size(), 1);
  pv1::DeleteProposalRequest remove;
  remove.set_name(page.proposals(0).name());
  pv1::Proposal removed;
  status = proposals_->DeleteProposal(
      Context(testing::ApplicantToken(applicants[0], "big")).get(), remove,
      &removed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = Draft(applicants[0], 1000);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace kyodo::integration
