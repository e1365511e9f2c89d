#include "common/validate/request.h"

#include <cctype>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/text/text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "kyodo/type/v1/field.pb.h"

namespace kyodo::common {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Deeper nesting than any kyodo message; guards against crafted recursion.
constexpr int kMaxDepth = 16;

std::string Path(const std::string& prefix, const FieldDescriptor* field,
                 int index) {
  std::string path =
      prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
  if (index >= 0) absl::StrAppend(&path, "[", index, "]");
  return path;
}

absl::Status CheckString(const std::string& path, const std::string& value,
                         int max_bytes) {
  if (!IsValidUtf8(value)) {
    return InvalidArgumentError(path, "is not valid UTF-8",
                                kyodo::type::v1::INVALID_UTF8);
  }
  if (static_cast<int>(value.size()) > max_bytes) {
    return InvalidArgumentError(
        path, absl::StrCat("is longer than ", max_bytes, " bytes"),
        kyodo::type::v1::FIELD_TOO_LONG);
  }
  return absl::OkStatus();
}

absl::Status Walk(const Message& message, const std::string& prefix,
                  int depth) {
  if (depth > kMaxDepth) {
    return InvalidArgumentError(prefix, "is nested too deeply");
  }
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const auto& options = field->options();
    const bool is_string = field->type() == FieldDescriptor::TYPE_STRING;
    const bool is_message =
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    const int max_bytes = options.HasExtension(kyodo::type::v1::max_bytes)
                              ? options.GetExtension(kyodo::type::v1::max_bytes)
                              : kDefaultMaxStringBytes;
    if (field->is_repeated()) {
      const int count = reflection->FieldSize(message, field);
      const int max_items =
          options.HasExtension(kyodo::type::v1::max_items)
              ? options.GetExtension(kyodo::type::v1::max_items)
              : kDefaultMaxItems;
      if (count > max_items) {
        return InvalidArgumentError(
            Path(prefix, field, -1),
            absl::StrCat("has more than ", max_items, " entries"),
            kyodo::type::v1::TOO_MANY_ITEMS);
      }
      for (int i = 0; i < count; ++i) {
        if (is_string) {
          std::string scratch;
          const std::string& value = reflection->GetRepeatedStringReference(
              message, field, i, &scratch);
          if (absl::Status s =
                  CheckString(Path(prefix, field, i), value, max_bytes);
              !s.ok()) {
            return s;
          }
        } else if (is_message) {
          if (absl::Status s =
                  Walk(reflection->GetRepeatedMessage(message, field, i),
                       Path(prefix, field, i), depth + 1);
              !s.ok()) {
            return s;
          }
        }
      }
    } else if (is_string) {
      std::string scratch;
      const std::string& value =
          reflection->GetStringReference(message, field, &scratch);
      if (absl::Status s =
              CheckString(Path(prefix, field, -1), value, max_bytes);
          !s.ok()) {
        return s;
      }
    } else if (is_message) {
      if (absl::Status s = Walk(reflection->GetMessage(message, field),
                                Path(prefix, field, -1), depth + 1);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRequest(const google::protobuf::Message& request) {
  return Walk(request, "", 0);
}

absl::Status RequireNonEmpty(absl::string_view field, absl::string_view value) {
  if (value.empty())
    return InvalidArgumentError(field, "required",
                                kyodo::type::v1::FIELD_REQUIRED);
  return absl::OkStatus();
}

absl::Status ValidateRequestId(absl::string_view field,
                               absl::string_view value) {
  if (value.empty()) return absl::OkStatus();
  bool ok = value.size() == 36;
  for (size_t i = 0; ok && i < value.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    ok = dash ? value[i] == '-'
              : std::isxdigit(static_cast<unsigned char>(value[i])) != 0;
  }
  if (!ok) {
    return InvalidArgumentError(
        field, "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000");
  }
  return absl::OkStatus();
}

}  // namespace kyodo::common
