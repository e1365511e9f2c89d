// What the HTTP entry answers, independent of the HTTP library
// (server.cc feeds it requests): Connect unary and server-streaming calls
// of every served method, the open-data download, the health probe, the
// web console's files (console.h), and the headers every answer carries
// (security, CORS for configured origins).
// docs/HTTP.md is the user's view of the same.
#ifndef KYODO_GATEWAY_HTTP_HANDLER_H_
#define KYODO_GATEWAY_HTTP_HANDLER_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/http/codec.h"
#include "gateway/http/invoker.h"

namespace kyodo::gateway::http {

struct Request {
  std::string method;  // "POST"
  std::string path;    // "/kyodo.partner.v1.PartnerService/GetPartner"
  std::map<std::string, std::string> headers;  // names in lower case
  std::map<std::string, std::string> query;
  std::string body;

  // The header's value, or "".
  std::string Header(const std::string& lower_name) const;
};

// A body produced piece by piece (sent chunked, never held whole).
class BodySource {
 public:
  virtual ~BodySource() = default;
  // The next piece; false at the end. After false, failed() says whether
  // the body ended early (the connection is then cut, so the client sees an
  // incomplete answer instead of a short one).
  virtual bool Next(std::string* piece) = 0;
  virtual bool failed() const = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::unique_ptr<BodySource> stream;  // when set, replaces `body`
  // A page of the web console (console.h): its own Content-Security-Policy
  // and Cache-Control instead of the API's.
  bool console = false;
};

class Console;

// An upload over HTTP in progress (documents.cc): the body's pieces go to
// the service as they arrive.
class UploadCall {
 public:
  // The next piece of the body; false once the service answered (a
  // refusal), after which the rest of the body is dropped.
  bool Write(absl::string_view piece);
  // The end of the body: the service's answer.
  Response Finish();

 private:
  friend class Handler;
  explicit UploadCall(std::unique_ptr<ServerStream> stream)
      : stream_(std::move(stream)) {}
  bool Flush();

  std::unique_ptr<ServerStream> stream_;
  std::string held_;
  bool stream_ok_ = true;
};

// OK when `token` (a compact JWT) carries the role `viewer` in its claim
// `role_claim` (--jwt_role_claim, "role" by default): the gateway
// refuses to serve the public surface with anything more (the signature is
// the services' to check). Reads the claims only; never logs the token.
absl::Status CheckViewerToken(const std::string& token,
                              const std::string& role_claim = "role");

struct HandlerOptions {
  // Deadline of a call that brings no Connect-Timeout-Ms.
  absl::Duration default_timeout = absl::Seconds(30);
  // Deadline of an open-data download that brings none (a browser's GET).
  absl::Duration export_timeout = absl::Minutes(10);
  // Origins allowed to call from a browser ("https://console.example.jp");
  // none by default (a console served from the same origin needs none).
  std::set<std::string> cors_origins;
  bool tls = false;  // adds Strict-Transport-Security
  // The web console served at / (GET and HEAD of what is not an API path);
  // none when null.
  std::shared_ptr<const Console> console;
  // The read-only public surface under /public/v1/ (public.cc): published
  // results, projects and the open-data downloads for readers who never
  // sign in. It calls the services with this token (role viewer, the
  // gateway's own credential), never the caller's; none when null.
  std::function<absl::StatusOr<std::string>()> public_token;
};

class Handler {
 public:
  Handler(Codec codec, std::unique_ptr<Invoker> invoker, HandlerOptions options)
      : codec_(std::move(codec)),
        invoker_(std::move(invoker)),
        options_(std::move(options)) {}

  Response Handle(const Request& request) const;

  // POST /documents/upload (documents.cc): a call that takes the body as
  // it arrives, or nullptr with `*refused` the answer (before any body).
  std::unique_ptr<UploadCall> StartUpload(const Request& request,
                                          Response* refused) const;
  static constexpr char kUploadPath[] = "/documents/upload";

  // Headers every answer carries (security headers, and CORS when the
  // request's Origin is allowed). Also for answers made outside Handle.
  void AddCommonHeaders(const Request& request, Response& response) const;

  // An error answer in Connect's JSON form.
  static Response Error(const grpc::Status& status);
  static Response Error(int http_status, const grpc::Status& status);

 private:
  Response Route(const Request& request) const;
  Response Connect(const Request& request) const;
  Response ConnectUnary(const Request& request,
                        const google::protobuf::MethodDescriptor& method,
                        bool json, const CallOptions& call) const;
  Response ConnectStream(const Request& request,
                         const google::protobuf::MethodDescriptor& method,
                         bool json, const CallOptions& call) const;
  // `call` carries the caller's token (/open-data/) or the public one.
  Response Download(const Request& request, const std::string& file,
                    const CallOptions& call) const;
  Response Public(const Request& request) const;
  Response PublicCalls(const Request& request, const CallOptions& call) const;
  Response PublicResult(const std::string& name, const CallOptions& call) const;
  Response PublicProjects(const Request& request,
                          const CallOptions& call) const;
  Response Health() const;
  // GET /documents/download (documents.cc).
  Response DocumentDownload(const Request& request) const;
  // Document `name` of `service` ("/pkg.Service/") as a streamed file.
  Response StreamDocument(const std::string& service, const std::string& name,
                          const CallOptions& call) const;
  // GET /public/v1/projects/P/documents[/D]: the public documents of
  // project `project` ("projects/P"), or document D of them.
  Response PublicDocuments(const std::string& project,
                           const std::string& document,
                           const CallOptions& call) const;
  Response Preflight(const Request& request) const;
  // A unary call of `method` with `request`, its answer parsed into
  // `response`.
  grpc::Status Call(const std::string& method,
                    const google::protobuf::Message& request,
                    const CallOptions& call,
                    google::protobuf::Message* response) const;
  // The call's metadata and deadline from the request's headers; false
  // (with `error` set) when Connect-Timeout-Ms is malformed.
  bool CallFor(const Request& request, CallOptions* call,
               Response* error) const;

  Codec codec_;
  std::unique_ptr<Invoker> invoker_;
  HandlerOptions options_;
};

}  // namespace kyodo::gateway::http

#endif  // KYODO_GATEWAY_HTTP_HANDLER_H_
