// Descriptor-driven request validation on real kyodo request messages.
#include "common/validate/request.h"

#include <string>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "tests/common/status_util.h"

namespace kyodo::common {
namespace {

using ::kyodo::common::testing::BadRequestField;
using ::kyodo::partner::v1::BatchGetPartnersRequest;
using ::kyodo::partner::v1::CreatePartnerRequest;
using ::kyodo::partner::v1::UpdatePartnerRequest;

CreatePartnerRequest ValidCreate() {
  CreatePartnerRequest request;
  auto* p = request.mutable_partner();
  p->set_kind(kyodo::partner::v1::CIVIC_GROUP);
  p->set_display_name("\xE6\xA3\xAE\xE3\x81\xAE\xE4\xBC\x9A");  // 森の会
  p->set_name_kana(
      "\xE3\x82\x82\xE3\x82\x8A\xE3\x81\xAE\xE3\x81\x8B\xE3\x81\x84");
  p->set_description("\xF0\xA0\xAE\xB7 \xF0\x9F\x98\x80");
  for (int i = 0; i < 3; ++i) {
    auto* c = p->add_contacts();
    c->set_person_name("Sato");
    c->set_email("sato@example.jp");
  }
  request.set_request_id("123e4567-e89b-12d3-a456-426614174000");
  return request;
}

void ExpectInvalid(const absl::Status& status, const std::string& field,
                   const std::string& reason) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(BadRequestField(status), field) << status;
  EXPECT_EQ(ErrorReason(status), reason) << status;
  auto info = GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("field"), field);
}

TEST(ValidateRequestTest, ValidRequestPasses) {
  EXPECT_TRUE(ValidateRequest(ValidCreate()).ok());
  EXPECT_TRUE(ValidateRequest(CreatePartnerRequest()).ok());
}

TEST(ValidateRequestTest, InvalidUtf8IsNamedByItsPath) {
  CreatePartnerRequest request = ValidCreate();
  request.mutable_partner()->mutable_contacts(1)->set_email(
      "sato\xC0\xAF@x.jp");
  ExpectInvalid(ValidateRequest(request), "partner.contacts[1].email",
                "INVALID_UTF8");

  request = ValidCreate();
  request.mutable_partner()->set_display_name("\xED\xA0\x80");
  ExpectInvalid(ValidateRequest(request), "partner.display_name",
                "INVALID_UTF8");

  request = ValidCreate();
  request.set_request_id("\xFF");
  ExpectInvalid(ValidateRequest(request), "request_id", "INVALID_UTF8");
}

TEST(ValidateRequestTest, MaxBytesCountsBytes) {
  // display_name: max_bytes 300. 100 x あ is 300 bytes; 101 is too long.
  std::string a100;
  for (int i = 0; i < 100; ++i) a100 += "\xE3\x81\x82";
  CreatePartnerRequest request = ValidCreate();
  request.mutable_partner()->set_display_name(a100);
  EXPECT_TRUE(ValidateRequest(request).ok());
  request.mutable_partner()->set_display_name(a100 + "\xE3\x81\x82");
  ExpectInvalid(ValidateRequest(request), "partner.display_name",
                "FIELD_TOO_LONG");

  // contacts[2].phone: max_bytes 40.
  request = ValidCreate();
  request.mutable_partner()->mutable_contacts(2)->set_phone(
      std::string(40, '0'));
  EXPECT_TRUE(ValidateRequest(request).ok());
  request.mutable_partner()->mutable_contacts(2)->set_phone(
      std::string(41, '0'));
  ExpectInvalid(ValidateRequest(request), "partner.contacts[2].phone",
                "FIELD_TOO_LONG");

  request = ValidCreate();
  request.set_request_id(std::string(37, 'a'));
  ExpectInvalid(ValidateRequest(request), "request_id", "FIELD_TOO_LONG");
}

TEST(ValidateRequestTest, TooManyItems) {
  // contacts: max_items 20.
  CreatePartnerRequest request = ValidCreate();
  while (request.partner().contacts_size() < 20) {
    request.mutable_partner()->add_contacts();
  }
  EXPECT_TRUE(ValidateRequest(request).ok());
  request.mutable_partner()->add_contacts();
  ExpectInvalid(ValidateRequest(request), "partner.contacts", "TOO_MANY_ITEMS");

  // names: max_items 500 and max_bytes 100 per entry.
  BatchGetPartnersRequest batch;
  for (int i = 0; i < 500; ++i) batch.add_names("partners/abc");
  EXPECT_TRUE(ValidateRequest(batch).ok());
  batch.set_names(3, "partners/\xFF");
  ExpectInvalid(ValidateRequest(batch), "names[3]", "INVALID_UTF8");
  batch.set_names(3, std::string(101, 'x'));
  ExpectInvalid(ValidateRequest(batch), "names[3]", "FIELD_TOO_LONG");
  batch.set_names(3, "partners/abc");
  batch.add_names("partners/abc");
  ExpectInvalid(ValidateRequest(batch), "names", "TOO_MANY_ITEMS");
}

TEST(ValidateRequestTest, DefaultsApplyWithoutOptions) {
  // google.protobuf.FieldMask.paths has no kyodo options: the defaults
  // (kDefaultMaxItems entries, kDefaultMaxStringBytes each) apply.
  UpdatePartnerRequest request;
  for (int i = 0; i < kDefaultMaxItems; ++i) {
    request.mutable_update_mask()->add_paths("display_name");
  }
  EXPECT_TRUE(ValidateRequest(request).ok());
  request.mutable_update_mask()->add_paths("display_name");
  ExpectInvalid(ValidateRequest(request), "update_mask.paths",
                "TOO_MANY_ITEMS");

  request.mutable_update_mask()->clear_paths();
  request.mutable_update_mask()->add_paths("ok");
  request.mutable_update_mask()->add_paths(
      std::string(kDefaultMaxStringBytes, 'p'));
  EXPECT_TRUE(ValidateRequest(request).ok());
  request.mutable_update_mask()->set_paths(
      1, std::string(kDefaultMaxStringBytes + 1, 'p'));
  ExpectInvalid(ValidateRequest(request), "update_mask.paths[1]",
                "FIELD_TOO_LONG");
  request.mutable_update_mask()->set_paths(1, "\xC3");
  ExpectInvalid(ValidateRequest(request), "update_mask.paths[1]",
                "INVALID_UTF8");
}

TEST(ValidateRequestTest, RequireNonEmpty) {
  EXPECT_TRUE(RequireNonEmpty("name", "x").ok());
  ExpectInvalid(RequireNonEmpty("partner.display_name", ""),
                "partner.display_name", "FIELD_REQUIRED");
}

TEST(ValidateRequestIdTest, UuidsOnly) {
  EXPECT_TRUE(ValidateRequestId("request_id", "").ok());
  EXPECT_TRUE(
      ValidateRequestId("request_id", "123e4567-e89b-12d3-a456-426614174000")
          .ok());
  EXPECT_TRUE(
      ValidateRequestId("request_id", "123E4567-E89B-12D3-A456-426614174000")
          .ok());
  for (const char* bad : {
           "123e4567-e89b-12d3-a456-42661417400",    // short
           "123e4567-e89b-12d3-a456-4266141740000",  // long
           "123e4567e89b-12d3-a456-4266141740000",   // dash moved
           "123e4567-e89b-12d3-a456_426614174000",   // not a dash
           "123e4567-e89b-12d3-a456-42661417400g",   // not hex
           "{23e4567-e89b-12d3-a456-426614174000",
           "not a uuid",
       }) {
    SCOPED_TRACE(bad);
    ExpectInvalid(ValidateRequestId("request_id", bad), "request_id",
                  "INVALID_FIELD");
  }
}

}  // namespace
}  // namespace kyodo::common
