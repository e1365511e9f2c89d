// update_mask resolution and field application (AIP-134).
#include "common/resource/update_mask.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "tests/common/status_util.h"

namespace kyodo::common {
namespace {

using ::google::protobuf::FieldMask;
using ::google::protobuf::util::MessageDifferencer;
using ::kyodo::common::testing::BadRequestField;
using ::kyodo::partner::v1::Agreement;
using ::kyodo::partner::v1::Partner;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

const absl::flat_hash_set<std::string>& Mutable() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "kind", "display_name", "name_kana", "ward", "description", "contacts"};
  return *fields;
}

FieldMask Mask(std::initializer_list<const char*> paths) {
  FieldMask mask;
  for (const char* p : paths) mask.add_paths(p);
  return mask;
}

TEST(ResolveUpdateMaskTest, EmptyMaskMeansPopulatedMutableFields) {
  Partner patch;
  patch.set_display_name("New");
  patch.add_contacts()->set_email("a@example.jp");
  // Output-only fields echoed back are skipped, not refused.
  patch.set_name("partners/abc");
  patch.set_etag("W/\"3\"");
  patch.mutable_update_time()->set_seconds(5);
  patch.set_state(Partner::ACTIVE);
  auto fields = ResolveUpdateMask(FieldMask(), patch, Mutable());
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_THAT(*fields, UnorderedElementsAre("display_name", "contacts"));

  auto none = ResolveUpdateMask(FieldMask(), Partner(), Mutable());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(ResolveUpdateMaskTest, StarMeansEveryMutableField) {
  Partner patch;
  patch.set_display_name("Only this is set");
  auto fields = ResolveUpdateMask(Mask({"*"}), patch, Mutable());
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_THAT(*fields, ElementsAre("kind", "display_name", "name_kana", "ward",
                                   "description", "contacts"));
}

TEST(ResolveUpdateMaskTest, ExplicitPaths) {
  auto fields =
      ResolveUpdateMask(Mask({"description", "ward"}), Partner(), Mutable());
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_THAT(*fields, ElementsAre("description", "ward"));
}

TEST(ResolveUpdateMaskTest, UnknownNestedOrOutputOnlyPathsAreRefused) {
  for (const char* path :
       {"name", "etag", "state", "update_time", "no_such_field",
        "contacts.email", "contacts[0]", "displayName", ""}) {
    SCOPED_TRACE(path);
    auto fields =
        ResolveUpdateMask(Mask({"display_name", path}), Partner(), Mutable());
    EXPECT_EQ(fields.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(BadRequestField(fields.status()), "update_mask");
  }
}

TEST(ApplyFieldsTest, CopiesClearsAndReplaces) {
  Partner target;
  target.set_name("partners/abc");
  target.set_display_name("Old");
  target.set_description("old description");
  target.set_ward(kyodo::type::v1::ASAO);
  target.set_name_kana("\xE3\x81\x8A");
  target.add_contacts()->set_email("a@example.jp");
  target.add_contacts()->set_email("b@example.jp");

  Partner patch;
  patch.set_display_name("New");
  // description unset in the patch: cleared.
  patch.add_contacts()->set_phone("044-200-2111");
  patch.set_ward(kyodo::type::v1::TAMA);  // set, but not in the mask

  ApplyFields(patch, {"display_name", "description", "contacts", "no_such"},
              &target);
  EXPECT_EQ(target.display_name(), "New");
  EXPECT_FALSE(target.has_description());
  ASSERT_EQ(target.contacts_size(), 1);  // replaced, not merged
  EXPECT_EQ(target.contacts(0).phone(), "044-200-2111");
  EXPECT_FALSE(target.contacts(0).has_email());
  // Untouched fields stay.
  EXPECT_EQ(target.ward(), kyodo::type::v1::ASAO);
  EXPECT_EQ(target.name(), "partners/abc");
  EXPECT_EQ(target.name_kana(), "\xE3\x81\x8A");

  ApplyFields(patch, {"ward", "kind"}, &target);
  EXPECT_EQ(target.ward(), kyodo::type::v1::TAMA);
  EXPECT_FALSE(target.has_kind());
}

TEST(ApplyFieldsTest, MessagesAndStringListsAreReplaced) {
  Agreement target;
  target.mutable_sign_date()->set_year(2020);
  target.mutable_sign_date()->set_month(4);
  target.mutable_sign_date()->set_day(1);
  target.add_parties("partners/a");
  target.add_parties("partners/b");
  target.add_themes("keep");
  target.set_kind(Agreement::THEME);

  Agreement patch;
  patch.mutable_sign_date()->set_year(2021);  // month and day unset
  patch.add_parties("partners/c");
  patch.set_kind(Agreement::COMPREHENSIVE);
  ApplyFields(patch, {"sign_date", "parties", "kind", "end_date"}, &target);
  EXPECT_TRUE(MessageDifferencer::Equals(target.sign_date(), patch.sign_date()))
      << target.sign_date().DebugString();
  EXPECT_THAT(target.parties(), ElementsAre("partners/c"));
  EXPECT_THAT(target.themes(), ElementsAre("keep"));
  EXPECT_EQ(target.kind(), Agreement::COMPREHENSIVE);
  EXPECT_FALSE(target.has_end_date());

  Agreement empty_patch;
  ApplyFields(empty_patch, {"parties", "sign_date"}, &target);
  EXPECT_EQ(target.parties_size(), 0);
  EXPECT_FALSE(target.has_sign_date());
}

}  // namespace
}  // namespace kyodo::common
