#include "common/resource/update_mask.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace kyodo::common {

using google::protobuf::FieldDescriptor;

absl::StatusOr<std::vector<std::string>> ResolveUpdateMask(
    const google::protobuf::FieldMask& mask,
    const google::protobuf::Message& patch,
    const absl::flat_hash_set<std::string>& mutable_fields) {
  std::vector<std::string> fields;
  if (mask.paths_size() == 0) {
    std::vector<const FieldDescriptor*> set;
    patch.GetReflection()->ListFields(patch, &set);
    for (const FieldDescriptor* f : set) {
      if (mutable_fields.contains(f->name())) fields.push_back(f->name());
    }
    return fields;
  }
  for (const std::string& path : mask.paths()) {
    if (path == "*") {
      const auto* d = patch.GetDescriptor();
      fields.clear();
      for (int i = 0; i < d->field_count(); ++i) {
        if (mutable_fields.contains(d->field(i)->name())) {
          fields.push_back(d->field(i)->name());
        }
      }
      return fields;
    }
    if (!mutable_fields.contains(path)) {
      std::vector<std::string> allowed(mutable_fields.begin(),
                                       mutable_fields.end());
      std::sort(allowed.begin(), allowed.end());
      return InvalidArgumentError(
          "update_mask",
          absl::StrCat("cannot update ", path,
                       "; updatable fields: ", absl::StrJoin(allowed, ", ")));
    }
    fields.push_back(path);
  }
  return fields;
}

void ApplyFields(const google::protobuf::Message& patch,
                 const std::vector<std::string>& fields,
                 google::protobuf::Message* target) {
  const auto* descriptor = target->GetDescriptor();
  const auto* from = patch.GetReflection();
  const auto* to = target->GetReflection();
  for (const std::string& name : fields) {
    const FieldDescriptor* field = descriptor->FindFieldByName(name);
    if (field == nullptr) continue;
    to->ClearField(target, field);
    if (field->is_repeated()) {
      for (int i = 0; i < from->FieldSize(patch, field); ++i) {
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          to->AddMessage(target, field)
              ->CopyFrom(from->GetRepeatedMessage(patch, field, i));
        } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          to->AddString(target, field,
                        from->GetRepeatedString(patch, field, i));
        } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
          to->AddEnumValue(target, field,
                           from->GetRepeatedEnumValue(patch, field, i));
        } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
          to->AddInt32(target, field, from->GetRepeatedInt32(patch, field, i));
        } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
          to->AddInt64(target, field, from->GetRepeatedInt64(patch, field, i));
        } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          to->AddDouble(target, field,
                        from->GetRepeatedDouble(patch, field, i));
        } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
          to->AddBool(target, field, from->GetRepeatedBool(patch, field, i));
        }
      }
      continue;
    }
    if (!from->HasField(patch, field)) continue;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        to->MutableMessage(target, field)
            ->CopyFrom(from->GetMessage(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        to->SetString(target, field, from->GetString(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        to->SetEnumValue(target, field, from->GetEnumValue(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        to->SetBool(target, field, from->GetBool(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        to->SetInt32(target, field, from->GetInt32(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        to->SetInt64(target, field, from->GetInt64(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        to->SetDouble(target, field, from->GetDouble(patch, field));
        break;
      default:
        break;  // kyodo resources use no float or unsigned fields
    }
  }
}

}  // namespace kyodo::common
