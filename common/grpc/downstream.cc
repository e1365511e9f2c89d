#include "common/grpc/downstream.h"

#include <algorithm>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/log/trace.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/alarm.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace kyodo::common::grpc_client {

std::shared_ptr<grpc::Channel> NewChannel(
    const std::string& address,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    int max_receive_bytes, bool health_checked) {
  grpc::ChannelArguments args;
  if (max_receive_bytes > 0) args.SetMaxReceiveMessageSize(max_receive_bytes);
  // A restarted peer is found again within a second, not after gRPC's
  // default backoff of up to two minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // gRPC reads the "minimum backoff" as the time one connection attempt
  // (TCP, TLS, the HTTP/2 SETTINGS exchange) may take. At 100 ms a peer
  // slower than that to answer (a TLS handshake on a loaded node) failed the
  // first call of every new connection: tests/common/grpc/downstream_test.cc.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  // Client-side load balancing (docs/OPERATIONS.md, "Scale out"): a name
  // that resolves to several addresses (a headless Service, `dns:///`)
  // gets a connection to each, and calls take them in turn. gRPC resolves
  // the name again when a connection closes (a replica stopped, or a
  // server's --max_connection_age), at most every 5 s instead of the
  // default 30 s, so new replicas are found soon after.
  // Client-side health checking: each connection watches the peer's
  // overall health ("", grpc.health.v1.Health/Watch) and takes no new calls
  // while it is NOT_SERVING. A server that is told to stop turns
  // NOT_SERVING and keeps serving for --drain before it closes its
  // connections (common/server/host.h), so by then its callers have moved
  // their calls to the other replicas: none is caught by the close (a call
  // that reaches a server as it shuts down is cancelled).
  // tests/deploy/rolling_upgrade_test.cc shows it.
  // (Only where asked: the watch is retried with a backoff after it
  // breaks, so a caller whose connection was just reset waits up to a
  // second longer for the peer; programs retry, a one-shot client may not.)
  args.SetServiceConfigJSON(
      health_checked ? R"({"loadBalancingConfig":[{"round_robin":{}}],)"
                       R"("healthCheckConfig":{"serviceName":""}})"
                     : R"({"loadBalancingConfig":[{"round_robin":{}}]})");
  args.SetInt(GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS, 5000);
  return grpc::CreateCustomChannel(
      address,
      credentials != nullptr ? credentials : grpc::InsecureChannelCredentials(),
      args);
}

std::unique_ptr<grpc::ClientContext> DownstreamContext(
    const server::CallContext& call, absl::Duration budget,
    const std::string& bearer_token) {
  // Propagated from the call it serves: a caller that gives up (or whose
  // HTTP connection closes) cancels the downstream calls made for it,
  // instead of leaving them to run until their own deadline.
  std::unique_ptr<grpc::ClientContext> context =
      call.server_context != nullptr
          ? grpc::ClientContext::FromServerContext(
                *call.server_context,
                grpc::PropagationOptions().disable_deadline_propagation())
          : std::make_unique<grpc::ClientContext>();
  const absl::Time deadline = std::min(call.deadline, absl::Now() + budget);
  context->set_deadline(absl::ToChronoTime(deadline));
  if (!bearer_token.empty()) {
    context->AddMetadata("authorization", "Bearer " + bearer_token);
  } else if (call.server_context != nullptr) {
    const auto& metadata = call.server_context->client_metadata();
    auto it = metadata.find("authorization");
    if (it != metadata.end()) {
      context->AddMetadata("authorization",
                           std::string(it->second.data(), it->second.size()));
    }
  }
  context->AddMetadata("x-request-id", call.call_id);
  // The downstream service's span is a child of this call's.
  if (!call.trace.trace_id.empty()) {
    context->AddMetadata("traceparent", log::Traceparent(call.trace));
  }
  return context;
}

namespace {

// A status the transport made up (no ErrorInfo from a kyodo service) is
// reworded: its text names internal addresses. The original is logged.
absl::Status Sanitize(absl::Status status, const DownstreamOptions& options) {
  if (status.ok() || GetErrorInfo(status).has_value()) return status;
  log::Warning("downstream call failed",
               {{"service", options.service},
                {"code", absl::StatusCodeToString(status.code())},
                {"error", status.message()}});
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return ErrorWithReason(
          absl::StatusCode::kUnavailable,
          kyodo::type::v1::DOWNSTREAM_UNAVAILABLE,
          absl::StrCat(options.service, " is unavailable; retry later"),
          {{"service", options.service}});
    case absl::StatusCode::kDeadlineExceeded:
      return ErrorWithReason(
          absl::StatusCode::kDeadlineExceeded,
          kyodo::type::v1::DOWNSTREAM_TIMEOUT,
          absl::StrCat(options.service, " did not answer in time"),
          {{"service", options.service}});
    default:
      return status;
  }
}

// The deadline check before an attempt: DEADLINE_EXCEEDED (or the last
// attempt's status) once the caller's deadline has passed.
absl::Status TooLate(const server::CallContext& call,
                     const absl::Status& last) {
  if (absl::Now() < call.deadline) return absl::OkStatus();
  return last.ok() ? absl::DeadlineExceededError(
                         "deadline passed before the downstream call")
                   : last;
}

// How long to wait before attempt `attempt` + 1 after `status`, or nothing
// when the call ends with `status`.
std::optional<absl::Duration> Backoff(const server::CallContext& call,
                                      const DownstreamOptions& options,
                                      const absl::Status& status, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const bool retry = options.retry_unavailable &&
                     status.code() == absl::StatusCode::kUnavailable &&
                     attempt < options.max_attempts;
  if (!retry) return std::nullopt;
  std::uniform_int_distribution<int64_t> jitter(
      0, absl::ToInt64Microseconds(options.backoff) * attempt);
  const absl::Duration wait = absl::Microseconds(jitter(rng));
  if (absl::Now() + wait >= call.deadline) return std::nullopt;
  return wait;
}

// One asynchronous downstream call and its retries. Owns itself: deleted
// once `done_` has run.
class AsyncCall {
 public:
  AsyncCall(const server::CallContext& call, const DownstreamOptions& options,
            StartAttempt start, absl::AnyInvocable<void(absl::Status)> done)
      : call_(call),
        options_(options),
        start_(std::move(start)),
        done_(std::move(done)) {}

  void Attempt() {
    ++attempt_;
    if (absl::Status late = TooLate(call_, status_); !late.ok()) {
      return Finish(std::move(late));
    }
    context_ = DownstreamContext(call_, options_.budget, options_.bearer_token);
    start_(context_.get(),
           [this](const grpc::Status& status) { Ended(status); });
  }

 private:
  void Ended(const grpc::Status& status) {
    status_ = FromGrpcStatus(status);
    std::optional<absl::Duration> wait =
        Backoff(call_, options_, status_, attempt_);
    if (!wait.has_value()) return Finish(std::move(status_));
    // A fired alarm may be destroyed from its own callback (gRPC counts its
    // references), so the next one simply replaces it.
    backoff_ = std::make_unique<grpc::Alarm>();
    backoff_->Set(absl::ToChronoTime(absl::Now() + *wait),
                  [this](bool) { Attempt(); });
  }

  void Finish(absl::Status status) {
    {
      // The thread is gRPC's: the log lines of the ending call carry its
      // call id and span, as they would on the caller's thread.
      log::ScopedCallId scoped(call_.call_id);
      log::ScopedTrace traced(call_.trace);
      done_(Sanitize(std::move(status), options_));
    }
    delete this;
  }

  const server::CallContext& call_;
  const DownstreamOptions options_;
  const StartAttempt start_;
  absl::AnyInvocable<void(absl::Status)> done_;
  int attempt_ = 0;
  absl::Status status_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::Alarm> backoff_;
};

}  // namespace

absl::Status CallDownstream(
    const server::CallContext& call, const DownstreamOptions& options,
    absl::FunctionRef<grpc::Status(grpc::ClientContext*)> invoke) {
  absl::Status status;
  for (int attempt = 1;; ++attempt) {
    if (absl::Status late = TooLate(call, status); !late.ok()) return late;
    auto context =
        DownstreamContext(call, options.budget, options.bearer_token);
    status = FromGrpcStatus(invoke(context.get()));
    std::optional<absl::Duration> wait =
        Backoff(call, options, status, attempt);
    if (!wait.has_value()) return Sanitize(std::move(status), options);
    absl::SleepFor(*wait);
  }
}

void CallDownstreamAsync(const server::CallContext& call,
                         const DownstreamOptions& options, StartAttempt start,
                         absl::AnyInvocable<void(absl::Status)> done) {
  (new AsyncCall(call, options, std::move(start), std::move(done)))->Attempt();
}

}  // namespace kyodo::common::grpc_client
