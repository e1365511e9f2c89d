// The words people read for an enum value, from the value's
// (kyodo.type.v1.label) option in the protos
// (protos/kyodo/type/v1/label.proto), so that kyodoctl and the web console
// (web/src/labels.ts) name every value alike and a new value brings its words
// with it.
#ifndef KYODO_COMMON_TEXT_ENUM_LABEL_H_
#define KYODO_COMMON_TEXT_ENUM_LABEL_H_

#include <string>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace kyodo::common {

// The label of value `number` of `type`; the value's name when it has no
// label, and the number in digits when `type` declares no such value (a
// value a newer server sent).
std::string EnumLabel(const google::protobuf::EnumDescriptor& type, int number);

// EnumLabel(kyodo::proposal::v1::Call::OPEN) == "受付中".
template <typename E>
std::string EnumLabel(E value) {
  return EnumLabel(*google::protobuf::GetEnumDescriptor<E>(),
                   static_cast<int>(value));
}

// The (kyodo.type.v1.explanation) of value `number` of `type` (a sentence
// for an error reason), or "" when it has none.
std::string EnumExplanation(const google::protobuf::EnumDescriptor& type,
                            int number);

}  // namespace kyodo::common

#endif  // KYODO_COMMON_TEXT_ENUM_LABEL_H_
