// The stored input of a decision keeps the committee's rulings and the
// call's stages, and reads exactly as before for a decision without them
// (selection_codec.h).
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
using rulings_fixture::TwoStages;

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

TEST(RulingsTest, TheStoredInputKeepsStagesAndReadsAsBeforeWithout) {
  const std::string plain = EncodeSelectionInput(ThreeProposals());
  EXPECT_THAT(plain, ::testing::Not(HasSubstr("stage")));
  SelectionInput input = TwoStages();
  input.stages[0].weight = 3;
  input.last_stage_weight = 2;
  const std::string text = EncodeSelectionInput(input);
  absl::StatusOr<SelectionInput> decoded = DecodeSelectionInput(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(EncodeSelectionInput(*decoded), text);
  ASSERT_EQ(decoded->stages.size(), 1u);
  EXPECT_EQ(decoded->stages[0].pass_mark, 60);
  EXPECT_EQ(decoded->stages[0].weight, 3);
  EXPECT_EQ(decoded->last_stage_weight, 2);
  ASSERT_EQ(decoded->candidates[2].stage_reviews.size(), 1u);
  EXPECT_EQ(decoded->candidates[2].stage_reviews[0][0].scores,
            std::vector<int64_t>{9});
  absl::StatusOr<SelectionResult> again = Select(*decoded);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Of(*again, "a").reason, Reason::kStageNotPassed);
}

}  // namespace
}  // namespace kyodo::proposal::domain
