// PreviewDecision over gRPC against MariaDB, compared with the pure engine
// (proposal-service/domain/selection.h) on 200 random calls stored
// through the service (criteria, budget, limit, pass mark, tie-break list,
// adoption rule, proposals, committee, scores), each previewed twice with a
// random what-if budget and limit and random
// committee rulings (reduced amounts, adoptions and rejections against the
// ranking), and at random a what-if adoption rule, pass mark and tie-break
// list. About half the calls have a 書類審査 stage before their own criteria
// (with or without a weight in the final score), closed by AdvanceStage
// before the last stage's reviews. The expected results come from the
// test's own record of what it stored, run through domain::Select, which
// also checks that the stage's pass decisions the service made agree with
// its pass mark; scores (stage scores too) are compared as exact fractions
// (numerator and denominator), every result field by field.
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/store/doc.h"
#include "proposal-service/domain/selection.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Decision;
using kyodo::proposal::v1::Programme;
using kyodo::proposal::v1::Proposal;
using kyodo::proposal::v1::ProposalResult;
using kyodo::proposal::v1::Reviewer;
using kyodo::testing::Context;
using kyodo::testing::Reason;

namespace kyodo::proposal {
namespace {

using v1::CommitteeRuling;

constexpr int kCalls = 200;
constexpr int kPreviewsPerCall = 2;

const char* ReasonOf(ProposalResult::Reason reason) {
  switch (reason) {
    case ProposalResult::ADOPTED:
      return "ADOPTED";
    case ProposalResult::BELOW_PASS_MARK:
      return "BELOW_PASS_MARK";
    case ProposalResult::BUDGET_EXHAUSTED:
      return "BUDGET_EXHAUSTED";
    case ProposalResult::ADOPTION_LIMIT_REACHED:
      return "ADOPTION_LIMIT_REACHED";
    case ProposalResult::INELIGIBLE:
      return "INELIGIBLE";
    case ProposalResult::WITHDRAWN:
      return "WITHDRAWN";
    case ProposalResult::COMMITTEE_NOT_ADOPTED:
      return "COMMITTEE_NOT_ADOPTED";
    case ProposalResult::STAGE_NOT_PASSED:
      return "STAGE_NOT_PASSED";
    default:
      return "?";
  }
}

class DifferentialTest : public ProposalServiceTest {
 protected:
  // One random call as stored, in the engine's terms.
  struct Stored {
    Call call;
    domain::SelectionInput input;
  };

  int Uniform(int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random_);
  }

  Call RandomCall(int index) {
    Call c = StandardCall();
    c.set_display_name(absl::StrCat("令和8年度 公募 ", index));
    c.clear_criteria();
    const int criteria = Uniform(1, 3);
    for (int k = 0; k < criteria; ++k) {
      auto* criterion = c.add_criteria();
      criterion->set_display_name(absl::StrCat("観点", k));
      criterion->set_weight(Uniform(1, 5));
      criterion->set_max_score(Uniform(3, 10));
    }
    c.set_budget_yen(Uniform(2, 20) * 100000);
    c.set_max_adoptions(Uniform(0, 4));
    c.set_pass_mark(Uniform(0, 60));
    c.set_min_reviews(1);
    c.set_adoption_rule(Uniform(0, 1) ? Call::GREEDY_STOP : Call::GREEDY_SKIP);
    const int keys = Uniform(0, 3);
    for (int t = 0; t < keys; ++t) {
      auto* tie = c.add_tie_break();
      tie->set_key(static_cast<v1::TieBreak::Key>(Uniform(1, 4)));
      if (tie->key() == v1::TieBreak::HIGHER_CRITERION_SCORE) {
        tie->set_criterion(Uniform(0, criteria - 1));
      }
    }
    if (Uniform(0, 1) == 1) {
      v1::ReviewStage* stage = c.add_stages();
      stage->set_display_name("書類審査");
      const int first = Uniform(1, 2);
      for (int k = 0; k < first; ++k) {
        auto* criterion = stage->add_criteria();
        criterion->set_display_name(absl::StrCat("書類", k));
        criterion->set_weight(Uniform(1, 3));
        criterion->set_max_score(Uniform(3, 10));
      }
      stage->set_pass_mark(Uniform(0, 50));
      stage->set_min_reviews(1);
      stage->set_weight(Uniform(0, 3));
      if (stage->weight() > 0) c.set_last_stage_weight(Uniform(1, 3));
    }
    return c;
  }

  static domain::SelectionInput Settings(const Call& c) {
    domain::SelectionInput in;
    for (const auto& k : c.criteria()) {
      in.criteria.push_back({k.weight(), k.max_score()});
    }
    in.budget = c.budget_yen();
    in.max_adoptions = c.max_adoptions();
    in.pass_mark = c.pass_mark();
    in.min_reviews = c.min_reviews();
    in.rule = c.adoption_rule() == Call::GREEDY_STOP
                  ? domain::AdoptionRule::kGreedyStop
                  : domain::AdoptionRule::kGreedySkip;
    for (const auto& t : c.tie_break()) {
      switch (t.key()) {
        case v1::TieBreak::LOWER_REQUESTED_AMOUNT:
          in.tie_break.push_back(
              {domain::TieBreakKey::kLowerRequestedAmount, 0});
          break;
        case v1::TieBreak::EARLIER_SUBMISSION:
          in.tie_break.push_back({domain::TieBreakKey::kEarlierSubmission, 0});
          break;
        case v1::TieBreak::HIGHER_CRITERION_SCORE:
          in.tie_break.push_back(
              {domain::TieBreakKey::kHigherCriterionScore, t.criterion()});
          break;
        default:
          in.tie_break.push_back({domain::TieBreakKey::kName, 0});
          break;
      }
    }
    for (const auto& stage : c.stages()) {
      domain::Stage& out = in.stages.emplace_back();
      for (const auto& k : stage.criteria()) {
        out.criteria.push_back({k.weight(), k.max_score()});
      }
      out.pass_mark = stage.pass_mark();
      out.min_reviews = stage.min_reviews();
      out.weight = stage.weight();
    }
    if (c.has_last_stage_weight()) in.last_stage_weight = c.last_stage_weight();
    return in;
  }

  // Random scores on `criteria`, low and high alike.
  std::vector<int64_t> RandomScores(
      const google::protobuf::RepeatedPtrField<v1::Criterion>& criteria) {
    std::vector<int64_t> scores;
    for (const auto& k : criteria) {
      scores.push_back(Uniform(0, static_cast<int>(k.max_score())));
    }
    return scores;
  }

  // Makes every call (all OPEN at once, in one window), their proposals
  // (submitted at random moments of the window, so that submission order
  // matters), their committees and scores, and leaves them UNDER_REVIEW.
  std::vector<Stored> MakeCalls() {
    const Programme programme = CreateProgramme();
    std::vector<Stored> stored;
    clock().Set(kOpens + absl::Hours(1));
    for (int i = 0; i < kCalls; ++i) {
      Stored s;
      s.call = CreateCall(programme.name(), RandomCall(i));
      EXPECT_TRUE(Open(s.call.name()).ok());
      s.input = Settings(s.call);
      const int proposals = Uniform(2, 7);
      for (int p = 0; p < proposals; ++p) {
        clock().Set(clock().Now() + absl::Seconds(Uniform(0, 2)));
        // Amounts on a coarse grid, so that equal amounts (and equal
        // scores) happen and the tie-breaks are exercised.
        const int64_t amount = Uniform(1, 14) * 50000;
        Proposal made = EligibleProposal(
            s.call.name(), absl::StrCat("partners/c", i, "p", p),
            absl::StrCat("提案", i, "-", p), amount);
        domain::Candidate candidate;
        candidate.name = made.name();
        candidate.requested_amount = amount;
        candidate.submit_time =
            common::store::FromTimestamp(made.submit_time());
        s.input.candidates.push_back(std::move(candidate));
      }
      const int members = Uniform(1, 3);
      for (int m = 0; m < members; ++m) {
        v1::CreateReviewerRequest request;
        request.set_parent(s.call.name());
        Reviewer* r = request.mutable_reviewer();
        r->set_display_name(absl::StrCat("委員 ", m));
        r->set_principal(absl::StrCat("c", i, "-iin-", m));
        // With a stage, everyone sits on both.
        for (int k = 1; k <= s.call.stages_size() + 1; ++k) {
          if (s.call.stages_size() > 0) r->add_stages(k);
        }
        Reviewer made;
        const grpc::Status status =
            stub_->CreateReviewer(Context(Staff()).get(), request, &made);
        EXPECT_TRUE(status.ok()) << status.error_message();
      }
      stored.push_back(std::move(s));
    }
    clock().Set(kCloses + absl::Hours(1));
    for (Stored& s : stored) {
      EXPECT_TRUE(Close(s.call.name()).ok());
      EXPECT_TRUE(StartReview(s.call.name()).ok());
      v1::ListReviewersRequest list;
      list.set_parent(s.call.name());
      v1::ListReviewersResponse reviewers;
      EXPECT_TRUE(
          stub_->ListReviewers(Context(Staff()).get(), list, &reviewers).ok());
      // The 書類審査: scored, then closed; the service says what passed.
      std::set<std::string> stopped;
      if (s.call.stages_size() > 0) {
        for (domain::Candidate& candidate : s.input.candidates) {
          std::vector<domain::Review>& first =
              candidate.stage_reviews.emplace_back();
          for (const Reviewer& member : reviewers.reviewers()) {
            const std::vector<int64_t> scores =
                RandomScores(s.call.stages(0).criteria());
            const grpc::Status status =
                SubmitReview(candidate.name, member.principal(), scores);
            EXPECT_TRUE(status.ok()) << status.error_message();
            first.push_back({member.name(), scores, false});
          }
        }
        v1::AdvanceStageRequest advance;
        advance.set_name(s.call.name());
        v1::AdvanceStageResponse closed;
        const grpc::Status status =
            stub_->AdvanceStage(Context(Staff()).get(), advance, &closed);
        EXPECT_TRUE(status.ok()) << status.error_message();
        for (const auto& result : closed.results()) {
          if (!result.score().passed()) stopped.insert(result.proposal());
        }
      }
      for (domain::Candidate& candidate : s.input.candidates) {
        if (stopped.contains(candidate.name)) continue;
        for (const Reviewer& member : reviewers.reviewers()) {
          // Low and high scores alike, so some fall below the pass mark.
          const std::vector<int64_t> scores = RandomScores(s.call.criteria());
          const grpc::Status status =
              SubmitReview(candidate.name, member.principal(), scores);
          EXPECT_TRUE(status.ok()) << status.error_message();
          candidate.reviews.push_back({member.name(), scores, false});
        }
      }
    }
    return stored;
  }

  // Random rulings on some of the call's proposals, in both forms.
  void RandomRulings(domain::SelectionInput& in,
                     v1::PreviewDecisionRequest& request) {
    for (domain::Candidate& c : in.candidates) {
      c.ruling = domain::Ruling::kNone;
      c.granted_amount.reset();
      // The committee rules on what the last stage ranks.
      if (domain::StoppedEarly(in, c)) continue;
      const int pick = Uniform(0, 9);
      if (pick > 3) continue;  // most proposals get none
      CommitteeRuling* r = request.add_rulings();
      r->set_proposal(c.name);
      r->set_reason(absl::StrCat("審査会の判断 ", pick));
      if (pick <= 1 && c.requested_amount > 1) {
        const int64_t amount = std::uniform_int_distribution<int64_t>(
            1, c.requested_amount - 1)(random_);
        r->set_action(CommitteeRuling::REDUCE);
        r->set_adopted_amount_yen(amount);
        c.ruling = domain::Ruling::kReduce;
        c.granted_amount = amount;
      } else if (pick == 2) {
        r->set_action(CommitteeRuling::ADOPT);
        c.ruling = domain::Ruling::kAdopt;
        if (Uniform(0, 1) == 1) {
          const int64_t amount = std::uniform_int_distribution<int64_t>(
              1, c.requested_amount)(random_);
          r->set_adopted_amount_yen(amount);
          c.granted_amount = amount;
        }
      } else {
        r->set_action(CommitteeRuling::NOT_ADOPT);
        c.ruling = domain::Ruling::kNotAdopt;
      }
    }
  }

  std::mt19937_64 random_{20261205};
};

TEST_F(DifferentialTest, PreviewMatchesTheEngineOn200RandomCalls) {
  const std::vector<Stored> calls = MakeCalls();
  ASSERT_EQ(calls.size(), static_cast<size_t>(kCalls));
  int compared = 0, refused = 0, with_rulings = 0, what_ifs = 0;
  int staged = 0, stopped_early = 0;  // results with stage scores, failed
  for (const Stored& s : calls) {
    for (int n = 0; n < kPreviewsPerCall; ++n) {
      domain::SelectionInput in = s.input;
      v1::PreviewDecisionRequest request;
      request.set_name(s.call.name());
      if (Uniform(0, 1) == 1) {
        in.budget = Uniform(0, 30) * 50000;
        request.set_budget_yen(in.budget);
      }
      if (Uniform(0, 2) == 0) {
        in.max_adoptions = Uniform(0, 5);
        request.set_max_adoptions(in.max_adoptions);
      }
      // What-if rules, checked against the engine given the same.
      Call rules = s.call;
      if (Uniform(0, 2) == 0) {
        rules.set_adoption_rule(Uniform(0, 1) ? Call::GREEDY_STOP
                                              : Call::GREEDY_SKIP);
        request.set_adoption_rule(rules.adoption_rule());
      }
      if (Uniform(0, 2) == 0) {
        rules.set_pass_mark(Uniform(0, 70));
        request.set_pass_mark(rules.pass_mark());
      }
      if (Uniform(0, 3) == 0) {
        const Call random = RandomCall(0);
        rules.clear_tie_break();
        for (const auto& t : random.tie_break()) {
          // Only criteria this call has.
          if (t.key() == v1::TieBreak::HIGHER_CRITERION_SCORE &&
              t.criterion() >= rules.criteria_size()) {
            continue;
          }
          *rules.add_tie_break() = t;
        }
        *request.mutable_tie_break_order()->mutable_tie_break() =
            rules.tie_break();
      }
      {
        const domain::SelectionInput settings = Settings(rules);
        in.rule = settings.rule;
        in.pass_mark = settings.pass_mark;
        in.tie_break = settings.tie_break;
      }
      what_ifs += request.has_adoption_rule() || request.has_pass_mark() ||
                  request.has_tie_break_order();
      RandomRulings(in, request);
      with_rulings += request.rulings_size() > 0;
      const absl::StatusOr<domain::SelectionResult> expected =
          domain::Select(in);
      Decision got;
      const grpc::Status status =
          stub_->PreviewDecision(Context(Staff()).get(), request, &got);
      const std::string where =
          absl::StrCat(s.call.name(), " preview ", n, ": ");
      if (!expected.ok()) {
        // Only committee adoptions that do not fit are refused.
        ASSERT_EQ(expected.status().code(),
                  absl::StatusCode::kFailedPrecondition)
            << where << expected.status();
        EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
            << where << status.error_message();
        const std::string message(expected.status().message());
        EXPECT_EQ(Reason(status), message.substr(0, message.find(':')))
            << where;
        ++refused;
        continue;
      }
      ASSERT_TRUE(status.ok()) << where << status.error_message();
      ++compared;
      EXPECT_TRUE(got.decidable()) << where;
      EXPECT_EQ(got.budget_yen(), in.budget) << where;
      EXPECT_EQ(got.max_adoptions(), in.max_adoptions) << where;
      EXPECT_EQ(got.pass_mark(), in.pass_mark) << where;
      EXPECT_EQ(got.engine_version(), domain::kEngineVersion) << where;
      EXPECT_EQ(got.total_adopted_yen(), expected->total_adopted_amount)
          << where;
      EXPECT_EQ(got.remaining_budget_yen(), expected->remaining_budget)
          << where;
      EXPECT_EQ(got.adopted_count(), expected->adopted_count) << where;
      EXPECT_EQ(got.recommended_total_adopted_yen(),
                expected->recommended_total_amount)
          << where;
      EXPECT_EQ(got.recommended_adopted_count(), expected->recommended_count)
          << where;
      ASSERT_EQ(got.results_size(), static_cast<int>(expected->outcomes.size()))
          << where;
      for (int i = 0; i < got.results_size(); ++i) {
        const ProposalResult& r = got.results(i);
        const domain::ProposalOutcome& o = expected->outcomes[i];
        const std::string at = absl::StrCat(where, "result ", i, " ");
        EXPECT_EQ(r.proposal(), o.name) << at;
        EXPECT_EQ(r.rank(), o.rank) << at;
        if (o.score.has_value()) {
          EXPECT_EQ(r.score_numerator(),
                    boost::multiprecision::numerator(*o.score).str())
              << at;
          EXPECT_EQ(r.score_denominator(),
                    boost::multiprecision::denominator(*o.score).str())
              << at;
        } else {
          // Only a proposal stopped by the 書類審査 has no score.
          EXPECT_EQ(o.reason, domain::Reason::kStageNotPassed) << at;
          EXPECT_FALSE(r.has_score_numerator()) << at;
        }
        EXPECT_EQ(r.score(), o.score_decimal) << at;
        EXPECT_EQ(r.failed_stage(), o.failed_stage) << at;
        ASSERT_EQ(r.stage_scores_size(),
                  static_cast<int>(o.stage_scores.size()))
            << at;
        for (int k = 0; k < r.stage_scores_size(); ++k) {
          EXPECT_EQ(r.stage_scores(k).score_numerator(),
                    boost::multiprecision::numerator(o.stage_scores[k]).str())
              << at;
          EXPECT_EQ(r.stage_scores(k).score_denominator(),
                    boost::multiprecision::denominator(o.stage_scores[k]).str())
              << at;
        }
        staged += o.stage_scores.empty() ? 0 : 1;
        stopped_early += o.failed_stage > 0 ? 1 : 0;
        EXPECT_STREQ(ReasonOf(r.reason()), domain::ReasonName(o.reason)) << at;
        EXPECT_STREQ(ReasonOf(r.recommended_reason()),
                     domain::ReasonName(o.recommended_reason))
            << at;
        EXPECT_EQ(r.adopted_amount_yen(), o.adopted_amount) << at;
        EXPECT_EQ(r.recommended_amount_yen(), o.recommended_amount) << at;
        EXPECT_EQ(r.budget_left_yen(), o.budget_left) << at;
        EXPECT_EQ(r.tied_on_score(), o.tied_on_score) << at;
        const bool ruled = std::any_of(
            request.rulings().begin(), request.rulings().end(),
            [&](const CommitteeRuling& c) { return c.proposal() == o.name; });
        EXPECT_EQ(r.has_ruling(), ruled) << at;
      }
    }
  }
  // The random cases cover what they should.
  EXPECT_EQ(compared + refused, kCalls * kPreviewsPerCall);
  EXPECT_GT(with_rulings, kCalls * kPreviewsPerCall / 2);
  EXPECT_GT(what_ifs, kCalls * kPreviewsPerCall / 3);
  EXPECT_GT(compared, kCalls * kPreviewsPerCall / 2);
  EXPECT_GT(staged, 0);
  EXPECT_GT(stopped_early, 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decisions"), 0);
}

}  // namespace
}  // namespace kyodo::proposal
