#include "gateway/http/server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "gateway/http/connect.h"

namespace kyodo::gateway::http {
namespace {

// One request's state between libmicrohttpd's calls: the body so far.
struct Pending {
  std::string body;
  bool too_large = false;
  bool counted = false;  // in HttpServer::in_flight_
  // POST /documents/upload: the body goes to the service as it arrives
  // (documents.cc), or was refused before it (`refused`).
  bool uploading = false;
  std::unique_ptr<UploadCall> upload;
  Response refused;
};

// A streamed answer: the source and the piece being sent.
struct Streaming {
  std::unique_ptr<BodySource> source;
  std::string piece;
  size_t offset = 0;
};

ssize_t ReadStream(void* cls, uint64_t, char* buffer, size_t max) {
  auto* s = static_cast<Streaming*>(cls);
  while (s->offset == s->piece.size()) {
    s->piece.clear();
    s->offset = 0;
    if (!s->source->Next(&s->piece)) {
      return s->source->failed() ? MHD_CONTENT_READER_END_WITH_ERROR
                                 : MHD_CONTENT_READER_END_OF_STREAM;
    }
  }
  const size_t n = std::min(max, s->piece.size() - s->offset);
  std::copy_n(s->piece.data() + s->offset, n, buffer);
  s->offset += n;
  return static_cast<ssize_t>(n);
}

void FreeStream(void* cls) { delete static_cast<Streaming*>(cls); }

MHD_Result Collect(void* cls, MHD_ValueKind, const char* key,
                   const char* value) {
  auto* map = static_cast<std::map<std::string, std::string>*>(cls);
  (*map)[absl::AsciiStrToLower(key)] = value == nullptr ? "" : value;
  return MHD_YES;
}

MHD_Result CollectQuery(void* cls, MHD_ValueKind, const char* key,
                        const char* value) {
  auto* map = static_cast<std::map<std::string, std::string>*>(cls);
  (*map)[key] = value == nullptr ? "" : value;
  return MHD_YES;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

struct HttpServer::Access {
  // The answer was sent, or the request abandoned.
  static void Completed(void* cls, MHD_Connection*, void** state,
                        MHD_RequestTerminationCode) {
    auto* self = static_cast<HttpServer*>(cls);
    auto* pending = static_cast<Pending*>(*state);
    if (pending != nullptr && pending->counted) {
      std::lock_guard<std::mutex> lock(self->mu_);
      if (--self->in_flight_ == 0) self->idle_.notify_all();
    }
    delete pending;
    *state = nullptr;
  }

  static MHD_Result Queue(HttpServer* self, MHD_Connection* connection,
                          Response response) {
    MHD_Response* answer = nullptr;
    if (response.stream != nullptr) {
      auto* streaming = new Streaming{std::move(response.stream)};
      answer = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
                                                 size_t{64} * 1024, &ReadStream,
                                                 streaming, &FreeStream);
    } else {
      answer = MHD_create_response_from_buffer(
          response.body.size(), response.body.data(), MHD_RESPMEM_MUST_COPY);
    }
    if (answer == nullptr) return MHD_NO;
    for (const auto& [name, value] : response.headers)
      MHD_add_response_header(answer, name.c_str(), value.c_str());
    if (self->draining_) MHD_add_response_header(answer, "Connection", "close");
    const MHD_Result queued =
        MHD_queue_response(connection, response.status, answer);
    MHD_destroy_response(answer);
    return queued;
  }

  static Response TooLarge(const HttpServer* self) {
    return Handler::Error(
        413,
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrCat("the request body is larger than ",
                                  self->options_.max_body_bytes, " bytes")));
  }

  static MHD_Result Call(void* cls, MHD_Connection* connection, const char* url,
                         const char* method, const char*, const char* upload,
                         size_t* upload_size, void** state) {
    auto* self = static_cast<HttpServer*>(cls);
    auto* pending = static_cast<Pending*>(*state);
    Request request;
    if (pending == nullptr) {
      *state = pending = new Pending();
      if (std::string(url) == Handler::kUploadPath &&
          std::string(method) == "POST") {
        // Streamed, so neither buffered nor bound by --http_max_body_bytes
        // (the service bounds the file). Counted from now: the drain waits
        // for an upload under way.
        pending->uploading = true;
        {
          std::lock_guard<std::mutex> lock(self->mu_);
          ++self->in_flight_;
          pending->counted = true;
        }
        request.method = method;
        request.path = url;
        MHD_get_connection_values(connection, MHD_HEADER_KIND, &Collect,
                                  &request.headers);
        MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND,
                                  &CollectQuery, &request.query);
        pending->upload =
            self->handler_->StartUpload(request, &pending->refused);
        return MHD_YES;
      }
      const char* length = MHD_lookup_connection_value(
          connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      size_t declared = 0;
      if (length != nullptr && absl::SimpleAtoi(length, &declared) &&
          declared > self->options_.max_body_bytes) {
        Response response = TooLarge(self);
        MHD_get_connection_values(connection, MHD_HEADER_KIND, &Collect,
                                  &request.headers);
        self->handler_->AddCommonHeaders(request, response);
        return Queue(self, connection, std::move(response));
      }
      return MHD_YES;
    }
    if (pending->uploading) {
      if (*upload_size != 0) {
        if (pending->upload != nullptr) {
          pending->upload->Write(absl::string_view(upload, *upload_size));
        }
        *upload_size = 0;
        return MHD_YES;
      }
      request.method = method;
      request.path = url;
      MHD_get_connection_values(connection, MHD_HEADER_KIND, &Collect,
                                &request.headers);
      Response response = pending->upload != nullptr
                              ? pending->upload->Finish()
                              : std::move(pending->refused);
      self->handler_->AddCommonHeaders(request, response);
      return Queue(self, connection, std::move(response));
    }
    if (*upload_size != 0) {
      if (pending->body.size() + *upload_size > self->options_.max_body_bytes) {
        pending->too_large = true;
        pending->body.clear();
      } else if (!pending->too_large) {
        pending->body.append(upload, *upload_size);
      }
      *upload_size = 0;
      return MHD_YES;
    }
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      ++self->in_flight_;
      pending->counted = true;
    }
    request.method = method;
    request.path = url;
    MHD_get_connection_values(connection, MHD_HEADER_KIND, &Collect,
                              &request.headers);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectQuery,
                              &request.query);
    Response response;
    if (pending->too_large) {
      response = TooLarge(self);
      self->handler_->AddCommonHeaders(request, response);
    } else {
      request.body = std::move(pending->body);
      response = self->handler_->Handle(request);
    }
    if (response.status >= 500 && request.path != "/healthz") {
      common::log::Warning("http call failed", {{"path", request.path},
                                                {"status", response.status},
                                                {"body", response.body}});
    }
    return Queue(self, connection, std::move(response));
  }
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(
    HttpOptions options) {
  if (options.listen.empty())
    return absl::InvalidArgumentError("--http_listen is empty");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--http_tls_cert_file and --http_tls_key_file go together");
  }
  auto server = std::unique_ptr<HttpServer>(new HttpServer(std::move(options)));
  if (!server->options_.tls_cert_file.empty()) {
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
      return absl::FailedPreconditionError("libmicrohttpd lacks TLS");
    auto cert = ReadFile(server->options_.tls_cert_file);
    if (!cert.ok()) return cert.status();
    auto key = ReadFile(server->options_.tls_key_file);
    if (!key.ok()) return key.status();
    server->tls_cert_ = *std::move(cert);
    server->tls_key_ = *std::move(key);
    server->options_.handler.tls = true;
  }
  return server;
}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(grpc::Server* server) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  handler_ = std::make_unique<Handler>(
      Codec(options_.services),
      std::make_unique<Invoker>(server->InProcessChannel(args)),
      options_.handler);

  // "host:port", "[v6]:port"
  const std::string& listen = options_.listen;
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos)
    return absl::InvalidArgumentError("--http_listen needs host:port");
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints,
                  &found) != 0 ||
      found == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_listen: cannot resolve ", listen));
  }
  unsigned int flags = MHD_USE_THREAD_PER_CONNECTION |
                       MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                       MHD_USE_ITC;
  if (found->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
  if (!tls_cert_.empty()) flags |= MHD_USE_TLS;
  const unsigned int timeout_s = static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(options_.idle_timeout)));
  MHD_OptionItem tls[] = {
      {MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(tls_cert_.c_str())},
      {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(tls_key_.c_str())},
      {MHD_OPTION_END, 0, nullptr}};
  MHD_OptionItem none[] = {{MHD_OPTION_END, 0, nullptr}};
  daemon_ = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &Access::Call, this, MHD_OPTION_SOCK_ADDR,
      found->ai_addr, MHD_OPTION_CONNECTION_LIMIT,
      static_cast<unsigned int>(options_.max_connections),
      MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, options_.max_header_bytes,
      MHD_OPTION_NOTIFY_COMPLETED, &Access::Completed, this, MHD_OPTION_ARRAY,
      tls_cert_.empty() ? none : tls, MHD_OPTION_END);
  freeaddrinfo(found);
  if (daemon_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve HTTP on ", listen));
  }
  const MHD_DaemonInfo* info =
      MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
  port_ = info == nullptr ? 0 : info->port;
  common::log::Info(
      "serving HTTP",
      {{"listen", listen}, {"port", port_}, {"tls", !tls_cert_.empty()}});
  return absl::OkStatus();
}

void HttpServer::StopAccepting(absl::Time deadline) {
  if (daemon_ == nullptr || draining_.exchange(true)) return;
  const MHD_socket listener = MHD_quiesce_daemon(daemon_);
  if (listener != MHD_INVALID_SOCKET) close(listener);
  std::unique_lock<std::mutex> lock(mu_);
  common::log::Info("HTTP stopped accepting connections",
                    {{"in_flight", in_flight_}});
  idle_.wait_until(lock, absl::ToChronoTime(deadline),
                   [this] { return in_flight_ == 0; });
}

void HttpServer::Stop() {
  if (daemon_ == nullptr) return;
  draining_ = true;
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
  common::log::Info("HTTP stopped");
}

}  // namespace kyodo::gateway::http
