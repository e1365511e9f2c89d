#include "common/resource/update_mask.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/field_mask_util.h"

namespace kyodo::common {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::FieldMask;
using ::google::protobuf::util::FieldMaskUtil;

// Whether `path` names a field of `descriptor` by its proto name (a top-level
// field, or a nested one when it has dots).
bool IsFieldPath(const google::protobuf::Descriptor* descriptor,
                 const std::string& path) {
  return FieldMaskUtil::GetFieldDescriptors(descriptor, path, nullptr);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ResolveUpdateMask(
    const FieldMask& mask, const google::protobuf::Message& patch,
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
      FieldMask all;
      FieldMaskUtil::GetFieldMaskForAllFields(patch.GetDescriptor(), &all);
      fields.clear();
      for (const std::string& name : all.paths()) {
        if (mutable_fields.contains(name)) fields.push_back(name);
      }
      return fields;
    }
    // A mutable field is a top-level field, so a nested path (even a valid
    // one) is refused with the unknown and output-only ones.
    if (!IsFieldPath(patch.GetDescriptor(), path) ||
        !mutable_fields.contains(path)) {
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
  FieldMask mask;
  for (const std::string& name : fields) {
    if (IsFieldPath(target->GetDescriptor(), name)) mask.add_paths(name);
  }
  FieldMaskUtil::MergeOptions replace;
  replace.set_replace_message_fields(true);
  replace.set_replace_repeated_fields(true);
  FieldMaskUtil::MergeMessageTo(patch, mask, replace, target);
}

}  // namespace kyodo::common
