// Where documents' content is kept, behind one interface: the MariaDB store
// below keeps it in the service's own database (document_chunks,
// common/schema/004_documents.sql), written in the transaction that accepts
// the upload and so in the service's backups. Another store (an
// S3-compatible one) would implement the same three calls, name itself in
// documents.content_store, and make its writes durable only when the
// transaction commits.
#ifndef KYODO_COMMON_DOCUMENTS_CONTENT_STORE_H_
#define KYODO_COMMON_DOCUMENTS_CONTENT_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/db/session.h"

namespace kyodo::common::documents {

// The size of the pieces content is stored and served in.
inline constexpr size_t kChunkBytes = 256 << 10;

// Takes one document's content in order, holding at most one chunk.
class ContentWriter {
 public:
  virtual ~ContentWriter() = default;
  virtual absl::Status Append(absl::string_view data) = 0;
  // Stores what is still held; returns the number of chunks written.
  virtual absl::StatusOr<int> Finish() = 0;
};

class ContentStore {
 public:
  virtual ~ContentStore() = default;

  // The value of documents.content_store for documents kept here.
  virtual absl::string_view name() const = 0;

  // A writer for document `seq`'s content inside `session`'s transaction.
  virtual std::unique_ptr<ContentWriter> NewWriter(db::Session& session,
                                                   int64_t seq) = 0;

  // Chunk `index` (of the document's chunk_count) of document `seq`, read
  // with a pooled session of its own, so that a slow reader holds no
  // connection between chunks.
  virtual absl::StatusOr<std::string> ReadChunk(db::ConnectionPool& pool,
                                                absl::Time deadline,
                                                int64_t seq, int index) = 0;
};

// The store of common/schema/004_documents.sql's document_chunks.
class MariaDbContentStore final : public ContentStore {
 public:
  absl::string_view name() const override { return "mariadb"; }
  std::unique_ptr<ContentWriter> NewWriter(db::Session& session,
                                           int64_t seq) override;
  absl::StatusOr<std::string> ReadChunk(db::ConnectionPool& pool,
                                        absl::Time deadline, int64_t seq,
                                        int index) override;
};

}  // namespace kyodo::common::documents

#endif  // KYODO_COMMON_DOCUMENTS_CONTENT_STORE_H_
