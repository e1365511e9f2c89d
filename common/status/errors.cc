#include "common/status/errors.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace kyodo::common {
namespace {

absl::Status WithInfo(absl::StatusCode code, absl::string_view message,
                      const google::rpc::ErrorInfo& info) {
  absl::Status status(code, message);
  SetErrorInfo(status, info);
  return status;
}

template <typename Proto>
std::optional<Proto> GetPayload(const absl::Status& status,
                                absl::string_view url) {
  auto payload = status.GetPayload(url);
  if (!payload.has_value()) return std::nullopt;
  Proto proto;
  if (!proto.ParseFromString(std::string(*payload))) return std::nullopt;
  return proto;
}

}  // namespace

void SetErrorInfo(absl::Status& status, const google::rpc::ErrorInfo& info) {
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
}

absl::Status InvalidArgumentError(absl::string_view field,
                                  absl::string_view description,
                                  kyodo::type::v1::ErrorReason reason) {
  google::rpc::ErrorInfo info;
  info.set_reason(ReasonName(reason));
  (*info.mutable_metadata())["field"] = std::string(field);
  absl::Status status = WithInfo(absl::StatusCode::kInvalidArgument,
                                 absl::StrCat(field, ": ", description), info);
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  status.SetPayload(kBadRequestTypeUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status ErrorWithReason(
    absl::StatusCode code, kyodo::type::v1::ErrorReason reason,
    absl::string_view message,
    std::initializer_list<std::pair<absl::string_view, absl::string_view>>
        metadata) {
  google::rpc::ErrorInfo info;
  info.set_reason(ReasonName(reason));
  for (const auto& [key, value] : metadata) {
    (*info.mutable_metadata())[std::string(key)] = std::string(value);
  }
  return WithInfo(code, message, info);
}

absl::Status FailedPreconditionError(kyodo::type::v1::ErrorReason rule,
                                     absl::string_view message) {
  return ErrorWithReason(absl::StatusCode::kFailedPrecondition, rule,
                         absl::StrCat(ReasonName(rule), ": ", message));
}

absl::Status NotFoundError(absl::string_view resource) {
  return ErrorWithReason(
      absl::StatusCode::kNotFound, kyodo::type::v1::NOT_FOUND,
      absl::StrCat(resource, " not found"), {{"resource", resource}});
}

absl::Status EtagMismatchError(absl::string_view resource) {
  return ErrorWithReason(
      absl::StatusCode::kAborted, kyodo::type::v1::ETAG_MISMATCH,
      absl::StrCat(resource,
                   " changed since it was read; get it again and retry"),
      {{"resource", resource}});
}

absl::Status PermissionDeniedError(absl::string_view message) {
  return ErrorWithReason(absl::StatusCode::kPermissionDenied,
                         kyodo::type::v1::PERMISSION_DENIED, message);
}

absl::Status UnauthenticatedError(absl::string_view message) {
  return ErrorWithReason(absl::StatusCode::kUnauthenticated,
                         kyodo::type::v1::UNAUTHENTICATED, message);
}

std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status) {
  return GetPayload<google::rpc::ErrorInfo>(status, kErrorInfoTypeUrl);
}

std::optional<google::rpc::BadRequest> GetBadRequest(
    const absl::Status& status) {
  return GetPayload<google::rpc::BadRequest>(status, kBadRequestTypeUrl);
}

std::string ErrorReason(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : std::string();
}

bool HasReason(const absl::Status& status,
               kyodo::type::v1::ErrorReason reason) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  return info.has_value() && info->reason() == ReasonName(reason);
}

const std::string& ReasonName(kyodo::type::v1::ErrorReason reason) {
  return kyodo::type::v1::ErrorReason_Name(reason);
}

kyodo::type::v1::ErrorReason ReasonForCode(absl::StatusCode code) {
  namespace tv1 = kyodo::type::v1;
  switch (code) {
    case absl::StatusCode::kCancelled:
      return tv1::CANCELLED;
    case absl::StatusCode::kInvalidArgument:
      return tv1::INVALID_ARGUMENT;
    case absl::StatusCode::kDeadlineExceeded:
      return tv1::DEADLINE_EXCEEDED;
    case absl::StatusCode::kNotFound:
      return tv1::NOT_FOUND;
    case absl::StatusCode::kAlreadyExists:
      return tv1::ALREADY_EXISTS;
    case absl::StatusCode::kPermissionDenied:
      return tv1::PERMISSION_DENIED;
    case absl::StatusCode::kResourceExhausted:
      return tv1::RESOURCE_EXHAUSTED;
    case absl::StatusCode::kFailedPrecondition:
      return tv1::FAILED_PRECONDITION;
    case absl::StatusCode::kAborted:
      return tv1::ABORTED;
    case absl::StatusCode::kOutOfRange:
      return tv1::OUT_OF_RANGE;
    case absl::StatusCode::kUnimplemented:
      return tv1::UNIMPLEMENTED;
    case absl::StatusCode::kUnavailable:
      return tv1::UNAVAILABLE;
    case absl::StatusCode::kUnauthenticated:
      return tv1::UNAUTHENTICATED;
    default:
      // OK never becomes an error; INTERNAL, UNKNOWN and DATA_LOSS are sent
      // as INTERNAL with the details withheld (grpc_status.h).
      return tv1::INTERNAL;
  }
}

}  // namespace kyodo::common
