#include "common/store/doc.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace kyodo::common::store {

std::string ToDoc(const google::protobuf::Message& resource) {
  static const std::vector<std::string>* kColumns =
      new std::vector<std::string>{"name",        "state",       "create_time",
                                   "update_time", "delete_time", "etag"};
  std::unique_ptr<google::protobuf::Message> copy(resource.New());
  copy->CopyFrom(resource);
  const auto* descriptor = copy->GetDescriptor();
  for (const std::string& column : *kColumns) {
    if (const auto* field = descriptor->FindFieldByName(column)) {
      copy->GetReflection()->ClearField(copy.get(), field);
    }
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(*copy, &json, options);
  return json;
}

absl::Status BadStoredValue(const StoredAt& at, absl::string_view what) {
  log::Error("stored value does not parse", {{"table", at.table},
                                             {"row", at.id},
                                             {"column", at.column},
                                             {"problem", what}});
  return absl::DataLossError(absl::StrCat(at.table, " row ", at.id, " column ",
                                          at.column,
                                          " does not parse: ", what));
}

absl::Status FromDoc(absl::string_view doc, const StoredAt& at,
                     google::protobuf::Message* resource) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(doc.data(), doc.size()), resource, options);
  if (!status.ok()) return BadStoredValue(at, status.message().ToString());
  return absl::OkStatus();
}

absl::StatusOr<int> StoredEnumNumber(
    const db::Row& row, size_t column,
    const google::protobuf::EnumDescriptor* type, const StoredAt& at) {
  if (row.IsNull(column)) return BadStoredValue(at, "NULL");
  const google::protobuf::EnumValueDescriptor* value =
      type->FindValueByName(row.String(column));
  if (value == nullptr) {
    // Enum names are the API's own words, never personal data.
    return BadStoredValue(
        at, absl::StrCat("\"", row.String(column).substr(0, 64), "\" is no ",
                         type->full_name()));
  }
  return value->number();
}

std::string Etag(int64_t version) {
  return absl::StrCat("W/\"", version, "\"");
}

bool EtagMatches(absl::string_view etag, int64_t version) {
  return etag.empty() || etag == Etag(version);
}

absl::StatusOr<RowMeta> ReadResource(const db::Row& row,
                                     absl::string_view collection,
                                     google::protobuf::Message* resource) {
  const absl::string_view table = collection.substr(collection.rfind('/') + 1);
  if (absl::Status s =
          FromDoc(row.String(6), {table, row.String(1), "doc"}, resource);
      !s.ok()) {
    return s;
  }
  KYODO_ASSIGN_OR_RETURN(const RowColumns columns, ReadRowColumns(row));
  const auto* d = resource->GetDescriptor();
  const auto* r = resource->GetReflection();
  r->SetString(resource, d->FindFieldByName("name"),
               absl::StrCat(collection, "/", row.String(1)));
  r->MutableMessage(resource, d->FindFieldByName("create_time"))
      ->CopyFrom(ToTimestamp(columns.created));
  r->MutableMessage(resource, d->FindFieldByName("update_time"))
      ->CopyFrom(ToTimestamp(columns.updated));
  if (columns.deleted.has_value()) {
    r->MutableMessage(resource, d->FindFieldByName("delete_time"))
        ->CopyFrom(ToTimestamp(*columns.deleted));
  }
  r->SetString(resource, d->FindFieldByName("etag"),
               Etag(columns.meta.version));
  return columns.meta;
}

absl::StatusOr<RowColumns> ReadRowColumns(const db::Row& row) {
  RowColumns out;
  KYODO_ASSIGN_OR_RETURN(out.meta.seq, row.Int(0));
  KYODO_ASSIGN_OR_RETURN(out.meta.version, row.Int(2));
  KYODO_ASSIGN_OR_RETURN(out.created, row.Time(3));
  KYODO_ASSIGN_OR_RETURN(out.updated, row.Time(4));
  KYODO_ASSIGN_OR_RETURN(out.deleted, row.OptionalTime(5));
  return out;
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  ts.set_seconds(nanos / 1000000000);
  ts.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  if (ts.nanos() < 0) {
    ts.set_seconds(ts.seconds() - 1);
    ts.set_nanos(ts.nanos() + 1000000000);
  }
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace kyodo::common::store
