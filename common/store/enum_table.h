// Enums stored by number, and the lookup tables that name them in SQL
// (partner-service/schema/002_partner_columns.sql is the first user).
//
// A proto enum value keeps its number when it is renamed, so a row that
// stores the number keeps its meaning. A lookup table (number, name) per enum
// lets SQL readers and the migrations' triggers use the names; the service
// compares it with the enum it was built with whenever it checks its schema
// for readiness (ServiceSpec.schema_check), so that a value added or renamed
// in the protos without its migration keeps the new pods NOT_SERVING and
// stalls the rollout, instead of failing writes one by one.
#ifndef KYODO_COMMON_STORE_ENUM_TABLE_H_
#define KYODO_COMMON_STORE_ENUM_TABLE_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "common/store/doc.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace kyodo::common::store {

// The value of enum `type` whose number is in column `column` of `row`;
// DATA_LOSS (logged, see BadStoredValue) when the column is NULL or holds a
// number `type` does not declare (a newer release's value).
absl::StatusOr<int> StoredEnumNumberAt(
    const db::Row& row, size_t column,
    const google::protobuf::EnumDescriptor* type, const StoredAt& at);

template <typename E>
absl::StatusOr<E> StoredEnumByNumber(const db::Row& row, size_t column,
                                     const StoredAt& at) {
  absl::StatusOr<int> number = StoredEnumNumberAt(
      row, column, google::protobuf::GetEnumDescriptor<E>(), at);
  if (!number.ok()) return number.status();
  return static_cast<E>(*number);
}

// The same for a nullable column whose NULL means the field is unset.
template <typename E>
absl::StatusOr<std::optional<E>> StoredOptionalEnumByNumber(
    const db::Row& row, size_t column, const StoredAt& at) {
  if (row.IsNull(column)) return std::optional<E>();
  absl::StatusOr<E> value = StoredEnumByNumber<E>(row, column, at);
  if (!value.ok()) return value.status();
  return std::optional<E>(*value);
}

// Compares lookup table `table` (columns number, name) with `type`: OK when
// each value of `type` has its row with a name `type` declares for that
// number (its own or, during a rename, an alias: docs/OPERATIONS.md, "Enum
// names in stored rows"). A row for a number `type` does not declare is
// allowed (a newer release's value, read as DATA_LOSS where it is used).
// FAILED_PRECONDITION naming the table and every value that differs
// otherwise.
absl::Status CheckEnumTable(db::Session& session, absl::string_view table,
                            const google::protobuf::EnumDescriptor* type);

// Every enum the fields of `stored` reach (through their message fields, at
// any depth), ordered by full name: the enums whose value names the
// documents of those messages hold (ToDoc writes names), and with them the
// columns that copy a state, kind or ward by name.
std::vector<const google::protobuf::EnumDescriptor*> EnumsStoredByName(
    const std::vector<const google::protobuf::Descriptor*>& stored);

// Compares table `table` (columns enum_type, number, name: the names a
// service's stored rows may hold, one row per value) with every enum of
// EnumsStoredByName(stored), as CheckEnumTable does for one enum.
// Renaming a value would make every row that holds the old name unreadable
// (DATA_LOSS); this check stops a build whose protos differ from the
// table at readiness, before it reads or writes any of them. The message
// lists the rows that differ as SQL tuples, ready for the migration that
// must go with the change (docs/OPERATIONS.md, "Enum names in stored
// rows").
absl::Status CheckStoredEnumNames(
    db::Session& session, absl::string_view table,
    const std::vector<const google::protobuf::Descriptor*>& stored);

}  // namespace kyodo::common::store

#endif  // KYODO_COMMON_STORE_ENUM_TABLE_H_
