// Enum values in words: the label option of every enum a person reads
// (protos/kyodo/type/v1/label.proto) and common::EnumLabel.
#include "common/text/enum_label.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kyodo/gateway/v1/gateway.pb.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "kyodo/type/v1/error_reason.pb.h"
#include "kyodo/type/v1/label.pb.h"
#include "kyodo/type/v1/ward.pb.h"

namespace kyodo::common {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FileDescriptor;

TEST(EnumLabelTest, ReadsTheOption) {
  EXPECT_EQ(EnumLabel(kyodo::proposal::v1::Call::OPEN), "受付中");
  EXPECT_EQ(EnumLabel(kyodo::type::v1::ASAO), "麻生区");
  EXPECT_EQ(
      EnumLabel(kyodo::proposal::v1::ProposalResult::COMMITTEE_NOT_ADOPTED),
      "審査会の判断で不採択");
  EXPECT_EQ(EnumLabel(kyodo::partner::v1::COMMUNITY_ORGANISATION), "地域団体");
}

TEST(EnumLabelTest, UndeclaredNumberIsWrittenInDigits) {
  EXPECT_EQ(EnumLabel(*kyodo::proposal::v1::Call::State_descriptor(), 99),
            "99");
}

TEST(EnumLabelTest, ValueWithoutLabelFallsBackToItsName) {
  // ErrorReason is for programs, not people: it carries no labels.
  EXPECT_EQ(
      EnumLabel(
          *google::protobuf::GetEnumDescriptor<kyodo::type::v1::ErrorReason>(),
          static_cast<int>(kyodo::type::v1::INVALID_PAGE_TOKEN)),
      "INVALID_PAGE_TOKEN");
}

TEST(EnumLabelTest, ErrorReasonsPeopleMeetAreExplained) {
  const EnumDescriptor& reasons =
      *google::protobuf::GetEnumDescriptor<kyodo::type::v1::ErrorReason>();
  EXPECT_EQ(EnumExplanation(reasons, kyodo::type::v1::SUBMISSION_WINDOW_CLOSED),
            "受付期間外のため提出できません。");
  EXPECT_EQ(EnumExplanation(reasons, kyodo::type::v1::INVALID_PAGE_TOKEN), "");
  EXPECT_EQ(EnumExplanation(reasons, 100000), "");
  // Each explanation is a sentence of its own: ends with 。 and is said of
  // one reason only.
  std::set<std::string> seen;
  int explained = 0;
  for (int i = 0; i < reasons.value_count(); ++i) {
    const std::string words =
        EnumExplanation(reasons, reasons.value(i)->number());
    if (words.empty()) continue;
    ++explained;
    EXPECT_TRUE(words.size() >= 3 && words.substr(words.size() - 3) == "。")
        << reasons.value(i)->name() << ": " << words;
    EXPECT_TRUE(seen.insert(words).second) << words;
  }
  EXPECT_GE(explained, 10);
}

void CollectEnums(const Descriptor& message,
                  std::vector<const EnumDescriptor*>* out) {
  for (int i = 0; i < message.enum_type_count(); ++i) {
    out->push_back(message.enum_type(i));
  }
  for (int i = 0; i < message.nested_type_count(); ++i) {
    CollectEnums(*message.nested_type(i), out);
  }
}

// Every enum of the API files has words for each value, distinct within the
// enum, so kyodoctl and the console never fall back to a bare name.
TEST(EnumLabelTest, EveryValueOfTheApiHasDistinctWords) {
  const std::vector<const FileDescriptor*> files = {
      kyodo::type::v1::Ward_descriptor()->file(),
      kyodo::partner::v1::Partner::descriptor()->file(),
      kyodo::project::v1::Project::descriptor()->file(),
      kyodo::proposal::v1::Proposal::descriptor()->file(),
      kyodo::gateway::v1::ExportOpenDataRequest::descriptor()->file(),
  };
  std::vector<const EnumDescriptor*> enums;
  for (const FileDescriptor* file : files) {
    for (int i = 0; i < file->enum_type_count(); ++i) {
      enums.push_back(file->enum_type(i));
    }
    for (int i = 0; i < file->message_type_count(); ++i) {
      CollectEnums(*file->message_type(i), &enums);
    }
  }
  ASSERT_GE(enums.size(), 20u);
  for (const EnumDescriptor* type : enums) {
    std::set<std::string> seen;
    for (int i = 0; i < type->value_count(); ++i) {
      const auto* value = type->value(i);
      const std::string& label =
          value->options().GetExtension(kyodo::type::v1::label);
      EXPECT_FALSE(label.empty()) << value->full_name() << " has no label";
      EXPECT_TRUE(seen.insert(label).second)
          << value->full_name() << " repeats the label " << label;
    }
  }
}

}  // namespace
}  // namespace kyodo::common
