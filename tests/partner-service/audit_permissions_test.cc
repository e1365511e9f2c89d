// The audit trail of partner changes, and who sees and edits what.
#include "tests/partner-service/partner_fixture.h"

using kyodo::partner::v1::Partner;

namespace kyodo::partner {
namespace {

using kyodo::testing::AdminToken;
using kyodo::testing::ApplicantToken;
using kyodo::testing::Context;
using kyodo::testing::Reason;
using kyodo::testing::ViewerToken;
using kyodo::testing::WardStaffToken;
using kyodo::type::v1::ListAuditEventsRequest;
using kyodo::type::v1::ListAuditEventsResponse;

TEST_F(PartnerServiceTest, EveryChangeIsAuditedWithItsAuthor) {
  Partner p = NewPartner(v1::NEIGHBOURHOOD_ASSOCIATION, "王禅寺町会");
  p.set_ward(kyodo::type::v1::ASAO);
  Partner created;
  ASSERT_TRUE(
      Create(p, &created, WardStaffToken(kyodo::type::v1::ASAO, "sato")).ok());

  v1::UpdatePartnerRequest update;
  update.mutable_partner()->set_name(created.name());
  update.mutable_partner()->set_address("川崎市麻生区王禅寺");
  Partner updated;
  ASSERT_TRUE(
      stub_
          ->UpdatePartner(Context(AdminToken("suzuki")).get(), update, &updated)
          .ok());

  v1::DeactivatePartnerRequest deactivate;
  deactivate.set_name(created.name());
  ASSERT_TRUE(
      stub_
          ->DeactivatePartner(
              Context(WardStaffToken(kyodo::type::v1::ASAO, "sato")).get(),
              deactivate, &updated)
          .ok());

  ListAuditEventsRequest request;
  request.set_resource(created.name());
  ListAuditEventsResponse events;
  ASSERT_TRUE(stub_
                  ->ListAuditEvents(
                      Context(WardStaffToken(kyodo::type::v1::ASAO)).get(),
                      request, &events)
                  .ok());
  ASSERT_EQ(events.audit_events_size(), 3);
  const auto& create = events.audit_events(0);
  EXPECT_EQ(create.method(), "CreatePartner");
  EXPECT_EQ(create.actor(), "sato");
  EXPECT_EQ(create.actor_role(), "ward_staff");
  const auto& edit = events.audit_events(1);
  EXPECT_EQ(edit.method(), "UpdatePartner");
  EXPECT_EQ(edit.actor(), "suzuki");
  ASSERT_EQ(edit.changes_size(), 1);
  EXPECT_EQ(edit.changes(0).field(), "address");
  EXPECT_FALSE(edit.changes(0).has_before());
  EXPECT_EQ(edit.changes(0).after(), "\"川崎市麻生区王禅寺\"");
  const auto& state = events.audit_events(2);
  EXPECT_EQ(state.method(), "DeactivatePartner");
  ASSERT_EQ(state.changes_size(), 1);
  EXPECT_EQ(state.changes(0).before(), "\"ACTIVE\"");
  EXPECT_EQ(state.changes(0).after(), "\"INACTIVE\"");

  // Staff of another ward may not read it; admins may.
  EXPECT_EQ(stub_
                ->ListAuditEvents(
                    Context(WardStaffToken(kyodo::type::v1::TAMA)).get(),
                    request, &events)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      stub_->ListAuditEvents(Context(ViewerToken()).get(), request, &events)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      stub_->ListAuditEvents(Context(AdminToken()).get(), request, &events)
          .ok());
}

TEST_F(PartnerServiceTest, FailedChangesLeaveNoAuditEvent) {
  Partner created = CreateOk(NewPartner(v1::UNIVERSITY, "田園調布学園大学"));
  v1::UpdatePartnerRequest update;
  update.mutable_partner()->set_name(created.name());
  update.mutable_partner()->set_corporate_number("1234567890123");
  Partner out;
  EXPECT_FALSE(
      stub_->UpdatePartner(Context(AdminToken()).get(), update, &out).ok());
  update.mutable_partner()->clear_corporate_number();
  update.mutable_partner()->set_etag("W/\"99\"");
  update.mutable_partner()->set_description("stale");
  EXPECT_FALSE(
      stub_->UpdatePartner(Context(AdminToken()).get(), update, &out).ok());
  EXPECT_EQ(CountRows("audit_events"), 1);  // the creation only
}

TEST_F(PartnerServiceTest, ContactsAreHiddenFromViewersAndOtherApplicants) {
  Partner p = NewPartner(v1::CIVIC_GROUP, "文化魂2014");
  auto* contact = p.add_contacts();
  contact->set_person_name("宮前 花子");
  contact->set_email("hanako@example.jp");
  Partner created = CreateOk(p);

  Partner seen;
  ASSERT_TRUE(Get(created.name(), &seen, ViewerToken()).ok());
  EXPECT_EQ(seen.contacts_size(), 0);
  ASSERT_TRUE(
      Get(created.name(), &seen, ApplicantToken("partners/someoneelse")).ok());
  EXPECT_EQ(seen.contacts_size(), 0);
  ASSERT_TRUE(Get(created.name(), &seen, ApplicantToken(created.name())).ok());
  EXPECT_EQ(seen.contacts_size(), 1);
  ASSERT_TRUE(
      Get(created.name(), &seen, WardStaffToken(kyodo::type::v1::MIYAMAE))
          .ok());
  EXPECT_EQ(seen.contacts(0).email(), "hanako@example.jp");

  v1::ListPartnersRequest list;
  v1::ListPartnersResponse page;
  ASSERT_TRUE(
      stub_->ListPartners(Context(ViewerToken()).get(), list, &page).ok());
  ASSERT_EQ(page.partners_size(), 1);
  EXPECT_EQ(page.partners(0).contacts_size(), 0);
}

TEST_F(PartnerServiceTest,
       ApplicantsEditOnlyDescriptiveFieldsOfTheirOwnRecord) {
  Partner created = CreateOk(NewPartner(v1::CIVIC_GROUP, "シニアの会"));
  v1::UpdatePartnerRequest update;
  update.mutable_partner()->set_name(created.name());
  update.mutable_partner()->set_website_uri("https://example.jp/senior");
  Partner out;
  ASSERT_TRUE(stub_
                  ->UpdatePartner(Context(ApplicantToken(created.name())).get(),
                                  update, &out)
                  .ok());
  EXPECT_EQ(out.website_uri(), "https://example.jp/senior");

  update.mutable_partner()->set_ward(kyodo::type::v1::ASAO);
  grpc::Status status = stub_->UpdatePartner(
      Context(ApplicantToken(created.name())).get(), update, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Partner got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_FALSE(got.has_ward());
}

}  // namespace
}  // namespace kyodo::partner
