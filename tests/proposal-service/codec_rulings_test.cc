// The stored input of a decision keeps the committee's rulings, and reads
// exactly as before for a decision without them (selection_codec.h).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proposal-service/domain/selection.h"
#include "proposal-service/domain/selection_codec.h"
#include "tests/proposal-service/domain/rulings_fixture.h"

namespace kyodo::proposal::domain {
namespace {

using ::testing::HasSubstr;

using rulings_fixture::Of;
using rulings_fixture::Proposal;
using rulings_fixture::ThreeProposals;

TEST(RulingsTest, TheStoredInputKeepsRulingsAndReadsAsBeforeWithout) {
  SelectionInput plain = ThreeProposals();
  const std::string before = EncodeSelectionInput(plain);
  EXPECT_THAT(before, ::testing::Not(HasSubstr("ruling")));
  EXPECT_THAT(before, ::testing::Not(HasSubstr("granted_amount")));

  SelectionInput ruled = plain;
  ruled.candidates[0].ruling = Ruling::kReduce;
  ruled.candidates[0].granted_amount = 300;
  ruled.candidates[1].ruling = Ruling::kNotAdopt;
  const std::string text = EncodeSelectionInput(ruled);
  absl::StatusOr<SelectionInput> decoded = DecodeSelectionInput(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(EncodeSelectionInput(*decoded), text);
  EXPECT_EQ(decoded->candidates[0].ruling, Ruling::kReduce);
  EXPECT_EQ(decoded->candidates[0].granted_amount, 300);
  EXPECT_EQ(decoded->candidates[1].ruling, Ruling::kNotAdopt);
  EXPECT_FALSE(decoded->candidates[1].granted_amount.has_value());
  absl::StatusOr<SelectionResult> again = Select(*decoded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Of(*again, "b").reason, Reason::kCommitteeNotAdopted);
}

}  // namespace
}  // namespace kyodo::proposal::domain
