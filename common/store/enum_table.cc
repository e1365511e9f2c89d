#include "common/store/enum_table.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/macros.h"

namespace kyodo::common::store {
namespace {

// A second name for a number (allow_alias): read, never written (protobuf
// writes the first name declared for a number).
bool IsAlias(const google::protobuf::EnumValueDescriptor* value) {
  return value->type()->FindValueByNumber(value->number()) != value;
}

// Whether `name` is a name `type` declares for `number`, the written one or
// an alias: a table written by a later release of a rename (which writes
// the new name) still matches this one while it declares both.
bool NamesNumber(const google::protobuf::EnumDescriptor* type,
                 const std::string& name, int number) {
  const google::protobuf::EnumValueDescriptor* named =
      type->FindValueByName(name);
  return named != nullptr && named->number() == number;
}

}  // namespace

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
  for (const db::Row& row : *rows) {
    KYODO_ASSIGN_OR_RETURN(const int64_t number, row.Int(0));
    stored[static_cast<int>(number)] = row.String(1);
  }
  std::vector<std::string> wrong;
  for (int i = 0; i < type->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* value = type->value(i);
    if (IsAlias(value)) continue;
    auto it = stored.find(value->number());
    if (it == stored.end()) {
      wrong.push_back(
          absl::StrCat(value->name(), " = ", value->number(), " has no row"));
    } else if (!NamesNumber(type, it->second, value->number())) {
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

std::vector<const google::protobuf::EnumDescriptor*> EnumsStoredByName(
    const std::vector<const google::protobuf::Descriptor*>& stored) {
  std::set<const google::protobuf::Descriptor*> seen;
  std::vector<const google::protobuf::Descriptor*> pending = stored;
  std::map<std::string, const google::protobuf::EnumDescriptor*> enums;
  while (!pending.empty()) {
    const google::protobuf::Descriptor* message = pending.back();
    pending.pop_back();
    if (!seen.insert(message).second) continue;
    for (int i = 0; i < message->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = message->field(i);
      if (field->enum_type() != nullptr) {
        enums.emplace(std::string(field->enum_type()->full_name()),
                      field->enum_type());
      } else if (field->message_type() != nullptr) {
        pending.push_back(field->message_type());
      }
    }
  }
  std::vector<const google::protobuf::EnumDescriptor*> out;
  out.reserve(enums.size());
  for (const auto& [name, type] : enums) out.push_back(type);
  return out;
}

absl::Status CheckStoredEnumNames(
    db::Session& session, absl::string_view table,
    const std::vector<const google::protobuf::Descriptor*>& stored) {
  // The table name comes from the service's code, never from a caller.
  absl::StatusOr<std::vector<db::Row>> rows = session.Query(
      absl::StrCat("SELECT enum_type, number, name FROM ", table));
  if (!rows.ok()) return rows.status();
  std::map<std::pair<std::string, int64_t>, std::string> names;
  for (const db::Row& row : *rows) {
    KYODO_ASSIGN_OR_RETURN(const int64_t number, row.Int(1));
    names[{row.String(0), number}] = row.String(2);
  }
  std::vector<std::string> missing;
  std::vector<std::string> renamed;
  for (const google::protobuf::EnumDescriptor* type :
       EnumsStoredByName(stored)) {
    const std::string type_name(type->full_name());
    for (int i = 0; i < type->value_count(); ++i) {
      const google::protobuf::EnumValueDescriptor* value = type->value(i);
      if (IsAlias(value)) continue;
      auto it = names.find({type_name, value->number()});
      if (it == names.end()) {
        missing.push_back(absl::StrCat("('", type_name, "', ", value->number(),
                                       ", '", value->name(), "')"));
      } else if (!NamesNumber(type, it->second, value->number())) {
        renamed.push_back(absl::StrCat(type_name, " ", value->number(), " is ",
                                       value->name(), " here and ", it->second,
                                       " in the table"));
      }
    }
  }
  if (missing.empty() && renamed.empty()) return absl::OkStatus();
  std::string message = absl::StrCat(
      "table ", table, " does not match the enums of the stored messages");
  if (!renamed.empty()) {
    absl::StrAppend(&message, "; renamed: ", absl::StrJoin(renamed, "; "),
                    " (rows holding the old name must be rewritten first)");
  }
  if (!missing.empty()) {
    absl::StrAppend(&message,
                    "; values without a row: ", absl::StrJoin(missing, ", "));
  }
  absl::StrAppend(&message,
                  "; a value added or renamed in the protos needs a "
                  "migration (docs/OPERATIONS.md, \"Enum names in stored "
                  "rows\")");
  return absl::FailedPreconditionError(message);
}

}  // namespace kyodo::common::store
