#include "tests/testing/status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace kyodo::testing {
namespace {

google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status details;
  details.ParseFromString(status.error_details());
  return details;
}

}  // namespace

std::string Reason(const grpc::Status& status) {
  const google::rpc::Status details = Details(status);
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::string Domain(const grpc::Status& status) {
  const google::rpc::Status details = Details(status);
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.domain();
  }
  return "";
}

std::string BadField(const grpc::Status& status) {
  const google::rpc::Status details = Details(status);
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      return bad.field_violations(0).field();
    }
  }
  return "";
}

}  // namespace kyodo::testing
