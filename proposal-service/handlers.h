// The handler bodies of ProposalService, one function per RPC, each called
// by service.cc through RpcRunner (authentication and request checks done),
// and the helpers they share. Internal to proposal-service.
#ifndef KYODO_PROPOSAL_SERVICE_HANDLERS_H_
#define KYODO_PROPOSAL_SERVICE_HANDLERS_H_

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/session.h"
#include "common/server/rpc.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "kyodo/type/v1/error_reason.pb.h"
#include "proposal-service/events.h"
#include "proposal-service/service.h"
#include "proposal-service/store/call_store.h"

namespace kyodo::proposal {

// NOLINTBEGIN(bugprone-macro-parentheses): Request and Response are
// types, which cannot be parenthesized.
#define KYODO_PROPOSAL_DECLARE_HANDLER(Method, Request, Response) \
  absl::Status Method(const ServiceDeps& d,                       \
                      const common::server::CallContext& call,    \
                      const Request& r, Response* out);
// NOLINTEND(bugprone-macro-parentheses)
KYODO_PROPOSAL_RPCS(KYODO_PROPOSAL_DECLARE_HANDLER)
#undef KYODO_PROPOSAL_DECLARE_HANDLER
// The streaming method (event_handlers.cc).
absl::Status WatchEvents(const ServiceDeps& d,
                         const common::server::CallContext& call,
                         const v1::WatchEventsRequest& r,
                         grpc::ServerWriter<v1::Event>* writer);
// Who reads and changes a proposal's documents (document_handlers.cc).
const common::documents::Policy& DocumentPolicy();

// The ids in the resource names of this service. Parse* return
// INVALID_ARGUMENT naming `field` for anything else.
struct CallIds {
  std::string programme;
  std::string call;
};
struct ChildIds {  // a reviewer or a proposal of a call
  std::string programme;
  std::string call;
  std::string child;
};
struct ReviewIds {
  std::string programme;
  std::string call;
  std::string proposal;
  std::string reviewer;
};
absl::StatusOr<CallIds> ParseCallName(absl::string_view field,
                                      absl::string_view name);
absl::StatusOr<ChildIds> ParseProposalName(absl::string_view field,
                                           absl::string_view name);
absl::StatusOr<ChildIds> ParseReviewerName(absl::string_view field,
                                           absl::string_view name);
absl::StatusOr<ReviewIds> ParseReviewName(absl::string_view field,
                                          absl::string_view name);
std::string CallName(absl::string_view programme_id, absl::string_view call_id);

// A time in messages and error metadata: "2026-06-12T00:00:00Z".
std::string UtcText(absl::Time t);

// The call `ids` names read with `lock`, or nullopt when there is none
// (also when it belongs to another programme than its name says).
absl::StatusOr<std::optional<store::CallRow>> LoadCall(common::db::Session& s,
                                                       const CallIds& ids,
                                                       store::Lock lock);

// PERMISSION_DENIED unless the caller is an admin or ward staff of `ward`.
absl::Status RequireManager(const common::server::CallContext& call,
                            kyodo::type::v1::Ward ward,
                            absl::string_view action);

// For a record the caller may not see, or that does not exist: NOT_FOUND
// for `name` when `may_know` (the caller could see it if it existed),
// else PERMISSION_DENIED, so that it cannot probe what exists.
absl::Status Hidden(bool may_know, absl::string_view name);

bool IsDecided(v1::Call::State state);

// FAILED_PRECONDITION CALL_DECIDED: nothing of a decided call changes.
absl::Status CallDecidedError(const v1::Call& call);

// A state rule broken: FAILED_PRECONDITION `rule` with the state in the
// message and in the ErrorInfo metadata ("state").
absl::Status StateError(kyodo::type::v1::ErrorReason rule,
                        absl::string_view message, absl::string_view state);

// The standard change of a call through common::server::Mutate: loaded
// FOR UPDATE (so it waits for, and then sees, every change in flight of the
// call's records), authorised for its managers (a missing call is NOT_FOUND
// to admins and ward staff), refused when deleted; `change` does the rest.
// The call's events (CallEventsOf) go to the change feed, after those
// `change` left in `proposal_events`; at publication, one
// PROPOSAL_RESULT_PUBLISHED per proposal with a result.
using CallChange = std::function<absl::Status(
    common::db::Session&, const v1::Call& before, v1::Call& after)>;
absl::Status ChangeCall(const ServiceDeps& d,
                        const common::server::CallContext& call,
                        const std::string& name, const std::string& etag,
                        const std::string& request_id,
                        const google::protobuf::Message& request, v1::Call* out,
                        const CallChange& change,
                        PendingEvents* proposal_events = nullptr);

// The standard change of a proposal through common::server::Mutate: its
// call read with `call_lock` (see 001_proposals.sql), then the proposal
// FOR UPDATE; allowed to the programme's managers and, when
// `applicant_may`, to the proposal's applicant; refused when the call is
// decided (unless `after_decision`) or the proposal deleted; the answer is
// shown as the caller may see it.
struct ProposalChangeOptions {
  store::Lock call_lock = store::Lock::kShare;
  bool applicant_may = true;
  // The gateway's screening credential (role screener) may make it.
  bool screener_may = false;
  bool after_decision = false;
  // Also rewrite the proposal's parties (its co-applicants changed).
  bool replace_parties = false;
};
using ProposalChange = std::function<absl::Status(
    common::db::Session&, const store::CallRow& call,
    const v1::Proposal& before, v1::Proposal& after)>;
absl::Status ChangeProposal(const ServiceDeps& d,
                            const common::server::CallContext& call,
                            const std::string& name, const std::string& etag,
                            const std::string& request_id,
                            const google::protobuf::Message& request,
                            v1::Proposal* out,
                            const ProposalChangeOptions& options,
                            const ProposalChange& change);

// A change that turns out to change nothing (LinkProject with the project
// already linked): returned by a Mutation's change to roll back without
// writing, then recognised by the handler, which answers the record as it
// is.
absl::Status Unchanged();
bool IsUnchanged(const absl::Status& status);

}  // namespace kyodo::proposal

#endif  // KYODO_PROPOSAL_SERVICE_HANDLERS_H_
