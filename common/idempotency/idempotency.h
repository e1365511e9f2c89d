// Request ids (AIP-155): a mutation carrying a request_id happens once.
//
// An id is scoped to the caller (the token's subject) and the method: the
// same id sent by two callers, or to two methods, names two unrelated
// requests. So no caller can claim an id that another caller (or the
// gateway, for the steps it takes) will use, nor read another's answer.
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
#include <thread>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "common/db/pool.h"
#include "common/db/session.h"
#include "common/time/clock.h"
#include "google/protobuf/message.h"

namespace kyodo::common::idempotency {

// The stored response bytes when `request_id` was used before by the same
// principal and method with an identical request; nullopt when this call
// claimed it. INVALID_ARGUMENT (reason REQUEST_ID_REUSED, field request_id)
// when the same principal used it on the same method for another request.
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

// Stores the response of an id `principal` claimed on `method`.
absl::Status Complete(db::Session& session, absl::string_view request_id,
                      absl::string_view principal, absl::string_view method,
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
// "finalize/create-project/programmes/p/calls/c/proposals/x". Anyone can
// compute it: for ids only their own caller uses (kyodoctl's seed).
std::string DeriveRequestId(absl::string_view key);

// As above, but an HMAC-SHA256 of `key` under `secret`: stable for whoever
// holds the secret (the gateway, for its own steps), and not guessable from
// the public names in `key` by anyone else.
std::string DeriveRequestId(absl::string_view key, absl::string_view secret);

// Deletes ids older than `before`; returns how many.
absl::StatusOr<int64_t> Purge(db::Session& session, absl::Time before);

// The scheduled purge of a service's stored request ids and their answers
// (which hold whatever the answers held, partners' contacts included):
// every `interval`, ids older than `max_age` by `clock` are deleted. A retry
// of a call older than `max_age` then runs as a new call.
class Purger {
 public:
  Purger(db::ConnectionPool& pool, const Clock& clock, absl::Duration max_age);
  ~Purger();  // stops the thread, if started
  Purger(const Purger&) = delete;
  Purger& operator=(const Purger&) = delete;

  // One purge now; how many ids it deleted.
  absl::StatusOr<int64_t> RunOnce();
  // Purges once now, on the calling thread, and then every `interval` on a
  // thread of its own until destroyed; failures are logged and retried at
  // the next interval. A service calls it before it says SERVING, so that
  // its first purge never holds a pooled session under its first calls.
  void Start(absl::Duration interval);

 private:
  void RunLogged();

  db::ConnectionPool& pool_;
  const Clock& clock_;
  const absl::Duration max_age_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace kyodo::common::idempotency

#endif  // KYODO_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_
