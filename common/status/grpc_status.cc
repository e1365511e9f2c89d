#include "common/status/grpc_status.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "google/rpc/status.pb.h"

namespace kyodo::common {

bool IsInternalError(absl::StatusCode code) {
  return code == absl::StatusCode::kInternal ||
         code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kDataLoss;
}

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain,
                          absl::string_view call_id) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));

  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  std::string message(status.message());
  if (IsInternalError(status.code())) {
    message = absl::StrCat("internal error; quote call id ", call_id,
                           " when reporting it");
    info = google::rpc::ErrorInfo();
    info->set_reason(ReasonName(kyodo::type::v1::INTERNAL));
  } else if (!info.has_value()) {
    info = google::rpc::ErrorInfo();
    info->set_reason(ReasonName(ReasonForCode(status.code())));
  }
  if (info->domain().empty()) info->set_domain(std::string(domain));
  (*info->mutable_metadata())["call_id"] = std::string(call_id);
  details.set_message(message);
  details.add_details()->PackFrom(*info);
  if (!IsInternalError(status.code())) {
    if (std::optional<google::rpc::BadRequest> bad = GetBadRequest(status)) {
      details.add_details()->PackFrom(*bad);
    }
  }
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()),
                   status.error_message());
  google::rpc::Status details;
  if (status.error_details().empty() ||
      !details.ParseFromString(status.error_details())) {
    return out;
  }
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&info)) {
      SetErrorInfo(out, info);
    } else if (any.UnpackTo(&bad)) {
      out.SetPayload(kBadRequestTypeUrl, absl::Cord(bad.SerializeAsString()));
    }
  }
  return out;
}

}  // namespace kyodo::common
