// kyodoctl's steps of a selection round (kyodoctl/selection.cc) against the
// whole suite, each checked against what the services then hold: staff
// correcting the project a proposal continues at screening, a member's
// assignment, the what-ifs of preview (as PreviewDecision answers them) and
// a committee's ruling at finalize.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/integration/round_fixture.h"
#include "tests/testing/auth.h"
#include "tests/testing/process.h"

namespace kyodo::integration {
namespace {

using testing::Context;
using testing::Service;

class KyodoctlRoundTest : public RoundTest {
 protected:
  // Runs kyodoctl with `args` as `token` through the gateway, to its end;
  // its standard error goes to the cluster's log folder.
  testing::ProgramRun Kyodoctl(const std::string& token,
                               const std::vector<std::string>& args) {
    std::vector<std::string> all = {
        "--addr=" + cluster_->Address(Service::kGateway), "--token=" + token,
        "--timeout=120s"};
    all.insert(all.end(), args.begin(), args.end());
    return testing::RunToEnd(testing::ChildProcess::Binary("kyodoctl"), all,
                             cluster_->log_dir() + "/kyodoctl.log");
  }

  pv1::Proposal Get(const std::string& name) {
    pv1::GetProposalRequest request;
    request.set_name(name);
    pv1::Proposal out;
    grpc::Status status =
        proposals_->GetProposal(Context(Staff()).get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::string Log() const {
    return testing::FileTail(cluster_->log_dir() + "/kyodoctl.log", 20);
  }
};

// 多摩区商店街連合会 declared that it continues its FY2025 project (its
// fourth year: ineligible). Staff find the proposal is a new project and
// say so at screening: year 1, eligible, the declaration kept.
TEST_F(KyodoctlRoundTest, StaffCorrectTheProjectAProposalContinues) {
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
  ASSERT_NO_FATAL_FAILURE(SubmitAll());
  // A refusal is explained in the protos' words (label.proto):
  // FAILED_PRECONDITION (exit 10 + 9) before the window ends.
  EXPECT_EQ(Kyodoctl(Staff(), {"calls", "close", call_}).exit_code, 19)
      << Log();
  EXPECT_TRUE(
      absl::StrContains(Log(),
                        "[SUBMISSION_WINDOW_NOT_ENDED]\n  "
                        "受付期間がまだ終わっていないため締め切れません。"))
      << Log();
  const std::string& proposal = proposal_of_.at("tama-shotengai");
  const pv1::Proposal declared = Get(proposal);
  ASSERT_EQ(declared.state(), pv1::Proposal::INELIGIBLE);
  ASSERT_EQ(declared.screening().facts().continuation_year(), 4);

  // Screening is staff's: the applicant is refused (PERMISSION_DENIED,
  // exit 10 + 7) and nothing changes.
  EXPECT_EQ(Kyodoctl(Applicant("tama-shotengai"),
                     {"proposals", "screen", proposal, "--continues=none"})
                .exit_code,
            17)
      << Log();
  EXPECT_EQ(Get(proposal).state(), pv1::Proposal::INELIGIBLE);

  const testing::ProgramRun screened =
      Kyodoctl(Staff(), {"proposals", "screen", proposal, "--continues=none"});
  ASSERT_EQ(screened.exit_code, 0) << Log();
  EXPECT_TRUE(absl::StrContains(
      screened.out, "継続年数: 1年目 申請時の申告: " + history_.back()))
      << screened.out;
  EXPECT_TRUE(absl::StrContains(screened.out, "要件確認済み")) << screened.out;
  const pv1::Proposal corrected = Get(proposal);
  EXPECT_EQ(corrected.state(), pv1::Proposal::ELIGIBLE);
  EXPECT_EQ(corrected.continues(), "");
  EXPECT_EQ(corrected.screening().facts().continuation_year(), 1);
  EXPECT_EQ(corrected.screening().declared_continues(), history_.back());

  // Screened again without --continues: the corrected project stands.
  ASSERT_EQ(Kyodoctl(Staff(), {"proposals", "screen", proposal}).exit_code, 0)
      << Log();
  EXPECT_EQ(Get(proposal).screening().facts().continuation_year(), 1);
}

// A member assigned a subset of the proposals, the what-ifs of preview, and
// the committee's ruling at finalize.
TEST_F(KyodoctlRoundTest, AssignPreviewAndFinalizeWithARuling) {
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
  ASSERT_NO_FATAL_FAILURE(SubmitAll());
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview());
  // Member 1 scores 海風 and 文化魂 only (it is conflicted on ひまわり).
  const testing::ProgramRun assigned = Kyodoctl(
      Staff(), {"reviewers", "assign", reviewer_of_.at(1),
                proposal_of_.at("umikaze"), proposal_of_.at("bunkadamashii")});
  ASSERT_EQ(assigned.exit_code, 0) << Log();
  EXPECT_TRUE(absl::StrContains(assigned.out, "2件を担当")) << assigned.out;
  ASSERT_NO_FATAL_FAILURE(ReviewAll());
  pv1::ListReviewProgressRequest progress;
  progress.set_parent(call_);
  pv1::ListReviewProgressResponse cells;
  grpc::Status status =
      proposals_->ListReviewProgress(Context(Staff()).get(), progress, &cells);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int not_assigned = 0;
  for (const auto& row : cells.proposals()) {
    for (const auto& cell : row.cells()) {
      if (cell.reviewer() != reviewer_of_.at(1)) continue;
      const bool himawari = row.proposal() == proposal_of_.at("himawari");
      EXPECT_EQ(cell.state() == pv1::ReviewCell::NOT_ASSIGNED, himawari)
          << row.proposal();
      not_assigned += cell.state() == pv1::ReviewCell::NOT_ASSIGNED;
    }
  }
  EXPECT_EQ(not_assigned, 1);

  // Each what-if of preview answers as PreviewDecision does.
  const std::vector<
      std::pair<std::vector<std::string>, pv1::PreviewDecisionRequest>>
      what_ifs = [&] {
        std::vector<
            std::pair<std::vector<std::string>, pv1::PreviewDecisionRequest>>
            out;
        pv1::PreviewDecisionRequest r;
        r.set_name(call_);
        r.set_pass_mark(95);
        out.push_back({{"--pass_mark=95"}, r});
        r.clear_pass_mark();
        r.set_adoption_rule(pv1::Call::GREEDY_STOP);
        r.mutable_tie_break_order()->add_tie_break()->set_key(
            pv1::TieBreak::NAME);
        out.push_back({{"--adoption_rule=GREEDY_STOP", "--tie_break=NAME"}, r});
        r.Clear();
        r.set_name(call_);
        r.set_budget_yen(1000000);
        r.set_max_adoptions(1);
        out.push_back({{"--budget=1000000", "--max_adoptions=1"}, r});
        return out;
      }();
  for (const auto& [flags, request] : what_ifs) {
    std::vector<std::string> args = {"--json", "preview", call_};
    args.insert(args.end(), flags.begin(), flags.end());
    const testing::ProgramRun run = Kyodoctl(Staff(), args);
    ASSERT_EQ(run.exit_code, 0) << Log();
    pv1::Decision printed;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(run.out, &printed).ok())
        << run.out;
    pv1::Decision expected;
    status =
        proposals_->PreviewDecision(Context(Staff()).get(), request, &expected);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(printed, expected))
        << flags[0] << "\nkyodoctl: " << printed.DebugString()
        << "\nPreviewDecision: " << expected.DebugString();
  }
  {
    // The what-if took: at pass mark 95 nobody passes (海風 has 93.3).
    pv1::Decision none;
    pv1::PreviewDecisionRequest r;
    r.set_name(call_);
    r.set_pass_mark(95);
    ASSERT_TRUE(
        proposals_->PreviewDecision(Context(Staff()).get(), r, &none).ok());
    EXPECT_EQ(none.adopted_count(), 0);
  }

  // The committee does not adopt the first in rank, with its reason.
  const std::string rulings = cluster_->log_dir() + "/rulings.json";
  std::ofstream(rulings)
      << R"({"rulings": [{"proposal": ")" << proposal_of_.at("umikaze")
      << R"(", "action": "NOT_ADOPT", "reason": "事業の実施体制が未確定のため"}]})";
  const testing::ProgramRun finalized =
      Kyodoctl(Staff(), {"--json", "finalize", call_, "--rulings=" + rulings,
                         "--request_id=" + testing::NewRequestId()});
  ASSERT_EQ(finalized.exit_code, 0) << Log();
  const pv1::Proposal umikaze = Get(proposal_of_.at("umikaze"));
  EXPECT_EQ(umikaze.state(), pv1::Proposal::NOT_ADOPTED);
  EXPECT_EQ(umikaze.result().reason(),
            pv1::ProposalResult::COMMITTEE_NOT_ADOPTED);
  EXPECT_EQ(umikaze.result().recommended_reason(),
            pv1::ProposalResult::ADOPTED);
  EXPECT_EQ(umikaze.result().ruling().reason(), "事業の実施体制が未確定のため");
  EXPECT_TRUE(absl::StrContains(finalized.out, "事業の実施体制が未確定のため"))
      << finalized.out;
  // The budget it leaves goes to the next in rank.
  EXPECT_EQ(Get(proposal_of_.at("bunkadamashii")).state(),
            pv1::Proposal::ADOPTED);
}

// A 書類審査 before the last stage: staff put members 2 and 3 on both
// stages with `reviewers stages`, then close the first with `calls advance`
// (a dry run first); 文化魂 scores below the stage's pass mark and goes no
// further.
TEST_F(KyodoctlRoundTest, StagesAndAdvanceThroughKyodoctl) {
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall([](pv1::Call* c) {
    pv1::ReviewStage* first = c->add_stages();
    first->set_display_name("書類審査");
    pv1::Criterion* k = first->add_criteria();
    k->set_display_name("提案書の完成度");
    k->set_weight(1);
    k->set_max_score(10);
    first->set_pass_mark(60);
    first->set_min_reviews(2);
    first->set_weight(1);
    c->set_last_stage_display_name("プレゼンテーション審査");
    c->set_last_stage_weight(1);
  }));
  for (int member : {2, 3}) {
    const testing::ProgramRun staged = Kyodoctl(
        Staff(), {"reviewers", "stages", reviewer_of_.at(member), "1", "2"});
    ASSERT_EQ(staged.exit_code, 0) << Log();
    EXPECT_TRUE(absl::StrContains(staged.out, "第1・2段階")) << staged.out;
  }
  EXPECT_EQ(Kyodoctl(Staff(), {"reviewers", "stages", reviewer_of_.at(2), "x"})
                .exit_code,
            2);
  ASSERT_NO_FATAL_FAILURE(SubmitAll());
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview());
  const std::map<std::string, int> scores = {
      {"umikaze", 9}, {"himawari", 8}, {"bunkadamashii", 4}};
  for (const auto& [ref, score] : scores) {
    for (int member : {2, 3}) {
      pv1::SubmitReviewRequest request;
      request.set_parent(proposal_of_.at(ref));
      request.mutable_review()->add_scores(score);
      pv1::Review review;
      grpc::Status status = proposals_->SubmitReview(
          Context(Reviewer(member)).get(), request, &review);
      ASSERT_TRUE(status.ok()) << ref << ": " << status.error_message();
      EXPECT_EQ(review.stage(), 1);
    }
  }
  auto stage = [&] {
    pv1::GetCallRequest get;
    get.set_name(call_);
    pv1::Call call;
    EXPECT_TRUE(proposals_->GetCall(Context(Staff()).get(), get, &call).ok());
    return call.current_stage();
  };

  const testing::ProgramRun dry =
      Kyodoctl(Staff(), {"calls", "advance", call_, "--validate_only"});
  ASSERT_EQ(dry.exit_code, 0) << Log();
  EXPECT_TRUE(absl::StrContains(dry.out, "第1段階の試算(未確定)")) << dry.out;
  EXPECT_EQ(stage(), 1);
  const testing::ProgramRun closed =
      Kyodoctl(Staff(), {"--json", "calls", "advance", call_,
                         "--request_id=" + testing::NewRequestId()});
  ASSERT_EQ(closed.exit_code, 0) << Log();
  pv1::AdvanceStageResponse advanced;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(closed.out, &advanced).ok())
      << closed.out;
  EXPECT_EQ(advanced.call().current_stage(), 2);
  EXPECT_EQ(stage(), 2);
  std::map<std::string, bool> passed;
  for (const auto& r : advanced.results()) {
    passed[r.proposal()] = r.score().passed();
  }
  EXPECT_EQ(passed, (std::map<std::string, bool>{
                        {proposal_of_.at("umikaze"), true},
                        {proposal_of_.at("himawari"), true},
                        {proposal_of_.at("bunkadamashii"), false}}));
  // The closed stage stays closed.
  EXPECT_EQ(Kyodoctl(Staff(), {"calls", "advance", call_}).exit_code, 19)
      << Log();
}

}  // namespace
}  // namespace kyodo::integration
