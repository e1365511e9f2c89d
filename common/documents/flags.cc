#include "common/documents/flags.h"

#include <algorithm>
#include <utility>

#include "absl/flags/flag.h"
#include "common/log/log.h"

ABSL_FLAG(int64_t, document_max_bytes, int64_t{32} << 20,
          "largest document accepted, in bytes");
ABSL_FLAG(int64_t, document_max_total_bytes, int64_t{100} << 20,
          "most bytes of live documents one record (a proposal, a project, "
          "an agreement) may hold");
ABSL_FLAG(int, document_max_count, 30,
          "most live documents one record may hold");
ABSL_FLAG(int, document_max_uploads, 0,
          "most uploads one replica receives at once (each holds a database "
          "session for its length); 0: a quarter of --db_pool_size, at "
          "least 1");

namespace kyodo::common::documents {
namespace {

// Documents with what they use, kept alive together.
struct Owned {
  std::unique_ptr<ContentDetector> detector;
  MariaDbContentStore store;
  std::unique_ptr<Documents> documents;
};

absl::StatusOr<std::shared_ptr<Owned>> Make(db::ConnectionPool* pool,
                                            const paging::PageTokenCodec* pages,
                                            Limits limits) {
  auto owned = std::make_shared<Owned>();
  absl::StatusOr<std::unique_ptr<ContentDetector>> detector =
      ContentDetector::Create();
  if (!detector.ok()) return detector.status();
  owned->detector = *std::move(detector);
  owned->documents = std::make_unique<Documents>(
      pool, pages, owned->detector.get(), &owned->store, limits);
  return owned;
}

}  // namespace

absl::StatusOr<const Documents*> DocumentsFromFlags(
    const server::ServiceEnv& env, server::BuiltService& built) {
  Limits limits;
  limits.max_bytes = absl::GetFlag(FLAGS_document_max_bytes);
  limits.max_total_bytes = absl::GetFlag(FLAGS_document_max_total_bytes);
  limits.max_count = absl::GetFlag(FLAGS_document_max_count);
  limits.max_uploads = absl::GetFlag(FLAGS_document_max_uploads);
  const int pool = env.config->db.max_size;
  if (limits.max_uploads == 0) limits.max_uploads = std::max(1, pool / 4);
  if (limits.max_bytes <= 0 || limits.max_count <= 0 ||
      limits.max_total_bytes < limits.max_bytes) {
    return absl::InvalidArgumentError(
        "--document_max_bytes and --document_max_count must be positive, "
        "and --document_max_total_bytes at least --document_max_bytes");
  }
  if (limits.max_uploads < 1 || limits.max_uploads > pool) {
    return absl::InvalidArgumentError(
        "--document_max_uploads must be 0 (a quarter of --db_pool_size) or "
        "1 to --db_pool_size");
  }
  absl::StatusOr<std::shared_ptr<Owned>> owned =
      Make(env.pool, env.pages, limits);
  if (!owned.ok()) return owned.status();
  const Documents* documents = (*owned)->documents.get();
  built.keep_alive =
      std::make_shared<std::pair<std::shared_ptr<void>, std::shared_ptr<void>>>(
          std::move(built.keep_alive), *std::move(owned));
  return documents;
}

std::shared_ptr<const Documents> DefaultDocuments(
    db::ConnectionPool* pool, const paging::PageTokenCodec* pages,
    Limits limits) {
  absl::StatusOr<std::shared_ptr<Owned>> owned = Make(pool, pages, limits);
  if (!owned.ok()) {
    log::Error("documents unavailable", {{"error", owned.status().message()}});
    return nullptr;
  }
  // Aliasing: the Documents, keeping everything it uses alive.
  const Documents* documents = (*owned)->documents.get();
  return std::shared_ptr<const Documents>(*std::move(owned), documents);
}

}  // namespace kyodo::common::documents
