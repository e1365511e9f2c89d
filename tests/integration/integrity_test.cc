// Issue 13 against the whole suite (the four services as processes on the
// test MariaDB): no applicant can block the decision, and screening and the
// project history rest on the records, not on what a caller says.
#include <set>

#include "absl/strings/str_cat.h"
#include "common/idempotency/idempotency.h"
#include "tests/integration/round_fixture.h"
#include "tests/testing/auth.h"
#include "tests/testing/status.h"

namespace kyodo::integration {
namespace {

using testing::BadField;
using testing::Context;
using testing::Reason;

std::vector<std::string> Rules(const pv1::Proposal& p) {
  std::vector<std::string> rules;
  for (const auto& f : p.screening().failures()) rules.push_back(f.rule());
  return rules;
}

// An applicant sends, first, the request ids the gateway's FinalizeCall
// derived from public names before issue 13, each on a mutation of its own
// that succeeds. FinalizeCall still decides,
// makes the projects and links them.
TEST_F(RoundTest, AnApplicantCannotBlockFinalizeCall) {
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
  std::vector<std::string> guessed = {common::idempotency::DeriveRequestId(
      absl::StrCat("finalize/decide/", call_))};
  int drafts = 0;
  for (const std::string& id : guessed) {
    pv1::CreateProposalRequest draft;
    draft.set_parent(call_);
    draft.set_request_id(id);
    pv1::Proposal* p = draft.mutable_proposal();
    p->set_applicant(Partner("umikaze"));
    p->set_title(absl::StrCat("request id を先取りする下書き ", ++drafts));
    p->set_issue("妨害");
    p->set_requested_amount_yen(1);
    pv1::Proposal created;
    grpc::Status status = proposals_->CreateProposal(
        Context(Applicant("umikaze")).get(), draft, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_NO_FATAL_FAILURE(SubmitAll());
  // The would-be ids of the project and link steps too, now that the
  // proposals have names.
  for (const auto& [ref, name] : proposal_of_) {
    for (const std::string& key : {absl::StrCat("finalize/project/", name)}) {
      pv1::CreateProposalRequest draft;
      draft.set_parent(call_);
      draft.set_request_id(common::idempotency::DeriveRequestId(key));
      pv1::Proposal* p = draft.mutable_proposal();
      p->set_applicant(Partner("umikaze"));
      p->set_title(absl::StrCat("先取り ", ref));
      p->set_issue("妨害");
      p->set_requested_amount_yen(1);
      pv1::Proposal created;
      ASSERT_TRUE(proposals_
                      ->CreateProposal(Context(Applicant("umikaze")).get(),
                                       draft, &created)
                      .ok());
    }
  }
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview());
  ASSERT_NO_FATAL_FAILURE(ReviewAll());

  gv1::FinalizeCallResponse finalized;
  grpc::Status status = FinalizeAsStaff(call_, &finalized);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(finalized.decision().adopted_count(), 2);
  // The consignment projects are made at publication.
  gv1::PublishResultsResponse published;
  status = PublishAsStaff(call_, &published);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(published.projects_size(), 2);
  for (const auto& p : published.projects()) {
    EXPECT_EQ(ProjectsOf(p.proposal()), 1);
  }
  // And again, as a retry after a failure would: the same answer.
  gv1::FinalizeCallResponse again;
  status = FinalizeAsStaff(call_, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(again.projects_size(), 2);
  EXPECT_EQ(again.projects(0).project(), published.projects(0).project());
  // The member affiliated with ひまわり is shown as set aside.
  for (const auto& r : finalized.decision().results()) {
    EXPECT_EQ(r.conflicted_members(),
              r.proposal() == proposal_of_["himawari"] ? 1 : 0)
        << r.proposal();
  }
}

// Screening gathers its own facts: co-applicants must be existing, ACTIVE
// partners of an eligible kind; `continues` is followed through the chain
// of earlier proposals, and a project that is not there or not of the
// programme is a failed rule, not a half-done submission; facts a caller
// sends that contradict the records are refused; a project cannot claim a
// proposal the decision did not adopt.
TEST_F(RoundTest, ScreeningAndHistoryRestOnTheRecords) {
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
  ASSERT_EQ(history_.size(), 3u);

  // A project of no proposal of this programme, led by 海風.
  prv1::CreateProjectRequest unrelated;
  prv1::Project* u = unrelated.mutable_project();
  u->set_title("海風の森 自主事業");
  u->set_issue("緑地が少ない");
  u->set_programme(prv1::OTHER_PROGRAMME);
  auto* lead = u->add_participants();
  lead->set_partner(Partner("umikaze"));
  lead->set_role(prv1::Participant::LEAD);
  auto* city = u->add_participants();
  city->set_partner(Partner("kawasaki-kikaku"));
  city->set_role(prv1::Participant::CITY);
  prv1::Project unrelated_project;
  grpc::Status status = projects_->CreateProject(Context(Staff()).get(),
                                                 unrelated, &unrelated_project);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // Drafts submitted through the gateway; each ends screened.
  auto submit = [&](const std::string& ref, const std::string& title,
                    int64_t amount, const std::vector<std::string>& co,
                    const std::string& continues) {
    pv1::CreateProposalRequest draft;
    draft.set_parent(call_);
    pv1::Proposal* p = draft.mutable_proposal();
    p->set_applicant(Partner(ref));
    p->set_title(title);
    p->set_issue("地域の課題");
    p->set_requested_amount_yen(amount);
    for (const std::string& c : co) p->add_co_applicants(c);
    if (!continues.empty()) p->set_continues(continues);
    pv1::Proposal created;
    grpc::Status s = proposals_->CreateProposal(Context(Applicant(ref)).get(),
                                                draft, &created);
    EXPECT_TRUE(s.ok()) << title << ": " << s.error_message();
    gv1::SubmitProposalRequest request;
    request.set_name(created.name());
    request.set_request_id(testing::NewRequestId());
    gv1::SubmitProposalResponse response;
    s = gateway_->SubmitProposal(Context(Applicant(ref)).get(), request,
                                 &response);
    EXPECT_TRUE(s.ok()) << title << ": " << s.error_message();
    return response.proposal();
  };

  // Unknown and ineligible co-applicants, and an unknown continued project:
  // screened INELIGIBLE with a rule each (before the fix: the submission
  // failed halfway, leaving the proposal SUBMITTED and unscreened).
  const pv1::Proposal bad =
      submit("umikaze", "共同提案者に問題のある提案", 300000,
             {"partners/no-such-partner", Partner("fujitsu")},
             "projects/no-such-project");
  EXPECT_EQ(bad.state(), pv1::Proposal::INELIGIBLE);
  EXPECT_EQ(Rules(bad),
            (std::vector<std::string>{"CO_APPLICANT_NOT_FOUND",
                                      "CO_APPLICANT_KIND_NOT_ELIGIBLE",
                                      "CONTINUED_PROJECT_NOT_FOUND"}));
  ASSERT_EQ(bad.screening().facts().co_applicants_size(), 2);
  EXPECT_FALSE(bad.screening().facts().co_applicants(0).exists());
  EXPECT_EQ(bad.screening().facts().co_applicants(1).kind(),
            partner::v1::COMPANY);

  // A co-applicant counts as an applicant: ひまわり, co-applicant of 文化魂's
  // submitted proposal, cannot submit one of its own in the same call.
  const pv1::Proposal joint =
      submit("bunkadamashii", "合同の提案", 150000, {Partner("himawari")}, "");
  EXPECT_EQ(joint.state(), pv1::Proposal::ELIGIBLE)
      << joint.screening().DebugString();
  pv1::CreateProposalRequest own;
  own.set_parent(call_);
  own.mutable_proposal()->set_applicant(Partner("himawari"));
  own.mutable_proposal()->set_title("ひまわりの単独提案");
  own.mutable_proposal()->set_issue("課題");
  own.mutable_proposal()->set_requested_amount_yen(10000);
  pv1::Proposal own_draft;
  ASSERT_TRUE(proposals_
                  ->CreateProposal(Context(Applicant("himawari")).get(), own,
                                   &own_draft)
                  .ok());
  gv1::SubmitProposalRequest own_submit;
  own_submit.set_name(own_draft.name());
  gv1::SubmitProposalResponse ignored;
  status = gateway_->SubmitProposal(Context(Applicant("himawari")).get(),
                                    own_submit, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "TOO_MANY_PROPOSALS_IN_CALL");

  // `continues` followed through the chain: the FY2025 project's proposal
  // continues FY2024's, which continues FY2023's; continuing it makes this
  // the fourth year, past the programme's three.
  const pv1::Proposal fourth =
      submit("sozo", "商店街事業の引継ぎ", 300000, {}, history_.back());
  EXPECT_EQ(fourth.screening().facts().continuation_year(), 4);
  EXPECT_TRUE(fourth.screening().facts().continued_project_found());
  EXPECT_TRUE(fourth.screening().facts().continued_project_in_programme());
  EXPECT_EQ(Rules(fourth),
            (std::vector<std::string>{"CONTINUATION_YEARS_EXCEEDED"}));
  // A project of no proposal of the programme. Its applicant's own three
  // years under the programme do not count: it continues none of them.
  const pv1::Proposal elsewhere = submit("tama-shotengai", "別事業の継続",
                                         100000, {}, unrelated_project.name());
  EXPECT_EQ(Rules(elsewhere),
            (std::vector<std::string>{"CONTINUED_PROJECT_NOT_IN_PROGRAMME"}));
  EXPECT_EQ(elsewhere.screening().facts().continuation_year(), 1);

  // Facts a caller sends are compared with the records.
  pv1::ScreenProposalRequest screen;
  screen.set_name(elsewhere.name());
  screen.mutable_facts()->set_applicant_kind(partner::v1::CIVIC_GROUP);
  pv1::Proposal out;
  status = proposals_->ScreenProposal(Context(Staff()).get(), screen, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "facts.applicant_kind");
  screen.mutable_facts()->set_applicant_kind(partner::v1::BUSINESS_ASSOCIATION);
  screen.mutable_facts()->set_continuation_year(4);
  status = proposals_->ScreenProposal(Context(Staff()).get(), screen, &out);
  EXPECT_EQ(BadField(status), "facts.continuation_year");
  screen.mutable_facts()->set_continuation_year(1);
  status = proposals_->ScreenProposal(Context(Staff()).get(), screen, &out);
  EXPECT_TRUE(status.ok()) << status.error_message();

  // No project may claim a proposal the decision did not adopt, nor make up
  // a proposal of the programme to lengthen someone's history.
  prv1::CreateProjectRequest claim;
  prv1::Project* c = claim.mutable_project();
  *c = *u;
  c->set_title("採択されていない提案からの事業");
  c->set_source_proposal(joint.name());
  prv1::Project made;
  status = projects_->CreateProject(Context(Staff()).get(), claim, &made);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "SOURCE_PROPOSAL_NOT_ADOPTED");
  c->set_source_proposal(
      absl::StrCat(programme_, "/calls/fy2022/proposals/made-up"));
  status = projects_->CreateProject(Context(Staff()).get(), claim, &made);
  EXPECT_EQ(Reason(status), "SOURCE_PROPOSAL_NOT_FOUND");
}

}  // namespace
}  // namespace kyodo::integration
