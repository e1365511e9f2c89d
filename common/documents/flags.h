// The documents' flags, shared by every service that keeps documents
// (docs/OPERATIONS.md, "Documents"): --document_max_bytes,
// --document_max_total_bytes and --document_max_count.
#ifndef KYODO_COMMON_DOCUMENTS_FLAGS_H_
#define KYODO_COMMON_DOCUMENTS_FLAGS_H_

#include "absl/status/statusor.h"
#include "common/documents/documents.h"
#include "common/server/bootstrap.h"

namespace kyodo::common::documents {

// Documents kept in the service's database with the limits of the flags;
// `built` keeps them alive. INVALID_ARGUMENT for a flag out of range,
// INTERNAL when libmagic's database cannot be loaded.
absl::StatusOr<const Documents*> DocumentsFromFlags(
    const server::ServiceEnv& env, server::BuiltService& built);

// The same with the default limits, for a service built without flags
// (tests); nullptr when libmagic cannot be loaded.
std::shared_ptr<const Documents> DefaultDocuments(
    db::ConnectionPool* pool, const paging::PageTokenCodec* pages,
    Limits limits = {});

}  // namespace kyodo::common::documents

#endif  // KYODO_COMMON_DOCUMENTS_FLAGS_H_
