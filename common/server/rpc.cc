#include "common/server/rpc.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/validate/request.h"

namespace kyodo::common::server {
namespace {

std::string Metadata(const grpc::ServerContextBase& context,
                     absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

std::string CallIdOf(const grpc::ServerContextBase& context) {
  std::string given = Metadata(context, "x-request-id");
  const bool usable = !given.empty() && given.size() <= 64 &&
                      std::all_of(given.begin(), given.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) ||
                               c == '-' || c == '_' || c == '.';
                      });
  if (usable) return given;
  unsigned char bytes[8];
  RAND_bytes(bytes, sizeof(bytes));
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

log::TraceContext SpanOf(const grpc::ServerContextBase& context) {
  return log::StartSpan(Metadata(context, "traceparent"));
}

audit::Actor CallContext::AuditActor(absl::string_view request_id) const {
  return audit::Actor{principal.subject,
                      std::string(auth::RoleName(principal.role)),
                      method,
                      call_id,
                      std::string(request_id),
                      start};
}

absl::Status RequireRole(const CallContext& call,
                         std::initializer_list<auth::Role> roles,
                         absl::string_view action) {
  for (auth::Role role : roles) {
    if (call.principal.role == role) return absl::OkStatus();
  }
  return PermissionDeniedError(absl::StrCat(
      "role ", auth::RoleName(call.principal.role), " may not ", action));
}

std::string MethodOf(const google::protobuf::Message& request) {
  std::string name = request.GetDescriptor()->name();
  if (absl::EndsWith(name, "Request")) name.resize(name.size() - 7);
  return name;
}

grpc::Status RpcRunner::Run(
    grpc::ServerContext* context, const google::protobuf::Message& request,
    absl::FunctionRef<absl::Status(const CallContext&)> body,
    absl::Duration longest) const {
  const absl::Time started = absl::Now();
  CallContext call;
  call.method = MethodOf(request);
  call.call_id = CallIdOf(*context);
  call.trace = SpanOf(*context);
  call.server_context = context;
  // Microseconds: what DATETIME(6) keeps, so a resource returned by a
  // mutation equals the one read back later.
  call.start = absl::FromUnixMicros(absl::ToUnixMicros(clock_->Now()));
  log::ScopedCallId scoped(call.call_id);
  log::ScopedTrace traced(call.trace);
  context->AddInitialMetadata("x-request-id", call.call_id);

  absl::Status status;
  auto principal =
      verifier_->VerifyAuthorizationHeader(Metadata(*context, "authorization"));
  if (!principal.ok()) {
    status = principal.status();
  } else {
    call.principal = *std::move(principal);
    if (call.principal.role == auth::Role::kScreener &&
        screener_methods_.count(call.method) == 0) {
      status = PermissionDeniedError(
          "role screener may only screen submitted proposals");
    } else if (call.principal.role == auth::Role::kNotifier &&
               notifier_methods_.count(call.method) == 0) {
      status = PermissionDeniedError(
          "role notifier may only follow the change feed and read the "
          "addresses it mails");
    } else {
      status = ValidateRequest(request);
    }
  }
  if (status.ok()) {
    call.deadline = std::min(
        absl::FromChrono(context->deadline()),
        started +
            (longest > absl::ZeroDuration() ? longest : default_deadline_));
    status = body(call);
  }

  const absl::Duration latency = absl::Now() - started;
  const log::Level level =
      IsInternalError(status.code()) ? log::Level::kError : log::Level::kInfo;
  log::Write(
      level, "rpc",
      {{"method", call.method},
       {"code", absl::StatusCodeToString(status.code())},
       {"ms", absl::ToDoubleMilliseconds(latency)},
       {"sub", call.principal.subject},
       {"parent_span_id", call.trace.parent_id},
       {"role", call.principal.subject.empty()
                    ? absl::string_view("")
                    : auth::RoleName(call.principal.role)},
       {"error", status.ok() ? absl::string_view("") : status.message()}});
  if (observer_) observer_(call.method, status.code(), latency);
  return ToGrpcStatus(status, domain_, call.call_id);
}

}  // namespace kyodo::common::server
