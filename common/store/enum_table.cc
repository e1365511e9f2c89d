#include "common/store/enum_table.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kyodo::common::store {

absl::StatusOr<int> StoredEnumNumberAt(
    const db::Row& row, size_t column,
    const google::protobuf::EnumDescriptor* type, const StoredAt& at) {
  if (row.IsNull(column)) return BadStoredValue(at, "NULL");
  int number = 0;
  if (!absl::SimpleAtoi(row.String(column), &number) ||
      type->FindValueByNumber(number) == nullptr) {
    return BadStoredValue(
        at, absl::StrCat(row.String(column).substr(0, 16), " is no number of ",
                         type->full_name()));
  }
  return number;
}

absl::Status CheckEnumTable(db::Session& session, absl::string_view table,
                            const google::protobuf::EnumDescriptor* type) {
  // The table name comes from the service's code, never from a caller.
  absl::StatusOr<std::vector<db::Row>> rows =
      session.Query(absl::StrCat("SELECT number, name FROM ", table));
  if (!rows.ok()) return rows.status();
  std::map<int, std::string> stored;
  for (const db::Row& row : *rows) stored[row.Int(0)] = row.String(1);
  std::vector<std::string> wrong;
  for (int i = 0; i < type->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* value = type->value(i);
    auto it = stored.find(value->number());
    if (it == stored.end()) {
      wrong.push_back(
          absl::StrCat(value->name(), " = ", value->number(), " has no row"));
    } else if (it->second != value->name()) {
      wrong.push_back(absl::StrCat(value->number(), " is ", value->name(),
                                   " here and ", it->second, " in the table"));
    }
  }
  if (wrong.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "lookup table ", table, " does not match enum ", type->full_name(), ": ",
      absl::StrJoin(wrong, "; "),
      "; a value added or renamed in the protos needs a migration that "
      "updates the table (docs/OPERATIONS.md, \"Typed partner columns\")"));
}

}  // namespace kyodo::common::store
