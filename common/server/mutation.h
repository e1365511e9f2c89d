// The standard change of one stored resource (AIP-134/135/154/155/164/216),
// in one transaction:
//   request id claimed (a replay answers the first response and stops) ->
//   resource loaded FOR UPDATE -> authorised (before existence is revealed)
//   -> NOT_FOUND -> etag checked (ABORTED) -> changed -> update_time set ->
//   written as version + 1 -> audited -> its events appended to the change
//   feed (common/events/outbox.h) -> answered with the new etag.
// Every service's Update, Delete, Undelete and state transitions go through
// it, so none of those steps can be forgotten in one of them.
#ifndef KYODO_COMMON_SERVER_MUTATION_H_
#define KYODO_COMMON_SERVER_MUTATION_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/audit/audit.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/idempotency/idempotency.h"
#include "common/server/rpc.h"
#include "common/status/errors.h"
#include "common/store/doc.h"
#include "google/protobuf/message.h"

namespace kyodo::common::server {

// A stored resource and its row version.
template <typename Resource>
struct Versioned {
  Resource resource;
  int64_t version = 0;
};

template <typename Resource>
struct Mutation {
  std::string name;        // the resource changed
  std::string etag;        // as sent; "" = no check
  std::string request_id;  // as sent; "" = none
  const google::protobuf::Message* request = nullptr;

  // Loads `name` FOR UPDATE; nullopt when it does not exist.
  std::function<absl::StatusOr<std::optional<Versioned<Resource>>>(
      db::Session&)>
      load;
  // Optional: refuses the caller given what was loaded (nullptr when it does
  // not exist), so a denied caller learns nothing about existence.
  std::function<absl::Status(const Resource*)> authorize;
  // Edits `after`, a copy of `before`; refuses with the rule it breaks.
  std::function<absl::Status(db::Session&, const Resource& before,
                             Resource& after)>
      change;
  // Stores `after` over row version `version`.
  std::function<absl::Status(db::Session&, const Resource& after,
                             int64_t version)>
      write;
  // Optional: appends the change's events (common/events/outbox.h) to the
  // change feed; the transaction's last step. `after` carries its new etag.
  std::function<absl::Status(db::Session&, const Resource& before,
                             const Resource& after)>
      emit;
};

// Runs `m` for `call`; on success `*out` is the changed resource.
template <typename Resource>
absl::Status Mutate(db::ConnectionPool& pool, const CallContext& call,
                    const Mutation<Resource>& m, Resource* out) {
  return db::RunInTransaction(pool, call.deadline, [&](db::Session& s) {
    return idempotency::Run(
        s, m.request_id, call.principal.subject, call.method, *m.request, out,
        [&]() -> absl::Status {
          absl::StatusOr<std::optional<Versioned<Resource>>> loaded = m.load(s);
          if (!loaded.ok()) return loaded.status();
          if (m.authorize) {
            absl::Status allowed = m.authorize(
                loaded->has_value() ? &(*loaded)->resource : nullptr);
            if (!allowed.ok()) return allowed;
          }
          if (!loaded->has_value()) return NotFoundError(m.name);
          const Versioned<Resource>& before = **loaded;
          if (!store::EtagMatches(m.etag, before.version)) {
            return EtagMismatchError(m.name);
          }
          Resource after = before.resource;
          if (absl::Status s2 = m.change(s, before.resource, after); !s2.ok()) {
            return s2;
          }
          *after.mutable_update_time() = store::ToTimestamp(call.start);
          if (absl::Status s2 = m.write(s, after, before.version); !s2.ok()) {
            return s2;
          }
          after.set_etag(store::Etag(before.version + 1));
          if (absl::Status s2 = audit::Record(s, call.AuditActor(m.request_id),
                                              m.name, &before.resource, &after);
              !s2.ok()) {
            return s2;
          }
          if (m.emit) {
            if (absl::Status s2 = m.emit(s, before.resource, after); !s2.ok()) {
              return s2;
            }
          }
          *out = std::move(after);
          return absl::OkStatus();
        });
  });
}

}  // namespace kyodo::common::server

#endif  // KYODO_COMMON_SERVER_MUTATION_H_
