// Calls from one kyodo service to another, made while serving a call.
//
// Every downstream call carries a deadline derived from the caller's (never
// later than the caller's own, and at most `budget` from now), the caller's
// bearer token (so the downstream service checks the caller's rights itself)
// and the caller's call id as x-request-id (one id across the logs of all
// services), and this call's span as traceparent (W3C Trace Context: one
// trace id across them, common/log/trace.h). Retries happen only on
// UNAVAILABLE, only when the call is safe to repeat (a read, or a write
// carrying a request_id), with a short jittered backoff, and never past the
// deadline. A downstream call also ends when the call it serves is
// cancelled: gRPC propagates the cancellation (ClientContext::
// FromServerContext).
//
// Each call comes in two forms that share all of the above: a blocking one
// (CallDownstream, CallUnary) and one on gRPC's callback API
// (CallDownstreamAsync, CallUnaryAsync) that returns at once and needs no
// thread while it waits (the gateway's fan-outs, gateway/fan_out.h).
#ifndef KYODO_COMMON_GRPC_DOWNSTREAM_H_
#define KYODO_COMMON_GRPC_DOWNSTREAM_H_

#include <functional>
#include <latch>
#include <memory>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/rpc.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"

namespace kyodo::common::grpc_client {

struct DownstreamOptions {
  // Longest a single attempt may take.
  absl::Duration budget = absl::Seconds(5);
  // Reads, and writes with a request_id: may be retried on UNAVAILABLE.
  bool retry_unavailable = false;
  int max_attempts = 3;
  absl::Duration backoff = absl::Milliseconds(50);
  // Names the downstream in errors the transport raised (which otherwise
  // carry internal addresses), e.g. "partner-service".
  std::string service = "a downstream service";
  // When set, sent instead of the caller's token: for steps a service takes
  // on its own authority (the gateway screening a proposal an applicant
  // submitted).
  std::string bearer_token;
};

// A channel to `address` that reconnects quickly after the peer restarts
// and spreads calls over every address the name resolves to (round_robin;
// `dns:///partner-service:50051` for a headless Service).
// Plaintext unless `credentials` is given. `max_receive_bytes` > 0 replaces
// gRPC's default limit on a received message (4 MiB). `health_checked`:
// each connection watches the peer's health and takes no new calls while it
// is NOT_SERVING (a replica starting, unready or draining), for the channels
// between kyodo's programs.
std::shared_ptr<grpc::Channel> NewChannel(
    const std::string& address,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials = nullptr,
    int max_receive_bytes = 0, bool health_checked = false);

// A client context for one attempt of a downstream call made for `call`;
// `bearer_token` replaces the caller's token when not empty. When `call` has
// a server context, the attempt is cancelled with it.
std::unique_ptr<grpc::ClientContext> DownstreamContext(
    const server::CallContext& call, absl::Duration budget,
    const std::string& bearer_token = "");

// Runs `invoke` (one typed stub call) per the options. The result keeps the
// downstream's code and details (ErrorInfo domain names the downstream); a
// downstream that cannot be reached is UNAVAILABLE, one that does not answer
// in time DEADLINE_EXCEEDED.
absl::Status CallDownstream(
    const server::CallContext& call, const DownstreamOptions& options,
    absl::FunctionRef<grpc::Status(grpc::ClientContext*)> invoke);

// One unary call on a typed stub, e.g.
//   CallUnary(call, options, stub, &Stub::GetProject, request)
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> CallUnary(
    const server::CallContext& call, const DownstreamOptions& options,
    Stub* stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const Request& request) {
  Response response;
  absl::Status status =
      CallDownstream(call, options, [&](grpc::ClientContext* context) {
        response.Clear();
        return (stub->*method)(context, request, &response);
      });
  if (!status.ok()) return status;
  return response;
}

// Receives the result of an asynchronous call, once. It runs on one of
// gRPC's threads (or on the starting thread, for a call that fails at once)
// and must not block.
template <typename T>
using Callback = absl::AnyInvocable<void(absl::StatusOr<T>)>;

// Starts one attempt on `context`; gRPC calls `ended` when it ends.
using StartAttempt = std::function<void(
    grpc::ClientContext* context, std::function<void(grpc::Status)> ended)>;

// CallDownstream without blocking: returns at once, and `done` gets what
// CallDownstream would have returned. The backoff before a retry waits on a
// grpc::Alarm, not on a thread. `call` must outlive the call (until `done`
// has run); `done` runs with `call`'s call id and span on the thread's log
// lines.
void CallDownstreamAsync(const server::CallContext& call,
                         const DownstreamOptions& options, StartAttempt start,
                         absl::AnyInvocable<void(absl::Status)> done);

// CallUnary without blocking, on the stub's callback API, e.g.
//   CallUnaryAsync(call, options, stub->async(),
//                  &Stub::async::GetProject, request, done)
// (name the nested type `class Stub::async`: async() hides it).
template <typename AsyncStub, typename Request, typename Response>
void CallUnaryAsync(
    const server::CallContext& call, const DownstreamOptions& options,
    AsyncStub* stub,
    void (AsyncStub::*method)(grpc::ClientContext*, const Request*, Response*,
                              std::function<void(grpc::Status)>),
    Request request, Callback<Response> done) {
  // Request and response live until the last attempt has ended.
  struct Exchange {
    Request request;
    Response response;
  };
  auto exchange = std::make_shared<Exchange>();
  exchange->request = std::move(request);
  CallDownstreamAsync(
      call, options,
      [stub, method, exchange](grpc::ClientContext* context,
                               std::function<void(grpc::Status)> ended) {
        exchange->response.Clear();
        (stub->*method)(context, &exchange->request, &exchange->response,
                        std::move(ended));
      },
      [exchange, done = std::move(done)](absl::Status status) mutable {
        if (!status.ok()) {
          done(std::move(status));
        } else {
          done(std::move(exchange->response));
        }
      });
}

// The blocking form of an asynchronous call: runs `start` with a callback
// and waits for it, e.g. Await<Partner>([&](auto done) { Get(..., done); }).
template <typename T>
absl::StatusOr<T> Await(absl::FunctionRef<void(Callback<T>)> start) {
  absl::StatusOr<T> result;
  // A std::latch: ThreadSanitizer sees it, not absl::Notification inside
  // Debian's uninstrumented Abseil (docs/RELIABILITY.md, "ThreadSanitizer").
  std::latch ended(1);
  start([&](absl::StatusOr<T> r) {
    result = std::move(r);
    ended.count_down();
  });
  ended.wait();
  return result;
}

}  // namespace kyodo::common::grpc_client

#endif  // KYODO_COMMON_GRPC_DOWNSTREAM_H_
