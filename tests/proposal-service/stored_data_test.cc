// Stored data that does not parse is DATA_LOSS, logged with the table and the
// row, never a default (common/store/doc.h). Each test writes good rows
// through the service, spoils one value straight in the table as the
// migrating account, and reads it through the store as the service does.
#include <string>

#include "proposal-service/store/call_store.h"
#include "proposal-service/store/proposal_store.h"
#include "tests/proposal-service/proposal_fixture.h"
#include "tests/testing/log_capture.h"

namespace kyodo::proposal {
namespace {

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Proposal;
using kyodo::testing::LogCapture;

class StoredDataTest : public ProposalServiceTest {
 protected:
  StoredDataTest() : serving_(db_.NewServingPool(2)) {}

  common::db::PooledSession Session() {
    auto session = serving_->Borrow(absl::Now() + absl::Seconds(30));
    EXPECT_TRUE(session.ok()) << session.status();
    return std::move(*session);
  }

  std::unique_ptr<common::db::ConnectionPool> serving_;
};

TEST_F(StoredDataTest, CallAndProposalStatesNoEnumNamesAreDataLoss) {
  const Call call = OpenStandardCall();
  const Proposal proposal =
      EligibleProposal(call.name(), "partners/p1", "提案", 100000);
  const std::string call_id = Id(call.name());
  const std::string proposal_id = Id(proposal.name());
  ASSERT_TRUE(store::GetCall(*Session(), call_id).ok());
  ASSERT_TRUE(store::GetProposal(*Session(), proposal_id).ok());

  db_.Exec("UPDATE proposals SET state = 'MISLAID' WHERE id = '" + proposal_id +
           "'");
  {
    LogCapture log;
    auto read = store::GetProposal(*Session(), proposal_id);
    EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss)
        << read.status();
    EXPECT_TRUE(log.LoggedBadStoredValue("proposals", proposal_id, "state"));
    EXPECT_EQ(store::GetProposalInCall(*Session(), proposal_id).status().code(),
              absl::StatusCode::kDataLoss);
  }
  {
    // Through GetProposal: its one read meets the spoiled row, and the
    // reads it then falls back to (the call's access first) answer
    // DATA_LOSS to staff.
    v1::GetProposalRequest get;
    get.set_name(proposal.name());
    Proposal out;
    grpc::Status status =
        stub_->GetProposal(kyodo::testing::Context(Staff()).get(), get, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS)
        << status.error_message();
  }

  db_.Exec("UPDATE calls SET state = 'PAUSED' WHERE id = '" + call_id + "'");
  LogCapture log;
  auto read = store::GetCall(*Session(), call_id);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss) << read.status();
  EXPECT_TRUE(log.LoggedBadStoredValue("calls", call_id, "state"));
}

// A submitted proposal without its submit time once sorted first among
// equals (read as the infinite past); now the decision's read refuses it.
TEST_F(StoredDataTest, ASubmittedProposalWithoutItsSubmitTimeIsDataLoss) {
  const Call call = OpenStandardCall();
  const Proposal proposal =
      EligibleProposal(call.name(), "partners/p1", "提案", 100000);
  const std::string call_id = Id(call.name());
  auto before = store::DecisionCandidates(*Session(), call_id);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->size(), 1u);

  db_.Exec("UPDATE proposals SET submit_time = NULL WHERE id = '" +
           Id(proposal.name()) + "'");
  LogCapture log;
  auto after = store::DecisionCandidates(*Session(), call_id);
  EXPECT_EQ(after.status().code(), absl::StatusCode::kDataLoss)
      << after.status();
  EXPECT_NE(log.LineWith(
                {"stored value does not parse", Id(proposal.name()), "NULL"}),
            "");
}

}  // namespace
}  // namespace kyodo::proposal
