// The one mapping between absl::Status and grpc::Status.
//
// Outbound (ToGrpcStatus): the code is kept; the ErrorInfo and BadRequest
// payloads become a google.rpc.Status in grpc-status-details-bin, with the
// ErrorInfo domain set to the service's (`kyodo.partner`, ...) unless a
// downstream already named its own. INTERNAL, UNKNOWN and DATA_LOSS never send
// their message, which may hold SQL or other internals: the caller gets
// "internal error" and the call id to quote, while the handler logs the full
// status under the same id.
//
// Inbound (FromGrpcStatus): a status received from another kyodo service keeps
// its code, message and details, so a gateway can pass a precise error on.
#ifndef KYODO_COMMON_STATUS_GRPC_STATUS_H_
#define KYODO_COMMON_STATUS_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace kyodo::common {

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain,
                          absl::string_view call_id);

absl::Status FromGrpcStatus(const grpc::Status& status);

// True for the codes whose message ToGrpcStatus withholds.
bool IsInternalError(absl::StatusCode code);

}  // namespace kyodo::common

#endif  // KYODO_COMMON_STATUS_GRPC_STATUS_H_
