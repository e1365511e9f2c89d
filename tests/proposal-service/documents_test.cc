// A proposal's documents (UploadDocument ... DeleteDocument,
// common/documents/documents.h) against the real MariaDB: names, sizes,
// hashes and detected types kept exactly; types off the allow-list, files
// and records over their limits and malformed uploads refused precisely,
// leaving nothing; who may read and change them, following the proposal;
// frozen once submitted and open again when returned for correction; soft
// delete with its audit trail.
#include "tests/testing/documents.h"

#include "absl/strings/escaping.h"
#include "tests/proposal-service/proposal_fixture.h"

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::Proposal;
using kyodo::testing::BadField;
using kyodo::testing::Bytes;
using kyodo::testing::Content;
using kyodo::testing::Context;
using kyodo::testing::Downloaded;
using kyodo::testing::PdfOfSize;
using kyodo::testing::Reason;
using kyodo::testing::Upload;
using kyodo::type::v1::Document;
using kyodo::type::v1::DocumentKind;

namespace kyodo::proposal {
namespace {

// An 8x8 PNG's first bytes: the signature and the IHDR chunk.
std::string PngBytes() {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string(
      "\x00\x00\x00\x0dIHDR\x00\x00\x00\x08\x00\x00\x00\x08"
      "\x08\x02\x00\x00\x00\x4b\x6d\x29\xdc",
      25);
  png += std::string("\x00\x00\x00\x00IEND\xae\x42\x60\x82", 12);
  return png;
}

class DocumentsTest : public ProposalServiceTest {
 protected:
  explicit DocumentsTest(
      std::optional<common::documents::Limits> limits = std::nullopt)
      : ProposalServiceTest(limits) {}

  grpc::Status Put(const std::string& token, const std::string& parent,
                   const Content& content, Document* out = nullptr,
                   const std::string& file_name = "企画書.pdf",
                   DocumentKind kind = kyodo::type::v1::PLAN) {
    return kyodo::testing::UploadDocument(
        *stub_, token, Upload(parent, kind, file_name), content, out);
  }

  grpc::Status Fetch(const std::string& token, const std::string& name,
                     Downloaded* out) {
    return kyodo::testing::DownloadDocument(*stub_, token, name, out, true);
  }

  grpc::Status Get(const std::string& token, const std::string& name,
                   Document* out = nullptr) {
    kyodo::type::v1::GetDocumentRequest request;
    request.set_name(name);
    Document ignored;
    return stub_->GetDocument(Context(token).get(), request,
                              out ? out : &ignored);
  }

  grpc::Status List(const std::string& token, const std::string& parent,
                    kyodo::type::v1::ListDocumentsResponse* out,
                    bool show_deleted = false) {
    kyodo::type::v1::ListDocumentsRequest request;
    request.set_parent(parent);
    request.set_show_deleted(show_deleted);
    return stub_->ListDocuments(Context(token).get(), request, out);
  }

  grpc::Status Delete(const std::string& token, const std::string& name,
                      Document* out = nullptr, const std::string& etag = "") {
    kyodo::type::v1::DeleteDocumentRequest request;
    request.set_name(name);
    request.set_etag(etag);
    Document ignored;
    return stub_->DeleteDocument(Context(token).get(), request,
                                 out ? out : &ignored);
  }

  // A draft of `applicant` in an open standard call.
  Proposal Draft(const std::string& applicant = "partners/midori") {
    if (call_.name().empty()) call_ = OpenStandardCall();
    Proposal p;
    const grpc::Status status =
        CreateDraft(call_.name(), applicant, "里山の保全", 400000, &p);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return p;
  }

  int Documents() { return CountRows("SELECT COUNT(*) FROM documents"); }
  int Chunks() { return CountRows("SELECT COUNT(*) FROM document_chunks"); }

  Call call_;
};

TEST_F(DocumentsTest, JapaneseNamesSizesHashesAndTypesRoundTripExactly) {
  const Proposal p = Draft();
  const std::string token = Applicant("partners/midori");
  const std::string name = "令和8年度 企画書（里山の保全）①.pdf";
  const Content pdf = PdfOfSize(300 << 10);  // two chunks and a part

  Document up;
  grpc::Status status = Put(token, p.name(), pdf, &up, name);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(up.name().rfind(p.name() + "/documents/", 0), 0u) << up.name();
  EXPECT_EQ(up.kind(), kyodo::type::v1::PLAN);
  EXPECT_EQ(up.file_name(), name);
  EXPECT_EQ(up.size_bytes(), 300 << 10);
  EXPECT_EQ(up.sha256(), kyodo::testing::Sha256Of(pdf));
  EXPECT_EQ(up.content_type(), "application/pdf");
  EXPECT_EQ(up.creator(), "partners/midori");
  EXPECT_FALSE(up.public_());
  EXPECT_FALSE(up.has_delete_time());
  EXPECT_FALSE(up.etag().empty());
  // The name's bytes as stored (utf8mb4), not a conversion of them.
  EXPECT_EQ(db_.QueryValue("SELECT HEX(file_name) FROM documents"),
            absl::AsciiStrToUpper(absl::BytesToHexString(name)));
  EXPECT_EQ(Chunks(), 2);

  Document got;
  ASSERT_TRUE(Get(token, up.name(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), up.SerializeAsString());

  Downloaded down;
  status = Fetch(token, up.name(), &down);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(down.document.SerializeAsString(), up.SerializeAsString());
  EXPECT_EQ(down.content, Whole(pdf));
  EXPECT_EQ(down.data_messages, 2);  // one per stored chunk

  // An image and a text file in Japanese, with names the client gave.
  Document png, text;
  ASSERT_TRUE(Put(token, p.name(), Bytes(PngBytes()), &png, "現地の写真.png",
                  kyodo::type::v1::OTHER)
                  .ok());
  EXPECT_EQ(png.content_type(), "image/png");
  const std::string rules = "麻生の森を守る会 規約\n第1条 本会は…\n";
  ASSERT_TRUE(Put(token, p.name(), Bytes(rules), &text, "規約.txt",
                  kyodo::type::v1::BYLAWS)
                  .ok());
  EXPECT_EQ(text.content_type(), "text/plain");
  ASSERT_TRUE(Fetch(token, text.name(), &down).ok());
  EXPECT_EQ(down.content, rules);

  kyodo::type::v1::ListDocumentsResponse list;
  ASSERT_TRUE(List(token, p.name(), &list).ok());
  ASSERT_EQ(list.documents_size(), 3);
  EXPECT_EQ(list.documents(0).file_name(), name);
  EXPECT_EQ(list.documents(1).file_name(), "現地の写真.png");
  EXPECT_EQ(list.documents(2).kind(), kyodo::type::v1::BYLAWS);
}

TEST_F(DocumentsTest, TypesOffTheAllowListAreRefusedWhateverTheirName) {
  const Proposal p = Draft();
  const std::string token = Applicant("partners/midori");
  const struct {
    const char* file_name;
    std::string content;
  } refused[] = {
      {"企画書.pdf",
       "<!DOCTYPE html><html><body><script>alert(1)"
       "</script></body></html>\n"},
      {"setup.exe", std::string("\x7f"
                                "ELF\x02\x01\x01\x00",
                                8) +
                        std::string(120, '\0')},
      {"archive.zip",
       std::string("PK\x03\x04\x14\x00\x00\x00", 8) + std::string(64, 'z')},
  };
  for (const auto& r : refused) {
    const grpc::Status status =
        Put(token, p.name(), Bytes(r.content), nullptr, r.file_name);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << r.file_name;
    EXPECT_EQ(Reason(status), "DOCUMENT_TYPE_NOT_ALLOWED") << r.file_name;
    EXPECT_EQ(BadField(status), "data");
    EXPECT_NE(status.error_message().find("PDF"), std::string::npos)
        << status.error_message();
  }
  EXPECT_EQ(Documents(), 0);
  EXPECT_EQ(Chunks(), 0);
}

TEST_F(DocumentsTest, MalformedUploadsAreRefusedNamingTheField) {
  const Proposal p = Draft();
  const std::string token = Applicant("partners/midori");
  const Content pdf = PdfOfSize(1000);
  auto refused = [&](const kyodo::type::v1::DocumentUpload& u,
                     const std::string& field, const std::string& reason) {
    const grpc::Status status =
        kyodo::testing::UploadDocument(*stub_, token, u, pdf, nullptr);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << field << ": " << status.error_message();
    EXPECT_EQ(BadField(status), field) << status.error_message();
    if (!reason.empty()) {
      EXPECT_EQ(Reason(status), reason);
    }
  };
  refused(Upload(p.name(), kyodo::type::v1::DOCUMENT_KIND_UNSPECIFIED, "a.pdf"),
          "upload.kind", "FIELD_REQUIRED");
  refused(Upload(p.name(), kyodo::type::v1::PLAN, ""), "upload.file_name",
          "FIELD_REQUIRED");
  refused(Upload(p.name(), kyodo::type::v1::PLAN, "../企画書.pdf"),
          "upload.file_name", "");
  refused(Upload(p.name(), kyodo::type::v1::PLAN, "a\nb.pdf"),
          "upload.file_name", "");
  refused(Upload(p.name(), kyodo::type::v1::PLAN, std::string(256, 'a')),
          "upload.file_name", "FIELD_TOO_LONG");
  refused(Upload(p.name(), kyodo::type::v1::PLAN, "\xff\xfe.pdf"),
          "upload.file_name", "INVALID_UTF8");
  refused(Upload("partners/midori", kyodo::type::v1::PLAN, "a.pdf"),
          "upload.parent", "");
  refused(Upload(p.name(), kyodo::type::v1::PLAN, "a.pdf", /*is_public=*/true),
          "upload.public", "DOCUMENT_NOT_PUBLISHABLE");

  // Content before the upload, and a second upload inside the content.
  for (int bad = 0; bad < 2; ++bad) {
    auto context = Context(token);
    Document ignored;
    auto writer = stub_->UploadDocument(context.get(), &ignored);
    kyodo::type::v1::UploadDocumentRequest m;
    if (bad == 0) {
      m.set_data("%PDF-1.4\n");
      writer->Write(m);
    } else {
      *m.mutable_upload() = Upload(p.name(), kyodo::type::v1::PLAN, "a.pdf");
      writer->Write(m);
      m.set_data("%PDF-1.4\n");
      writer->Write(m);
      *m.mutable_upload() = Upload(p.name(), kyodo::type::v1::PLAN, "b.pdf");
      writer->Write(m);
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadField(status), "upload") << status.error_message();
  }
  // An empty file.
  const grpc::Status empty = Put(token, p.name(), Bytes(""));
  EXPECT_EQ(Reason(empty), "DOCUMENT_EMPTY");
  EXPECT_EQ(BadField(empty), "data");
  EXPECT_EQ(Documents(), 0);
  EXPECT_EQ(Chunks(), 0);
}

TEST_F(DocumentsTest, AnUploadCancelledMidwayLeavesNothing) {
  const Proposal p = Draft();
  const std::string token = Applicant("partners/midori");
  {
    auto context = Context(token);
    Document ignored;
    auto writer = stub_->UploadDocument(context.get(), &ignored);
    kyodo::type::v1::UploadDocumentRequest m;
    *m.mutable_upload() = Upload(p.name(), kyodo::type::v1::PLAN, "a.pdf");
    ASSERT_TRUE(writer->Write(m));
    const Content pdf = PdfOfSize(1 << 20);
    for (int64_t at = 0; at < (600 << 10); at += 64 << 10) {
      m.set_data(pdf.piece(at, 64 << 10));
      ASSERT_TRUE(writer->Write(m));
    }
    context->TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // A whole upload after it: the only document, with only its chunks.
  Document kept;
  ASSERT_TRUE(Put(token, p.name(), PdfOfSize(1000), &kept).ok());
  kyodo::type::v1::ListDocumentsResponse list;
  ASSERT_TRUE(List(Staff(), p.name(), &list, /*show_deleted=*/true).ok());
  ASSERT_EQ(list.documents_size(), 1);
  EXPECT_EQ(list.documents(0).name(), kept.name());
  EXPECT_EQ(Chunks(), 1);
}

TEST_F(DocumentsTest, FrozenOnceSubmittedAndOpenAgainWhenReturned) {
  const Proposal p = Draft();
  const std::string token = Applicant("partners/midori");
  Document plan, budget;
  ASSERT_TRUE(Put(token, p.name(), PdfOfSize(2000), &plan).ok());
  ASSERT_TRUE(Submit(p.name(), token).ok());

  auto frozen = [&](const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << status.error_message();
    EXPECT_EQ(Reason(status), "DOCUMENTS_FROZEN");
  };
  frozen(Put(token, p.name(), PdfOfSize(2000, 'b'), nullptr, "収支予算書.pdf",
             kyodo::type::v1::BUDGET));
  frozen(Delete(token, plan.name()));
  frozen(Put(Staff(), p.name(), PdfOfSize(2000, 'b')));  // staff too
  EXPECT_EQ(Documents(), 1);

  // Returned for correction: the applicant may change them again.
  ASSERT_TRUE(Screen(p.name(), GoodFacts()).ok());
  v1::ReturnProposalRequest back;
  back.set_name(p.name());
  back.set_note("収支予算書を添付してください");
  *back.mutable_deadline() = common::store::ToTimestamp(kCloses);
  Proposal returned;
  grpc::Status status =
      stub_->ReturnProposal(Context(Staff()).get(), back, &returned);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = Put(token, p.name(), PdfOfSize(2000, 'b'), &budget, "収支予算書.pdf",
               kyodo::type::v1::BUDGET);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(Delete(token, plan.name()).ok());
  ASSERT_TRUE(Submit(p.name(), token).ok());
  frozen(Delete(token, budget.name()));

  kyodo::type::v1::ListDocumentsResponse list;
  ASSERT_TRUE(List(token, p.name(), &list).ok());
  ASSERT_EQ(list.documents_size(), 1);
  EXPECT_EQ(list.documents(0).file_name(), "収支予算書.pdf");
}

TEST_F(DocumentsTest, WhoReadsAndChangesFollowsTheProposal) {
  const Proposal p = Draft();
  const Proposal theirs = Draft("partners/yamabiko");
  const std::string applicant = Applicant("partners/midori");
  const std::string other = Applicant("partners/yamabiko");
  const std::string other_ward =
      kyodo::testing::WardStaffToken(kyodo::type::v1::TAMA, "tama-staff");
  const std::string admin = kyodo::testing::AdminToken();
  const std::string viewer = kyodo::testing::ViewerToken();
  AddReviewer(call_.name(), "iin-1");
  AddReviewer(call_.name(), "iin-2");
  const std::string member = kyodo::testing::ReviewerToken("iin-1", "iin-1");

  Document mine, staffs;
  ASSERT_TRUE(Put(applicant, p.name(), PdfOfSize(1000), &mine).ok());
  // The call's managers may add a document on the applicant's behalf.
  ASSERT_TRUE(Put(Staff(), p.name(), PdfOfSize(1000, 'c'), &staffs,
                  "受付印.pdf", kyodo::type::v1::OTHER)
                  .ok());
  ASSERT_TRUE(Put(admin, p.name(), PdfOfSize(1000, 'd')).ok());

  auto reads = [&](const std::string& token) {
    Downloaded d;
    kyodo::type::v1::ListDocumentsResponse list;
    const bool get = Get(token, mine.name()).ok();
    const bool fetch = Fetch(token, mine.name(), &d).ok();
    const bool listed = List(token, p.name(), &list).ok();
    EXPECT_EQ(get, fetch);
    EXPECT_EQ(get, listed);
    return get && fetch && listed;
  };
  auto code = [&](const grpc::Status& s) { return s.error_code(); };

  // A draft: its applicant and staff only. The committee sees the call's
  // submitted proposals, so a draft is NOT_FOUND to it.
  EXPECT_TRUE(reads(applicant));
  EXPECT_TRUE(reads(Staff()));
  EXPECT_TRUE(reads(other_ward));
  EXPECT_TRUE(reads(admin));
  EXPECT_FALSE(reads(member));
  EXPECT_FALSE(reads(other));
  EXPECT_FALSE(reads(viewer));
  EXPECT_EQ(code(Get(other, mine.name())), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(code(Get(member, mine.name())), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(code(Get(viewer, mine.name())),
            grpc::StatusCode::PERMISSION_DENIED);
  for (const std::string& token : {other, other_ward, member, viewer}) {
    EXPECT_NE(code(Put(token, p.name(), PdfOfSize(1000, 'e'))),
              grpc::StatusCode::OK);
    EXPECT_NE(code(Delete(token, staffs.name())), grpc::StatusCode::OK);
  }
  EXPECT_EQ(code(Put(other_ward, p.name(), PdfOfSize(1000, 'e'))),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(code(Delete(other_ward, staffs.name())),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Documents(), 3);
  // A document's id under another proposal is not found, even to the
  // applicant of that other proposal.
  EXPECT_EQ(
      code(Get(other, theirs.name() + "/documents/" +
                          mine.name().substr(mine.name().rfind('/') + 1))),
      grpc::StatusCode::NOT_FOUND);

  // Submitted: the committee reads them too, and changes nothing.
  ASSERT_TRUE(Submit(p.name(), applicant).ok());
  ASSERT_TRUE(Screen(p.name(), GoodFacts()).ok());
  EXPECT_TRUE(reads(member));
  EXPECT_FALSE(reads(other));
  EXPECT_FALSE(reads(viewer));
  EXPECT_EQ(code(Put(member, p.name(), PdfOfSize(1000, 'e'))),
            grpc::StatusCode::PERMISSION_DENIED);

  // Published: the proposal's public fields are public, its documents not.
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(call_.name()));
  ASSERT_TRUE(SubmitReview(p.name(), "iin-1", {5, 5, 10}).ok());
  ASSERT_TRUE(SubmitReview(p.name(), "iin-2", {5, 5, 10}).ok());
  v1::Decision decision;
  ASSERT_TRUE(Decide(call_.name(), &decision).ok());
  ASSERT_TRUE(Publish(call_.name()).ok());
  Proposal seen;
  ASSERT_TRUE(GetProposal(p.name(), viewer, &seen).ok());
  EXPECT_FALSE(reads(viewer));
  EXPECT_EQ(code(Get(viewer, mine.name())),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(reads(applicant));
  EXPECT_TRUE(reads(member));
}

TEST_F(DocumentsTest, DeleteIsSoftAuditedAndSeenByStaffOnly) {
  const Proposal p = Draft();
  const std::string token = Applicant("partners/midori");
  Document up;
  ASSERT_TRUE(Put(token, p.name(), PdfOfSize(1000), &up).ok());

  grpc::Status status = Delete(token, up.name(), nullptr, "\"stale\"");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  Document gone;
  status = Delete(token, up.name(), &gone, up.etag());
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(gone.has_delete_time());
  EXPECT_NE(gone.etag(), up.etag());
  EXPECT_EQ(Delete(token, up.name()).error_code(), grpc::StatusCode::NOT_FOUND);

  // Gone for the applicant; kept, with its content, for staff.
  EXPECT_EQ(Get(token, up.name()).error_code(), grpc::StatusCode::NOT_FOUND);
  kyodo::type::v1::ListDocumentsResponse list;
  ASSERT_TRUE(List(token, p.name(), &list).ok());
  EXPECT_EQ(list.documents_size(), 0);
  EXPECT_EQ(List(token, p.name(), &list, true).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(List(Staff(), p.name(), &list, true).ok());
  ASSERT_EQ(list.documents_size(), 1);
  EXPECT_TRUE(list.documents(0).has_delete_time());
  Downloaded d;
  ASSERT_TRUE(Fetch(Staff(), up.name(), &d).ok());
  EXPECT_EQ(d.sha256, up.sha256());
  EXPECT_EQ(Chunks(), 1);

  // The trail: who uploaded and who deleted, with what.
  kyodo::type::v1::ListAuditEventsRequest audit;
  audit.set_resource(up.name());
  kyodo::type::v1::ListAuditEventsResponse trail;
  status = stub_->ListAuditEvents(Context(Staff()).get(), audit, &trail);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(trail.audit_events_size(), 2);
  EXPECT_EQ(trail.audit_events(0).method(), "UploadDocument");
  EXPECT_EQ(trail.audit_events(0).actor(), "partners/midori");
  EXPECT_EQ(trail.audit_events(1).method(), "DeleteDocument");
  bool delete_time_changed = false;
  for (const auto& change : trail.audit_events(1).changes()) {
    delete_time_changed |= change.field() == "delete_time";
  }
  EXPECT_TRUE(delete_time_changed);
}

TEST_F(DocumentsTest, RetriesWithARequestIdAreAnsweredOnce) {
  const Proposal p = Draft();
  const std::string token = Applicant("partners/midori");
  const std::string id = "3f0c9b7e-6a51-4d2c-9e1b-2a7d5c8e4f60";
  kyodo::type::v1::DocumentUpload upload =
      Upload(p.name(), kyodo::type::v1::PLAN, "企画書.pdf");
  auto put = [&](const std::string& request_id, Document* out) {
    auto context = Context(token);
    auto writer = stub_->UploadDocument(context.get(), out);
    kyodo::type::v1::UploadDocumentRequest m;
    *m.mutable_upload() = upload;
    m.set_request_id(request_id);
    writer->Write(m);
    m.Clear();
    m.set_data(Whole(PdfOfSize(2000)));
    writer->Write(m);
    writer->WritesDone();
    return writer->Finish();
  };
  Document first, again;
  ASSERT_TRUE(put(id, &first).ok());
  grpc::Status status = put(id, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(Documents(), 1);
  EXPECT_EQ(Chunks(), 1);
  // The same id for another upload is refused.
  upload.set_file_name("別の企画書.pdf");
  status = put(id, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(status), "REQUEST_ID_REUSED");
  EXPECT_EQ(Documents(), 1);

  kyodo::type::v1::DeleteDocumentRequest del;
  del.set_name(first.name());
  del.set_request_id("9d3e2f10-1b2c-4a5d-8e6f-7a8b9c0d1e2f");
  Document gone, gone_again;
  ASSERT_TRUE(stub_->DeleteDocument(Context(token).get(), del, &gone).ok());
  status = stub_->DeleteDocument(Context(token).get(), del, &gone_again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(gone_again.SerializeAsString(), gone.SerializeAsString());
}

TEST_F(DocumentsTest, TwentyMegabytesGoUpAndComeBackInChunks) {
  const Proposal p = Draft();
  const std::string token = Applicant("partners/midori");
  const Content pdf = PdfOfSize(20'000'000);
  Document up;
  const grpc::Status status = kyodo::testing::UploadDocument(
      *stub_, token, Upload(p.name(), kyodo::type::v1::PLAN, "企画書.pdf"), pdf,
      &up, 1 << 20);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(up.size_bytes(), 20'000'000);
  EXPECT_EQ(up.content_type(), "application/pdf");
  const std::string sha = kyodo::testing::Sha256Of(pdf);
  EXPECT_EQ(up.sha256(), sha);
  Downloaded down;
  ASSERT_TRUE(
      kyodo::testing::DownloadDocument(*stub_, token, up.name(), &down).ok());
  EXPECT_EQ(down.size, 20'000'000);
  EXPECT_EQ(down.sha256, sha);
  // 256 KiB chunks: never the whole file in one message.
  EXPECT_EQ(down.data_messages, (20'000'000 + (256 << 10) - 1) / (256 << 10));
}

// Small limits, so that each is reached with small files.
class DocumentLimitsTest : public DocumentsTest {
 protected:
  static common::documents::Limits Small() {
    common::documents::Limits l;
    l.max_bytes = 100 << 10;
    l.max_total_bytes = 250 << 10;
    l.max_count = 3;
    return l;
  }
  DocumentLimitsTest() : DocumentsTest(Small()) {}
};

TEST_F(DocumentLimitsTest, EachLimitIsRefusedNamingItsRuleAndChangesNothing) {
  const Proposal p = Draft();
  const std::string token = Applicant("partners/midori");

  grpc::Status status = Put(token, p.name(), PdfOfSize((100 << 10) + 1));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(status), "DOCUMENT_TOO_LARGE");
  EXPECT_EQ(BadField(status), "data");
  EXPECT_EQ(Documents(), 0);
  EXPECT_EQ(Chunks(), 0);

  ASSERT_TRUE(Put(token, p.name(), PdfOfSize(100 << 10)).ok());  // the limit
  ASSERT_TRUE(Put(token, p.name(), PdfOfSize(100 << 10, 'b')).ok());
  status = Put(token, p.name(), PdfOfSize(60 << 10, 'c'));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(status), "DOCUMENTS_TOO_LARGE");
  EXPECT_EQ(Documents(), 2);

  ASSERT_TRUE(Put(token, p.name(), PdfOfSize(50 << 10, 'c')).ok());
  status = Put(token, p.name(), PdfOfSize(1000, 'd'));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(status), "TOO_MANY_DOCUMENTS");
  EXPECT_EQ(BadField(status), "upload.parent");
  EXPECT_EQ(Documents(), 3);

  // A deleted document no longer counts.
  kyodo::type::v1::ListDocumentsResponse list;
  ASSERT_TRUE(List(token, p.name(), &list).ok());
  ASSERT_TRUE(Delete(token, list.documents(0).name()).ok());
  ASSERT_TRUE(Put(token, p.name(), PdfOfSize(1000, 'd')).ok());
}

}  // namespace
}  // namespace kyodo::proposal
