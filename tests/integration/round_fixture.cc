#include "tests/integration/round_fixture.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/store/doc.h"
#include "kyodoctl/client.h"
#include "kyodoctl/seed.h"
#include "tests/testing/auth.h"
#include "tests/testing/status.h"

namespace kyodo::integration {

using testing::Context;
using testing::Service;

namespace {

struct Applicant {
  const char* ref;
  int64_t amount;
};
constexpr Applicant kApplicants[] = {
    {"umikaze", 362100}, {"himawari", 75000}, {"bunkadamashii", 150000},
    {"sozo", 800000},    {"fujitsu", 300000}, {"tama-shotengai", 200000}};

}  // namespace

RoundTest::RoundTest() : RoundTest(testing::ClusterOptions{}) {}

RoundTest::RoundTest(testing::ClusterOptions cluster_options) {
  cluster_ =
      std::make_unique<testing::Cluster>("round", std::move(cluster_options));
  auto channel = cluster_->Channel(Service::kGateway);
  gateway_ = gv1::Gateway::NewStub(channel);
  partners_ = partner::v1::PartnerService::NewStub(channel);
  projects_ = prv1::ProjectService::NewStub(channel);
  proposals_ = pv1::ProposalService::NewStub(channel);
  ctl::ClientOptions options;
  options.default_address = cluster_->Address(Service::kGateway);
  options.token = testing::AdminToken("seed");
  ctl::Client client(options);
  absl::Status seeded = ctl::LoadSeedFile(
      client,
      absl::StrCat(KYODO_SOURCE_DIR,
                   "/deploy/local/data/10_partners.textproto"),
      refs_, nullptr);
  EXPECT_TRUE(seeded.ok()) << seeded;
}

std::string RoundTest::Staff() {
  return testing::WardStaffToken(type::v1::KAWASAKI, "kawasaki-staff");
}

std::string RoundTest::Applicant(const std::string& ref) const {
  return testing::ApplicantToken(Partner(ref), ref);
}

std::string RoundTest::Reviewer(int i) {
  return testing::ReviewerToken(absl::StrCat("member-", i),
                                absl::StrCat("member-", i));
}

void RoundTest::CreateProgrammeAndHistory() {
  pv1::CreateProgrammeRequest request;
  pv1::Programme* p = request.mutable_programme();
  p->set_display_name("川崎区市民提案型事業");
  p->set_ward(type::v1::KAWASAKI);
  p->set_kind(pv1::Programme::WARD_CITIZEN_PROPOSAL);
  p->set_consigning_unit(Partner("kawasaki-kikaku"));
  p->add_eligible_partner_kinds(partner::v1::CIVIC_GROUP);
  p->add_eligible_partner_kinds(partner::v1::BUSINESS_ASSOCIATION);
  auto* first = p->add_amount_caps();
  first->set_continuation_year(1);
  first->set_max_amount_yen(700000);
  auto* later = p->add_amount_caps();
  later->set_continuation_year(2);
  later->set_max_amount_yen(500000);
  p->set_max_continuation_years(3);
  p->set_one_proposal_per_applicant(true);
  pv1::Programme created;
  grpc::Status status =
      proposals_->CreateProgramme(Context(Staff()).get(), request, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  programme_ = created.name();

  // 多摩区商店街連合会 was funded under this programme in 2023, 2024, 2025:
  // three past rounds, each decided and finalised into its consignment
  // project (project-service takes no made-up source proposal, issue 13).
  // Each year's proposal continues the project of the year before.
  std::string previous;
  for (int year : {2023, 2024, 2025}) {
    ASSERT_NO_FATAL_FAILURE(
        PastRound(year, "tama-shotengai", 200000, previous, &previous));
    history_.push_back(previous);
  }
}

void RoundTest::PastRound(int year, const std::string& ref, int64_t amount,
                          const std::string& continues, std::string* project) {
  const std::string label = absl::StrCat("FY", year, " round: ");
  pv1::CreateCallRequest create;
  create.set_parent(programme_);
  pv1::Call* c = create.mutable_call();
  c->set_display_name(absl::StrCat(year, "年度 川崎区市民提案型事業 公募"));
  c->set_fiscal_year(year);
  const absl::Time now = cluster_->Now();
  *c->mutable_submission_start_time() =
      common::store::ToTimestamp(now - absl::Hours(3));
  *c->mutable_submission_end_time() =
      common::store::ToTimestamp(now - absl::Hours(2));
  c->set_budget_yen(700000);
  auto* criterion = c->add_criteria();
  criterion->set_display_name("地域課題との関連性");
  criterion->set_weight(1);
  criterion->set_max_score(5);
  c->set_pass_mark(50);
  c->set_min_reviews(1);
  pv1::Call call;
  grpc::Status status =
      proposals_->CreateCall(Context(Staff()).get(), create, &call);
  ASSERT_TRUE(status.ok()) << label << status.error_message();
  const std::string member = absl::StrCat("history-", year);
  pv1::CreateReviewerRequest add;
  add.set_parent(call.name());
  add.mutable_reviewer()->set_display_name(absl::StrCat("審査委員 ", year));
  add.mutable_reviewer()->set_principal(member);
  pv1::Reviewer reviewer;
  status = proposals_->CreateReviewer(Context(Staff()).get(), add, &reviewer);
  ASSERT_TRUE(status.ok()) << label << status.error_message();
  pv1::OpenCallRequest open;
  open.set_name(call.name());
  status = proposals_->OpenCall(Context(Staff()).get(), open, &call);
  ASSERT_TRUE(status.ok()) << label << status.error_message();

  // Received on paper inside the (past) window, registered by staff.
  pv1::CreateProposalRequest draft;
  draft.set_parent(call.name());
  pv1::Proposal* p = draft.mutable_proposal();
  p->set_applicant(Partner(ref));
  p->set_title(absl::StrCat("商店街のにぎわいづくり ", year));
  p->set_issue("商店街の空き店舗の増加");
  p->set_requested_amount_yen(amount);
  if (!continues.empty()) p->set_continues(continues);
  pv1::Proposal proposal;
  status = proposals_->CreateProposal(Context(Staff()).get(), draft, &proposal);
  ASSERT_TRUE(status.ok()) << label << status.error_message();
  pv1::SubmitProposalRequest submit;
  submit.set_name(proposal.name());
  *submit.mutable_received_time() =
      common::store::ToTimestamp(now - absl::Minutes(150));
  status =
      proposals_->SubmitProposal(Context(Staff()).get(), submit, &proposal);
  ASSERT_TRUE(status.ok()) << label << status.error_message();
  pv1::ScreenProposalRequest screen;
  screen.set_name(proposal.name());
  status =
      proposals_->ScreenProposal(Context(Staff()).get(), screen, &proposal);
  ASSERT_TRUE(status.ok()) << label << status.error_message();
  ASSERT_EQ(proposal.state(), pv1::Proposal::ELIGIBLE)
      << label << proposal.screening().DebugString();

  pv1::CloseCallRequest close;
  close.set_name(call.name());
  status = proposals_->CloseCall(Context(Staff()).get(), close, &call);
  ASSERT_TRUE(status.ok()) << label << status.error_message();
  pv1::StartReviewRequest start;
  start.set_name(call.name());
  status = proposals_->StartReview(Context(Staff()).get(), start, &call);
  ASSERT_TRUE(status.ok()) << label << status.error_message();
  pv1::SubmitReviewRequest review;
  review.set_parent(proposal.name());
  review.mutable_review()->add_scores(5);
  pv1::Review written;
  status = proposals_->SubmitReview(
      Context(testing::ReviewerToken(member, member)).get(), review, &written);
  ASSERT_TRUE(status.ok()) << label << status.error_message();

  gv1::FinalizeCallResponse finalized;
  status = FinalizeAsStaff(call.name(), &finalized);
  ASSERT_TRUE(status.ok()) << label << status.error_message();
  // The consignment project is made when the results are published.
  gv1::PublishResultsResponse published;
  status = PublishAsStaff(call.name(), &published);
  ASSERT_TRUE(status.ok()) << label << status.error_message();
  ASSERT_EQ(published.projects_size(), 1) << label;
  if (project != nullptr) *project = published.projects(0).project();
}

grpc::Status RoundTest::FinalizeAsStaff(const std::string& call,
                                        gv1::FinalizeCallResponse* out) {
  gv1::FinalizeCallRequest finalize;
  finalize.set_name(call);
  return gateway_->FinalizeCall(Context(Staff()).get(), finalize, out);
}

grpc::Status RoundTest::PublishAsStaff(const std::string& call,
                                       gv1::PublishResultsResponse* out) {
  gv1::PublishResultsRequest publish;
  publish.set_name(call);
  return gateway_->PublishResults(Context(Staff()).get(), publish, out);
}

void RoundTest::CreateOpenCall(const std::function<void(pv1::Call*)>& shape) {
  pv1::CreateCallRequest request;
  request.set_parent(programme_);
  pv1::Call* c = request.mutable_call();
  c->set_display_name("令和8年度 川崎区市民提案型事業 公募");
  c->set_fiscal_year(2026);
  // By the services' clock, which CloseAndStartReview moves past the end
  // instead of waiting for it (tests/testing/cluster.h).
  const absl::Time now = cluster_->Now();
  *c->mutable_submission_start_time() =
      common::store::ToTimestamp(now - absl::Minutes(1));
  window_end_ = now + absl::Minutes(10);
  *c->mutable_submission_end_time() = common::store::ToTimestamp(window_end_);
  c->set_budget_yen(500000);
  c->set_max_adoptions(3);
  for (const auto& [label, weight] : std::vector<std::pair<const char*, int>>{
           {"地域課題との関連性", 2}, {"実現可能性", 1}}) {
    auto* criterion = c->add_criteria();
    criterion->set_display_name(label);
    criterion->set_weight(weight);
    criterion->set_max_score(5);
  }
  c->set_pass_mark(50);
  c->set_min_reviews(2);
  if (shape) shape(c);
  pv1::Call created;
  grpc::Status status =
      proposals_->CreateCall(Context(Staff()).get(), request, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  call_ = created.name();
  // The committee: member-1 belongs to ひまわり, so never scores its proposal.
  for (int i = 1; i <= 3; ++i) {
    pv1::CreateReviewerRequest add;
    add.set_parent(call_);
    add.mutable_reviewer()->set_display_name(absl::StrCat("審査委員", i));
    add.mutable_reviewer()->set_principal(absl::StrCat("member-", i));
    if (i == 1) add.mutable_reviewer()->add_affiliations(Partner("himawari"));
    pv1::Reviewer reviewer;
    status = proposals_->CreateReviewer(Context(Staff()).get(), add, &reviewer);
    ASSERT_TRUE(status.ok()) << status.error_message();
    reviewer_of_[i] = reviewer.name();
  }
  pv1::OpenCallRequest open;
  open.set_name(call_);
  status = proposals_->OpenCall(Context(Staff()).get(), open, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

void RoundTest::SubmitAll() {
  for (const auto& a : kApplicants) {
    pv1::CreateProposalRequest draft;
    draft.set_parent(call_);
    pv1::Proposal* p = draft.mutable_proposal();
    p->set_applicant(Partner(a.ref));
    p->set_title(absl::StrCat(a.ref, " の提案"));
    p->set_issue("地域の課題");
    p->set_plan("計画");
    p->set_requested_amount_yen(a.amount);
    // 多摩区商店街連合会 continues its FY2025 project: its fourth year.
    if (std::string(a.ref) == "tama-shotengai") {
      p->set_continues(history_.back());
    }
    pv1::Proposal created;
    grpc::Status status = proposals_->CreateProposal(
        Context(Applicant(a.ref)).get(), draft, &created);
    ASSERT_TRUE(status.ok()) << a.ref << ": " << status.error_message();
    proposal_of_[a.ref] = created.name();
    gv1::SubmitProposalRequest submit;
    submit.set_name(created.name());
    submit.set_request_id(testing::NewRequestId());
    gv1::SubmitProposalResponse submitted;
    status = gateway_->SubmitProposal(Context(Applicant(a.ref)).get(), submit,
                                      &submitted);
    ASSERT_TRUE(status.ok()) << a.ref << ": " << status.error_message();
  }
}

void RoundTest::CloseAndStartReview() {
  pv1::CloseCallRequest close;
  close.set_name(call_);
  pv1::Call call;
  // Not before the window ends (docs/DOMAIN.md)...
  grpc::Status status =
      proposals_->CloseCall(Context(Staff()).get(), close, &call);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << status.error_message();
  ASSERT_EQ(testing::Reason(status), "SUBMISSION_WINDOW_NOT_ENDED");
  // ...which it has as soon as the services' clock is past it.
  ASSERT_NO_FATAL_FAILURE(
      cluster_->AdvanceClock(window_end_ - cluster_->Now() + absl::Seconds(1)));
  status = proposals_->CloseCall(Context(Staff()).get(), close, &call);
  ASSERT_TRUE(status.ok()) << status.error_message();
  pv1::StartReviewRequest start;
  start.set_name(call_);
  status = proposals_->StartReview(Context(Staff()).get(), start, &call);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

void RoundTest::ReviewAll() {
  // (criterion 1, criterion 2) per member; ひまわり gets members 2 and 3 only.
  const std::map<std::string, std::map<int, std::pair<int, int>>> scores = {
      {"umikaze", {{1, {5, 5}}, {2, {5, 4}}, {3, {4, 5}}}},
      {"himawari", {{2, {4, 4}}, {3, {4, 5}}}},
      {"bunkadamashii", {{1, {3, 3}}, {2, {3, 4}}, {3, {4, 3}}}},
  };
  for (const auto& [ref, by_member] : scores) {
    for (const auto& [member, pair] : by_member) {
      pv1::SubmitReviewRequest request;
      request.set_parent(proposal_of_.at(ref));
      request.mutable_review()->add_scores(pair.first);
      request.mutable_review()->add_scores(pair.second);
      pv1::Review review;
      grpc::Status status = proposals_->SubmitReview(
          Context(Reviewer(member)).get(), request, &review);
      ASSERT_TRUE(status.ok())
          << ref << "/" << member << ": " << status.error_message();
    }
  }
}

void RoundTest::PrepareDecidableCall() {
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
  ASSERT_NO_FATAL_FAILURE(SubmitAll());
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview());
  ASSERT_NO_FATAL_FAILURE(ReviewAll());
}

int RoundTest::ProjectsOf(const std::string& proposal) const {
  return std::stoi(
      cluster_->Database(Service::kProject)
          .QueryValue(
              "SELECT COUNT(*) FROM projects WHERE source_proposal = '" +
              proposal + "'"));
}

}  // namespace kyodo::integration
