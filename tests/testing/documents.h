// Documents in tests: contents libmagic recognises, made piece by piece so
// that a test never holds a large file whole, and the upload and download
// streams of any service that serves documents (its stub's UploadDocument
// and DownloadDocument, common/documents/documents.h).
#ifndef KYODO_TESTS_TESTING_DOCUMENTS_H_
#define KYODO_TESTS_TESTING_DOCUMENTS_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/crypto/sha256.h"
#include "grpcpp/client_context.h"
#include "kyodo/type/v1/document.pb.h"
#include "tests/testing/auth.h"

namespace kyodo::testing {

// Byte `offset` onwards of a file of `size` bytes, at most `max` of them.
using ContentPiece = std::function<std::string(int64_t offset, int64_t max)>;

// A content of `size` bytes made on demand by `piece`.
struct Content {
  int64_t size = 0;
  ContentPiece piece;
};

// A PDF of exactly `size` bytes (at least 64): a header, one stream of
// filler (a pattern of `seed`) and a trailer.
inline Content PdfOfSize(int64_t size, char seed = 'a') {
  static const std::string kHead =
      "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 0 >>\nstream\n";
  static const std::string kTail = "\nendstream\nendobj\n%%EOF\n";
  return Content{size, [size, seed](int64_t offset, int64_t max) {
                   std::string out;
                   const int64_t end = std::min(size, offset + max);
                   out.reserve(static_cast<size_t>(end - offset));
                   const int64_t tail_at =
                       size - static_cast<int64_t>(kTail.size());
                   for (int64_t i = offset; i < end; ++i) {
                     if (i < static_cast<int64_t>(kHead.size())) {
                       out.push_back(kHead[static_cast<size_t>(i)]);
                     } else if (i >= tail_at) {
                       out.push_back(kTail[static_cast<size_t>(i - tail_at)]);
                     } else {
                       out.push_back(static_cast<char>(seed + (i % 23)));
                     }
                   }
                   return out;
                 }};
}

// A content held in memory (small files).
inline Content Bytes(std::string bytes) {
  const auto size = static_cast<int64_t>(bytes.size());
  return Content{size, [bytes = std::move(bytes)](int64_t offset, int64_t max) {
                   return bytes.substr(static_cast<size_t>(offset),
                                       static_cast<size_t>(max));
                 }};
}

// The whole of a (small) content.
inline std::string Whole(const Content& c) { return c.piece(0, c.size); }

// SHA-256 of a content, hex, read piece by piece.
inline std::string Sha256Of(const Content& c) {
  common::Sha256Stream hash;
  for (int64_t at = 0; at < c.size; at += 1 << 20) {
    hash.Update(c.piece(at, 1 << 20));
  }
  return hash.FinishHex();
}

// Uploads `content` as `upload` says, in pieces of `piece_bytes`.
template <typename Stub>
grpc::Status UploadDocument(Stub& stub, const std::string& token,
                            const kyodo::type::v1::DocumentUpload& upload,
                            const Content& content,
                            kyodo::type::v1::Document* out,
                            int64_t piece_bytes = 64 << 10) {
  auto context = Context(token);
  kyodo::type::v1::Document ignored;
  auto writer = stub.UploadDocument(context.get(), out ? out : &ignored);
  kyodo::type::v1::UploadDocumentRequest message;
  *message.mutable_upload() = upload;
  bool open = writer->Write(message);
  for (int64_t at = 0; open && at < content.size; at += piece_bytes) {
    message.Clear();
    message.set_data(content.piece(at, piece_bytes));
    open = writer->Write(message);
  }
  writer->WritesDone();
  return writer->Finish();
}

inline kyodo::type::v1::DocumentUpload Upload(
    const std::string& parent, kyodo::type::v1::DocumentKind kind,
    const std::string& file_name, bool is_public = false) {
  kyodo::type::v1::DocumentUpload u;
  u.set_parent(parent);
  u.set_kind(kind);
  u.set_file_name(file_name);
  if (is_public) u.set_public_(true);
  return u;
}

// What a download brought: the document, and its content's size and hash
// (the content itself only when `keep` was asked, for small files).
struct Downloaded {
  kyodo::type::v1::Document document;
  int64_t size = 0;
  std::string sha256;
  std::string content;
  int data_messages = 0;
};

template <typename Stub>
grpc::Status DownloadDocument(Stub& stub, const std::string& token,
                              const std::string& name, Downloaded* out,
                              bool keep = false) {
  auto context = Context(token);
  kyodo::type::v1::DownloadDocumentRequest request;
  request.set_name(name);
  auto reader = stub.DownloadDocument(context.get(), request);
  kyodo::type::v1::DownloadDocumentResponse message;
  common::Sha256Stream hash;
  *out = Downloaded();
  while (reader->Read(&message)) {
    if (message.has_document()) {
      out->document = message.document();
    } else {
      out->size += static_cast<int64_t>(message.data().size());
      hash.Update(message.data());
      if (keep) out->content += message.data();
      ++out->data_messages;
    }
  }
  out->sha256 = hash.FinishHex();
  return reader->Finish();
}

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_DOCUMENTS_H_
