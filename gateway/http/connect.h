// The Connect protocol's wire pieces (https://connectrpc.com/docs/protocol),
// independent of any HTTP library: code names and the HTTP status of each,
// the JSON error body with its details, stream envelopes and the timeout
// header. docs/HTTP.md says how the gateway's HTTP entry uses them.
#ifndef KYODO_GATEWAY_HTTP_CONNECT_H_
#define KYODO_GATEWAY_HTTP_CONNECT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace kyodo::gateway::http {

// "invalid_argument", ... for a gRPC code; "unknown" for a code outside the
// sixteen.
std::string CodeName(grpc::StatusCode code);

// The HTTP status Connect gives each code (invalid_argument 400,
// unauthenticated 401, permission_denied 403, not_found 404,
// deadline_exceeded 504, ...).
int HttpStatus(grpc::StatusCode code);

// The Connect error object of `status`: {"code", "message", "details"}, each
// detail of the google.rpc.Status in error_details() as {"type": the
// message's full name, "value": its bytes in unpadded base64, "debug": the
// message as JSON when its type is linked in}.
std::string ErrorJson(const grpc::Status& status);

// Connect-Timeout-Ms: at most 10 ASCII digits. nullopt when malformed.
std::optional<absl::Duration> ParseTimeout(absl::string_view header);

// Stream envelopes: one flags byte, a 4-byte big-endian length, the data.
inline constexpr uint8_t kEndStreamFlag = 0x02;
inline constexpr uint8_t kCompressedFlag = 0x01;
std::string Envelope(uint8_t flags, absl::string_view data);

// The one envelope of a server-streaming request. nullopt unless `body` is
// exactly one uncompressed envelope.
std::optional<std::string> SingleEnvelope(absl::string_view body);

// The end-of-stream message: "{}" for OK, else {"error": ErrorJson(status)}.
std::string EndStreamJson(const grpc::Status& status);

}  // namespace kyodo::gateway::http

#endif  // KYODO_GATEWAY_HTTP_CONNECT_H_
