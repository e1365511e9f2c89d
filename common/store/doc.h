// Helpers shared by the services' stores: resources kept as a JSON document
// beside their indexed columns, etags from row versions, and time
// conversions.
#ifndef KYODO_COMMON_STORE_DOC_H_
#define KYODO_COMMON_STORE_DOC_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/session.h"
#include "common/status/macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace kyodo::common::store {

// The JSON document of `resource` (proto field names, enums by name) without
// the output-only fields the row keeps in columns: name, state, create_time,
// update_time, delete_time and etag.
std::string ToDoc(const google::protobuf::Message& resource);

// Where a stored value was read: its table, its row's id and its column.
struct StoredAt {
  absl::string_view table;
  absl::string_view id;
  absl::string_view column;
};

// DATA_LOSS for a stored value that does not parse. Its message is withheld
// from the caller (docs/API.md, "Errors"), so it is logged here as an error
// naming the table, the row id, the column and `what` is wrong: the row an
// operator has to repair. Stores answer this rather than read a default in
// the value's place, which the next change would write back over the row.
absl::Status BadStoredValue(const StoredAt& at, absl::string_view what);

// Parses a document written by ToDoc. DATA_LOSS (logged, see BadStoredValue)
// when it is not JSON, or names a field or an enum value `resource` does not
// declare: such a row was written by another binary, and reading the value as
// unset would drop it at the next write.
absl::Status FromDoc(absl::string_view doc, const StoredAt& at,
                     google::protobuf::Message* resource);

// The number of the value of enum `type` named in column `column` of `row`;
// DATA_LOSS (logged) when the column is NULL or names no value of `type`.
absl::StatusOr<int> StoredEnumNumber(
    const db::Row& row, size_t column,
    const google::protobuf::EnumDescriptor* type, const StoredAt& at);

// The value of proto enum E named in NOT NULL column `column` (e.g. a state).
template <typename E>
absl::StatusOr<E> StoredEnum(const db::Row& row, size_t column,
                             const StoredAt& at) {
  absl::StatusOr<int> number = StoredEnumNumber(
      row, column, google::protobuf::GetEnumDescriptor<E>(), at);
  if (!number.ok()) return number.status();
  return static_cast<E>(*number);
}

// The same for a nullable column whose NULL means "none" (nullopt).
template <typename E>
absl::StatusOr<std::optional<E>> StoredOptionalEnum(const db::Row& row,
                                                    size_t column,
                                                    const StoredAt& at) {
  if (row.IsNull(column)) return std::optional<E>();
  absl::StatusOr<E> value = StoredEnum<E>(row, column, at);
  if (!value.ok()) return value.status();
  return std::optional<E>(*value);
}

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
// then name ("<collection>/<id>"), create/update/delete times and etag. The
// table is the collection's last segment ("programmes/p/calls" -> calls);
// a document that does not parse is DATA_LOSS naming it and the row's id.
absl::StatusOr<RowMeta> ReadResource(const db::Row& row,
                                     absl::string_view collection,
                                     google::protobuf::Message* resource);

// The columns of kResourceColumns but id and doc, checked (DATA_LOSS when
// one does not parse).
struct RowColumns {
  RowMeta meta;
  absl::Time created;
  absl::Time updated;
  std::optional<absl::Time> deleted;
};
absl::StatusOr<RowColumns> ReadRowColumns(const db::Row& row);

google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& t);

// For a resource read from typed columns, from a row starting with seq, id,
// version, create_time, update_time and delete_time: sets its name
// ("<collection>/<id>"), create/update/delete times and etag, and returns
// the row's seq and version.
template <typename R>
absl::StatusOr<RowMeta> ReadColumnsMeta(const db::Row& row,
                                        absl::string_view collection,
                                        R* resource) {
  KYODO_ASSIGN_OR_RETURN(const RowColumns columns, ReadRowColumns(row));
  resource->set_name(absl::StrCat(collection, "/", row.String(1)));
  *resource->mutable_create_time() = ToTimestamp(columns.created);
  *resource->mutable_update_time() = ToTimestamp(columns.updated);
  if (columns.deleted.has_value()) {
    *resource->mutable_delete_time() = ToTimestamp(*columns.deleted);
  }
  resource->set_etag(Etag(columns.meta.version));
  return columns.meta;
}

}  // namespace kyodo::common::store

#endif  // KYODO_COMMON_STORE_DOC_H_
