// Request ids (AIP-155): a mutation carrying a request_id happens once.
//
// Inside the mutation's transaction, Claim inserts the id before any other
// write. A concurrent call with the same id blocks on that row until the
// first transaction ends: if it committed, the second finds the stored
// response and returns it, writing nothing; if it rolled back, the second
// proceeds as the first. The response is stored by Complete in the same
// transaction, so there is never an id without its change or a change
// without its id. Failed calls store nothing and may be retried.
#ifndef KYODO_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_
#define KYODO_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_

#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "google/protobuf/message.h"

namespace kyodo::common::idempotency {

// The stored response bytes when `request_id` was used before by the same
// principal and method with an identical request; nullopt when this call
// claimed it. INVALID_ARGUMENT (reason REQUEST_ID_REUSED, field request_id)
// when it was used for something else.
absl::StatusOr<std::optional<std::string>> Claim(
    db::Session& session, absl::string_view request_id,
    absl::string_view principal, absl::string_view method,
    const google::protobuf::Message& request);

// True when `request_id` already holds a committed response for this
// principal and method; claims nothing. A service that must ask another one
// before it can write (and cannot while that one is down) checks this first,
// so a retry of a finished call still gets its first answer.
absl::StatusOr<bool> IsAnswered(db::Session& session,
                                absl::string_view request_id,
                                absl::string_view principal,
                                absl::string_view method);

// Stores the response of a claimed id.
absl::Status Complete(db::Session& session, absl::string_view request_id,
                      const google::protobuf::Message& response);

// Runs `body` once per request id: with an empty id, just runs it; with a
// claimed id, runs it and stores `*response`; with a used id, fills
// `*response` from the first call and skips `body`.
absl::Status Run(db::Session& session, absl::string_view request_id,
                 absl::string_view principal, absl::string_view method,
                 const google::protobuf::Message& request,
                 google::protobuf::Message* response,
                 absl::FunctionRef<absl::Status()> body);

// A request id (UUID form) derived from `key`: the same key always gives the
// same id, so a step retried by a composed workflow (or a seed reloaded) is
// recognised as a replay. Keys should name the step and its subject, e.g.
// "finalize/create-project/programmes/p/calls/c/proposals/x".
std::string DeriveRequestId(absl::string_view key);

// Deletes ids older than `before`; returns how many.
absl::StatusOr<int64_t> Purge(db::Session& session, absl::Time before);

}  // namespace kyodo::common::idempotency

#endif  // KYODO_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_
