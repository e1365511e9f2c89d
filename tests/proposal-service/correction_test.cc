// Return for correction (補正, ReturnProposal in proposal_service.proto)
// against the real MariaDB: staff return a submitted proposal with a note
// and a deadline, the applicant edits and submits it again, screening runs
// again and the history stays; a resubmission at or after the deadline is
// refused; the review waits for open corrections and withdraws the
// proposals whose deadline passed. Deadlines are judged by the fake clock.
#include "absl/strings/str_cat.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Proposal;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::Reason;

namespace kyodo::proposal {
namespace {

class CorrectionTest : public ProposalServiceTest {
 protected:
  grpc::Status ReturnForCorrection(const std::string& proposal,
                                   const std::string& note, absl::Time deadline,
                                   Proposal* out,
                                   const std::string& token = Staff()) {
    v1::ReturnProposalRequest request;
    request.set_name(proposal);
    request.set_note(note);
    *request.mutable_deadline() = common::store::ToTimestamp(deadline);
    Proposal ignored;
    return stub_->ReturnProposal(Context(token).get(), request,
                                 out ? out : &ignored);
  }

  grpc::Status EditTitle(const std::string& proposal, const std::string& title,
                         const std::string& token, Proposal* out) {
    v1::UpdateProposalRequest request;
    request.mutable_proposal()->set_name(proposal);
    request.mutable_proposal()->set_title(title);
    request.mutable_update_mask()->add_paths("title");
    return stub_->UpdateProposal(Context(token).get(), request, out);
  }
};

TEST_F(CorrectionTest, ReturnedProposalIsCorrectedResubmittedAndScreenedAgain) {
  const Call call = OpenStandardCall();
  const std::string applicant = "partners/hosei";
  const Proposal eligible =
      EligibleProposal(call.name(), applicant, "防災マップ作り", 400000);
  ASSERT_EQ(eligible.state(), Proposal::ELIGIBLE);
  const absl::Time deadline = kCloses + absl::Hours(24 * 7);

  Proposal returned;
  grpc::Status status = ReturnForCorrection(
      eligible.name(), "収支予算書の講師謝礼の内訳を記入してください", deadline,
      &returned);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(returned.state(), Proposal::RETURNED);
  EXPECT_FALSE(returned.has_screening());
  ASSERT_EQ(returned.corrections_size(), 1);
  const v1::Correction& open = returned.corrections(0);
  EXPECT_EQ(open.note(), "収支予算書の講師謝礼の内訳を記入してください");
  EXPECT_EQ(common::store::FromTimestamp(open.deadline()), deadline);
  EXPECT_EQ(open.returned_from(), Proposal::ELIGIBLE);
  EXPECT_EQ(open.screening().result(), v1::Screening::ELIGIBLE);
  EXPECT_FALSE(open.has_resubmit_time());
  EXPECT_NE(returned.etag(), eligible.etag());

  // The applicant reads the note, and edits the proposal after the call's
  // window has closed: the correction's deadline is what counts.
  clock().Set(kCloses + absl::Hours(1));
  ASSERT_TRUE(Close(call.name()).ok());
  Proposal mine;
  ASSERT_TRUE(GetProposal(returned.name(), Applicant(applicant), &mine).ok());
  ASSERT_EQ(mine.corrections_size(), 1);
  EXPECT_EQ(mine.corrections(0).note(), open.note());
  Proposal edited;
  status = EditTitle(returned.name(), "防災マップ作り(修正版)",
                     Applicant(applicant), &edited);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(edited.title(), "防災マップ作り(修正版)");
  EXPECT_EQ(edited.state(), Proposal::RETURNED);

  Proposal resubmitted;
  status = Submit(returned.name(), Applicant(applicant), &resubmitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resubmitted.state(), Proposal::SUBMITTED);
  EXPECT_EQ(resubmitted.submit_time().seconds(),
            eligible.submit_time().seconds())
      << "the first submission's time stays (tie-break EARLIER_SUBMISSION)";
  ASSERT_EQ(resubmitted.corrections_size(), 1);
  EXPECT_EQ(
      common::store::FromTimestamp(resubmitted.corrections(0).resubmit_time()),
      kCloses + absl::Hours(1));
  // A SUBMITTED proposal is no longer edited.
  EXPECT_EQ(Reason(EditTitle(returned.name(), "もう一度", Applicant(applicant),
                             &edited)),
            "PROPOSAL_NOT_DRAFT");

  Proposal screened;
  status = Screen(returned.name(), GoodFacts(), &screened);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(screened.state(), Proposal::ELIGIBLE);
  EXPECT_EQ(screened.title(), "防災マップ作り(修正版)");
  EXPECT_EQ(screened.corrections_size(), 1) << "the history stays";

  // Each step is in the audit trail: created, submitted, screened,
  // returned, edited, resubmitted, screened.
  EXPECT_EQ(CountRows(absl::StrCat(
                "SELECT COUNT(*) FROM audit_events WHERE resource = '",
                returned.name(), "'")),
            7);
}

TEST_F(CorrectionTest, ResubmissionAtOrAfterTheDeadlineIsRefused) {
  const Call call = OpenStandardCall();
  const std::string applicant = "partners/okure";
  const Proposal p =
      EligibleProposal(call.name(), applicant, "遅れた補正", 300000);
  const absl::Time deadline = kOpens + absl::Hours(48);
  Proposal returned;
  ASSERT_TRUE(ReturnForCorrection(p.name(), "団体の規約を添付してください",
                                  deadline, &returned)
                  .ok());

  clock().Set(deadline);  // the deadline is exclusive
  Proposal after;
  grpc::Status status = Submit(p.name(), Applicant(applicant), &after);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "CORRECTION_DEADLINE_PASSED");
  EXPECT_EQ(Metadata(status, "deadline"), "2026-06-12T00:00:00Z");
  // Staff registering it on paper, received after the deadline: refused too.
  v1::SubmitProposalRequest paper;
  paper.set_name(p.name());
  *paper.mutable_received_time() = common::store::ToTimestamp(deadline);
  EXPECT_EQ(
      Reason(stub_->SubmitProposal(Context(Staff()).get(), paper, &after)),
      "CORRECTION_DEADLINE_PASSED");

  // ... and received before it was returned makes no sense.
  *paper.mutable_received_time() =
      common::store::ToTimestamp(kOpens + absl::Minutes(30));
  grpc::Status early =
      stub_->SubmitProposal(Context(Staff()).get(), paper, &after);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(early), "received_time");

  ASSERT_TRUE(GetProposal(p.name(), Staff(), &after).ok());
  EXPECT_EQ(after.state(), Proposal::RETURNED);
  EXPECT_EQ(after.etag(), returned.etag()) << "nothing changed";

  // Received on paper one second before the deadline: accepted.
  *paper.mutable_received_time() =
      common::store::ToTimestamp(deadline - absl::Seconds(1));
  status = stub_->SubmitProposal(Context(Staff()).get(), paper, &after);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(after.state(), Proposal::SUBMITTED);
}

TEST_F(CorrectionTest, ReviewWaitsForOpenCorrectionsAndWithdrawsExpiredOnes) {
  const Call call = OpenStandardCall();
  const Proposal kept =
      EligibleProposal(call.name(), "partners/nokoru", "残る提案", 300000);
  const Proposal early =
      EligibleProposal(call.name(), "partners/hayai", "早い期限", 300000);
  const Proposal late =
      EligibleProposal(call.name(), "partners/osoi", "遅い期限", 300000);
  const absl::Time early_deadline = kCloses + absl::Hours(24);
  const absl::Time late_deadline = kCloses + absl::Hours(72);
  ASSERT_TRUE(ReturnForCorrection(early.name(), "計画を具体的に",
                                  early_deadline, nullptr)
                  .ok());
  ASSERT_TRUE(
      ReturnForCorrection(late.name(), "予算の根拠を", late_deadline, nullptr)
          .ok());
  AddReviewer(call.name(), "iin-1");
  AddReviewer(call.name(), "iin-2");

  clock().Set(kCloses + absl::Hours(48));
  ASSERT_TRUE(Close(call.name()).ok());
  grpc::Status status = StartReview(call.name());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "CORRECTIONS_OPEN");
  EXPECT_EQ(Metadata(status, "proposal"), late.name());
  Proposal read;
  ASSERT_TRUE(GetProposal(early.name(), Staff(), &read).ok());
  EXPECT_EQ(read.state(), Proposal::RETURNED) << "nothing was written";

  clock().Set(late_deadline);
  status = StartReview(call.name());
  ASSERT_TRUE(status.ok()) << status.error_message();
  for (const Proposal* p : {&early, &late}) {
    ASSERT_TRUE(GetProposal(p->name(), Staff(), &read).ok());
    EXPECT_EQ(read.state(), Proposal::WITHDRAWN) << p->title();
    ASSERT_EQ(read.corrections_size(), 1);
    EXPECT_EQ(common::store::FromTimestamp(read.corrections(0).expire_time()),
              late_deadline);
  }
  ASSERT_TRUE(GetProposal(kept.name(), Staff(), &read).ok());
  EXPECT_EQ(read.state(), Proposal::ELIGIBLE);

  // The decision shows them as withdrawn.
  ASSERT_TRUE(SubmitReview(kept.name(), "iin-1", {4, 4, 8}).ok());
  ASSERT_TRUE(SubmitReview(kept.name(), "iin-2", {4, 4, 8}).ok());
  v1::Decision decision;
  status = Decide(call.name(), &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int withdrawn = 0;
  for (const auto& r : decision.results()) {
    if (r.proposal() == early.name() || r.proposal() == late.name()) {
      EXPECT_EQ(r.reason(), v1::ProposalResult::WITHDRAWN);
      ++withdrawn;
    }
  }
  EXPECT_EQ(withdrawn, 2);
}

TEST_F(CorrectionTest, ReturnsAreRefusedPreciselyAndChangeNothing) {
  const Call call = OpenStandardCall();
  const std::string applicant = "partners/kotowari";
  const Proposal p =
      EligibleProposal(call.name(), applicant, "断られる返却", 300000);
  const absl::Time deadline = kCloses + absl::Hours(24);

  grpc::Status status = ReturnForCorrection(p.name(), "自分で返却", deadline,
                                            nullptr, Applicant(applicant));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status = ReturnForCorrection(p.name(), "", deadline, nullptr);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "note");
  status = ReturnForCorrection(p.name(), "過去の期限", clock().Now(), nullptr);
  EXPECT_EQ(BadField(status), "deadline");
  status = ReturnForCorrection(p.name(), "遠い期限",
                               clock().Now() + absl::Hours(24 * 91), nullptr);
  EXPECT_EQ(BadField(status), "deadline");
  v1::ReturnProposalRequest no_deadline;
  no_deadline.set_name(p.name());
  no_deadline.set_note("期限なし");
  Proposal ignored;
  status = stub_->ReturnProposal(Context(Staff()).get(), no_deadline, &ignored);
  EXPECT_EQ(BadField(status), "deadline");
  std::string long_note(4001, 'a');
  status = ReturnForCorrection(p.name(), long_note, deadline, nullptr);
  EXPECT_EQ(BadField(status), "note");

  Proposal draft;
  ASSERT_TRUE(
      CreateDraft(call.name(), "partners/shitagaki", "下書き", 1000, &draft)
          .ok());
  EXPECT_EQ(Reason(ReturnForCorrection(draft.name(), "下書きは返せない",
                                       deadline, nullptr)),
            "PROPOSAL_NOT_SUBMITTED");

  Proposal read;
  ASSERT_TRUE(GetProposal(p.name(), Staff(), &read).ok());
  EXPECT_EQ(read.etag(), p.etag()) << "no refused return changed anything";
  EXPECT_EQ(read.state(), Proposal::ELIGIBLE);

  // While returned it still counts as the applicant's proposal of the call
  // (one per applicant).
  ASSERT_TRUE(ReturnForCorrection(p.name(), "1回目", deadline, &read).ok());
  Proposal second;
  ASSERT_TRUE(
      CreateDraft(call.name(), applicant, "二つ目", 1000, &second).ok());
  EXPECT_EQ(Reason(Submit(second.name(), Applicant(applicant))),
            "TOO_MANY_PROPOSALS_IN_CALL");

  // At most five returns.
  for (int i = 2; i <= 5; ++i) {
    ASSERT_TRUE(Submit(p.name(), Applicant(applicant)).ok()) << i;
    status =
        ReturnForCorrection(p.name(), absl::StrCat(i, "回目"), deadline, &read);
    ASSERT_TRUE(status.ok()) << i << " " << status.error_message();
  }
  EXPECT_EQ(read.corrections_size(), 5);
  ASSERT_TRUE(Submit(p.name(), Applicant(applicant)).ok());
  status = ReturnForCorrection(p.name(), "6回目", deadline, nullptr);
  EXPECT_EQ(Reason(status), "TOO_MANY_CORRECTIONS");
  EXPECT_EQ(Metadata(status, "limit"), "5");

  // Another proposal, returned and then withdrawn by its applicant:
  // allowed until the review starts.
  const Proposal other =
      EligibleProposal(call.name(), "partners/yameru", "取り下げ", 1000);
  ASSERT_TRUE(
      ReturnForCorrection(other.name(), "取り下げ前", deadline, nullptr).ok());
  v1::WithdrawProposalRequest withdraw;
  withdraw.set_name(other.name());
  Proposal withdrawn;
  status = stub_->WithdrawProposal(Context(Applicant("partners/yameru")).get(),
                                   withdraw, &withdrawn);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(withdrawn.state(), Proposal::WITHDRAWN);

  // Once the review started, nothing is returned.
  AddReviewer(call.name(), "iin-1");
  AddReviewer(call.name(), "iin-2");
  ASSERT_TRUE(Screen(p.name(), GoodFacts()).ok());
  CloseAndStartReview(call.name());
  status = ReturnForCorrection(p.name(), "審査中", kCloses + absl::Hours(48),
                               nullptr);
  EXPECT_EQ(Reason(status), "REVIEW_STARTED");
}

}  // namespace
}  // namespace kyodo::proposal
