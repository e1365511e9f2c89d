// Documents attached to a service's records (proposals, projects,
// agreements): the five methods every such service serves over
// kyodo.type.v1's document messages (protos/kyodo/type/v1/document.proto),
// written once here. A service says what its records allow through a
// Policy; the content goes through a ContentStore (content_store.h) and is
// never held whole: an upload is checked, hashed and stored as it streams
// in, a download read and sent one chunk at a time.
//
// An upload runs in one transaction: the document's row and its chunks are
// written as the data arrives; when the stream ends the record is locked
// (Policy::RightsOn with lock) and judged again (a proposal submitted
// meanwhile freezes its documents), the limits are checked against the
// record's other documents, and the upload is audited. A refused, cancelled
// or broken upload rolls back and leaves nothing.
#ifndef KYODO_COMMON_DOCUMENTS_DOCUMENTS_H_
#define KYODO_COMMON_DOCUMENTS_DOCUMENTS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/pool.h"
#include "common/documents/content_store.h"
#include "common/documents/content_type.h"
#include "common/paging/page_token.h"
#include "common/server/rpc.h"
#include "kyodo/type/v1/document.pb.h"

namespace kyodo::common::documents {

struct Limits {
  int64_t max_bytes = int64_t{32} << 20;         // one file
  int64_t max_total_bytes = int64_t{100} << 20;  // one record's live files
  int max_count = 30;                            // one record's live files
  // Uploads received at once by one replica: each holds a pooled database
  // session (its transaction) for its whole stream, so this stays well
  // below the pool's size and slow uploads cannot starve other calls
  // (--document_max_uploads: a quarter of --db_pool_size by default).
  int max_uploads = 4;
};

// What one caller may do with one record's documents.
struct Rights {
  // Reads every live document; false: only the public ones, and those only
  // with read_public.
  bool read_all = false;
  // Whether a caller without read_all reads the public documents: a
  // project's are public only once the project is (project-service's
  // policy, domain::IsPublished). Off unless a policy says so; only
  // projects' documents can be public.
  bool read_public = false;
  // Reads deleted documents too (ListDocuments show_deleted).
  bool read_deleted = false;
  // OK when the caller may add and delete the record's documents now;
  // otherwise the refusal (PERMISSION_DENIED, or FAILED_PRECONDITION naming
  // the rule, e.g. DOCUMENTS_FROZEN).
  absl::Status change;
  // Whether the record's documents may be marked public.
  bool publishable = false;
};

class Policy {
 public:
  virtual ~Policy() = default;

  // INVALID_ARGUMENT naming `field` unless `parent` is the name of a record
  // of this service that has documents.
  virtual absl::Status CheckParent(absl::string_view field,
                                   absl::string_view parent) const = 0;

  // What the caller may do with `parent`'s documents; PERMISSION_DENIED or
  // NOT_FOUND where reading the record itself would answer so. With `lock`
  // the record's row stays locked (FOR UPDATE) until the transaction ends.
  virtual absl::StatusOr<Rights> RightsOn(db::Session& s,
                                          const server::CallContext& call,
                                          absl::string_view parent,
                                          bool lock) const = 0;
};

// The next message of an upload stream; false at its end.
using UploadSource =
    absl::FunctionRef<bool(kyodo::type::v1::UploadDocumentRequest*)>;
// Sends one message of a download; false when the caller is gone.
using DownloadSink =
    absl::FunctionRef<bool(const kyodo::type::v1::DownloadDocumentResponse&)>;

// The longest an upload or a download may take (RpcRunner's `longest`):
// 20 MB at 1 Mbit/s, with room.
inline constexpr absl::Duration kLongestTransfer = absl::Minutes(10);

class Documents {
 public:
  Documents(db::ConnectionPool* pool, const paging::PageTokenCodec* pages,
            const ContentDetector* detector, ContentStore* store, Limits limits)
      : pool_(pool),
        pages_(pages),
        detector_(detector),
        store_(store),
        limits_(limits) {}

  const Limits& limits() const { return limits_; }

  absl::Status Upload(const Policy& policy, const server::CallContext& call,
                      UploadSource next, kyodo::type::v1::Document* out) const;
  absl::Status List(const Policy& policy, const server::CallContext& call,
                    const kyodo::type::v1::ListDocumentsRequest& r,
                    kyodo::type::v1::ListDocumentsResponse* out) const;
  absl::Status Get(const Policy& policy, const server::CallContext& call,
                   const kyodo::type::v1::GetDocumentRequest& r,
                   kyodo::type::v1::Document* out) const;
  absl::Status Download(const Policy& policy, const server::CallContext& call,
                        const kyodo::type::v1::DownloadDocumentRequest& r,
                        DownloadSink send) const;
  absl::Status Delete(const Policy& policy, const server::CallContext& call,
                      const kyodo::type::v1::DeleteDocumentRequest& r,
                      kyodo::type::v1::Document* out) const;

 private:
  // The body of an upload's transaction: takes the content from `next`.
  absl::Status Receive(const Policy& policy, const server::CallContext& call,
                       const kyodo::type::v1::DocumentUpload& upload,
                       absl::string_view request_id, UploadSource next,
                       db::Session& s, kyodo::type::v1::Document* out) const;

  db::ConnectionPool* pool_;
  // Uploads being received (Limits::max_uploads).
  std::unique_ptr<std::atomic<int>> uploads_ =
      std::make_unique<std::atomic<int>>(0);
  const paging::PageTokenCodec* pages_;
  const ContentDetector* detector_;
  ContentStore* store_;
  Limits limits_;
};

// INVALID_ARGUMENT naming `field` unless `name` is 1 to 255 bytes without
// `/`, `\`, control characters or a leading or trailing space, and not "."
// or "..". (UTF-8 is checked with the request.)
absl::Status CheckFileName(absl::string_view field, absl::string_view name);

}  // namespace kyodo::common::documents

#endif  // KYODO_COMMON_DOCUMENTS_DOCUMENTS_H_
