#include "gateway/http/connect.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"
#include "nlohmann/json.hpp"

namespace kyodo::gateway::http {
namespace {

namespace pb = google::protobuf;

struct CodeInfo {
  const char* name;
  int http;
};

// Indexed by gRPC code; the HTTP statuses are the Connect specification's.
constexpr CodeInfo kCodes[] = {
    {"ok", 200},
    {"canceled", 499},
    {"unknown", 500},
    {"invalid_argument", 400},
    {"deadline_exceeded", 504},
    {"not_found", 404},
    {"already_exists", 409},
    {"permission_denied", 403},
    {"resource_exhausted", 429},
    {"failed_precondition", 400},
    {"aborted", 409},
    {"out_of_range", 400},
    {"unimplemented", 501},
    {"internal", 500},
    {"unavailable", 503},
    {"data_loss", 500},
    {"unauthenticated", 401},
};

const CodeInfo& Info(grpc::StatusCode code) {
  const int i = static_cast<int>(code);
  if (i < 0 || i >= static_cast<int>(std::size(kCodes))) return kCodes[2];
  return kCodes[i];
}

// The detail's message as a JSON object, when its type is linked in.
std::optional<nlohmann::json> Debug(const std::string& type,
                                    const std::string& value) {
  const pb::Descriptor* descriptor =
      pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
  if (descriptor == nullptr) return std::nullopt;
  const pb::Message* prototype =
      pb::MessageFactory::generated_factory()->GetPrototype(descriptor);
  if (prototype == nullptr) return std::nullopt;
  std::unique_ptr<pb::Message> message(prototype->New());
  if (!message->ParseFromString(value)) return std::nullopt;
  std::string json;
  if (!pb::util::MessageToJsonString(*message, &json).ok()) return std::nullopt;
  return nlohmann::json::parse(json, nullptr, false);
}

nlohmann::json ErrorObject(const grpc::Status& status) {
  nlohmann::json error = {{"code", CodeName(status.error_code())}};
  if (!status.error_message().empty())
    error["message"] = status.error_message();
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& any : details.details()) {
      const std::string& url = any.type_url();
      const std::string type = url.substr(url.rfind('/') + 1);
      std::string value = absl::Base64Escape(any.value());
      while (!value.empty() && value.back() == '=') value.pop_back();
      nlohmann::json detail = {{"type", type}, {"value", value}};
      if (auto debug = Debug(type, any.value())) detail["debug"] = *debug;
      list.push_back(std::move(detail));
    }
    if (!list.empty()) error["details"] = std::move(list);
  }
  return error;
}

}  // namespace

std::string CodeName(grpc::StatusCode code) { return Info(code).name; }

int HttpStatus(grpc::StatusCode code) { return Info(code).http; }

std::string ErrorJson(const grpc::Status& status) {
  return ErrorObject(status).dump(-1, ' ', false,
                                  nlohmann::json::error_handler_t::replace);
}

std::optional<absl::Duration> ParseTimeout(absl::string_view header) {
  if (header.empty() || header.size() > 10) return std::nullopt;
  for (char c : header) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)))
      return std::nullopt;
  }
  int64_t ms = 0;
  if (!absl::SimpleAtoi(header, &ms)) return std::nullopt;
  return absl::Milliseconds(ms);
}

std::string Envelope(uint8_t flags, absl::string_view data) {
  std::string out;
  out.reserve(5 + data.size());
  out.push_back(static_cast<char>(flags));
  const uint32_t n = static_cast<uint32_t>(data.size());
  for (int shift : {24, 16, 8, 0})
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(data.data(), data.size());
  return out;
}

std::optional<std::string> SingleEnvelope(absl::string_view body) {
  if (body.size() < 5 || static_cast<uint8_t>(body[0]) != 0)
    return std::nullopt;
  uint32_t n = 0;
  for (int i = 1; i <= 4; ++i) n = (n << 8) | static_cast<uint8_t>(body[i]);
  if (body.size() - 5 != n) return std::nullopt;
  return std::string(body.substr(5));
}

std::string EndStreamJson(const grpc::Status& status) {
  if (status.ok()) return "{}";
  nlohmann::json end = {{"error", ErrorObject(status)}};
  return end.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kyodo::gateway::http
