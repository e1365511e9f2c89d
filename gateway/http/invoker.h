// Calls the gateway's own gRPC server over an in-process channel, by method
// path and serialized message: the HTTP entry reaches every method the
// gateway serves (its own and those it forwards) exactly as a gRPC client
// does, so each call goes through the same token check, validation and
// deadline handling.
#ifndef KYODO_GATEWAY_HTTP_INVOKER_H_
#define KYODO_GATEWAY_HTTP_INVOKER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/status.h"

namespace kyodo::gateway::http {

// What travels with a call: metadata (authorization, x-request-id) and the
// deadline.
struct CallOptions {
  std::vector<std::pair<std::string, std::string>> metadata;
  absl::Time deadline = absl::InfiniteFuture();
};

// Metadata the answer brought that the HTTP answer repeats (x-request-id).
struct CallResult {
  grpc::Status status;
  std::string response;  // serialized, when status is OK
  std::string request_id;
};

// One streaming call, read (and for a client stream, written) message by
// message on the calling thread. Destroying it cancels the call if it has
// not finished.
class ServerStream {
 public:
  ~ServerStream();
  // A client stream's next request; false when the call ended (its answer
  // or failure is then read as for any stream).
  bool Write(const std::string& message);
  // The end of a client stream's requests.
  void WritesDone();
  // The next message; false at the end or on failure (then see Finish).
  bool Read(std::string* message);
  // The call's status, after Read returned false (or to cancel early).
  grpc::Status Finish();
  const std::string& request_id() const { return request_id_; }

 private:
  friend class Invoker;
  ServerStream() = default;
  bool Wait();  // the next completion; its ok flag

  grpc::ClientContext context_;
  grpc::CompletionQueue queue_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  std::string request_id_;
  bool started_ = false;
  bool open_ = false;  // a client stream still takes requests
  bool finished_ = false;
  grpc::Status status_;
};

class Invoker {
 public:
  explicit Invoker(std::shared_ptr<grpc::Channel> channel)
      : stub_(std::move(channel)) {}

  // A unary call of `method` ("/pkg.Service/Method"); blocks.
  CallResult Unary(const std::string& method, const std::string& request,
                   const CallOptions& options);

  // Starts a server-streaming call with its one request.
  std::unique_ptr<ServerStream> Stream(const std::string& method,
                                       const std::string& request,
                                       const CallOptions& options);

  // Starts a client-streaming call (UploadDocument): the caller writes its
  // requests, then WritesDone, then reads the answer.
  std::unique_ptr<ServerStream> Open(const std::string& method,
                                     const CallOptions& options);

 private:
  grpc::GenericStub stub_;
};

}  // namespace kyodo::gateway::http

#endif  // KYODO_GATEWAY_HTTP_INVOKER_H_
