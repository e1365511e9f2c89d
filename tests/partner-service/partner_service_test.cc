// PartnerService over gRPC against the real MariaDB: the standard methods
// and every error of docs/API.md.
#include <set>
#include <string>

#include "tests/partner-service/partner_fixture.h"

using kyodo::partner::v1::Partner;

namespace kyodo::partner {
namespace {

using kyodo::testing::AdminToken;
using kyodo::testing::BadField;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::ViewerToken;
using kyodo::testing::WardStaffToken;

TEST_F(PartnerServiceTest, CreateGetListUpdate) {
  Partner created =
      CreateOk(NewPartner(v1::CIVIC_GROUP, "NPO法人かわさき創造プロジェクト",
                          "かわさきそうぞうぷろじぇくと"));
  EXPECT_TRUE(absl::StartsWith(created.name(), "partners/"));
  EXPECT_EQ(created.state(), Partner::ACTIVE);
  EXPECT_FALSE(created.etag().empty());

  Partner got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  v1::ListPartnersRequest list;
  v1::ListPartnersResponse page;
  ASSERT_TRUE(
      stub_->ListPartners(Context(ViewerToken()).get(), list, &page).ok());
  ASSERT_EQ(page.partners_size(), 1);
  EXPECT_EQ(page.partners(0).name(), created.name());
  EXPECT_TRUE(page.next_page_token().empty());

  v1::UpdatePartnerRequest update;
  update.mutable_partner()->set_name(created.name());
  update.mutable_partner()->set_etag(created.etag());
  update.mutable_partner()->set_ward(kyodo::type::v1::MIYAMAE);
  update.mutable_update_mask()->add_paths("ward");
  Partner updated;
  ASSERT_TRUE(stub_
                  ->UpdatePartner(
                      Context(WardStaffToken(kyodo::type::v1::MIYAMAE)).get(),
                      update, &updated)
                  .ok());
  EXPECT_EQ(updated.ward(), kyodo::type::v1::MIYAMAE);
  EXPECT_EQ(updated.display_name(), created.display_name());
  EXPECT_NE(updated.etag(), created.etag());
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(got.ward(), kyodo::type::v1::MIYAMAE);
}

// A university based in one ward and active in another (明治大学: 多摩区,
// 麻生区): the wards round-trip and change through the update mask; a
// ward listed twice, the partner's own ward, no base ward or a city unit
// are refused, naming the field, and change nothing.
TEST_F(PartnerServiceTest, OtherWardsRoundTripAndAreChecked) {
  Partner p = NewPartner(v1::UNIVERSITY, "明治大学");
  p.set_ward(kyodo::type::v1::TAMA);
  p.add_other_wards(kyodo::type::v1::ASAO);
  Partner created = CreateOk(p);
  Partner got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  ASSERT_EQ(got.other_wards_size(), 1);
  EXPECT_EQ(got.other_wards(0), kyodo::type::v1::ASAO);

  auto update = [&](std::vector<kyodo::type::v1::Ward> wards, Partner* out) {
    v1::UpdatePartnerRequest r;
    r.mutable_partner()->set_name(created.name());
    for (auto w : wards) r.mutable_partner()->add_other_wards(w);
    r.mutable_update_mask()->add_paths("other_wards");
    return stub_->UpdatePartner(Context(AdminToken()).get(), r, out);
  };
  Partner out;
  grpc::Status twice =
      update({kyodo::type::v1::ASAO, kyodo::type::v1::ASAO}, &out);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(twice), "partner.other_wards[1]");
  grpc::Status own = update({kyodo::type::v1::TAMA}, &out);
  EXPECT_EQ(own.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(own), "partner.other_wards[0]");
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(got.etag(), created.etag());

  ASSERT_TRUE(
      update({kyodo::type::v1::ASAO, kyodo::type::v1::MIYAMAE}, &out).ok());
  EXPECT_EQ(out.other_wards_size(), 2);
  ASSERT_TRUE(update({}, &out).ok());
  EXPECT_EQ(out.other_wards_size(), 0);

  Partner unbased = NewPartner(v1::COMPANY, "市外の会社");
  unbased.add_other_wards(kyodo::type::v1::ASAO);
  grpc::Status no_base = Create(unbased, &out);
  EXPECT_EQ(no_base.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(no_base), "partner.other_wards");
  Partner unit = NewPartner(v1::CITY_UNIT, "麻生区役所");
  unit.set_ward(kyodo::type::v1::ASAO);
  unit.add_other_wards(kyodo::type::v1::TAMA);
  grpc::Status city = Create(unit, &out);
  EXPECT_EQ(city.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(city), "partner.other_wards");
  EXPECT_EQ(CountRows("partners"), 1);
}

TEST_F(PartnerServiceTest, MissingDisplayNameIsInvalidArgumentNamingTheField) {
  Partner out;
  grpc::Status status = Create(NewPartner(v1::UNIVERSITY, ""), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "partner.display_name");
  EXPECT_EQ(kyodo::testing::Domain(status), "kyodo.partner");
  EXPECT_EQ(CountRows("partners"), 0);
}

TEST_F(PartnerServiceTest, WrongCorporateNumberCheckDigitIsRefused) {
  Partner p = NewPartner(v1::COMPANY, "検査用株式会社");
  p.set_corporate_number("6000012050002");  // check digit should be 7
  Partner out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "partner.corporate_number");
  EXPECT_EQ(Reason(status), "INVALID_CORPORATE_NUMBER");
  p.set_corporate_number("7000012050002");
  EXPECT_TRUE(Create(p, &out).ok());
  EXPECT_EQ(out.corporate_number(), "7000012050002");
}

TEST_F(PartnerServiceTest, DuplicateCorporateNumberIsAlreadyExists) {
  Partner p = NewPartner(v1::COMPANY, "一社目");
  p.set_corporate_number("7000012050002");
  CreateOk(p);
  p.set_display_name("二社目");
  Partner out;
  grpc::Status status = Create(p, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(status), "CORPORATE_NUMBER_TAKEN");
  EXPECT_EQ(CountRows("partners"), 1);
  EXPECT_EQ(CountRows("audit_events"), 1);
}

TEST_F(PartnerServiceTest, UnknownPartnerIsNotFound) {
  Partner out;
  grpc::Status status = Get("partners/doesnotexist", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(status), "NOT_FOUND");
  EXPECT_EQ(Get("projects/abc", &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PartnerServiceTest, StaleEtagIsAbortedAndChangesNothing) {
  Partner created = CreateOk(NewPartner(v1::UNIVERSITY, "明治大学"));
  v1::UpdatePartnerRequest update;
  update.mutable_partner()->set_name(created.name());
  update.mutable_partner()->set_etag(created.etag());
  update.mutable_partner()->set_description("理工学分野・農学分野等での連携");
  Partner first;
  ASSERT_TRUE(
      stub_->UpdatePartner(Context(AdminToken()).get(), update, &first).ok());

  // A second writer still holding the first etag.
  update.mutable_partner()->set_description("上書き");
  Partner second;
  grpc::Status status =
      stub_->UpdatePartner(Context(AdminToken()).get(), update, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(status), "ETAG_MISMATCH");

  v1::DeletePartnerRequest del;
  del.set_name(created.name());
  del.set_etag(created.etag());
  EXPECT_EQ(stub_->DeletePartner(Context(AdminToken()).get(), del, &second)
                .error_code(),
            grpc::StatusCode::ABORTED);

  Partner got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(got.description(), "理工学分野・農学分野等での連携");
  EXPECT_FALSE(got.has_delete_time());
}

TEST_F(PartnerServiceTest, MissingOrBadTokenIsUnauthenticated) {
  v1::GetPartnerRequest request;
  request.set_name("partners/abc");
  Partner out;
  grpc::Status none = stub_->GetPartner(Context("").get(), request, &out);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status bad =
      stub_->GetPartner(Context("not.a.token").get(), request, &out);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Expired an hour ago.
  common::auth::Principal admin{"admin-1", common::auth::Role::kAdmin};
  grpc::Status expired = stub_->GetPartner(
      Context(kyodo::testing::TokenFor(admin, absl::Hours(-1))).get(), request,
      &out);
  EXPECT_EQ(expired.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(PartnerServiceTest, PermissionIsCheckedBeforeExistence) {
  // The partner does not exist; callers without the right must not learn
  // that.
  v1::UpdatePartnerRequest update;
  update.mutable_partner()->set_name("partners/nosuchpartner");
  update.mutable_partner()->set_description("x");
  Partner out;
  EXPECT_EQ(stub_->UpdatePartner(Context(ViewerToken()).get(), update, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      stub_
          ->UpdatePartner(
              Context(kyodo::testing::ApplicantToken("partners/mine")).get(),
              update, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->UpdatePartner(Context(AdminToken()).get(), update, &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::DeletePartnerRequest del;
  del.set_name("partners/nosuchpartner");
  EXPECT_EQ(
      stub_
          ->DeletePartner(Context(WardStaffToken(kyodo::type::v1::ASAO)).get(),
                          del, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  kyodo::type::v1::ListAuditEventsRequest audit;
  audit.set_resource("partners/nosuchpartner");
  kyodo::type::v1::ListAuditEventsResponse events;
  EXPECT_EQ(stub_
                ->ListAuditEvents(
                    Context(WardStaffToken(kyodo::type::v1::ASAO)).get(), audit,
                    &events)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PartnerServiceTest, ViewersMayNotRegisterPartners) {
  Partner out;
  grpc::Status status =
      Create(NewPartner(v1::CIVIC_GROUP, "x"), &out, ViewerToken());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CountRows("partners"), 0);
}

TEST_F(PartnerServiceTest, SoftDeleteHidesFromListUntilUndeleted) {
  Partner kept = CreateOk(NewPartner(v1::UNIVERSITY, "専修大学"));
  Partner gone = CreateOk(NewPartner(v1::UNIVERSITY, "日本女子大学"));
  v1::DeletePartnerRequest del;
  del.set_name(gone.name());
  del.set_etag(gone.etag());
  Partner deleted;
  ASSERT_TRUE(
      stub_->DeletePartner(Context(AdminToken()).get(), del, &deleted).ok());
  EXPECT_TRUE(deleted.has_delete_time());

  v1::ListPartnersRequest list;
  v1::ListPartnersResponse page;
  ASSERT_TRUE(
      stub_->ListPartners(Context(AdminToken()).get(), list, &page).ok());
  ASSERT_EQ(page.partners_size(), 1);
  EXPECT_EQ(page.partners(0).name(), kept.name());
  list.set_show_deleted(true);
  page.Clear();
  ASSERT_TRUE(
      stub_->ListPartners(Context(AdminToken()).get(), list, &page).ok());
  EXPECT_EQ(page.partners_size(), 2);

  Partner got;
  ASSERT_TRUE(Get(gone.name(), &got).ok());
  EXPECT_TRUE(got.has_delete_time());

  // Deleting twice names the rule.
  del.clear_etag();
  grpc::Status again =
      stub_->DeletePartner(Context(AdminToken()).get(), del, &got);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(again), "ALREADY_DELETED");

  v1::UndeletePartnerRequest undelete;
  undelete.set_name(gone.name());
  ASSERT_TRUE(
      stub_->UndeletePartner(Context(AdminToken()).get(), undelete, &got).ok());
  EXPECT_FALSE(got.has_delete_time());
}

TEST_F(PartnerServiceTest, StateTransitions) {
  Partner p =
      CreateOk(NewPartner(v1::CIVIC_GROUP, "ひまわり ～ノーマワールドの会～"));
  v1::ActivatePartnerRequest activate;
  activate.set_name(p.name());
  Partner out;
  grpc::Status status =
      stub_->ActivatePartner(Context(AdminToken()).get(), activate, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ALREADY_ACTIVE");

  v1::DeactivatePartnerRequest deactivate;
  deactivate.set_name(p.name());
  ASSERT_TRUE(stub_
                  ->DeactivatePartner(
                      Context(WardStaffToken(kyodo::type::v1::NAKAHARA)).get(),
                      deactivate, &out)
                  .ok());
  EXPECT_EQ(out.state(), Partner::INACTIVE);
  EXPECT_TRUE(
      stub_->ActivatePartner(Context(AdminToken()).get(), activate, &out).ok());
  EXPECT_EQ(out.state(), Partner::ACTIVE);
}

TEST_F(PartnerServiceTest, UpdateMaskRules) {
  Partner p = CreateOk(NewPartner(v1::COMPANY, "イオン株式会社"));
  v1::UpdatePartnerRequest update;
  update.mutable_partner()->set_name(p.name());
  update.mutable_update_mask()->add_paths("state");
  Partner out;
  grpc::Status status =
      stub_->UpdatePartner(Context(AdminToken()).get(), update, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "update_mask");
  update.mutable_update_mask()->set_paths(0, "no_such_field");
  EXPECT_EQ(stub_->UpdatePartner(Context(AdminToken()).get(), update, &out)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A masked field left unset is cleared.
  update.mutable_update_mask()->set_paths(0, "display_name");
  status = stub_->UpdatePartner(Context(AdminToken()).get(), update, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "partner.display_name");
}

TEST_F(PartnerServiceTest, CityUnitTreeStaysFreeOfCycles) {
  Partner city = CreateOk(NewPartner(v1::CITY_UNIT, "川崎市"));
  Partner bureau = NewPartner(v1::CITY_UNIT, "環境局");
  bureau.set_parent(city.name());
  bureau = CreateOk(bureau);
  Partner section = NewPartner(v1::CITY_UNIT, "環境局減量推進課");
  section.set_parent(bureau.name());
  section = CreateOk(section);

  v1::UpdatePartnerRequest update;
  update.mutable_partner()->set_name(city.name());
  update.mutable_partner()->set_parent(section.name());
  update.mutable_update_mask()->add_paths("parent");
  Partner out;
  grpc::Status status =
      stub_->UpdatePartner(Context(AdminToken()).get(), update, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PARENT_CYCLE");

  // A company cannot be a parent; a unit with children cannot be deleted.
  Partner company = CreateOk(NewPartner(v1::COMPANY, "東芝"));
  Partner orphan = NewPartner(v1::CITY_UNIT, "総合企画局スマート戦略室");
  orphan.set_parent(company.name());
  status = Create(orphan, &out);
  EXPECT_EQ(Reason(status), "PARENT_NOT_CITY_UNIT");
  v1::DeletePartnerRequest del;
  del.set_name(bureau.name());
  status = stub_->DeletePartner(Context(AdminToken()).get(), del, &out);
  EXPECT_EQ(Reason(status), "HAS_CHILD_UNITS");
}

TEST_F(PartnerServiceTest, PagingRulesAreEnforced) {
  for (int i = 0; i < 3; ++i)
    CreateOk(NewPartner(v1::CIVIC_GROUP, "団体" + std::to_string(i)));
  v1::ListPartnersRequest list;
  list.set_page_size(-1);
  v1::ListPartnersResponse page;
  grpc::Status status =
      stub_->ListPartners(Context(AdminToken()).get(), list, &page);
  EXPECT_EQ(BadField(status), "page_size");

  list.set_page_size(2);
  list.set_filter("kind = CIVIC_GROUP");
  ASSERT_TRUE(
      stub_->ListPartners(Context(AdminToken()).get(), list, &page).ok());
  ASSERT_EQ(page.partners_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());
  // The token belongs to that filter.
  list.set_page_token(page.next_page_token());
  list.set_filter("kind = COMPANY");
  status = stub_->ListPartners(Context(AdminToken()).get(), list, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "page_token");

  list.set_filter("kind = NOT_A_KIND");
  list.clear_page_token();
  status = stub_->ListPartners(Context(AdminToken()).get(), list, &page);
  EXPECT_EQ(BadField(status), "filter");
}

TEST_F(PartnerServiceTest, FiltersSelectTheRightPartners) {
  Partner asao = NewPartner(v1::NEIGHBOURHOOD_ASSOCIATION, "百合丘町会");
  asao.set_ward(kyodo::type::v1::ASAO);
  asao = CreateOk(asao);
  Partner tama = NewPartner(v1::NEIGHBOURHOOD_ASSOCIATION, "登戸町会");
  tama.set_ward(kyodo::type::v1::TAMA);
  CreateOk(tama);
  CreateOk(NewPartner(v1::UNIVERSITY, "和光大学"));

  v1::ListPartnersRequest list;
  list.set_filter("kind = NEIGHBOURHOOD_ASSOCIATION AND ward = ASAO");
  v1::ListPartnersResponse page;
  ASSERT_TRUE(
      stub_->ListPartners(Context(AdminToken()).get(), list, &page).ok());
  ASSERT_EQ(page.partners_size(), 1);
  EXPECT_EQ(page.partners(0).name(), asao.name());

  list.set_filter("ward != ASAO");
  page.Clear();
  ASSERT_TRUE(
      stub_->ListPartners(Context(AdminToken()).get(), list, &page).ok());
  EXPECT_EQ(page.partners_size(), 2);  // includes the one without a ward

  list.set_filter("display_name : \"町会\"");
  page.Clear();
  ASSERT_TRUE(
      stub_->ListPartners(Context(AdminToken()).get(), list, &page).ok());
  EXPECT_EQ(page.partners_size(), 2);
}

// active_ward: the partner's own ward or any of its other wards.
TEST_F(PartnerServiceTest, ActiveWardFindsPartnersOfOtherWardsToo) {
  Partner meiji = NewPartner(v1::UNIVERSITY, "明治大学");
  meiji.set_ward(kyodo::type::v1::TAMA);
  meiji.add_other_wards(kyodo::type::v1::MIYAMAE);
  meiji.add_other_wards(kyodo::type::v1::ASAO);
  meiji = CreateOk(meiji);
  Partner asao = NewPartner(v1::NEIGHBOURHOOD_ASSOCIATION, "百合丘町会");
  asao.set_ward(kyodo::type::v1::ASAO);
  asao = CreateOk(asao);
  Partner tama = NewPartner(v1::NEIGHBOURHOOD_ASSOCIATION, "登戸町会");
  tama.set_ward(kyodo::type::v1::TAMA);
  tama = CreateOk(tama);
  CreateOk(NewPartner(v1::UNIVERSITY, "和光大学"));

  auto names = [&](const std::string& filter) {
    v1::ListPartnersRequest list;
    list.set_filter(filter);
    v1::ListPartnersResponse page;
    grpc::Status status =
        stub_->ListPartners(Context(AdminToken()).get(), list, &page);
    EXPECT_TRUE(status.ok()) << filter << ": " << status.error_message();
    std::set<std::string> out;
    for (const Partner& p : page.partners()) out.insert(p.name());
    return out;
  };
  EXPECT_EQ(names("active_ward = ASAO"),
            (std::set<std::string>{meiji.name(), asao.name()}));
  EXPECT_EQ(names("ward = ASAO"), (std::set<std::string>{asao.name()}));
  EXPECT_EQ(names("active_ward = TAMA"),
            (std::set<std::string>{meiji.name(), tama.name()}));
  EXPECT_EQ(names("active_ward = ASAO AND kind = UNIVERSITY"),
            (std::set<std::string>{meiji.name()}));
  EXPECT_EQ(names("active_ward != ASAO").count(meiji.name()), 0u);
  EXPECT_EQ(names("active_ward != ASAO").size(), 2u);  // 登戸町会, 和光大学

  v1::ListPartnersRequest bad;
  bad.set_filter("active_ward = NOWHERE");
  v1::ListPartnersResponse page;
  grpc::Status status =
      stub_->ListPartners(Context(AdminToken()).get(), bad, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "filter");
}

}  // namespace
}  // namespace kyodo::partner
