#include "common/grpc/downstream.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/log/trace.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace kyodo::common::grpc_client {

std::shared_ptr<grpc::Channel> NewChannel(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
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
  // Client-side load balancing (docs/OPERATIONS.md, "Scaling"): a name
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
  auto context = std::make_unique<grpc::ClientContext>();
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

}  // namespace

absl::Status CallDownstream(
    const server::CallContext& call, const DownstreamOptions& options,
    absl::FunctionRef<grpc::Status(grpc::ClientContext*)> invoke) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  absl::Status status;
  for (int attempt = 1;; ++attempt) {
    if (absl::Now() >= call.deadline) {
      return status.ok() ? absl::DeadlineExceededError(
                               "deadline passed before the downstream call")
                         : status;
    }
    auto context =
        DownstreamContext(call, options.budget, options.bearer_token);
    status = FromGrpcStatus(invoke(context.get()));
    const bool retry = options.retry_unavailable &&
                       status.code() == absl::StatusCode::kUnavailable &&
                       attempt < options.max_attempts;
    if (!retry) return Sanitize(std::move(status), options);
    std::uniform_int_distribution<int64_t> jitter(
        0, absl::ToInt64Microseconds(options.backoff) * attempt);
    const absl::Duration wait = absl::Microseconds(jitter(rng));
    if (absl::Now() + wait >= call.deadline)
      return Sanitize(std::move(status), options);
    absl::SleepFor(wait);
  }
}

}  // namespace kyodo::common::grpc_client
