// Agreements (協定) and networks (協議会・ネットワーク) over gRPC.
#include "common/time/date.h"
#include "tests/partner-service/partner_fixture.h"

using kyodo::partner::v1::Partner;

namespace kyodo::partner {
namespace {

using kyodo::testing::AdminToken;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::WardStaffToken;
using v1::Agreement;
using v1::Network;

google::type::Date Day(int y, int m, int d) {
  return common::FromCivilDay(absl::CivilDay(y, m, d));
}

class AgreementNetworkTest : public PartnerServiceTest {
 protected:
  AgreementNetworkTest() {
    city_ = CreateOk(NewPartner(v1::CITY_UNIT, "川崎市"));
    toshiba_ = CreateOk(NewPartner(v1::COMPANY, "東芝"));
    Partner tama = NewPartner(v1::CITY_UNIT, "多摩区役所");
    tama.set_ward(kyodo::type::v1::TAMA);
    tama.set_parent(city_.name());
    tama_ = CreateOk(tama);
    senshu_ = CreateOk(NewPartner(v1::UNIVERSITY, "専修大学"));
    meiji_ = CreateOk(NewPartner(v1::UNIVERSITY, "明治大学"));
    jwu_ = CreateOk(NewPartner(v1::UNIVERSITY, "日本女子大学"));
  }

  Agreement SmartCommunity() {
    Agreement a;
    a.set_display_name(
        "スマートコミュニティの実現に向けた連携・協力に関する協定");
    a.set_kind(Agreement::THEME);
    a.add_parties(city_.name());
    a.add_parties(toshiba_.name());
    a.add_themes("スマートコミュニティ");
    *a.mutable_sign_date() = Day(2013, 10, 1);
    return a;
  }

  Partner city_, toshiba_, tama_, senshu_, meiji_, jwu_;
};

TEST_F(AgreementNetworkTest, AgreementLifecycle) {
  v1::CreateAgreementRequest create;
  *create.mutable_agreement() = SmartCommunity();
  Agreement created;
  ASSERT_TRUE(
      stub_->CreateAgreement(Context(AdminToken()).get(), create, &created)
          .ok());
  EXPECT_EQ(created.state(), Agreement::IN_FORCE);
  EXPECT_EQ(created.parties_size(), 2);

  v1::ListAgreementsRequest list;
  list.set_filter("party = \"" + toshiba_.name() + "\"");
  v1::ListAgreementsResponse page;
  ASSERT_TRUE(
      stub_->ListAgreements(Context(AdminToken()).get(), list, &page).ok());
  ASSERT_EQ(page.agreements_size(), 1);
  list.set_filter("party = \"" + senshu_.name() + "\"");
  page.Clear();
  ASSERT_TRUE(
      stub_->ListAgreements(Context(AdminToken()).get(), list, &page).ok());
  EXPECT_EQ(page.agreements_size(), 0);

  // An end date in the past (by the service's clock) ends it.
  v1::UpdateAgreementRequest update;
  update.mutable_agreement()->set_name(created.name());
  *update.mutable_agreement()->mutable_end_date() = Day(2026, 5, 31);
  update.mutable_update_mask()->add_paths("end_date");
  Agreement updated;
  ASSERT_TRUE(
      stub_->UpdateAgreement(Context(AdminToken()).get(), update, &updated)
          .ok());
  EXPECT_EQ(updated.state(), Agreement::ENDED);  // the fake clock is 2026-06-01

  v1::DeleteAgreementRequest del;
  del.set_name(created.name());
  ASSERT_TRUE(
      stub_->DeleteAgreement(Context(AdminToken()).get(), del, &updated).ok());
  EXPECT_TRUE(updated.has_delete_time());
}

TEST_F(AgreementNetworkTest, AgreementRulesAndPermissions) {
  v1::CreateAgreementRequest create;
  *create.mutable_agreement() = SmartCommunity();
  Agreement out;
  EXPECT_EQ(stub_
                ->CreateAgreement(
                    Context(WardStaffToken(kyodo::type::v1::TAMA)).get(),
                    create, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  create.mutable_agreement()->set_parties(1, "partners/unknown");
  grpc::Status status =
      stub_->CreateAgreement(Context(AdminToken()).get(), create, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PARTNER_NOT_FOUND");

  create.mutable_agreement()->mutable_parties()->RemoveLast();
  status = stub_->CreateAgreement(Context(AdminToken()).get(), create, &out);
  EXPECT_EQ(BadField(status), "agreement.parties");
  EXPECT_EQ(CountRows("agreements"), 0);
  EXPECT_EQ(CountRows("agreement_parties"), 0);
}

TEST_F(AgreementNetworkTest, WardStaffConveneNetworksOfTheirWardOnly) {
  v1::CreateNetworkRequest create;
  Network* n = create.mutable_network();
  n->set_display_name("多摩区3大学協議会");
  n->set_convening_unit(tama_.name());
  n->add_members(senshu_.name());
  n->add_members(meiji_.name());
  n->add_members(jwu_.name());
  Network out;
  EXPECT_EQ(
      stub_
          ->CreateNetwork(Context(WardStaffToken(kyodo::type::v1::ASAO)).get(),
                          create, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      stub_
          ->CreateNetwork(Context(WardStaffToken(kyodo::type::v1::TAMA)).get(),
                          create, &out)
          .ok());
  EXPECT_EQ(out.ward(), kyodo::type::v1::TAMA);
  EXPECT_EQ(out.members_size(), 3);

  v1::ListNetworksRequest list;
  list.set_filter("member = \"" + meiji_.name() + "\" AND ward = TAMA");
  v1::ListNetworksResponse page;
  ASSERT_TRUE(stub_
                  ->ListNetworks(Context(kyodo::testing::ViewerToken()).get(),
                                 list, &page)
                  .ok());
  ASSERT_EQ(page.networks_size(), 1);
  EXPECT_EQ(page.networks(0).display_name(), "多摩区3大学協議会");

  // Convened by a company: refused naming the rule.
  n->set_convening_unit(toshiba_.name());
  grpc::Status status =
      stub_->CreateNetwork(Context(AdminToken()).get(), create, &out);
  EXPECT_EQ(Reason(status), "CONVENER_NOT_CITY_UNIT");

  v1::UpdateNetworkRequest update;
  update.mutable_network()->set_name(page.networks(0).name());
  update.mutable_network()->set_description("地域と連携した活動");
  EXPECT_EQ(
      stub_
          ->UpdateNetwork(Context(WardStaffToken(kyodo::type::v1::ASAO)).get(),
                          update, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      stub_
          ->UpdateNetwork(Context(WardStaffToken(kyodo::type::v1::TAMA)).get(),
                          update, &out)
          .ok());
  EXPECT_EQ(out.description(), "地域と連携した活動");
  EXPECT_EQ(out.members_size(), 3);
}

}  // namespace
}  // namespace kyodo::partner
