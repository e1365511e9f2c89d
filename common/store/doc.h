// Helpers shared by the services' stores: resources kept as a JSON document
// beside their indexed columns, etags from row versions, and time
// conversions.
#ifndef KYODO_COMMON_STORE_DOC_H_
#define KYODO_COMMON_STORE_DOC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/session.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace kyodo::common::store {

// The JSON document of `resource` (proto field names, enums by name) without
// the output-only fields the row keeps in columns: name, state, create_time,
// update_time, delete_time and etag.
std::string ToDoc(const google::protobuf::Message& resource);

// Parses a document written by ToDoc (fields it does not know are ignored,
// so an older binary reads a newer row). INTERNAL when it is not JSON.
absl::Status FromDoc(absl::string_view doc,
                     google::protobuf::Message* resource);

// The etag of row version `version`, and the reverse check.
std::string Etag(int64_t version);
// True when `etag` is empty (the caller did not ask for a check) or names
// `version`.
bool EtagMatches(absl::string_view etag, int64_t version);

// The columns every resource table's SELECT starts with, in this order.
inline constexpr char kResourceColumns[] =
    "seq, id, version, create_time, update_time, delete_time, doc";

struct RowMeta {
  int64_t seq = 0;
  int64_t version = 0;
};

// Fills `resource` from a row starting with kResourceColumns: its document,
// then name ("<collection>/<id>"), create/update/delete times and etag.
absl::StatusOr<RowMeta> ReadResource(const db::Row& row,
                                     absl::string_view collection,
                                     google::protobuf::Message* resource);

google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& t);

}  // namespace kyodo::common::store

#endif  // KYODO_COMMON_STORE_DOC_H_
