// Documents over plain HTTP (handler.h), for browsers and scripts that
// would rather not speak Connect streams:
//   POST /documents/upload?parent=R&kind=PLAN&file_name=N[&public=true]
//        [&request_id=U]   the body is the file, any Content-Type; answers
//                          the Document as JSON
//   GET  /documents/download?name=D   the file, streamed, with its detected
//                          Content-Type and Content-Disposition
//   GET  /public/v1/projects/P/documents[/D]   without a token: a project's
//                          public documents, listed or downloaded (public.cc
//                          passes the gateway's viewer credential, which the
//                          project's policy shows the public ones only)
// Both call the service's UploadDocument and DownloadDocument through the
// gateway (the caller's token, the same checks), and never hold a file
// whole: an upload goes on in pieces of 256 KiB as the body arrives
// (server.cc feeds it), a download as the service sends its chunks.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "gateway/http/connect.h"
#include "gateway/http/handler.h"
#include "kyodo/type/v1/document.pb.h"

namespace kyodo::gateway::http {
namespace {

using kyodo::type::v1::Document;

constexpr size_t kPieceBytes = 256 << 10;

Response RefuseDocumentCall(const absl::Status& status) {
  return Handler::Error(common::ToGrpcStatus(status, "kyodo.gateway", ""));
}

// "/kyodo.proposal.v1.ProposalService/" for a name under a proposal, ...;
// "" for a name no service keeps documents under.
std::string ServiceOf(absl::string_view name) {
  if (absl::StartsWith(name, "programmes/")) {
    return "/kyodo.proposal.v1.ProposalService/";
  }
  if (absl::StartsWith(name, "projects/")) {
    return "/kyodo.project.v1.ProjectService/";
  }
  if (absl::StartsWith(name, "agreements/")) {
    return "/kyodo.partner.v1.PartnerService/";
  }
  return "";
}

std::string Query(const Request& request, const std::string& key) {
  auto it = request.query.find(key);
  return it == request.query.end() ? "" : it->second;
}

// RFC 6266 with RFC 8187's filename*: the exact name in UTF-8,
// percent-encoded, and a plain ASCII stand-in for old clients.
std::string ContentDisposition(const std::string& file_name) {
  std::string ascii, encoded;
  for (const char c : file_name) {
    const auto u = static_cast<unsigned char>(c);
    ascii.push_back(u < 0x20 || u >= 0x7f || c == '"' || c == '\\' ? '_' : c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
        (u >= '0' && u <= '9') || c == '.' || c == '-' || c == '_') {
      encoded.push_back(c);
    } else {
      absl::StrAppend(&encoded, "%", absl::Hex(u, absl::kZeroPad2));
    }
  }
  return absl::StrCat("attachment; filename=\"", ascii, "\"; filename*=UTF-8''",
                      encoded);
}

// The content of a download: the data of each message after the first.
class ContentSource final : public BodySource {
 public:
  explicit ContentSource(std::unique_ptr<ServerStream> stream)
      : stream_(std::move(stream)) {}

  bool Next(std::string* piece) override {
    std::string message;
    while (stream_->Read(&message)) {
      kyodo::type::v1::DownloadDocumentResponse part;
      if (!part.ParseFromString(message)) break;
      if (part.data().empty()) continue;
      *piece = std::move(*part.mutable_data());
      return true;
    }
    const grpc::Status status = stream_->Finish();
    if (!status.ok()) {
      failed_ = true;
      common::log::Warning("document download cut short",
                           {{"code", CodeName(status.error_code())},
                            {"error", status.error_message()}});
    }
    return false;
  }
  bool failed() const override { return failed_; }

 private:
  std::unique_ptr<ServerStream> stream_;
  bool failed_ = false;
};

}  // namespace

bool UploadCall::Write(absl::string_view piece) {
  if (stream_ == nullptr) return false;
  held_.append(piece.data(), piece.size());
  if (held_.size() < kPieceBytes) return true;
  return Flush();
}

bool UploadCall::Flush() {
  if (held_.empty()) return true;
  kyodo::type::v1::UploadDocumentRequest message;
  message.set_data(std::move(held_));
  held_.clear();
  if (!stream_->Write(message.SerializeAsString())) {
    // The service answered (a refusal): the rest of the body is dropped.
    stream_ok_ = false;
  }
  return stream_ok_;
}

Response UploadCall::Finish() {
  if (stream_ok_) Flush();
  stream_->WritesDone();
  std::string answer;
  const bool read = stream_->Read(&answer);
  const grpc::Status status = stream_->Finish();
  Response response;
  if (!status.ok() || !read) {
    response = Handler::Error(
        status.ok() ? grpc::Status(grpc::StatusCode::INTERNAL, "no answer")
                    : status);
  } else {
    Document document;
    absl::StatusOr<std::string> json =
        document.ParseFromString(answer)
            ? Codec::BinaryToJson(Document::descriptor(), answer)
            : absl::InternalError("the service's answer did not parse");
    if (!json.ok()) return RefuseDocumentCall(json.status());
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = *std::move(json);
  }
  if (!stream_->request_id().empty()) {
    response.headers.emplace_back("X-Request-Id", stream_->request_id());
  }
  return response;
}

std::unique_ptr<UploadCall> Handler::StartUpload(const Request& request,
                                                 Response* refused) const {
  if (request.method != "POST") {
    *refused = Error(
        405, grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "uploads use POST"));
    refused->headers.emplace_back("Allow", "POST");
    return nullptr;
  }
  const std::string parent = Query(request, "parent");
  const std::string service = ServiceOf(parent);
  if (service.empty()) {
    *refused = RefuseDocumentCall(common::InvalidArgumentError(
        "parent", "must name a proposal, a project or an agreement"));
    return nullptr;
  }
  kyodo::type::v1::UploadDocumentRequest first;
  kyodo::type::v1::DocumentUpload* upload = first.mutable_upload();
  upload->set_parent(parent);
  kyodo::type::v1::DocumentKind kind;
  if (!kyodo::type::v1::DocumentKind_Parse(Query(request, "kind"), &kind)) {
    *refused = RefuseDocumentCall(common::InvalidArgumentError(
        "kind", "must be PLAN, BUDGET, BYLAWS, REPORT or OTHER"));
    return nullptr;
  }
  upload->set_kind(kind);
  upload->set_file_name(Query(request, "file_name"));
  const std::string is_public = Query(request, "public");
  if (!is_public.empty() && is_public != "true" && is_public != "false") {
    *refused = RefuseDocumentCall(
        common::InvalidArgumentError("public", "must be true or false"));
    return nullptr;
  }
  upload->set_public_(is_public == "true");
  const std::string request_id = Query(request, "request_id");
  if (!request_id.empty()) first.set_request_id(request_id);

  CallOptions call;
  if (!CallFor(request, &call, refused)) return nullptr;
  if (request.Header("connect-timeout-ms").empty()) {
    call.deadline = absl::Now() + options_.export_timeout;
  }
  auto stream = invoker_->Open(service + "UploadDocument", call);
  auto out = std::unique_ptr<UploadCall>(new UploadCall(std::move(stream)));
  // The first message; a refusal of it comes back at Finish.
  out->stream_ok_ = out->stream_->Write(first.SerializeAsString());
  return out;
}

Response Handler::DocumentDownload(const Request& request) const {
  if (request.method != "GET") {
    Response r = Error(405, grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                         "downloads use GET"));
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  const std::string name = Query(request, "name");
  const std::string service = ServiceOf(name);
  if (service.empty()) {
    return RefuseDocumentCall(common::InvalidArgumentError(
        "name",
        "must name a document of a proposal, a project or an "
        "agreement"));
  }
  CallOptions call;
  Response error;
  if (!CallFor(request, &call, &error)) return error;
  if (request.Header("connect-timeout-ms").empty()) {
    call.deadline = absl::Now() + options_.export_timeout;
  }
  return StreamDocument(service, name, call);
}

Response Handler::StreamDocument(const std::string& service,
                                 const std::string& name,
                                 const CallOptions& call) const {
  kyodo::type::v1::DownloadDocumentRequest download;
  download.set_name(name);
  std::unique_ptr<ServerStream> stream = invoker_->Stream(
      service + "DownloadDocument", download.SerializeAsString(), call);
  // The first message is the document: an error comes before any byte.
  std::string first;
  kyodo::type::v1::DownloadDocumentResponse head;
  if (!stream->Read(&first) || !head.ParseFromString(first) ||
      !head.has_document()) {
    const grpc::Status status = stream->Finish();
    return Error(status.ok() ? grpc::Status(grpc::StatusCode::INTERNAL,
                                            "the download had no document")
                             : status);
  }
  const Document& d = head.document();
  Response response;
  response.headers.emplace_back("Content-Type", d.content_type());
  response.headers.emplace_back("Content-Disposition",
                                ContentDisposition(d.file_name()));
  response.headers.emplace_back("X-Content-Sha256", d.sha256());
  if (!stream->request_id().empty()) {
    response.headers.emplace_back("X-Request-Id", stream->request_id());
  }
  response.stream = std::make_unique<ContentSource>(std::move(stream));
  return response;
}

Response Handler::PublicDocuments(const std::string& project,
                                  const std::string& document,
                                  const CallOptions& call) const {
  if (!document.empty()) {
    CallOptions longer = call;
    longer.deadline = absl::Now() + options_.export_timeout;
    return StreamDocument("/kyodo.project.v1.ProjectService/",
                          absl::StrCat(project, "/documents/", document),
                          longer);
  }
  kyodo::type::v1::ListDocumentsRequest list;
  list.set_parent(project);
  list.set_page_size(500);
  kyodo::type::v1::ListDocumentsResponse got;
  const grpc::Status status =
      Call("/kyodo.project.v1.ProjectService/ListDocuments", list, call, &got);
  if (!status.ok()) return Error(status);
  // project-service leaves out who uploaded each document for a caller who
  // does not read all of them (common/documents/documents.cc, Shape), as
  // the public credential does not; an etag is of no use without changes.
  for (Document& d : *got.mutable_documents()) d.clear_etag();
  absl::StatusOr<std::string> json =
      Codec::BinaryToJson(got.GetDescriptor(), got.SerializeAsString());
  if (!json.ok()) return RefuseDocumentCall(json.status());
  Response response;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = *std::move(json);
  return response;
}

}  // namespace kyodo::gateway::http
