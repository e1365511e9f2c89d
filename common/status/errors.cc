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
                                  absl::string_view reason) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
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
    absl::StatusCode code, absl::string_view reason, absl::string_view message,
    std::initializer_list<std::pair<absl::string_view, absl::string_view>>
        metadata) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  for (const auto& [key, value] : metadata) {
    (*info.mutable_metadata())[std::string(key)] = std::string(value);
  }
  return WithInfo(code, message, info);
}

absl::Status FailedPreconditionError(absl::string_view rule,
                                     absl::string_view message) {
  return ErrorWithReason(absl::StatusCode::kFailedPrecondition, rule,
                         absl::StrCat(rule, ": ", message));
}

absl::Status NotFoundError(absl::string_view resource) {
  return ErrorWithReason(absl::StatusCode::kNotFound, "NOT_FOUND",
                         absl::StrCat(resource, " not found"),
                         {{"resource", resource}});
}

absl::Status EtagMismatchError(absl::string_view resource) {
  return ErrorWithReason(
      absl::StatusCode::kAborted, "ETAG_MISMATCH",
      absl::StrCat(resource,
                   " changed since it was read; get it again and retry"),
      {{"resource", resource}});
}

absl::Status PermissionDeniedError(absl::string_view message) {
  return ErrorWithReason(absl::StatusCode::kPermissionDenied,
                         "PERMISSION_DENIED", message);
}

absl::Status UnauthenticatedError(absl::string_view message) {
  return ErrorWithReason(absl::StatusCode::kUnauthenticated, "UNAUTHENTICATED",
                         message);
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

}  // namespace kyodo::common
