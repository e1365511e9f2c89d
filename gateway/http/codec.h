// The methods the HTTP entry serves and the JSON <-> protobuf mapping of
// their messages, both read from the linked descriptors
// (DescriptorPool::generated_pool()): a method added to one of the served
// services' protos is reachable over HTTP without touching this code.
#ifndef KYODO_GATEWAY_HTTP_CODEC_H_
#define KYODO_GATEWAY_HTTP_CODEC_H_

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace kyodo::gateway::http {

class Codec {
 public:
  // `services`: full names of the services served ("kyodo.gateway.v1.Gateway",
  // ...); each must be in the generated pool.
  explicit Codec(std::set<std::string> services)
      : services_(std::move(services)) {}

  // The method of a Connect path "/<package.Service>/<Method>", or null when
  // the path names no method of a served service.
  const google::protobuf::MethodDescriptor* Find(absl::string_view path) const;

  // The proto3 JSON mapping (lowerCamel or proto field names, enum names or
  // numbers) of `type` -> its binary encoding. INVALID_ARGUMENT saying what
  // is wrong (syntax, unknown field, wrong type).
  static absl::StatusOr<std::string> JsonToBinary(
      const google::protobuf::Descriptor* type, absl::string_view json);

  // Binary -> JSON (lowerCamel names, as Connect clients expect).
  static absl::StatusOr<std::string> BinaryToJson(
      const google::protobuf::Descriptor* type, absl::string_view binary);

 private:
  std::set<std::string> services_;
};

}  // namespace kyodo::gateway::http

#endif  // KYODO_GATEWAY_HTTP_CODEC_H_
