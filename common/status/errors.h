// Constructors for the errors kyodo services return, carrying the details of
// AIP-193: a google.rpc.ErrorInfo (reason UPPER_SNAKE, metadata) on every
// error and a google.rpc.BadRequest naming the field on INVALID_ARGUMENT.
//
// Every reason is a value of kyodo.type.v1.ErrorReason
// (protos/kyodo/type/v1/error_reason.proto), sent by its name: the builders
// below take the enum, so a service cannot emit a reason the protos do not
// declare, and callers compare reasons with HasReason, never with a string.
//
// The details ride inside absl::Status as payloads keyed by their type URL, so
// layers below the handlers stay free of gRPC; grpc_status.h turns them into
// grpc-status-details-bin exactly once. The ErrorInfo domain is filled in at
// that boundary (`kyodo.<service>`) unless a downstream already set it.
#ifndef KYODO_COMMON_STATUS_ERRORS_H_
#define KYODO_COMMON_STATUS_ERRORS_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"
#include "kyodo/type/v1/error_reason.pb.h"

namespace kyodo::common {

inline constexpr char kErrorInfoTypeUrl[] =
    "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr char kBadRequestTypeUrl[] =
    "type.googleapis.com/google.rpc.BadRequest";

// INVALID_ARGUMENT about one request field. `field` is the path in the
// request, e.g. "partner.display_name"; `description` says what is wrong in
// words a caller can act on. ErrorInfo reason is `reason`, with metadata
// {"field": field}; BadRequest carries the same field violation.
absl::Status InvalidArgumentError(
    absl::string_view field, absl::string_view description,
    kyodo::type::v1::ErrorReason reason = kyodo::type::v1::INVALID_FIELD);

// A `code` error with ErrorInfo reason `reason` and the given metadata. Use
// it for FAILED_PRECONDITION naming the rule, ABORTED, ALREADY_EXISTS, ...
absl::Status ErrorWithReason(
    absl::StatusCode code, kyodo::type::v1::ErrorReason reason,
    absl::string_view message,
    std::initializer_list<std::pair<absl::string_view, absl::string_view>>
        metadata = {});

// FAILED_PRECONDITION naming the rule; the message starts with its name.
absl::Status FailedPreconditionError(kyodo::type::v1::ErrorReason rule,
                                     absl::string_view message);

// NOT_FOUND for `resource` (a resource name such as "partners/abc").
absl::Status NotFoundError(absl::string_view resource);

// ABORTED because `resource` changed since the caller read it.
absl::Status EtagMismatchError(absl::string_view resource);

absl::Status PermissionDeniedError(absl::string_view message);
absl::Status UnauthenticatedError(absl::string_view message);

// The ErrorInfo or BadRequest a status carries, if any.
std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status);
std::optional<google::rpc::BadRequest> GetBadRequest(
    const absl::Status& status);

// Attaches `info` (replacing any ErrorInfo already there).
void SetErrorInfo(absl::Status& status, const google::rpc::ErrorInfo& info);

// The ErrorInfo reason as sent, or "" when there is none.
std::string ErrorReason(const absl::Status& status);

// Whether the status carries ErrorInfo reason `reason` (also when it came
// from another service through FromGrpcStatus).
bool HasReason(const absl::Status& status, kyodo::type::v1::ErrorReason reason);

// The wire form of `reason`: its enum value name, e.g. "PARTNER_DELETED".
const std::string& ReasonName(kyodo::type::v1::ErrorReason reason);

// The reason an error with no ErrorInfo of its own is sent with: the name
// of its canonical code (INTERNAL for INTERNAL, UNKNOWN and DATA_LOSS, whose
// details are withheld).
kyodo::type::v1::ErrorReason ReasonForCode(absl::StatusCode code);

}  // namespace kyodo::common

#endif  // KYODO_COMMON_STATUS_ERRORS_H_
