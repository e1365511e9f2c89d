#include "common/text/enum_label.h"

#include "absl/strings/str_cat.h"
#include "kyodo/type/v1/label.pb.h"

namespace kyodo::common {

std::string EnumLabel(const google::protobuf::EnumDescriptor& type,
                      int number) {
  const google::protobuf::EnumValueDescriptor* value =
      type.FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  const std::string& label =
      value->options().GetExtension(kyodo::type::v1::label);
  return label.empty() ? std::string(value->name()) : label;
}

std::string EnumExplanation(const google::protobuf::EnumDescriptor& type,
                            int number) {
  const google::protobuf::EnumValueDescriptor* value =
      type.FindValueByNumber(number);
  if (value == nullptr) return "";
  return value->options().GetExtension(kyodo::type::v1::explanation);
}

}  // namespace kyodo::common
