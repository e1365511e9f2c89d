// An agreement's documents against the real MariaDB: read by staff and the
// agreement's parties only (everyone reads the agreement itself), added and
// deleted by admins, frozen once the agreement is deleted. The upload rules
// themselves are tests/proposal-service/documents_test.cc's.
#include "tests/testing/documents.h"

#include "tests/partner-service/partner_fixture.h"

using kyodo::testing::Context;
using kyodo::testing::Downloaded;
using kyodo::testing::PdfOfSize;
using kyodo::testing::Reason;
using kyodo::testing::Upload;
using kyodo::type::v1::Document;

namespace kyodo::partner {
namespace {

class AgreementDocumentsTest : public PartnerServiceTest {
 protected:
  AgreementDocumentsTest() {
    city_ = CreateOk(NewPartner(v1::CITY_UNIT, "川崎市"));
    university_ = CreateOk(NewPartner(v1::UNIVERSITY, "専修大学"));
    other_ = CreateOk(NewPartner(v1::CIVIC_GROUP, "百合丘の会"));
    v1::CreateAgreementRequest create;
    v1::Agreement* a = create.mutable_agreement();
    a->set_display_name("包括的な連携に関する協定");
    a->set_kind(v1::Agreement::COMPREHENSIVE);
    a->add_parties(city_.name());
    a->add_parties(university_.name());
    const grpc::Status status = stub_->CreateAgreement(
        Context(kyodo::testing::AdminToken()).get(), create, &agreement_);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Put(const std::string& token, Document* out = nullptr) {
    return kyodo::testing::UploadDocument(
        *stub_, token,
        Upload(agreement_.name(), kyodo::type::v1::OTHER, "協定書.pdf"),
        PdfOfSize(3000), out);
  }
  grpc::StatusCode Reads(const std::string& token, const std::string& name) {
    Downloaded d;
    return kyodo::testing::DownloadDocument(*stub_, token, name, &d)
        .error_code();
  }

  v1::Partner city_, university_, other_;
  v1::Agreement agreement_;
};

TEST_F(AgreementDocumentsTest, StaffAndPartiesReadAdminsChange) {
  const std::string admin = kyodo::testing::AdminToken();
  const std::string staff =
      kyodo::testing::WardStaffToken(kyodo::type::v1::TAMA, "tama-staff");
  const std::string party =
      kyodo::testing::ApplicantToken(university_.name(), university_.name());
  const std::string outsider =
      kyodo::testing::ApplicantToken(other_.name(), other_.name());
  const std::string viewer = kyodo::testing::ViewerToken();

  Document signed_copy;
  grpc::Status status = Put(admin, &signed_copy);
  ASSERT_TRUE(status.ok()) << status.error_message();
  for (const std::string& token : {staff, party, outsider, viewer}) {
    EXPECT_EQ(Put(token).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Reads(admin, signed_copy.name()), grpc::StatusCode::OK);
  EXPECT_EQ(Reads(staff, signed_copy.name()), grpc::StatusCode::OK);
  EXPECT_EQ(Reads(party, signed_copy.name()), grpc::StatusCode::OK);
  EXPECT_EQ(Reads(outsider, signed_copy.name()),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reads(viewer, signed_copy.name()),
            grpc::StatusCode::PERMISSION_DENIED);
  // The agreement itself stays public.
  v1::GetAgreementRequest get;
  get.set_name(agreement_.name());
  v1::Agreement seen;
  EXPECT_TRUE(stub_->GetAgreement(Context(viewer).get(), get, &seen).ok());

  // Deleted: its documents are kept and frozen.
  v1::DeleteAgreementRequest del;
  del.set_name(agreement_.name());
  v1::Agreement deleted;
  status = stub_->DeleteAgreement(Context(admin).get(), del, &deleted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = Put(admin);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "DOCUMENTS_FROZEN");
  EXPECT_EQ(Reads(party, signed_copy.name()), grpc::StatusCode::OK);
  EXPECT_EQ(CountRows("documents"), 1);
}

}  // namespace
}  // namespace kyodo::partner
