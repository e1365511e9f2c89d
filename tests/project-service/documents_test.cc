// A project's documents against the real MariaDB: a document marked public
// reaches every reader of projects, the others only staff and the
// project's participants; the staff of its wards and its participants add
// them, only its staff mark one public; frozen once the project is
// cancelled (or reviewed). The upload rules themselves are
// tests/proposal-service/documents_test.cc's.
#include "tests/testing/documents.h"

#include "tests/project-service/project_fixture.h"

using kyodo::testing::Context;
using kyodo::testing::Downloaded;
using kyodo::testing::PdfOfSize;
using kyodo::testing::Reason;
using kyodo::testing::Upload;
using kyodo::type::v1::Document;

namespace kyodo::project {
namespace {

class ProjectDocumentsTest : public ProjectServiceTest {
 protected:
  grpc::Status Put(const std::string& token, const std::string& project,
                   const std::string& file_name, bool is_public,
                   Document* out = nullptr) {
    return kyodo::testing::UploadDocument(
        *stub_, token,
        Upload(project, kyodo::type::v1::REPORT, file_name, is_public),
        PdfOfSize(3000), out);
  }
  // The file names `token` lists, and whether it may fetch `document`.
  std::vector<std::string> Listed(const std::string& token,
                                  const std::string& project) {
    kyodo::type::v1::ListDocumentsRequest request;
    request.set_parent(project);
    kyodo::type::v1::ListDocumentsResponse response;
    const grpc::Status status =
        stub_->ListDocuments(Context(token).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const Document& d : response.documents())
      names.push_back(d.file_name());
    return names;
  }
  grpc::StatusCode Fetch(const std::string& token, const std::string& name) {
    Downloaded d;
    return kyodo::testing::DownloadDocument(*stub_, token, name, &d)
        .error_code();
  }

  const std::string kawasaki_ = kyodo::testing::WardStaffToken(
      kyodo::type::v1::KAWASAKI, "kawasaki-staff");
  const std::string tama_ =
      kyodo::testing::WardStaffToken(kyodo::type::v1::TAMA, "tama-staff");
};

TEST_F(ProjectDocumentsTest, PublicOnesReachEveryReaderTheRestStaffAndParties) {
  v1::Project startable = CooperativeProject();
  AddAllPrinciples(startable);
  const v1::Project p = CreateOk(startable);
  const std::string civic =
      kyodo::testing::ApplicantToken(civic_.name(), civic_.name());
  const std::string other =
      kyodo::testing::ApplicantToken(company_.name(), company_.name());
  const std::string viewer = kyodo::testing::ViewerToken();

  Document report, accounts;
  grpc::Status status =
      Put(kawasaki_, p.name(), "実績報告書.pdf", true, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(report.public_());
  status = Put(civic, p.name(), "収支決算書.pdf", false, &accounts);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // A participant may not publish; a non-participant may not add at all,
  // nor may the staff of another ward.
  status = Put(civic, p.name(), "写真.pdf", true);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(status), "DOCUMENT_NOT_PUBLISHABLE");
  EXPECT_EQ(Put(other, p.name(), "写真.pdf", false).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Put(tama_, p.name(), "写真.pdf", false).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Put(viewer, p.name(), "写真.pdf", false).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  const std::vector<std::string> both = {"実績報告書.pdf", "収支決算書.pdf"};
  const std::vector<std::string> public_only = {"実績報告書.pdf"};
  const std::vector<std::string> none;
  // A PLANNED project is not published: its public documents reach only
  // staff and its parties until it starts.
  EXPECT_EQ(Listed(civic, p.name()), both);
  for (const std::string& token : {other, viewer}) {
    EXPECT_EQ(Listed(token, p.name()), none);
    EXPECT_EQ(Fetch(token, report.name()), grpc::StatusCode::NOT_FOUND);
  }
  v1::Project started;
  status = Start(p.name(), &started);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(started.state(), v1::Project::ACTIVE);

  EXPECT_EQ(Listed(kyodo::testing::AdminToken(), p.name()), both);
  EXPECT_EQ(Listed(kawasaki_, p.name()), both);
  EXPECT_EQ(Listed(tama_, p.name()), both);  // staff read every project
  EXPECT_EQ(Listed(civic, p.name()), both);
  EXPECT_EQ(Listed(other, p.name()), public_only);
  EXPECT_EQ(Listed(viewer, p.name()), public_only);
  for (const std::string& token : {other, viewer}) {
    EXPECT_EQ(Fetch(token, report.name()), grpc::StatusCode::OK);
    EXPECT_EQ(Fetch(token, accounts.name()), grpc::StatusCode::NOT_FOUND);
  }
  // Who uploaded it: told to those who read all of the project's papers.
  for (const auto& [token, told] : {std::pair{viewer, false},
                                    {other, false},
                                    {civic, true},
                                    {tama_, true}}) {
    kyodo::type::v1::GetDocumentRequest get;
    get.set_name(report.name());
    Document seen;
    ASSERT_TRUE(stub_->GetDocument(Context(token).get(), get, &seen).ok());
    EXPECT_EQ(seen.creator(), told ? "kawasaki-staff" : "");
  }
  EXPECT_EQ(Fetch(civic, accounts.name()), grpc::StatusCode::OK);
  EXPECT_EQ(Fetch(tama_, accounts.name()), grpc::StatusCode::OK);
  // A participant deletes its own upload, not the staff's public one... it
  // may delete either: both are the project's papers, and it is a party.
  kyodo::type::v1::DeleteDocumentRequest del;
  del.set_name(accounts.name());
  Document gone;
  EXPECT_EQ(
      stub_->DeleteDocument(Context(other).get(), del, &gone).error_code(),
      grpc::StatusCode::NOT_FOUND);  // it cannot see it
  status = stub_->DeleteDocument(Context(civic).get(), del, &gone);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Listed(civic, p.name()), public_only);

  // Cancelled, the project is withdrawn from the public, and so are its
  // public documents.
  v1::Project cancelled;
  ASSERT_TRUE(Cancel(p.name(), "事業を中止した", &cancelled).ok());
  EXPECT_EQ(Listed(civic, p.name()), public_only);
  for (const std::string& token : {other, viewer}) {
    EXPECT_EQ(Listed(token, p.name()), none);
    EXPECT_EQ(Fetch(token, report.name()), grpc::StatusCode::NOT_FOUND);
  }
}

TEST_F(ProjectDocumentsTest, FrozenOnceTheProjectIsCancelled) {
  const v1::Project p = CreateOk(CooperativeProject());
  Document report;
  ASSERT_TRUE(Put(kawasaki_, p.name(), "中間報告.pdf", false, &report).ok());
  v1::Project cancelled;
  ASSERT_TRUE(Cancel(p.name(), "会場が確保できなかった", &cancelled).ok());
  grpc::Status status = Put(kawasaki_, p.name(), "実績報告書.pdf", false);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "DOCUMENTS_FROZEN");
  kyodo::type::v1::DeleteDocumentRequest del;
  del.set_name(report.name());
  Document gone;
  status = stub_->DeleteDocument(Context(kawasaki_).get(), del, &gone);
  EXPECT_EQ(Reason(status), "DOCUMENTS_FROZEN");
  // Still read.
  EXPECT_EQ(Fetch(kawasaki_, report.name()), grpc::StatusCode::OK);
  EXPECT_EQ(CountRows("documents"), 1);
}

}  // namespace
}  // namespace kyodo::project
