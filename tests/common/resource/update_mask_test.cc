// update_mask resolution and field application (AIP-134).
#include "common/resource/update_mask.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "tests/common/status_util.h"

namespace kyodo::common {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::FieldMask;
using ::google::protobuf::Message;
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

// kyodo's resources have no float or unsigned fields yet; the update-mask
// code once skipped them silently. A message built at run time from this
// descriptor has one field of each such type, with and without presence.
constexpr char kNumbersProto[] = R"pb(
  name: "numbers_test.proto"
  package: "kyodo.test"
  syntax: "proto3"
  message_type {
    name: "Numbers"
    field { name: "f" number: 1 label: LABEL_OPTIONAL type: TYPE_FLOAT }
    field { name: "u32" number: 2 label: LABEL_OPTIONAL type: TYPE_UINT32 }
    field { name: "u64" number: 3 label: LABEL_OPTIONAL type: TYPE_UINT64 }
    field { name: "fx64" number: 4 label: LABEL_OPTIONAL type: TYPE_FIXED64 }
    field { name: "fs" number: 5 label: LABEL_REPEATED type: TYPE_FLOAT }
    field { name: "us" number: 6 label: LABEL_REPEATED type: TYPE_UINT64 }
    field {
      name: "opt_f"
      number: 7
      label: LABEL_OPTIONAL
      type: TYPE_FLOAT
      oneof_index: 0
      proto3_optional: true
    }
    field { name: "label" number: 8 label: LABEL_OPTIONAL type: TYPE_STRING }
    oneof_decl { name: "_opt_f" }
  }
)pb";

class NumbersTest : public ::testing::Test {
 protected:
  NumbersTest() {
    google::protobuf::FileDescriptorProto file;
    EXPECT_TRUE(
        google::protobuf::TextFormat::ParseFromString(kNumbersProto, &file));
    const google::protobuf::FileDescriptor* built = pool_.BuildFile(file);
    EXPECT_NE(built, nullptr);
    descriptor_ = pool_.FindMessageTypeByName("kyodo.test.Numbers");
  }
  std::unique_ptr<Message> New() {
    return std::unique_ptr<Message>(factory_.GetPrototype(descriptor_)->New());
  }
  const FieldDescriptor* Field(const char* name) const {
    return descriptor_->FindFieldByName(name);
  }

  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_;
  const google::protobuf::Descriptor* descriptor_ = nullptr;
};

TEST_F(NumbersTest, FloatAndUnsignedFieldsAreCopied) {
  ASSERT_NE(descriptor_, nullptr);
  std::unique_ptr<Message> patch = New();
  const auto* r = patch->GetReflection();
  r->SetFloat(patch.get(), Field("f"), 2.5f);
  r->SetUInt32(patch.get(), Field("u32"), 4000000000u);
  r->SetUInt64(patch.get(), Field("u64"), 18446744073709551615u);
  r->SetUInt64(patch.get(), Field("fx64"), 42u);
  r->AddFloat(patch.get(), Field("fs"), 0.25f);
  r->AddUInt64(patch.get(), Field("us"), 7u);
  r->AddUInt64(patch.get(), Field("us"), 9u);
  r->SetFloat(patch.get(), Field("opt_f"), -1.5f);
  r->SetString(patch.get(), Field("label"), "not in the mask");

  std::unique_ptr<Message> target = New();
  r->AddFloat(target.get(), Field("fs"), 99.0f);  // replaced, not appended
  r->SetString(target.get(), Field("label"), "kept");
  ApplyFields(*patch, {"f", "u32", "u64", "fx64", "fs", "us", "opt_f"},
              target.get());
  EXPECT_EQ(r->GetFloat(*target, Field("f")), 2.5f);
  EXPECT_EQ(r->GetUInt32(*target, Field("u32")), 4000000000u);
  EXPECT_EQ(r->GetUInt64(*target, Field("u64")), 18446744073709551615u);
  EXPECT_EQ(r->GetUInt64(*target, Field("fx64")), 42u);
  ASSERT_EQ(r->FieldSize(*target, Field("fs")), 1);
  EXPECT_EQ(r->GetRepeatedFloat(*target, Field("fs"), 0), 0.25f);
  ASSERT_EQ(r->FieldSize(*target, Field("us")), 2);
  EXPECT_EQ(r->GetRepeatedUInt64(*target, Field("us"), 1), 9u);
  EXPECT_TRUE(r->HasField(*target, Field("opt_f")));
  EXPECT_EQ(r->GetFloat(*target, Field("opt_f")), -1.5f);
  EXPECT_EQ(r->GetString(*target, Field("label")), "kept");

  // Unset in the patch: cleared in the target, presence included.
  std::unique_ptr<Message> empty = New();
  ApplyFields(*empty, {"f", "u64", "us", "opt_f"}, target.get());
  EXPECT_EQ(r->GetFloat(*target, Field("f")), 0.0f);
  EXPECT_EQ(r->GetUInt64(*target, Field("u64")), 0u);
  EXPECT_EQ(r->FieldSize(*target, Field("us")), 0);
  EXPECT_FALSE(r->HasField(*target, Field("opt_f")));
  EXPECT_EQ(r->GetUInt32(*target, Field("u32")), 4000000000u);
}

TEST_F(NumbersTest, MaskOverFloatAndUnsignedFields) {
  ASSERT_NE(descriptor_, nullptr);
  const absl::flat_hash_set<std::string> updatable = {"f", "u32", "us",
                                                      "opt_f"};
  std::unique_ptr<Message> patch = New();
  const auto* r = patch->GetReflection();
  r->SetFloat(patch.get(), Field("f"), 0.5f);
  r->SetUInt32(patch.get(), Field("u32"), 3u);
  r->SetUInt64(patch.get(), Field("u64"), 3u);  // set, but not updatable
  auto populated = ResolveUpdateMask(FieldMask(), *patch, updatable);
  ASSERT_TRUE(populated.ok()) << populated.status();
  EXPECT_THAT(*populated, UnorderedElementsAre("f", "u32"));

  auto star = ResolveUpdateMask(Mask({"*"}), *patch, updatable);
  ASSERT_TRUE(star.ok()) << star.status();
  EXPECT_THAT(*star, ElementsAre("f", "u32", "us", "opt_f"));

  auto refused = ResolveUpdateMask(Mask({"f", "u64"}), *patch, updatable);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadRequestField(refused.status()), "update_mask");
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr("cannot update u64"));
}

}  // namespace
}  // namespace kyodo::common
