// proposal-service's change feed (kyodo.proposal.v1.Event): which changes
// are events, written by ChangeCall and ChangeProposal in the change's
// transaction (common/events/outbox.h), and who reads which (the same rules
// as GetCall, GetProposal and GetDecision, access.h).
#ifndef KYODO_PROPOSAL_SERVICE_EVENTS_H_
#define KYODO_PROPOSAL_SERVICE_EVENTS_H_

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/db/session.h"
#include "common/events/outbox.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "proposal-service/access.h"

namespace kyodo::proposal {

// Events a transaction has collected, appended as its last step. Holds the
// snapshots it points to.
class PendingEvents {
 public:
  void AddProposal(v1::Event::Type type, const v1::Proposal& proposal,
                   const v1::Call& call);
  void AddCall(v1::Event::Type type, const v1::Call& call);
  bool empty() const { return events_.empty(); }
  // Forgets them (a transaction that starts again).
  void Clear() {
    events_.clear();
    proposals_.clear();
    calls_.clear();
  }
  absl::Status Append(common::db::Session& s, absl::Time time) const;

 private:
  std::deque<v1::Proposal> proposals_;  // stable addresses
  std::deque<v1::Call> calls_;
  std::vector<common::events::NewEvent> events_;
};

// The event of a proposal's change from `before` to `after` in `call`, if
// it is one (a state that the feed reports).
std::optional<v1::Event::Type> ProposalEventOf(const v1::Proposal& before,
                                               const v1::Proposal& after);
// The events of a call's change, in order.
std::vector<v1::Event::Type> CallEventsOf(const v1::Call& before,
                                          const v1::Call& after);

// Shapes stored events for one reader, reading each call's access once.
class EventReader {
 public:
  EventReader(common::db::Session& s, const common::auth::Principal& who)
      : s_(s), who_(who) {}
  // The event as `who` may see it, or nullopt when it may not.
  absl::StatusOr<std::optional<v1::Event>> Shape(
      const common::events::StoredEvent& stored);

 private:
  // The reader's access to `call` (nullopt: the call is gone).
  absl::StatusOr<const std::optional<Access>*> AccessOf(
      const std::string& call);

  common::db::Session& s_;
  const common::auth::Principal& who_;
  absl::flat_hash_map<std::string, std::optional<Access>> access_;
};

}  // namespace kyodo::proposal

#endif  // KYODO_PROPOSAL_SERVICE_EVENTS_H_
