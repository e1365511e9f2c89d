// Applying an AIP-134 update_mask to a stored resource, through protobuf's
// google::protobuf::util::FieldMaskUtil.
#ifndef KYODO_COMMON_RESOURCE_UPDATE_MASK_H_
#define KYODO_COMMON_RESOURCE_UPDATE_MASK_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"

namespace kyodo::common {

// The top-level fields an update changes.
// - An empty mask means every field set in `patch` (AIP-134), skipping
//   output-only ones the caller merely echoed back.
// - "*" means every mutable field (a full replacement).
// - Otherwise each path must name a mutable top-level field;
//   INVALID_ARGUMENT naming `update_mask` for unknown, nested or output-only
//   paths.
absl::StatusOr<std::vector<std::string>> ResolveUpdateMask(
    const google::protobuf::FieldMask& mask,
    const google::protobuf::Message& patch,
    const absl::flat_hash_set<std::string>& mutable_fields);

// Copies `fields` (top-level field names, usually from ResolveUpdateMask)
// from `patch` into `target`, which must be of the same message type: a field
// unset in `patch` is cleared in `target`; lists and messages are replaced,
// not merged. Every field type is copied (FieldMaskUtil::MergeMessageTo);
// names that are not fields of the message are skipped.
void ApplyFields(const google::protobuf::Message& patch,
                 const std::vector<std::string>& fields,
                 google::protobuf::Message* target);

}  // namespace kyodo::common

#endif  // KYODO_COMMON_RESOURCE_UPDATE_MASK_H_
