#include "gateway/http/codec.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"

namespace kyodo::gateway::http {
namespace {

namespace pb = google::protobuf;

absl::StatusOr<std::unique_ptr<pb::Message>> New(const pb::Descriptor* type) {
  const pb::Message* prototype =
      pb::MessageFactory::generated_factory()->GetPrototype(type);
  if (prototype == nullptr) {
    return absl::InternalError(
        absl::StrCat("no message class for ", type->full_name()));
  }
  return std::unique_ptr<pb::Message>(prototype->New());
}

}  // namespace

const pb::MethodDescriptor* Codec::Find(absl::string_view path) const {
  // "/kyodo.partner.v1.PartnerService/GetPartner"
  if (path.size() < 4 || path[0] != '/') return nullptr;
  const size_t slash = path.find('/', 1);
  if (slash == absl::string_view::npos) return nullptr;
  const std::string service(path.substr(1, slash - 1));
  if (!services_.contains(service)) return nullptr;
  const pb::ServiceDescriptor* descriptor =
      pb::DescriptorPool::generated_pool()->FindServiceByName(service);
  if (descriptor == nullptr) return nullptr;
  return descriptor->FindMethodByName(std::string(path.substr(slash + 1)));
}

absl::StatusOr<std::string> Codec::JsonToBinary(const pb::Descriptor* type,
                                                absl::string_view json) {
  auto message = New(type);
  if (!message.ok()) return message.status();
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = pb::util::JsonStringToMessage(
      pb::StringPiece(json.data(), json.size()), message->get(), options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request is not a JSON ", type->full_name(), ": ",
                     std::string(parsed.message())));
  }
  std::string binary;
  if (!(*message)->SerializeToString(&binary)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request lacks a required field of ", type->full_name()));
  }
  return binary;
}

absl::StatusOr<std::string> Codec::BinaryToJson(const pb::Descriptor* type,
                                                absl::string_view binary) {
  auto message = New(type);
  if (!message.ok()) return message.status();
  if (!(*message)->ParseFromArray(binary.data(),
                                  static_cast<int>(binary.size()))) {
    return absl::InternalError(
        absl::StrCat("the answer is not a ", type->full_name()));
  }
  std::string json;
  pb::util::JsonPrintOptions options;
  auto printed = pb::util::MessageToJsonString(**message, &json, options);
  if (!printed.ok()) {
    return absl::InternalError(absl::StrCat("cannot write the answer as JSON: ",
                                            std::string(printed.message())));
  }
  return json;
}

}  // namespace kyodo::gateway::http
