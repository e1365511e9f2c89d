// Issue 13: a project's source_proposal is checked with proposal-service (a
// fake here; the real one in tests/integration): it must be an ADOPTED
// proposal, and the project what the decision allows (led by the applicant,
// in the call's fiscal year, consigning no more than the adopted amount).
// Otherwise anyone with a staff token could make up the history that
// continuation years are counted from.
#include "tests/project-service/project_fixture.h"

using kyodo::project::v1::Project;
using kyodo::testing::Reason;

namespace kyodo::project {
namespace {

constexpr char kSource[] = "programmes/kawasaki/calls/fy2026/proposals/src";

TEST_F(ProjectServiceTest, ASourceProposalMustBeAnAdoptedOneAsDecided) {
  Project p = CooperativeProject();
  p.set_fiscal_year(2026);
  p.set_source_proposal(kSource);
  Project out;
  auto expect_refused = [&](const char* rule) {
    grpc::Status status = Create(p, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << rule << ": " << status.error_message();
    EXPECT_EQ(Reason(status), rule) << status.error_message();
    EXPECT_EQ(Metadata(status)["source_proposal"], kSource);
    EXPECT_EQ(CountRows("projects"), 0);
    EXPECT_EQ(CountRows("audit_events"), 0);
  };
  // Made up.
  expect_refused("SOURCE_PROPOSAL_NOT_FOUND");
  // Not adopted (screened ELIGIBLE, or NOT_ADOPTED by the decision).
  domain::SourceProposal eligible;
  eligible.proposal.set_name(kSource);
  eligible.proposal.set_applicant(civic_.name());
  eligible.proposal.set_state(kyodo::proposal::v1::Proposal::ELIGIBLE);
  eligible.fiscal_year = 2026;
  sources_.Set(kSource, eligible);
  expect_refused("SOURCE_PROPOSAL_NOT_ADOPTED");
  // Adopted, but for another applicant.
  sources_.Adopt(kSource, company_.name(), 2026, 362100);
  expect_refused("SOURCE_PROPOSAL_MISMATCH");
  // Adopted for this applicant, in another fiscal year.
  sources_.Adopt(kSource, civic_.name(), 2025, 362100);
  expect_refused("SOURCE_PROPOSAL_MISMATCH");
  // For less than the project consigns.
  sources_.Adopt(kSource, civic_.name(), 2026, 362099);
  expect_refused("SOURCE_PROPOSAL_MISMATCH");
  // As decided: made.
  sources_.Adopt(kSource, civic_.name(), 2026, 362100);
  Project made = CreateOk(p);
  EXPECT_EQ(made.source_proposal(), kSource);
}

TEST_F(ProjectServiceTest, AnUpdateCannotGiveAProjectAMadeUpSource) {
  Project made = CreateOk(CooperativeProject());
  Project patch;
  patch.set_name(made.name());
  patch.set_source_proposal(kSource);
  Project out;
  grpc::Status status = Update(patch, {"source_proposal"}, &out);
  EXPECT_EQ(Reason(status), "SOURCE_PROPOSAL_NOT_FOUND");
  EXPECT_EQ(CountRows("audit_events"), 1);  // the creation only
  sources_.Adopt(kSource, civic_.name(), 2026, 362100);
  status = Update(patch, {"source_proposal"}, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.source_proposal(), kSource);
}

}  // namespace
}  // namespace kyodo::project
