// The single entry point every handler goes through, in this order:
//   1. a call id (the caller's x-request-id when usable, else a fresh one),
//      carried by this thread's log lines and echoed in x-request-id;
//   2. authentication of the bearer token (UNAUTHENTICATED);
//   3. descriptor-driven request validation (INVALID_ARGUMENT naming the
//      field: UTF-8, lengths, list sizes);
//   4. the effective deadline: the caller's, capped by the server default;
//   5. the handler body, which authorises before it looks anything up;
//   6. one log line per call (method, code, duration, subject; never the
//      token) and the absl -> gRPC status mapping.
// Every log line of the call carries its call id and its span (trace_id,
// span_id: a new span of the caller's W3C traceparent, common/log/trace.h).
#ifndef KYODO_COMMON_SERVER_RPC_H_
#define KYODO_COMMON_SERVER_RPC_H_

#include <functional>
#include <initializer_list>
#include <set>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/audit/audit.h"
#include "common/auth/principal.h"
#include "common/auth/token.h"
#include "common/log/trace.h"
#include "common/time/clock.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace kyodo::common::server {

struct CallContext {
  std::string method;  // e.g. "CreatePartner"
  std::string call_id;
  auth::Principal principal;
  absl::Time start;     // by the service clock
  absl::Time deadline;  // by the real clock
  grpc::ServerContext* server_context = nullptr;
  // This call's span (W3C Trace Context, common/log/trace.h): downstream
  // calls carry it as their traceparent.
  log::TraceContext trace;

  // The audit actor of this call.
  audit::Actor AuditActor(absl::string_view request_id) const;
};

// Observes finished calls (metrics).
using CallObserver = std::function<void(
    absl::string_view method, absl::StatusCode code, absl::Duration latency)>;

class RpcRunner {
 public:
  RpcRunner(std::string domain, const auth::TokenVerifier* verifier,
            const Clock* clock, absl::Duration default_deadline)
      : domain_(std::move(domain)),
        verifier_(verifier),
        clock_(clock),
        default_deadline_(default_deadline) {}

  void set_observer(CallObserver observer) { observer_ = std::move(observer); }
  // Set by set_observer (maybe empty): for calls served outside Run (the
  // gateway's forwarding, gateway/proxy.h).
  const CallObserver& observer() const { return observer_; }
  // The methods (e.g. "ScreenProposal") a token of role `screener` may call;
  // every other method refuses it with PERMISSION_DENIED before its handler.
  void set_screener_methods(std::set<std::string> methods) {
    screener_methods_ = std::move(methods);
  }
  // The same for a token of role `notifier` (notifier/).
  void set_notifier_methods(std::set<std::string> methods) {
    notifier_methods_ = std::move(methods);
  }

  // The call's deadline is the caller's, at most `longest` from its start;
  // `longest` zero means the server's default deadline. A long stream (the
  // gateway's open-data export) passes its own bound.
  grpc::Status Run(grpc::ServerContext* context,
                   const google::protobuf::Message& request,
                   absl::FunctionRef<absl::Status(const CallContext&)> body,
                   absl::Duration longest = absl::ZeroDuration()) const;

  const Clock& clock() const { return *clock_; }

 private:
  std::string domain_;
  const auth::TokenVerifier* verifier_;
  const Clock* clock_;
  absl::Duration default_deadline_;
  CallObserver observer_;
  std::set<std::string> screener_methods_;
  std::set<std::string> notifier_methods_;
};

// PERMISSION_DENIED unless the caller has one of `roles`; `action` completes
// "role <role> may not <action>". The first check of most handlers, made
// before anything is looked up.
absl::Status RequireRole(const CallContext& call,
                         std::initializer_list<auth::Role> roles,
                         absl::string_view action);

// The call id of a call: the caller's x-request-id if it is short printable
// ASCII (it reaches the logs), else 16 random hex digits.
std::string CallIdOf(const grpc::ServerContextBase& context);

// The span serving a call: a new span of the caller's trace (its
// `traceparent`), or of a new trace.
log::TraceContext SpanOf(const grpc::ServerContextBase& context);

// The method name a request type belongs to: "GetPartnerRequest" ->
// "GetPartner". kyodo names every request <Method>Request.
std::string MethodOf(const google::protobuf::Message& request);

}  // namespace kyodo::common::server

#endif  // KYODO_COMMON_SERVER_RPC_H_
