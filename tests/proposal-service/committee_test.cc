// The committee's rulings (審査会の判断) over gRPC against the real MariaDB:
// a reduced adoption (減額採択) frees budget for the next proposal in rank
// order; an adoption or rejection against the ranking is stored beside the
// engine's recommendation, audited, and published with its reason, never
// before; bad rulings are refused precisely and change nothing.
#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Decision;
using kyodo::proposal::v1::Proposal;
using kyodo::proposal::v1::ProposalResult;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::ReviewerToken;
using kyodo::testing::ViewerToken;
using kyodo::testing::WardStaffToken;

namespace kyodo::proposal {
namespace {

using kyodo::testing::BadField;
using v1::CommitteeRuling;

constexpr char kReduceReason[] = "備品購入費は対象外のため減額";
constexpr char kNotAdoptReason[] = "同一事業への重複補助となるため不採択";
constexpr char kAdoptReason[] = "地域の優先課題に応える提案のため採択";

class CommitteeTest : public ProposalServiceTest {
 protected:
  // An UNDER_REVIEW call with a budget of 600,000 yen and three eligible
  // proposals ranked A (400,000 yen), B (300,000), C (150,000), each scored
  // by both members. By the ranking alone: A adopted (200,000 left), B
  // BUDGET_EXHAUSTED, C adopted (50,000 left).
  void SetUp() override {
    Call c = StandardCall();
    c.set_budget_yen(600000);
    call_ = CreateCall(CreateProgramme().name(), c);
    ASSERT_TRUE(Open(call_.name()).ok());
    clock().Set(kOpens + absl::Hours(1));
    a_ = EligibleProposal(call_.name(), "partners/pa", "提案A", 400000);
    b_ = EligibleProposal(call_.name(), "partners/pb", "提案B", 300000);
    c_ = EligibleProposal(call_.name(), "partners/pc", "提案C", 150000);
    AddReviewer(call_.name(), "iin-1");
    AddReviewer(call_.name(), "iin-2");
    CloseAndStartReview(call_.name());
    for (const char* member : {"iin-1", "iin-2"}) {
      ASSERT_TRUE(SubmitReview(a_.name(), member, {5, 5, 10}).ok());
      ASSERT_TRUE(SubmitReview(b_.name(), member, {4, 4, 8}).ok());
      ASSERT_TRUE(SubmitReview(c_.name(), member, {3, 3, 6}).ok());
    }
  }

  static CommitteeRuling Ruling(const Proposal& p,
                                CommitteeRuling::Action action,
                                const std::string& reason,
                                int64_t amount = -1) {
    CommitteeRuling r;
    r.set_proposal(p.name());
    r.set_action(action);
    r.set_reason(reason);
    if (amount >= 0) r.set_adopted_amount_yen(amount);
    return r;
  }

  grpc::Status DecideWith(const std::vector<CommitteeRuling>& rulings,
                          Decision* out) {
    v1::DecideCallRequest request;
    request.set_name(call_.name());
    for (const auto& r : rulings) *request.add_rulings() = r;
    return stub_->DecideCall(Context(Staff()).get(), request, out);
  }

  static const ProposalResult& ResultOf(const Decision& d, const Proposal& p) {
    for (const auto& r : d.results()) {
      if (r.proposal() == p.name()) return r;
    }
    ADD_FAILURE() << "no result for " << p.name();
    return ProposalResult::default_instance();
  }

  Call call_;
  Proposal a_, b_, c_;
};

TEST_F(CommitteeTest, ReducedAdoptionFreesBudgetThatTheNextInRankUses) {
  Decision decision;
  grpc::Status status = DecideWith(
      {Ruling(a_, CommitteeRuling::REDUCE, kReduceReason, 300000)}, &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(decision.results_size(), 3);
  // The ranking is unchanged: A, B, C.
  EXPECT_EQ(decision.results(0).proposal(), a_.name());
  EXPECT_EQ(decision.results(1).proposal(), b_.name());
  EXPECT_EQ(decision.results(2).proposal(), c_.name());

  const ProposalResult& a = decision.results(0);
  EXPECT_EQ(a.reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(a.adopted_amount_yen(), 300000);
  EXPECT_EQ(a.requested_amount_yen(), 400000);
  EXPECT_EQ(a.recommended_reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(a.recommended_amount_yen(), 400000);
  EXPECT_EQ(a.ruling().action(), CommitteeRuling::REDUCE);
  EXPECT_EQ(a.ruling().reason(), kReduceReason);
  EXPECT_EQ(a.budget_left_yen(), 300000);

  // The 100,000 yen freed let B, next in rank order, fit.
  const ProposalResult& b = decision.results(1);
  EXPECT_EQ(b.reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(b.adopted_amount_yen(), 300000);
  EXPECT_EQ(b.recommended_reason(), ProposalResult::BUDGET_EXHAUSTED);
  EXPECT_EQ(b.recommended_amount_yen(), 0);
  EXPECT_FALSE(b.has_ruling());
  EXPECT_EQ(b.budget_left_yen(), 0);

  const ProposalResult& c = decision.results(2);
  EXPECT_EQ(c.reason(), ProposalResult::BUDGET_EXHAUSTED);
  EXPECT_EQ(c.recommended_reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(c.recommended_amount_yen(), 150000);

  EXPECT_EQ(decision.total_adopted_yen(), 600000);
  EXPECT_EQ(decision.adopted_count(), 2);
  EXPECT_EQ(decision.recommended_total_adopted_yen(), 550000);
  EXPECT_EQ(decision.recommended_adopted_count(), 2);

  // Stored as answered, and the proposals' states follow the final result.
  Decision stored;
  v1::GetDecisionRequest get;
  get.set_name(call_.name());
  ASSERT_TRUE(stub_->GetDecision(Context(Staff()).get(), get, &stored).ok());
  EXPECT_EQ(stored.results(1).reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(stored.results(0).ruling().reason(), kReduceReason);
  Proposal b_now;
  ASSERT_TRUE(GetProposal(b_.name(), Staff(), &b_now).ok());
  EXPECT_EQ(b_now.state(), Proposal::ADOPTED);
  Proposal c_now;
  ASSERT_TRUE(GetProposal(c_.name(), Staff(), &c_now).ok());
  EXPECT_EQ(c_now.state(), Proposal::NOT_ADOPTED);
}

TEST_F(CommitteeTest, OverrideIsPublishedWithItsReasonAndAuditedNeverBefore) {
  Decision decision;
  grpc::Status status =
      DecideWith({Ruling(a_, CommitteeRuling::NOT_ADOPT, kNotAdoptReason),
                  Ruling(c_, CommitteeRuling::ADOPT, kAdoptReason)},
                 &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // C's 150,000 are set aside first; A is passed over; B fits in 450,000.
  EXPECT_EQ(ResultOf(decision, a_).reason(),
            ProposalResult::COMMITTEE_NOT_ADOPTED);
  EXPECT_EQ(ResultOf(decision, a_).recommended_reason(),
            ProposalResult::ADOPTED);
  EXPECT_EQ(ResultOf(decision, a_).adopted_amount_yen(), 0);
  EXPECT_EQ(ResultOf(decision, b_).reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(ResultOf(decision, b_).recommended_reason(),
            ProposalResult::BUDGET_EXHAUSTED);
  EXPECT_EQ(ResultOf(decision, c_).reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(ResultOf(decision, c_).adopted_amount_yen(), 150000);
  EXPECT_EQ(decision.total_adopted_yen(), 450000);
  EXPECT_EQ(decision.remaining_budget_yen(), 150000);

  // Before publication: A's applicant and the public learn nothing.
  const std::string applicant = Applicant("partners/pa");
  Proposal seen;
  ASSERT_TRUE(GetProposal(a_.name(), applicant, &seen).ok());
  EXPECT_EQ(seen.state(), Proposal::ELIGIBLE);
  EXPECT_FALSE(seen.has_result());
  EXPECT_FALSE(absl::StrContains(seen.SerializeAsString(), kNotAdoptReason));
  v1::GetDecisionRequest get;
  get.set_name(call_.name());
  Decision hidden;
  for (const std::string& token : {applicant, ViewerToken()}) {
    status = stub_->GetDecision(Context(token).get(), get, &hidden);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_FALSE(absl::StrContains(status.error_message(), kNotAdoptReason));
  }
  kyodo::type::v1::ListAuditEventsRequest audit;
  audit.set_resource(a_.name());
  kyodo::type::v1::ListAuditEventsResponse events;
  EXPECT_EQ(stub_->ListAuditEvents(Context(applicant).get(), audit, &events)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The audit trail, for the ward's staff: who ruled, with the reason.
  ASSERT_TRUE(
      stub_->ListAuditEvents(Context(Staff()).get(), audit, &events).ok());
  bool audited = false;
  for (const auto& event : events.audit_events()) {
    if (event.method() != "DecideCall") continue;
    EXPECT_EQ(event.actor(), "asao-staff");
    for (const auto& change : event.changes()) {
      if (change.field() == "result" &&
          absl::StrContains(change.after(), kNotAdoptReason) &&
          absl::StrContains(change.after(), "COMMITTEE_NOT_ADOPTED")) {
        audited = true;
      }
    }
  }
  EXPECT_TRUE(audited);

  // Published: the public reads the override with its reason and the
  // engine's recommendation beside it.
  ASSERT_TRUE(Publish(call_.name()).ok());
  Decision published;
  ASSERT_TRUE(
      stub_->GetDecision(Context(ViewerToken()).get(), get, &published).ok());
  const ProposalResult& a = ResultOf(published, a_);
  EXPECT_EQ(a.reason(), ProposalResult::COMMITTEE_NOT_ADOPTED);
  EXPECT_EQ(a.recommended_reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(a.ruling().action(), CommitteeRuling::NOT_ADOPT);
  EXPECT_EQ(a.ruling().reason(), kNotAdoptReason);
  EXPECT_EQ(ResultOf(published, c_).ruling().reason(), kAdoptReason);
  ASSERT_TRUE(GetProposal(a_.name(), applicant, &seen).ok());
  EXPECT_EQ(seen.state(), Proposal::NOT_ADOPTED);
  EXPECT_EQ(seen.result().ruling().reason(), kNotAdoptReason);
}

TEST_F(CommitteeTest, PreviewTriesRulingsAndWritesNothing) {
  v1::PreviewDecisionRequest preview;
  preview.set_name(call_.name());
  *preview.add_rulings() =
      Ruling(a_, CommitteeRuling::REDUCE, kReduceReason, 300000);
  Decision what_if;
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if).ok());
  EXPECT_EQ(ResultOf(what_if, b_).reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(ResultOf(what_if, b_).recommended_reason(),
            ProposalResult::BUDGET_EXHAUSTED);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decisions"), 0);
  // Without rulings, the recommendation is the result.
  preview.clear_rulings();
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if).ok());
  for (const auto& r : what_if.results()) {
    EXPECT_EQ(r.recommended_reason(), r.reason()) << r.proposal();
    EXPECT_EQ(r.recommended_amount_yen(), r.adopted_amount_yen());
    EXPECT_FALSE(r.has_ruling());
  }
  EXPECT_EQ(ResultOf(what_if, b_).reason(), ProposalResult::BUDGET_EXHAUSTED);
}

TEST_F(CommitteeTest, BadRulingsAreRefusedPreciselyAndChangeNothing) {
  struct Case {
    std::vector<CommitteeRuling> rulings;
    grpc::StatusCode code;
    std::string field_or_reason;
  };
  CommitteeRuling elsewhere =
      Ruling(a_, CommitteeRuling::NOT_ADOPT, kNotAdoptReason);
  elsewhere.set_proposal("programmes/x/calls/y/proposals/z");
  CommitteeRuling unknown =
      Ruling(a_, CommitteeRuling::NOT_ADOPT, kNotAdoptReason);
  unknown.set_proposal(absl::StrCat(call_.name(), "/proposals/nosuch"));
  CommitteeRuling no_action = Ruling(a_, CommitteeRuling::ADOPT, kAdoptReason);
  no_action.clear_action();
  const std::vector<Case> cases = {
      {{elsewhere}, grpc::StatusCode::INVALID_ARGUMENT, "rulings[0].proposal"},
      {{unknown}, grpc::StatusCode::INVALID_ARGUMENT, "rulings[0].proposal"},
      {{Ruling(b_, CommitteeRuling::ADOPT, kAdoptReason),
        Ruling(b_, CommitteeRuling::NOT_ADOPT, kNotAdoptReason)},
       grpc::StatusCode::INVALID_ARGUMENT,
       "rulings[1].proposal"},
      {{no_action}, grpc::StatusCode::INVALID_ARGUMENT, "rulings[0].action"},
      {{Ruling(a_, CommitteeRuling::NOT_ADOPT, "")},
       grpc::StatusCode::INVALID_ARGUMENT,
       "rulings[0].reason"},
      {{Ruling(a_, CommitteeRuling::REDUCE, kReduceReason)},
       grpc::StatusCode::INVALID_ARGUMENT,
       "rulings[0].adopted_amount_yen"},
      {{Ruling(a_, CommitteeRuling::REDUCE, kReduceReason, 400000)},
       grpc::StatusCode::INVALID_ARGUMENT,
       "rulings[0].adopted_amount_yen"},
      {{Ruling(a_, CommitteeRuling::ADOPT, kAdoptReason, 400001)},
       grpc::StatusCode::INVALID_ARGUMENT,
       "rulings[0].adopted_amount_yen"},
      {{Ruling(a_, CommitteeRuling::NOT_ADOPT, kNotAdoptReason, 1)},
       grpc::StatusCode::INVALID_ARGUMENT,
       "rulings[0].adopted_amount_yen"},
      {{Ruling(a_, CommitteeRuling::ADOPT, kAdoptReason),
        Ruling(b_, CommitteeRuling::ADOPT, kAdoptReason)},
       grpc::StatusCode::FAILED_PRECONDITION,
       "RULINGS_EXCEED_BUDGET"},
  };
  for (const Case& test : cases) {
    Decision ignored;
    const grpc::Status status = DecideWith(test.rulings, &ignored);
    EXPECT_EQ(status.error_code(), test.code)
        << test.field_or_reason << ": " << status.error_message();
    if (test.code == grpc::StatusCode::INVALID_ARGUMENT) {
      EXPECT_EQ(BadField(status), test.field_or_reason)
          << status.error_message();
    } else {
      EXPECT_EQ(Reason(status), test.field_or_reason) << status.error_message();
    }
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decisions"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_events WHERE method = "
                      "'DecideCall'"),
            0);
  v1::GetCallRequest get;
  get.set_name(call_.name());
  Call now;
  ASSERT_TRUE(stub_->GetCall(Context(Staff()).get(), get, &now).ok());
  EXPECT_EQ(now.state(), Call::UNDER_REVIEW);

  // Only the programme's managers rule: staff of another ward and members
  // of the committee may not.
  Decision ignored;
  v1::DecideCallRequest request;
  request.set_name(call_.name());
  *request.add_rulings() =
      Ruling(a_, CommitteeRuling::NOT_ADOPT, kNotAdoptReason);
  for (const std::string& token :
       {WardStaffToken(kyodo::type::v1::TAMA, "tama-staff"),
        ReviewerToken("iin-1", "iin-1")}) {
    EXPECT_EQ(
        stub_->DecideCall(Context(token).get(), request, &ignored).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decisions"), 0);
}

TEST_F(CommitteeTest, AdoptionsAgainstTheRankingRespectTheAdoptionLimit) {
  // The call allows 5 adoptions; a what-if limit of 1 with two committee
  // adoptions cannot hold.
  v1::PreviewDecisionRequest preview;
  preview.set_name(call_.name());
  preview.set_max_adoptions(1);
  *preview.add_rulings() = Ruling(b_, CommitteeRuling::ADOPT, kAdoptReason);
  *preview.add_rulings() = Ruling(c_, CommitteeRuling::ADOPT, kAdoptReason);
  Decision what_if;
  const grpc::Status status =
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "RULINGS_EXCEED_ADOPTION_LIMIT");
  // One committee adoption under a limit of one: it takes the only place.
  preview.mutable_rulings()->RemoveLast();
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if).ok());
  EXPECT_EQ(ResultOf(what_if, a_).reason(),
            ProposalResult::ADOPTION_LIMIT_REACHED);
  EXPECT_EQ(ResultOf(what_if, a_).recommended_reason(),
            ProposalResult::ADOPTED);
  EXPECT_EQ(ResultOf(what_if, b_).reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(what_if.adopted_count(), 1);
}

// PreviewDecision's what-if rules (issue 16): adoption rule, pass mark and
// tie-break list, checked like the call's own and echoed in the answer.
TEST_F(CommitteeTest, PreviewTakesWhatIfRules) {
  v1::PreviewDecisionRequest preview;
  preview.set_name(call_.name());
  Decision what_if;
  // Scores: A 100, B 80, C 60.
  preview.set_pass_mark(90);
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if).ok());
  EXPECT_EQ(what_if.pass_mark(), 90);
  EXPECT_EQ(ResultOf(what_if, a_).reason(), ProposalResult::ADOPTED);
  EXPECT_EQ(ResultOf(what_if, b_).reason(), ProposalResult::BELOW_PASS_MARK);
  EXPECT_EQ(ResultOf(what_if, c_).reason(), ProposalResult::BELOW_PASS_MARK);

  // GREEDY_STOP: B does not fit, so C is not reached.
  preview.clear_pass_mark();
  preview.set_adoption_rule(Call::GREEDY_STOP);
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if).ok());
  EXPECT_EQ(what_if.adoption_rule(), Call::GREEDY_STOP);
  EXPECT_EQ(what_if.pass_mark(), 40);  // the call's own
  EXPECT_EQ(ResultOf(what_if, c_).reason(), ProposalResult::BUDGET_EXHAUSTED);
  preview.clear_adoption_rule();
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if).ok());
  EXPECT_EQ(what_if.adoption_rule(), Call::GREEDY_SKIP);
  EXPECT_EQ(ResultOf(what_if, c_).reason(), ProposalResult::ADOPTED);

  auto* tie = preview.mutable_tie_break_order()->add_tie_break();
  tie->set_key(v1::TieBreak::HIGHER_CRITERION_SCORE);
  tie->set_criterion(2);
  ASSERT_TRUE(
      stub_->PreviewDecision(Context(Staff()).get(), preview, &what_if).ok());
  ASSERT_EQ(what_if.tie_break_size(), 1);
  EXPECT_EQ(what_if.tie_break(0).criterion(), 2);

  // Checked as CreateCall checks the call's own.
  const struct {
    std::function<void(v1::PreviewDecisionRequest&)> set;
    const char* field;
  } bad[] = {
      {[](auto& r) { r.set_pass_mark(101); }, "pass_mark"},
      {[](auto& r) { r.set_pass_mark(-1); }, "pass_mark"},
      {[](auto& r) { r.set_adoption_rule(Call::ADOPTION_RULE_UNSPECIFIED); },
       "adoption_rule"},
      {[](auto& r) {
         r.mutable_tie_break_order()->mutable_tie_break(0)->set_criterion(3);
       },
       "tie_break_order.tie_break[0].criterion"},
      {[](auto& r) {
         r.mutable_tie_break_order()->mutable_tie_break(0)->clear_key();
       },
       "tie_break_order.tie_break[0].key"},
  };
  for (const auto& test : bad) {
    v1::PreviewDecisionRequest request = preview;
    test.set(request);
    const grpc::Status status =
        stub_->PreviewDecision(Context(Staff()).get(), request, &what_if);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << test.field;
    EXPECT_EQ(BadField(status), test.field) << status.error_message();
  }
}

}  // namespace
}  // namespace kyodo::proposal

namespace kyodo::proposal {
namespace {

// A member's mail address (Reviewer.email, for the notifier): checked
// before anything is written, read by the programme's managers, the member
// itself and the notifier, and by no other member.
TEST_F(ProposalServiceTest, AMembersAddressIsCheckedAndReadOnlyByWhoNeedsIt) {
  service_->rpc().set_notifier_methods(NotifierMethods());  // as main.cc
  const v1::Call call = OpenStandardCall();
  v1::CreateReviewerRequest bad;
  bad.set_parent(call.name());
  bad.mutable_reviewer()->set_display_name("委員 iin-9");
  bad.mutable_reviewer()->set_principal("iin-9");
  bad.mutable_reviewer()->set_email("iin-9@example.jp\r\nBcc: x@example.jp");
  v1::Reviewer out;
  grpc::Status status =
      stub_->CreateReviewer(Context(Staff()).get(), bad, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "reviewer.email");

  AddReviewer(call.name(), "iin-1");
  AddReviewer(call.name(), "iin-2");
  v1::ListReviewersRequest list;
  list.set_parent(call.name());
  v1::ListReviewersResponse members;
  ASSERT_TRUE(
      stub_->ListReviewers(Context(Staff()).get(), list, &members).ok());
  ASSERT_EQ(members.reviewers_size(), 2);  // the refused one was not made
  for (const v1::Reviewer& r : members.reviewers()) {
    v1::UpdateReviewerRequest update;
    *update.mutable_reviewer() = r;
    update.mutable_reviewer()->set_email(r.principal() + "@example.jp");
    update.mutable_update_mask()->add_paths("email");
    v1::Reviewer updated;
    status = stub_->UpdateReviewer(Context(Staff()).get(), update, &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(updated.email(), r.principal() + "@example.jp");
  }

  auto emails = [&](const std::string& token) {
    std::map<std::string, std::string> out;
    v1::ListReviewersResponse page;
    const grpc::Status s =
        stub_->ListReviewers(Context(token).get(), list, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const v1::Reviewer& r : page.reviewers())
      out[r.display_name()] = r.email();
    return out;
  };
  const std::map<std::string, std::string> both = {
      {"委員 iin-1", "iin-1@example.jp"}, {"委員 iin-2", "iin-2@example.jp"}};
  EXPECT_EQ(emails(Staff()), both);
  EXPECT_EQ(emails(kyodo::testing::TokenFor(
                {"notifier", common::auth::Role::kNotifier})),
            both);
  // The notifier reads nothing of a member but what it mails by.
  {
    v1::ListReviewersResponse page;
    ASSERT_TRUE(
        stub_
            ->ListReviewers(
                Context(kyodo::testing::TokenFor(
                            {"notifier", common::auth::Role::kNotifier}))
                    .get(),
                list, &page)
            .ok());
    ASSERT_EQ(page.reviewers_size(), 2);
    EXPECT_TRUE(page.reviewers(0).principal().empty());
    EXPECT_FALSE(page.reviewers(0).display_name().empty());
    EXPECT_EQ(page.reviewers(0).affiliations_size(), 0);
  }
  // A member reads its own address, not the other member's.
  EXPECT_EQ(emails(ReviewerToken("iin-1", "iin-1")),
            (std::map<std::string, std::string>{
                {"委員 iin-1", "iin-1@example.jp"}, {"委員 iin-2", ""}}));
  // Staff of another ward read the committee (IsStaff) without addresses.
  EXPECT_EQ(emails(WardStaffToken(kyodo::type::v1::KAWASAKI, "k-staff")),
            (std::map<std::string, std::string>{{"委員 iin-1", ""},
                                                {"委員 iin-2", ""}}));
}

}  // namespace
}  // namespace kyodo::proposal
