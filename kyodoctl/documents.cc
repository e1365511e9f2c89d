// kyodoctl documents: a record's documents (common/documents/documents.h).
//   documents attach RECORD FILE --kind=PLAN [--file_name=N] [--public]
//   documents list RECORD [--show_deleted]
//   documents get DOCUMENT
//   documents fetch DOCUMENT [--out=FILE]
//   documents delete DOCUMENT [--etag=E]
// A file goes up and comes down in pieces, never read whole; a fetched file
// is checked against the document's size and SHA-256 and only then moved
// into place, so a broken download leaves no file behind.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/sha256.h"
#include "common/status/grpc_status.h"
#include "common/text/enum_label.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "kyodoctl/commands.h"
#include "kyodoctl/format.h"
#include "kyodoctl/table.h"

ABSL_FLAG(
    std::string, kind, "",
    "documents attach: PLAN (企画書), BUDGET (収支予算書), BYLAWS (規約), "
    "REPORT (実績報告書) or OTHER");
ABSL_FLAG(std::string, file_name, "",
          "documents attach: the name to keep (default: the file's own)");
ABSL_FLAG(bool, public, false,
          "documents attach: readable by every reader of projects, and "
          "without a token (a project's only; its wards' staff only)");
ABSL_FLAG(std::string, etag, "", "documents delete: the etag read before");
// Shared with partners list and export (partners.cc, views.cc).
ABSL_DECLARE_FLAG(bool, show_deleted);
ABSL_DECLARE_FLAG(std::string, out);

namespace kyodo::ctl {
namespace {

using kyodo::type::v1::Document;
using kyodo::type::v1::DocumentKind;

constexpr int64_t kPieceBytes = 1 << 20;

// The service that keeps `record`'s documents, by the record's name.
std::string ServiceOf(const std::string& record) {
  if (record.rfind("programmes/", 0) == 0) {
    return "kyodo.proposal.v1.ProposalService";
  }
  if (record.rfind("projects/", 0) == 0) {
    return "kyodo.project.v1.ProjectService";
  }
  if (record.rfind("agreements/", 0) == 0) {
    return "kyodo.partner.v1.PartnerService";
  }
  return "";
}

int Usage() {
  std::cerr << "usage: kyodoctl documents attach RECORD FILE --kind=KIND "
               "[--file_name=NAME] [--public]\n"
               "       kyodoctl documents list RECORD [--show_deleted]\n"
               "       kyodoctl documents get|fetch DOCUMENT [--out=FILE]\n"
               "       kyodoctl documents delete DOCUMENT [--etag=E]\n"
               "RECORD is a proposal (programmes/P/calls/C/proposals/X), a "
               "project (projects/X) or an agreement (agreements/X)\n";
  return 2;
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void PrintDocument(const Env& env, const Document& d) {
  if (env.json) {
    std::cout << ToJson(d) << "\n";
    return;
  }
  Table table({"項目", "値"});
  table.AddRow({"名前(name)", d.name()});
  table.AddRow({"種類", common::EnumLabel(d.kind())});
  table.AddRow({"ファイル名", d.file_name()});
  table.AddRow({"大きさ(bytes)", absl::StrCat(d.size_bytes())});
  table.AddRow({"形式", d.content_type()});
  table.AddRow({"SHA-256", d.sha256()});
  table.AddRow({"公開", d.public_() ? "はい" : "いいえ"});
  table.AddRow({"登録", JapanTime(d.create_time())});
  if (d.has_delete_time()) table.AddRow({"削除", JapanTime(d.delete_time())});
  table.Print(std::cout);
}

template <typename Stub>
int Attach(const Env& env, Stub& stub, const std::string& record,
           const std::string& path) {
  DocumentKind kind = kyodo::type::v1::DOCUMENT_KIND_UNSPECIFIED;
  if (!kyodo::type::v1::DocumentKind_Parse(absl::GetFlag(FLAGS_kind), &kind) ||
      kind == kyodo::type::v1::DOCUMENT_KIND_UNSPECIFIED) {
    std::cerr << "kyodoctl: --kind must be PLAN, BUDGET, BYLAWS, REPORT or "
                 "OTHER\n";
    return 2;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "kyodoctl: cannot read " << path << "\n";
    return 1;
  }
  auto context = env.client->NewContext();
  Document out;
  auto writer = stub.UploadDocument(context.get(), &out);
  kyodo::type::v1::UploadDocumentRequest message;
  auto* upload = message.mutable_upload();
  upload->set_parent(record);
  upload->set_kind(kind);
  const std::string name = absl::GetFlag(FLAGS_file_name);
  upload->set_file_name(name.empty() ? BaseName(path) : name);
  if (absl::GetFlag(FLAGS_public)) upload->set_public_(true);
  bool open = writer->Write(message);
  std::string piece(kPieceBytes, '\0');
  while (open && in) {
    in.read(piece.data(), kPieceBytes);
    const std::streamsize got = in.gcount();
    if (got <= 0) break;
    message.Clear();
    message.set_data(piece.data(), static_cast<size_t>(got));
    open = writer->Write(message);
  }
  if (in.bad()) {
    context->TryCancel();
    std::cerr << "kyodoctl: reading " << path << " failed\n";
    return 1;
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (!status.ok()) return Fail(common::FromGrpcStatus(status));
  PrintDocument(env, out);
  return 0;
}

template <typename Stub>
int Fetch(const Env& env, Stub& stub, const std::string& name) {
  auto context = env.client->NewContext();
  kyodo::type::v1::DownloadDocumentRequest request;
  request.set_name(name);
  auto reader = stub.DownloadDocument(context.get(), request);
  kyodo::type::v1::DownloadDocumentResponse message;
  std::string out = absl::GetFlag(FLAGS_out);
  const bool to_stdout = out == "-";
  std::string partial;
  std::ofstream file;
  Document document;
  common::Sha256Stream hash;
  int64_t size = 0;
  bool failed = false;
  while (reader->Read(&message)) {
    if (message.has_document()) {
      document = message.document();
      if (out.empty()) {
        // The uploader chose this name: never a hidden file, and never
        // over a file already there (--out says where to write instead).
        out = BaseName(document.file_name());
        out.erase(0, out.find_first_not_of('.'));
        if (out.empty()) out = "document";
        if (std::ifstream(out).good()) {
          std::cerr << "kyodoctl: " << out
                    << " exists; say where to write with --out\n";
          context->TryCancel();
          failed = true;
          break;
        }
      }
      if (!to_stdout) {
        partial = out + ".part";
        file.open(partial, std::ios::binary | std::ios::trunc);
        if (!file) {
          std::cerr << "kyodoctl: cannot write " << partial << "\n";
          context->TryCancel();
          failed = true;
          break;
        }
      }
      continue;
    }
    hash.Update(message.data());
    size += static_cast<int64_t>(message.data().size());
    if (to_stdout) {
      std::cout.write(message.data().data(),
                      static_cast<std::streamsize>(message.data().size()));
    } else {
      file.write(message.data().data(),
                 static_cast<std::streamsize>(message.data().size()));
    }
  }
  const grpc::Status status = reader->Finish();
  if (file.is_open()) file.close();
  auto discard = [&] {
    if (!partial.empty()) std::remove(partial.c_str());
  };
  if (failed) {
    discard();
    return 1;
  }
  if (!status.ok()) {
    discard();
    return Fail(common::FromGrpcStatus(status));
  }
  const std::string sha256 = hash.FinishHex();
  if (size != document.size_bytes() || sha256 != document.sha256()) {
    discard();
    std::cerr << "kyodoctl: the download of " << name
              << " does not match the document (" << size << " bytes, sha256 "
              << sha256 << "); nothing was written\n";
    return 1;
  }
  if (to_stdout) {
    std::cout.flush();
    return 0;
  }
  if (!file || std::rename(partial.c_str(), out.c_str()) != 0) {
    discard();
    std::cerr << "kyodoctl: cannot write " << out << "\n";
    return 1;
  }
  std::cerr << out << ": " << size << " bytes, sha256 " << sha256 << "\n";
  return 0;
}

// Calls `use` with a stub of `service` (one of ServiceOf's).
template <typename Use>
int WithStub(const Env& env, const std::string& service, Use use) {
  auto channel = env.client->ChannelFor(service);
  if (service == "kyodo.project.v1.ProjectService") {
    auto stub = project::v1::ProjectService::NewStub(channel);
    return use(*stub);
  }
  if (service == "kyodo.partner.v1.PartnerService") {
    auto stub = partner::v1::PartnerService::NewStub(channel);
    return use(*stub);
  }
  auto stub = proposal::v1::ProposalService::NewStub(channel);
  return use(*stub);
}

}  // namespace

int CmdDocuments(const Env& env) {
  if (env.args.size() < 2) return Usage();
  const std::string& verb = env.args[0];
  const std::string& target = env.args[1];
  const std::string service = ServiceOf(target);
  if (service.empty()) return Usage();
  const std::string prefix = service + ".";
  if (verb == "attach" || verb == "fetch") {
    if (env.args.size() != (verb == "attach" ? 3u : 2u)) return Usage();
    return WithStub(env, service, [&](auto& stub) {
      return verb == "attach" ? Attach(env, stub, target, env.args[2])
                              : Fetch(env, stub, target);
    });
  }
  if (env.args.size() != 2) return Usage();
  if (verb == "list") {
    kyodo::type::v1::ListDocumentsRequest request;
    request.set_parent(target);
    request.set_show_deleted(absl::GetFlag(FLAGS_show_deleted));
    request.set_page_size(500);
    Table table({"名前(name)", "種類", "ファイル名", "bytes", "形式", "登録"});
    for (;;) {
      kyodo::type::v1::ListDocumentsResponse response;
      absl::Status status =
          env.client->Call(prefix + "ListDocuments", request, &response);
      if (!status.ok()) return Fail(status);
      for (const Document& d : response.documents()) {
        if (env.json) {
          std::cout << ToJson(d) << "\n";
          continue;
        }
        table.AddRow({d.name(), common::EnumLabel(d.kind()), d.file_name(),
                      absl::StrCat(d.size_bytes()), d.content_type(),
                      d.has_delete_time() ? "削除 " + JapanTime(d.delete_time())
                                          : JapanTime(d.create_time())});
      }
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    if (!env.json) table.Print(std::cout);
    return 0;
  }
  if (verb == "get" || verb == "delete") {
    Document document;
    absl::Status status;
    if (verb == "get") {
      kyodo::type::v1::GetDocumentRequest request;
      request.set_name(target);
      status = env.client->Call(prefix + "GetDocument", request, &document);
    } else {
      kyodo::type::v1::DeleteDocumentRequest request;
      request.set_name(target);
      request.set_etag(absl::GetFlag(FLAGS_etag));
      status = env.client->Call(prefix + "DeleteDocument", request, &document);
    }
    if (!status.ok()) return Fail(status);
    PrintDocument(env, document);
    return 0;
  }
  return Usage();
}

}  // namespace kyodo::ctl
