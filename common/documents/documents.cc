#include "common/documents/documents.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/audit/audit.h"
#include "common/crypto/sha256.h"
#include "common/db/transaction.h"
#include "common/idempotency/idempotency.h"
#include "common/resource/names.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/store/enum_table.h"
#include "common/validate/request.h"

namespace kyodo::common::documents {
namespace {

using kyodo::type::v1::Document;
using kyodo::type::v1::DocumentKind;
using kyodo::type::v1::DownloadDocumentResponse;
using kyodo::type::v1::UploadDocumentRequest;

constexpr absl::string_view kSegment = "/documents/";

constexpr char kColumns[] =
    "seq, id, parent, kind, file_name, size_bytes, sha256, content_type, "
    "public, chunk_count, creator, version, create_time, delete_time";

struct DocumentRow {
  int64_t seq = 0;
  int chunk_count = 0;
  int64_t version = 0;
  Document document;
};

absl::StatusOr<DocumentRow> FromRow(const db::Row& row) {
  DocumentRow out;
  KYODO_ASSIGN_OR_RETURN(out.seq, row.Int(0));
  KYODO_ASSIGN_OR_RETURN(const int64_t chunk_count, row.Int(9));
  KYODO_ASSIGN_OR_RETURN(out.version, row.Int(11));
  KYODO_ASSIGN_OR_RETURN(const DocumentKind kind,
                         store::StoredEnumByNumber<DocumentKind>(
                             row, 3, {"documents", row.String(1), "kind"}));
  KYODO_ASSIGN_OR_RETURN(const int64_t size_bytes, row.Int(5));
  KYODO_ASSIGN_OR_RETURN(const int64_t is_public, row.Int(8));
  KYODO_ASSIGN_OR_RETURN(const absl::Time created, row.Time(12));
  KYODO_ASSIGN_OR_RETURN(const std::optional<absl::Time> deleted,
                         row.OptionalTime(13));
  out.chunk_count = static_cast<int>(chunk_count);
  Document& d = out.document;
  d.set_name(absl::StrCat(row.String(2), kSegment, row.String(1)));
  d.set_kind(kind);
  d.set_file_name(row.String(4));
  d.set_size_bytes(size_bytes);
  d.set_sha256(row.String(6));
  d.set_content_type(row.String(7));
  d.set_public_(is_public != 0);
  d.set_creator(row.String(10));
  *d.mutable_create_time() = store::ToTimestamp(created);
  if (deleted.has_value()) {
    *d.mutable_delete_time() = store::ToTimestamp(*deleted);
  }
  d.set_etag(store::Etag(out.version));
  return out;
}

struct DocumentName {
  std::string parent;
  std::string id;
};

// "<parent>/documents/<id>", the parent checked by the policy.
absl::StatusOr<DocumentName> ParseDocumentName(const Policy& policy,
                                               absl::string_view name) {
  KYODO_RETURN_IF_ERROR(RequireNonEmpty("name", name));
  const size_t at = name.rfind(kSegment);
  if (at == absl::string_view::npos ||
      !IsValidId(name.substr(at + kSegment.size()))) {
    return InvalidArgumentError(
        "name", "must be a record's name followed by /documents/{id}");
  }
  DocumentName out{std::string(name.substr(0, at)),
                   std::string(name.substr(at + kSegment.size()))};
  KYODO_RETURN_IF_ERROR(policy.CheckParent("name", out.parent));
  return out;
}

absl::StatusOr<std::optional<DocumentRow>> LoadDocument(
    db::Session& s, const DocumentName& name, bool for_update) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      s.QueryOne(absl::StrCat("SELECT ", kColumns,
                              " FROM documents WHERE id = ? AND parent = ?",
                              for_update ? " FOR UPDATE" : ""),
                 {name.id, name.parent}));
  if (!row.has_value()) return std::nullopt;
  KYODO_ASSIGN_OR_RETURN(DocumentRow document, FromRow(*row));
  return std::optional<DocumentRow>(std::move(document));
}

// `d` as a caller with `rights` reads it: who uploaded a document is told
// only to those who read all of the record's documents.
void Shape(const Rights& rights, Document* d) {
  if (!rights.read_all) d->clear_creator();
}

// Whether a caller with `rights` sees `row` at all.
bool Sees(const Rights& rights, const DocumentRow& row) {
  const Document& d = row.document;
  if (d.has_delete_time() && !rights.read_deleted) return false;
  return rights.read_all || (rights.read_public && d.public_());
}

struct Usage {
  int count = 0;
  int64_t bytes = 0;
};

// The record's live documents but `except`.
absl::StatusOr<Usage> UsageOf(db::Session& s, absl::string_view parent,
                              int64_t except) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      s.QueryOne("SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) "
                 "FROM documents WHERE parent = ? AND delete_time IS NULL "
                 "AND seq <> ?",
                 {parent, except}));
  if (!row.has_value()) return Usage{};
  KYODO_ASSIGN_OR_RETURN(const int64_t count, row->Int(0));
  KYODO_ASSIGN_OR_RETURN(const int64_t bytes, row->Int(1));
  return Usage{static_cast<int>(count), bytes};
}

absl::Status CheckCount(const Limits& limits, const Usage& usage) {
  if (usage.count >= limits.max_count) {
    return InvalidArgumentError(
        "upload.parent",
        absl::StrCat("TOO_MANY_DOCUMENTS: a record holds at most ",
                     limits.max_count, " documents"),
        kyodo::type::v1::TOO_MANY_DOCUMENTS);
  }
  return absl::OkStatus();
}

absl::Status TooLarge(const Limits& limits) {
  return InvalidArgumentError(
      "data",
      absl::StrCat("DOCUMENT_TOO_LARGE: a document is at most ",
                   limits.max_bytes, " bytes"),
      kyodo::type::v1::DOCUMENT_TOO_LARGE);
}

// The upload's first message, checked.
absl::Status CheckUpload(const Policy& policy,
                         const UploadDocumentRequest& first) {
  KYODO_RETURN_IF_ERROR(ValidateRequest(first));
  KYODO_RETURN_IF_ERROR(ValidateRequestId("request_id", first.request_id()));
  if (!first.has_upload()) {
    return InvalidArgumentError(
        "upload", "the first message of an upload must be the upload");
  }
  const kyodo::type::v1::DocumentUpload& u = first.upload();
  KYODO_RETURN_IF_ERROR(RequireNonEmpty("upload.parent", u.parent()));
  KYODO_RETURN_IF_ERROR(policy.CheckParent("upload.parent", u.parent()));
  if (u.kind() == kyodo::type::v1::DOCUMENT_KIND_UNSPECIFIED ||
      !kyodo::type::v1::DocumentKind_IsValid(u.kind())) {
    return InvalidArgumentError("upload.kind",
                                "must be PLAN, BUDGET, BYLAWS, REPORT or OTHER",
                                kyodo::type::v1::FIELD_REQUIRED);
  }
  return CheckFileName("upload.file_name", u.file_name());
}

}  // namespace

absl::Status CheckFileName(absl::string_view field, absl::string_view name) {
  KYODO_RETURN_IF_ERROR(RequireNonEmpty(field, name));
  if (name.size() > 255) {
    return InvalidArgumentError(field, "is longer than 255 bytes",
                                kyodo::type::v1::FIELD_TOO_LONG);
  }
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) {
      return InvalidArgumentError(field,
                                  "may not hold /, \\ or control characters");
    }
  }
  if (name == "." || name == ".." || name.front() == ' ' ||
      name.back() == ' ') {
    return InvalidArgumentError(
        field, "may not be . or .. or begin or end with a space");
  }
  return absl::OkStatus();
}

absl::Status Documents::Upload(const Policy& policy,
                               const server::CallContext& call,
                               UploadSource next, Document* out) const {
  UploadDocumentRequest message;
  if (!next(&message)) {
    return InvalidArgumentError("upload", "the upload stream was empty");
  }
  KYODO_RETURN_IF_ERROR(CheckUpload(policy, message));
  const kyodo::type::v1::DocumentUpload upload = message.upload();
  // Counted before a database session is taken.
  struct Slot {
    std::atomic<int>& n;
    ~Slot() { n.fetch_sub(1); }
  } slot{*uploads_};
  if (uploads_->fetch_add(1) >= limits_.max_uploads) {
    return ErrorWithReason(
        absl::StatusCode::kResourceExhausted, kyodo::type::v1::TOO_MANY_UPLOADS,
        absl::StrCat("TOO_MANY_UPLOADS: this replica already receives ",
                     limits_.max_uploads, " uploads; retry later"));
  }

  db::TransactionOptions once;
  once.max_attempts = 1;  // the stream cannot be read twice
  // The first message without the content identifies a retry.
  const UploadDocumentRequest& identity = message;
  return db::RunInTransaction(
      *pool_, call.deadline,
      [&](db::Session& s) -> absl::Status {
        return idempotency::Run(
            s, identity.request_id(), call.principal.subject, call.method,
            identity, out, [&]() {
              return Receive(policy, call, upload, identity.request_id(), next,
                             s, out);
            });
      },
      once);
}

absl::Status Documents::Receive(const Policy& policy,
                                const server::CallContext& call,
                                const kyodo::type::v1::DocumentUpload& upload,
                                absl::string_view request_id, UploadSource next,
                                db::Session& s, Document* out) const {
  // Judged before any content is taken, so that a refusal comes at once;
  // judged again under the record's lock at the end.
  {
    KYODO_ASSIGN_OR_RETURN(Rights rights,
                           policy.RightsOn(s, call, upload.parent(), false));
    KYODO_RETURN_IF_ERROR(rights.change);
    if (upload.public_() && !rights.publishable) {
      return InvalidArgumentError(
          "upload.public",
          "DOCUMENT_NOT_PUBLISHABLE: only a project's documents may be public",
          kyodo::type::v1::DOCUMENT_NOT_PUBLISHABLE);
    }
    KYODO_ASSIGN_OR_RETURN(Usage usage, UsageOf(s, upload.parent(), 0));
    KYODO_RETURN_IF_ERROR(CheckCount(limits_, usage));
  }
  const std::string id = NewId();
  KYODO_RETURN_IF_ERROR(
      s.Exec("INSERT INTO documents (id, parent, kind, file_name, "
             "size_bytes, sha256, content_type, public, content_store, "
             "chunk_count, creator, version, create_time) "
             "VALUES (?, ?, ?, ?, 0, '', '', ?, ?, 0, ?, 1, ?)",
             {id, upload.parent(), static_cast<int>(upload.kind()),
              upload.file_name(), upload.public_(), std::string(store_->name()),
              call.principal.subject, call.start})
          .status());
  KYODO_ASSIGN_OR_RETURN(std::optional<db::Row> inserted,
                         s.QueryOne("SELECT LAST_INSERT_ID()"));
  if (!inserted.has_value()) {
    return absl::InternalError("LAST_INSERT_ID() returned no row");
  }
  KYODO_ASSIGN_OR_RETURN(const int64_t seq, inserted->Int(0));
  std::unique_ptr<ContentWriter> writer = store_->NewWriter(s, seq);

  Sha256Stream hash;
  std::string head;
  int64_t size = 0;
  UploadDocumentRequest part;
  while (next(&part)) {
    if (!part.has_data()) {
      return InvalidArgumentError(
          "upload", "only the first message of an upload is the upload");
    }
    const std::string& data = part.data();
    size += static_cast<int64_t>(data.size());
    if (size > limits_.max_bytes) return TooLarge(limits_);
    if (absl::Now() > call.deadline) {
      return absl::DeadlineExceededError("the upload took too long");
    }
    if (head.size() < kDetectBytes) {
      head.append(data, 0, kDetectBytes - head.size());
    }
    hash.Update(data);
    KYODO_RETURN_IF_ERROR(writer->Append(data));
    part.Clear();
  }
  if (call.server_context != nullptr && call.server_context->IsCancelled()) {
    return absl::CancelledError("the upload was cancelled");
  }
  if (size == 0) {
    return InvalidArgumentError("data", "DOCUMENT_EMPTY: the document is empty",
                                kyodo::type::v1::DOCUMENT_EMPTY);
  }
  const std::string type = detector_->Detect(head);
  if (!AllowedContentType(type)) {
    return InvalidArgumentError(
        "data",
        absl::StrCat("DOCUMENT_TYPE_NOT_ALLOWED: the content is ", type,
                     "; documents must be ", AllowedContentTypesInWords()),
        kyodo::type::v1::DOCUMENT_TYPE_NOT_ALLOWED);
  }
  KYODO_ASSIGN_OR_RETURN(int chunks, writer->Finish());

  // The record as it is now, locked until the commit.
  KYODO_ASSIGN_OR_RETURN(Rights rights,
                         policy.RightsOn(s, call, upload.parent(), true));
  KYODO_RETURN_IF_ERROR(rights.change);
  KYODO_ASSIGN_OR_RETURN(Usage usage, UsageOf(s, upload.parent(), seq));
  KYODO_RETURN_IF_ERROR(CheckCount(limits_, usage));
  if (usage.bytes + size > limits_.max_total_bytes) {
    return InvalidArgumentError(
        "data",
        absl::StrCat("DOCUMENTS_TOO_LARGE: a record's documents hold at "
                     "most ",
                     limits_.max_total_bytes, " bytes; ", usage.bytes,
                     " are taken"),
        kyodo::type::v1::DOCUMENTS_TOO_LARGE);
  }
  const std::string sha256 = hash.FinishHex();
  KYODO_RETURN_IF_ERROR(
      s.Exec("UPDATE documents SET size_bytes = ?, sha256 = ?, "
             "content_type = ?, chunk_count = ? WHERE seq = ?",
             {size, sha256, type, chunks, seq})
          .status());
  KYODO_ASSIGN_OR_RETURN(
      std::optional<DocumentRow> row,
      LoadDocument(s, DocumentName{upload.parent(), id}, false));
  if (!row.has_value()) return absl::InternalError("upload lost");
  KYODO_RETURN_IF_ERROR(audit::Record(s, call.AuditActor(request_id),
                                      row->document.name(), nullptr,
                                      &row->document));
  *out = std::move(row->document);
  return absl::OkStatus();
}

absl::Status Documents::List(
    const Policy& policy, const server::CallContext& call,
    const kyodo::type::v1::ListDocumentsRequest& r,
    kyodo::type::v1::ListDocumentsResponse* out) const {
  KYODO_RETURN_IF_ERROR(RequireNonEmpty("parent", r.parent()));
  KYODO_RETURN_IF_ERROR(policy.CheckParent("parent", r.parent()));
  KYODO_ASSIGN_OR_RETURN(int size, paging::EffectivePageSize(r.page_size()));
  const std::string query =
      absl::StrCat("ListDocuments|", r.parent(), "|", r.show_deleted());
  KYODO_ASSIGN_OR_RETURN(paging::PageCursor cursor,
                         pages_->Decode(r.page_token(), query));
  std::vector<DocumentRow> rows;
  KYODO_RETURN_IF_ERROR(db::RunWithSession(
      *pool_, call.deadline, [&](db::Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(Rights rights,
                               policy.RightsOn(s, call, r.parent(), false));
        if (r.show_deleted() && !rights.read_deleted) {
          return PermissionDeniedError(
              "only staff read a record's deleted documents");
        }
        KYODO_ASSIGN_OR_RETURN(
            std::vector<db::Row> found,
            s.Query(
                absl::StrCat("SELECT ", kColumns,
                             " FROM documents WHERE parent = ? AND seq > ?",
                             r.show_deleted() ? "" : " AND delete_time IS NULL",
                             rights.read_all      ? ""
                             : rights.read_public ? " AND public"
                                                  : " AND FALSE",
                             " ORDER BY seq LIMIT ?"),
                {r.parent(), cursor.last_seq, size + 1}));
        for (const db::Row& row : found) {
          KYODO_ASSIGN_OR_RETURN(DocumentRow document, FromRow(row));
          rows.push_back(std::move(document));
          Shape(rights, &rows.back().document);
        }
        return absl::OkStatus();
      }));
  out->set_next_page_token(paging::FinishPage(rows, size, *pages_, query));
  for (DocumentRow& row : rows) {
    *out->add_documents() = std::move(row.document);
  }
  return absl::OkStatus();
}

absl::Status Documents::Get(const Policy& policy,
                            const server::CallContext& call,
                            const kyodo::type::v1::GetDocumentRequest& r,
                            Document* out) const {
  KYODO_ASSIGN_OR_RETURN(DocumentName name,
                         ParseDocumentName(policy, r.name()));
  return db::RunWithSession(
      *pool_, call.deadline, [&](db::Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(Rights rights,
                               policy.RightsOn(s, call, name.parent, false));
        KYODO_ASSIGN_OR_RETURN(std::optional<DocumentRow> row,
                               LoadDocument(s, name, false));
        if (!row.has_value() || !Sees(rights, *row)) {
          return NotFoundError(r.name());
        }
        Shape(rights, &row->document);
        *out = std::move(row->document);
        return absl::OkStatus();
      });
}

absl::Status Documents::Download(
    const Policy& policy, const server::CallContext& call,
    const kyodo::type::v1::DownloadDocumentRequest& r,
    DownloadSink send) const {
  KYODO_ASSIGN_OR_RETURN(DocumentName name,
                         ParseDocumentName(policy, r.name()));
  DocumentRow found;
  KYODO_RETURN_IF_ERROR(db::RunWithSession(
      *pool_, call.deadline, [&](db::Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(Rights rights,
                               policy.RightsOn(s, call, name.parent, false));
        KYODO_ASSIGN_OR_RETURN(std::optional<DocumentRow> row,
                               LoadDocument(s, name, false));
        if (!row.has_value() || !Sees(rights, *row)) {
          return NotFoundError(r.name());
        }
        Shape(rights, &row->document);
        found = *std::move(row);
        return absl::OkStatus();
      }));
  DownloadDocumentResponse message;
  *message.mutable_document() = found.document;
  if (!send(message)) return absl::CancelledError("the caller went away");
  // The content never changes once committed (a delete keeps it), so its
  // chunks may be read one by one, each with a session of its own.
  for (int i = 0; i < found.chunk_count; ++i) {
    KYODO_ASSIGN_OR_RETURN(
        std::string chunk,
        store_->ReadChunk(*pool_, call.deadline, found.seq, i));
    message.Clear();
    *message.mutable_data() = std::move(chunk);
    if (!send(message)) return absl::CancelledError("the caller went away");
  }
  return absl::OkStatus();
}

absl::Status Documents::Delete(const Policy& policy,
                               const server::CallContext& call,
                               const kyodo::type::v1::DeleteDocumentRequest& r,
                               Document* out) const {
  KYODO_ASSIGN_OR_RETURN(DocumentName name,
                         ParseDocumentName(policy, r.name()));
  KYODO_RETURN_IF_ERROR(ValidateRequestId("request_id", r.request_id()));
  return db::RunInTransaction(
      *pool_, call.deadline, [&](db::Session& s) -> absl::Status {
        return idempotency::Run(
            s, r.request_id(), call.principal.subject, call.method, r, out,
            [&]() -> absl::Status {
              KYODO_ASSIGN_OR_RETURN(
                  Rights rights, policy.RightsOn(s, call, name.parent, true));
              KYODO_ASSIGN_OR_RETURN(std::optional<DocumentRow> row,
                                     LoadDocument(s, name, true));
              if (!row.has_value() || row->document.has_delete_time() ||
                  !Sees(rights, *row)) {
                return NotFoundError(r.name());
              }
              KYODO_RETURN_IF_ERROR(rights.change);
              if (!store::EtagMatches(r.etag(), row->version)) {
                return EtagMismatchError(r.name());
              }
              KYODO_RETURN_IF_ERROR(
                  s.Exec("UPDATE documents SET delete_time = ?, version = ? "
                         "WHERE seq = ?",
                         {call.start, row->version + 1, row->seq})
                      .status());
              Document after = row->document;
              *after.mutable_delete_time() = store::ToTimestamp(call.start);
              after.set_etag(store::Etag(row->version + 1));
              KYODO_RETURN_IF_ERROR(
                  audit::Record(s, call.AuditActor(r.request_id()), r.name(),
                                &row->document, &after));
              *out = std::move(after);
              return absl::OkStatus();
            });
      });
}

}  // namespace kyodo::common::documents
