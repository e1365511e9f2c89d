// The routing, the Connect calls and the headers of every answer (see
// handler.h). The open-data download and health probe are download.cc.
#include "gateway/http/handler.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/http/connect.h"
#include "gateway/http/console.h"
#include "google/protobuf/message.h"

namespace kyodo::gateway::http {
namespace {

namespace pb = google::protobuf;

constexpr char kJson[] = "application/json";
constexpr char kProto[] = "application/proto";
constexpr char kStreamJson[] = "application/connect+json";
constexpr char kStreamProto[] = "application/connect+proto";
constexpr char kOpenData[] = "/open-data/";
constexpr char kPublic[] = "/public/";

// The media type without parameters, in lower case.
std::string MediaType(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  absl::StripAsciiWhitespace(&type);
  absl::AsciiStrToLower(&type);
  return type;
}

// "/kyodo.partner.v1.PartnerService/GetPartner"
std::string PathOf(const pb::MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

// The request's binary form: JSON through the descriptor, binary as it is.
absl::StatusOr<std::string> RequestBinary(const pb::Descriptor* type, bool json,
                                          std::string body) {
  if (!json) return body;
  return Codec::JsonToBinary(type, body.empty() ? "{}" : body);
}

grpc::Status Bad(grpc::StatusCode code, const std::string& message) {
  return grpc::Status(code, message);
}

// Reads the stream's messages as Connect envelopes, then the end-of-stream
// envelope with the call's status.
class EnvelopeSource final : public BodySource {
 public:
  EnvelopeSource(std::unique_ptr<ServerStream> stream,
                 const pb::Descriptor* type, bool json)
      : stream_(std::move(stream)), type_(type), json_(json) {}

  bool Next(std::string* piece) override {
    if (ended_) return false;
    std::string message;
    if (stream_->Read(&message)) {
      if (json_) {
        auto converted = Codec::BinaryToJson(type_, message);
        if (!converted.ok()) {
          stream_->Finish();
          return End(piece,
                     grpc::Status(grpc::StatusCode::INTERNAL,
                                  std::string(converted.status().message())));
        }
        message = *std::move(converted);
      }
      *piece = Envelope(0, message);
      return true;
    }
    return End(piece, stream_->Finish());
  }
  bool failed() const override { return false; }

 private:
  bool End(std::string* piece, const grpc::Status& status) {
    ended_ = true;
    *piece = Envelope(kEndStreamFlag, EndStreamJson(status));
    return true;
  }

  std::unique_ptr<ServerStream> stream_;
  const pb::Descriptor* type_;
  bool json_;
  bool ended_ = false;
};

}  // namespace

std::string Request::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

Response Handler::Error(const grpc::Status& status) {
  return Error(HttpStatus(status.error_code()), status);
}

Response Handler::Error(int http_status, const grpc::Status& status) {
  Response response;
  response.status = http_status;
  response.headers.emplace_back("Content-Type", kJson);
  response.body = ErrorJson(status);
  return response;
}

void Handler::AddCommonHeaders(const Request& request,
                               Response& response) const {
  auto& h = response.headers;
  if (response.console && options_.console != nullptr) {
    // The console's pages: their own scripts and styles, calls to this
    // origin and the OpenID provider (console.h); cache headers set there.
    h.emplace_back("Content-Security-Policy",
                   options_.console->ContentSecurityPolicy());
  } else {
    // An API answers data, never a page: nothing may load, frame or run it.
    h.emplace_back("Content-Security-Policy",
                   "default-src 'none'; frame-ancestors 'none'");
    h.emplace_back("Cache-Control", "no-store");
  }
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("Referrer-Policy", "no-referrer");
  h.emplace_back("X-Frame-Options", "DENY");
  if (options_.tls)
    h.emplace_back("Strict-Transport-Security", "max-age=31536000");
  const std::string origin = request.Header("origin");
  if (!origin.empty() && options_.cors_origins.contains(origin)) {
    h.emplace_back("Access-Control-Allow-Origin", origin);
    h.emplace_back(
        "Access-Control-Expose-Headers",
        "X-Request-Id, Content-Disposition, Connect-Content-Encoding");
    h.emplace_back("Vary", "Origin");
  }
}

Response Handler::Handle(const Request& request) const {
  Response response = Route(request);
  AddCommonHeaders(request, response);
  return response;
}

Response Handler::Route(const Request& request) const {
  if (request.method == "OPTIONS") return Preflight(request);
  if (request.path == "/healthz") {
    if (request.method != "GET") {
      return Error(405, Bad(grpc::StatusCode::UNIMPLEMENTED, "use GET"));
    }
    return Health();
  }
  if (absl::StartsWith(request.path, kOpenData)) {
    if (request.method != "GET") {
      return Error(405, Bad(grpc::StatusCode::UNIMPLEMENTED, "use GET"));
    }
    CallOptions call;
    Response error;
    if (!CallFor(request, &call, &error)) return error;
    if (request.Header("connect-timeout-ms").empty()) {
      call.deadline = absl::Now() + options_.export_timeout;
    }
    return Download(request, request.path.substr(sizeof(kOpenData) - 1), call);
  }
  if (request.path == "/documents/download") return DocumentDownload(request);
  if (request.path == kUploadPath) {
    // server.cc streams uploads itself; a body that came whole is passed
    // on the same way.
    Response refused;
    std::unique_ptr<UploadCall> upload = StartUpload(request, &refused);
    if (upload == nullptr) return refused;
    upload->Write(request.body);
    return upload->Finish();
  }
  if (absl::StartsWith(request.path, kPublic)) {
    if (request.method != "GET" && request.method != "HEAD") {
      Response r = Error(405, Bad(grpc::StatusCode::UNIMPLEMENTED, "use GET"));
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    return Public(request);
  }
  if (options_.console != nullptr &&
      (request.method == "GET" || request.method == "HEAD") &&
      codec_.Find(request.path) == nullptr) {
    return options_.console->Serve(request.path);
  }
  if (request.method != "POST") {
    Response r =
        Error(405, Bad(grpc::StatusCode::UNIMPLEMENTED,
                       "Connect calls use POST /<package.Service>/<Method>"));
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  return Connect(request);
}

Response Handler::Preflight(const Request& request) const {
  Response response;
  const std::string origin = request.Header("origin");
  if (origin.empty() || !options_.cors_origins.contains(origin)) {
    response.status = 403;  // AddCommonHeaders adds no CORS headers either
    return response;
  }
  response.status = 204;
  response.headers = {{"Access-Control-Allow-Methods", "POST, GET"},
                      {"Access-Control-Allow-Headers",
                       "Authorization, Content-Type, Connect-Protocol-Version, "
                       "Connect-Timeout-Ms, X-Request-Id, X-User-Agent"},
                      {"Access-Control-Max-Age", "7200"}};
  return response;
}

bool Handler::CallFor(const Request& request, CallOptions* call,
                      Response* error) const {
  absl::Duration timeout = options_.default_timeout;
  const std::string header = request.Header("connect-timeout-ms");
  if (!header.empty()) {
    auto parsed = ParseTimeout(header);
    if (!parsed.has_value()) {
      *error = Error(Bad(grpc::StatusCode::INVALID_ARGUMENT,
                         "Connect-Timeout-Ms must be 1 to 10 digits"));
      return false;
    }
    timeout = *parsed;
  }
  call->deadline = absl::Now() + timeout;
  const std::string authorization = request.Header("authorization");
  if (!authorization.empty())
    call->metadata.emplace_back("authorization", authorization);
  const std::string request_id = request.Header("x-request-id");
  if (!request_id.empty())
    call->metadata.emplace_back("x-request-id", request_id);
  // W3C Trace Context: the caller's trace goes on with the call
  // (common/log/trace.h); an invalid one is ignored there.
  const std::string traceparent = request.Header("traceparent");
  if (!traceparent.empty())
    call->metadata.emplace_back("traceparent", traceparent);
  return true;
}

grpc::Status Handler::Call(const std::string& method,
                           const pb::Message& request, const CallOptions& call,
                           pb::Message* response) const {
  CallResult result =
      invoker_->Unary(method, request.SerializeAsString(), call);
  if (!result.status.ok()) return result.status;
  if (!response->ParseFromString(result.response)) {
    return Bad(grpc::StatusCode::INTERNAL, "an answer that does not parse");
  }
  return grpc::Status::OK;
}

Response Handler::Connect(const Request& request) const {
  const pb::MethodDescriptor* method = codec_.Find(request.path);
  if (method == nullptr) {
    return Error(404, Bad(grpc::StatusCode::UNIMPLEMENTED,
                          "no such method: " + request.path));
  }
  const std::string type = MediaType(request.Header("content-type"));
  const bool unary_type = type == kJson || type == kProto;
  const bool stream_type = type == kStreamJson || type == kStreamProto;
  if (method->client_streaming()) {
    return Error(Bad(grpc::StatusCode::UNIMPLEMENTED,
                     "client streaming is not served over Connect; upload "
                     "documents with POST /documents/upload"));
  }
  if (method->server_streaming() ? !stream_type : !unary_type) {
    Response r = Error(
        415, Bad(grpc::StatusCode::INVALID_ARGUMENT,
                 absl::StrCat("Content-Type must be ",
                              method->server_streaming()
                                  ? "application/connect+json or "
                                    "application/connect+proto"
                                  : "application/json or application/proto")));
    r.headers.emplace_back(
        "Accept-Post",
        method->server_streaming()
            ? "application/connect+json, application/connect+proto"
            : "application/json, application/proto");
    return r;
  }
  const std::string version = request.Header("connect-protocol-version");
  if (!version.empty() && version != "1") {
    return Error(Bad(grpc::StatusCode::INVALID_ARGUMENT,
                     "Connect-Protocol-Version must be 1"));
  }
  const std::string encoding = absl::AsciiStrToLower(request.Header(
      stream_type ? "connect-content-encoding" : "content-encoding"));
  if (!encoding.empty() && encoding != "identity") {
    return Error(Bad(grpc::StatusCode::UNIMPLEMENTED,
                     "compressed requests are not accepted (identity only)"));
  }
  CallOptions call;
  Response error;
  if (!CallFor(request, &call, &error)) return error;
  const bool json = type == kJson || type == kStreamJson;
  if (stream_type) return ConnectStream(request, *method, json, call);
  return ConnectUnary(request, *method, json, call);
}

Response Handler::ConnectUnary(const Request& request,
                               const pb::MethodDescriptor& method, bool json,
                               const CallOptions& call) const {
  auto binary = RequestBinary(method.input_type(), json, request.body);
  if (!binary.ok()) {
    return Error(Bad(grpc::StatusCode::INVALID_ARGUMENT,
                     std::string(binary.status().message())));
  }
  CallResult result = invoker_->Unary(PathOf(method), *binary, call);
  Response response;
  if (!result.status.ok()) {
    response = Error(result.status);
  } else if (json) {
    auto converted = Codec::BinaryToJson(method.output_type(), result.response);
    if (!converted.ok()) {
      return Error(Bad(grpc::StatusCode::INTERNAL,
                       std::string(converted.status().message())));
    }
    response.headers.emplace_back("Content-Type", kJson);
    response.body = *std::move(converted);
  } else {
    response.headers.emplace_back("Content-Type", kProto);
    response.body = std::move(result.response);
  }
  if (!result.request_id.empty())
    response.headers.emplace_back("X-Request-Id", result.request_id);
  return response;
}

Response Handler::ConnectStream(const Request& request,
                                const pb::MethodDescriptor& method, bool json,
                                const CallOptions& call) const {
  auto message = SingleEnvelope(request.body);
  if (!message.has_value()) {
    return Error(Bad(grpc::StatusCode::INVALID_ARGUMENT,
                     "the body must be one uncompressed Connect envelope"));
  }
  auto binary = RequestBinary(method.input_type(), json, *std::move(message));
  if (!binary.ok()) {
    return Error(Bad(grpc::StatusCode::INVALID_ARGUMENT,
                     std::string(binary.status().message())));
  }
  Response response;
  response.headers.emplace_back("Content-Type",
                                json ? kStreamJson : kStreamProto);
  response.stream = std::make_unique<EnvelopeSource>(
      invoker_->Stream(PathOf(method), *binary, call), method.output_type(),
      json);
  return response;
}

}  // namespace kyodo::gateway::http
