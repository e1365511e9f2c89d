#include "proposal-service/events.h"

#include "absl/strings/str_cat.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "proposal-service/handlers.h"

namespace kyodo::proposal {

using v1::Call;
using v1::Event;
using v1::Proposal;

void PendingEvents::AddProposal(Event::Type type, const Proposal& proposal,
                                const Call& call) {
  const Proposal& kept = proposals_.emplace_back(proposal);
  events_.push_back({type, kept.name(), call.name(),
                     static_cast<int32_t>(call.state()), &kept});
}

void PendingEvents::AddCall(Event::Type type, const Call& call) {
  const Call& kept = calls_.emplace_back(call);
  events_.push_back({type, kept.name(), kept.name(),
                     static_cast<int32_t>(kept.state()), &kept});
}

absl::Status PendingEvents::Append(common::db::Session& s,
                                   absl::Time time) const {
  return common::events::Append(s, time, events_);
}

std::optional<Event::Type> ProposalEventOf(const Proposal& before,
                                           const Proposal& after) {
  if (before.state() == after.state()) return std::nullopt;
  switch (after.state()) {
    case Proposal::SUBMITTED:
      return Event::PROPOSAL_SUBMITTED;
    case Proposal::ELIGIBLE:
    case Proposal::INELIGIBLE:
      return Event::PROPOSAL_SCREENED;
    case Proposal::RETURNED:
      return Event::PROPOSAL_RETURNED;
    case Proposal::WITHDRAWN:
      return Event::PROPOSAL_WITHDRAWN;
    default:
      // DRAFT (created), ADOPTED and NOT_ADOPTED (the decision: its events
      // are the call's, CALL_DECIDED and then PROPOSAL_RESULT_PUBLISHED).
      return std::nullopt;
  }
}

std::vector<Event::Type> CallEventsOf(const Call& before, const Call& after) {
  std::vector<Event::Type> events;
  if (before.state() != after.state()) {
    switch (after.state()) {
      case Call::OPEN:
        events.push_back(Event::CALL_OPENED);
        break;
      case Call::CLOSED:
        events.push_back(Event::CALL_CLOSED);
        break;
      case Call::DECIDED:
        events.push_back(Event::CALL_DECIDED);
        break;
      case Call::PUBLISHED:
        events.push_back(Event::RESULTS_PUBLISHED);
        break;
      default:
        break;
    }
  }
  if (after.state() == Call::UNDER_REVIEW &&
      after.current_stage() != before.current_stage()) {
    events.push_back(Event::REVIEW_STAGE_OPENED);
  }
  return events;
}

absl::StatusOr<const std::optional<Access>*> EventReader::AccessOf(
    const std::string& call) {
  auto it = access_.find(call);
  if (it != access_.end()) return &it->second;
  std::optional<Access> access;
  absl::StatusOr<CallIds> ids = ParseCallName("scope", call);
  if (ids.ok()) {
    KYODO_ASSIGN_OR_RETURN(auto row, LoadCall(s_, *ids, store::Lock::kNone));
    if (row.has_value()) {
      KYODO_ASSIGN_OR_RETURN(access, AccessTo(s_, who_, *row));
    }
  }
  return &access_.emplace(call, std::move(access)).first->second;
}

absl::StatusOr<std::optional<Event>> EventReader::Shape(
    const common::events::StoredEvent& stored) {
  if (!Event::Type_IsValid(stored.type)) {
    // An event type of a newer release: its readers are newer too.
    return std::nullopt;
  }
  const auto type = static_cast<Event::Type>(stored.type);
  KYODO_ASSIGN_OR_RETURN(const std::optional<Access>* access,
                         AccessOf(stored.scope));
  const bool staff = IsStaff(who_);
  if (!staff && !access->has_value()) return std::nullopt;
  const bool sits = access->has_value() && (*access)->seat.has_value();
  // The call as it was when the event happened: an event tells what its
  // moment allowed, whatever happened since.
  if (!Call::State_IsValid(stored.scope_state)) {
    return common::store::BadStoredValue(
        {"events", common::events::FormatCursor(stored.id), "scope_state"},
        absl::StrCat(stored.scope_state, " is no call state"));
  }
  const auto then = static_cast<Call::State>(stored.scope_state);

  Event event;
  event.set_cursor(common::events::FormatCursor(stored.id));
  event.set_type(type);
  event.set_resource(stored.resource);
  *event.mutable_time() = common::store::ToTimestamp(stored.time);
  if (stored.resource == stored.scope) {
    if (!event.mutable_call()->ParseFromString(stored.snapshot)) {
      return common::store::BadStoredValue(
          {"events", common::events::FormatCursor(stored.id), "snapshot"},
          "not a Call");
    }
    // GetDecision's rule: a decision not yet published is for staff and
    // the committee.
    const bool seen = type == Event::CALL_DECIDED
                          ? staff || sits
                          : staff || then != Call::DRAFT;
    if (!seen) return std::nullopt;
    return event;
  }
  if (!event.mutable_proposal()->ParseFromString(stored.snapshot)) {
    return common::store::BadStoredValue(
        {"events", common::events::FormatCursor(stored.id), "snapshot"},
        "not a Proposal");
  }
  const ProposalView view = ViewOf(who_, staff, sits, then, event.proposal());
  if (view == ProposalView::kNone) return std::nullopt;
  Redact(view, then, event.mutable_proposal());
  return event;
}

}  // namespace kyodo::proposal
