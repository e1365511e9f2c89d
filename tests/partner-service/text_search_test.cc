// Japanese text through partner-service: byte-for-byte round trips, distinct
// kana, invalid UTF-8, and NFKC / kana search.
#include "tests/partner-service/partner_fixture.h"

using kyodo::partner::v1::Partner;

namespace kyodo::partner {
namespace {

using kyodo::testing::AdminToken;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::ViewerToken;

TEST_F(PartnerServiceTest, SupplementaryCharactersRoundTripByteForByte) {
  // 𠮷 (U+20BB7) and 🍣 (U+1F363) need 4 bytes in UTF-8: utf8mb4 only.
  const std::string name = "𠮷野家と🍣の会";
  ASSERT_EQ(name.size(), 4 + 6 + 3 + 4 + 3 + 3);
  Partner created =
      CreateOk(NewPartner(v1::CIVIC_GROUP, name, "よしのやとすしのかい"));
  Partner got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(got.display_name(), name);
  EXPECT_EQ(db_.QueryValue("SELECT HEX(display_name) FROM partners"),
            "F0A0AEB7E9878EE5AEB6E381A8F09F8DA3E381AEE4BC9A");
}

TEST_F(PartnerServiceTest, VoicedKanaStayDistinct) {
  Partner haha = CreateOk(NewPartner(v1::CIVIC_GROUP, "はは"));
  Partner baba = CreateOk(NewPartner(v1::CIVIC_GROUP, "ばば"));
  EXPECT_NE(haha.name(), baba.name());

  v1::ListPartnersRequest list;
  list.set_filter("display_name = \"はは\"");
  v1::ListPartnersResponse page;
  ASSERT_TRUE(
      stub_->ListPartners(Context(AdminToken()).get(), list, &page).ok());
  ASSERT_EQ(page.partners_size(), 1);
  EXPECT_EQ(page.partners(0).name(), haha.name());

  v1::SearchPartnersRequest search;
  search.set_query("ばば");
  v1::SearchPartnersResponse found;
  ASSERT_TRUE(
      stub_->SearchPartners(Context(AdminToken()).get(), search, &found).ok());
  ASSERT_EQ(found.partners_size(), 1);
  EXPECT_EQ(found.partners(0).name(), baba.name());
}

TEST_F(PartnerServiceTest, InvalidUtf8IsRefusedNamingTheField) {
  v1::CreatePartnerRequest request;
  *request.mutable_partner() = NewPartner(v1::CIVIC_GROUP, "ok");
  request.mutable_partner()->set_display_name(std::string("bad \xC3\x28 text"));
  Partner out;
  grpc::Status status =
      stub_->CreatePartner(Context(AdminToken()).get(), request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "partner.display_name");
  EXPECT_EQ(kyodo::testing::Reason(status), "INVALID_UTF8");

  request.mutable_partner()->set_display_name("ok");
  request.mutable_partner()->add_contacts()->set_person_name(
      "\xED\xA0\x80");  // surrogate
  status = stub_->CreatePartner(Context(AdminToken()).get(), request, &out);
  EXPECT_EQ(BadField(status), "partner.contacts[0].person_name");
  EXPECT_EQ(CountRows("partners"), 0);
  EXPECT_EQ(CountRows("audit_events"), 0);
}

TEST_F(PartnerServiceTest, TooLongTextIsRefused) {
  Partner out;
  grpc::Status status =
      Create(NewPartner(v1::CIVIC_GROUP, std::string(301, 'a')), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "partner.display_name");
  EXPECT_EQ(kyodo::testing::Reason(status), "FIELD_TOO_LONG");
}

TEST_F(PartnerServiceTest, SearchFindsByKanaInAnyScriptAndWidth) {
  Partner meiji =
      CreateOk(NewPartner(v1::UNIVERSITY, "明治大学", "メイジダイガク"));
  CreateOk(NewPartner(v1::UNIVERSITY, "和光大学", "わこうだいがく"));
  CreateOk(NewPartner(v1::COMPANY, "ＦＵＪＩＴＳＵ株式会社", "ふじつう"));

  auto search = [&](const std::string& query) {
    v1::SearchPartnersRequest request;
    request.set_query(query);
    v1::SearchPartnersResponse response;
    grpc::Status status =
        stub_->SearchPartners(Context(ViewerToken()).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const auto& p : response.partners()) names.push_back(p.display_name());
    return names;
  };
  EXPECT_EQ(search("めいじ"), std::vector<std::string>{"明治大学"});
  EXPECT_EQ(search("ﾒｲｼﾞ"),
            std::vector<std::string>{"明治大学"});  // half-width
  EXPECT_EQ(search("明治"), std::vector<std::string>{"明治大学"});
  EXPECT_EQ(search("fujitsu"),
            std::vector<std::string>{"ＦＵＪＩＴＳＵ株式会社"});
  EXPECT_EQ(search("だいがく").size(), 2u);
  EXPECT_TRUE(search("東芝").empty());

  v1::SearchPartnersRequest blank;
  blank.set_query("   ");
  v1::SearchPartnersResponse response;
  EXPECT_EQ(BadField(stub_->SearchPartners(Context(ViewerToken()).get(), blank,
                                           &response)),
            "query");
}

TEST_F(PartnerServiceTest, BatchGetKeepsOrderAndFailsOnUnknownNames) {
  Partner a = CreateOk(NewPartner(v1::UNIVERSITY, "玉川大学"));
  Partner b = CreateOk(NewPartner(v1::UNIVERSITY, "昭和音楽大学"));
  v1::BatchGetPartnersRequest request;
  request.add_names(b.name());
  request.add_names(a.name());
  request.add_names(b.name());
  v1::BatchGetPartnersResponse response;
  ASSERT_TRUE(
      stub_->BatchGetPartners(Context(ViewerToken()).get(), request, &response)
          .ok());
  ASSERT_EQ(response.partners_size(), 3);
  EXPECT_EQ(response.partners(0).name(), b.name());
  EXPECT_EQ(response.partners(1).name(), a.name());
  EXPECT_EQ(response.partners(2).name(), b.name());

  request.add_names("partners/missing");
  response.Clear();
  grpc::Status status =
      stub_->BatchGetPartners(Context(ViewerToken()).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status.error_message().find("partners/missing"), std::string::npos);
}

}  // namespace
}  // namespace kyodo::partner
