// Handlers of the decision: PreviewDecision (a dry run), DecideCall
// (UNDER_REVIEW -> DECIDED, once), GetDecision and PublishResults
// (DECIDED -> PUBLISHED).
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/crypto/sha256.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "proposal-service/access.h"
#include "proposal-service/decision_input.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/domain/selection_codec.h"
#include "proposal-service/domain/validation.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/decision_store.h"
#include "proposal-service/store/proposal_store.h"

namespace kyodo::proposal {

using common::server::CallContext;
using common::server::RequireRole;
namespace {

using common::auth::Role;
using common::db::Session;
using v1::Call;
using v1::Proposal;
namespace doc = common::store;

// Writes each proposal's result, and the state ADOPTED or NOT_ADOPTED to
// the eligible ones (INELIGIBLE and WITHDRAWN keep theirs), each audited,
// inside the decision's transaction. Staff and the committee read the
// results from now on; the proposals' etag and update_time change only at
// publication (PublishResults), so that an applicant, who reads its
// proposal unchanged until then (access.cc), cannot tell from them either.
absl::Status RecordResults(Session& s, const CallContext& call,
                           const std::string& request_id, const Call& c,
                           const v1::Decision& decision) {
  absl::flat_hash_map<std::string, const v1::ProposalResult*> results;
  for (const v1::ProposalResult& r : decision.results())
    results[r.proposal()] = &r;
  KYODO_ASSIGN_OR_RETURN(std::vector<store::ProposalRow> rows,
                         store::ProposalsOfCall(s, store::IdOf(c.name())));
  const common::audit::Actor actor = call.AuditActor(request_id);
  for (store::ProposalRow& row : rows) {
    auto it = results.find(row.proposal.name());
    if (it == results.end()) continue;
    Proposal after = row.proposal;
    *after.mutable_result() = *it->second;
    if (after.state() == Proposal::ELIGIBLE) {
      after.set_state(it->second->reason() == v1::ProposalResult::ADOPTED
                          ? Proposal::ADOPTED
                          : Proposal::NOT_ADOPTED);
    }
    KYODO_RETURN_IF_ERROR(store::RecordResult(s, after, row.version));
    KYODO_RETURN_IF_ERROR(
        common::audit::Record(s, actor, after.name(), &row.proposal, &after));
  }
  return absl::OkStatus();
}

// FAILED_PRECONDITION STAGES_REMAINING while an earlier stage is under
// review: the decision ranks the last stage's scores.
absl::Status RequireLastStage(const Call& c) {
  const int32_t stage = domain::CurrentStage(c);
  if (stage >= domain::LastStage(c)) return absl::OkStatus();
  return common::ErrorWithReason(
      absl::StatusCode::kFailedPrecondition, kyodo::type::v1::STAGES_REMAINING,
      absl::StrCat("STAGES_REMAINING: ", c.name(), " is at ",
                   domain::StageLabel(c, stage), " of ", domain::LastStage(c),
                   "; close it with AdvanceStage first"),
      {{"current_stage", absl::StrCat(stage)}});
}

absl::Status Decide(Session& s, const CallContext& call,
                    const v1::DecideCallRequest& r, const Call& before,
                    Call& after) {
  const std::string& request_id = r.request_id();
  if (IsDecided(before.state())) {
    return StateError(kyodo::type::v1::ALREADY_DECIDED,
                      absl::StrCat(before.name(), " is decided"),
                      Call::State_Name(before.state()));
  }
  if (before.state() != Call::UNDER_REVIEW) {
    return StateError(kyodo::type::v1::REVIEW_NOT_STARTED,
                      "a call is decided from UNDER_REVIEW (see StartReview)",
                      Call::State_Name(before.state()));
  }
  KYODO_RETURN_IF_ERROR(RequireLastStage(before));
  KYODO_ASSIGN_OR_RETURN(DecisionInput in, LoadDecisionInput(s, before));
  KYODO_RETURN_IF_ERROR(CheckScreened(in));
  // The committee's rulings go into the stored inputs, so that the
  // decision is recomputed with them; the proposals' audited results carry
  // them (RecordResults).
  KYODO_RETURN_IF_ERROR(ApplyRulings(r.rulings(), in));
  // Not a preview: refused (CheckReviews) while reviews are missing.
  KYODO_ASSIGN_OR_RETURN(v1::Decision decision,
                         ComputeDecision(before, in, false));
  decision.set_decided_by(call.principal.subject);
  *decision.mutable_decide_time() = doc::ToTimestamp(call.start);
  const std::string inputs = domain::EncodeSelectionInput(in.input);
  decision.set_inputs_sha256(common::Sha256Hex(inputs));
  KYODO_RETURN_IF_ERROR(
      store::InsertDecision(s, store::IdOf(before.name()), decision, inputs));
  KYODO_RETURN_IF_ERROR(RecordResults(s, call, request_id, before, decision));
  after.set_state(Call::DECIDED);
  *after.mutable_decide_time() = doc::ToTimestamp(call.start);
  return absl::OkStatus();
}

}  // namespace

absl::Status PreviewDecision(const ServiceDeps& d, const CallContext& call,
                             const v1::PreviewDecisionRequest& r,
                             v1::Decision* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "preview decisions"));
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("name", r.name()));
  std::optional<int64_t> budget;
  std::optional<int32_t> limit;
  if (r.has_budget_yen()) {
    if (r.budget_yen() < 0 || r.budget_yen() > domain::kMaxAmount) {
      return common::InvalidArgumentError("budget_yen", "must be 0..10^15");
    }
    budget = r.budget_yen();
  }
  if (r.has_max_adoptions()) {
    if (r.max_adoptions() < 0) {
      return common::InvalidArgumentError("max_adoptions",
                                          "must be 0 (no limit) or more");
    }
    limit = r.max_adoptions();
  }
  if (r.has_adoption_rule() && r.adoption_rule() != Call::GREEDY_SKIP &&
      r.adoption_rule() != Call::GREEDY_STOP) {
    return common::InvalidArgumentError("adoption_rule",
                                        "GREEDY_SKIP or GREEDY_STOP");
  }
  if (r.has_pass_mark() &&
      (r.pass_mark() < 0 || r.pass_mark() > domain::kMaxPassMark)) {
    return common::InvalidArgumentError("pass_mark", "must be 0..100");
  }
  KYODO_RETURN_IF_ERROR(
      CheckRulings(CallName(ids.programme, ids.call), r.rulings()));
  // A dry run: no transaction, nothing locked, nothing written.
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, LoadCall(s, ids, store::Lock::kNone));
        if (!row.has_value()) return common::NotFoundError(r.name());
        KYODO_RETURN_IF_ERROR(
            RequireManager(call, row->call.ward(), "preview this decision"));
        const Call::State state = row->call.state();
        if (state != Call::UNDER_REVIEW && !IsDecided(state)) {
          return StateError(kyodo::type::v1::REVIEW_NOT_STARTED,
                            "a decision is previewed from UNDER_REVIEW on",
                            Call::State_Name(state));
        }
        if (state == Call::UNDER_REVIEW) {
          KYODO_RETURN_IF_ERROR(RequireLastStage(row->call));
        }
        // The call with the what-if rules in place of its own.
        Call rules = row->call;
        if (r.has_adoption_rule()) rules.set_adoption_rule(r.adoption_rule());
        if (r.has_pass_mark()) rules.set_pass_mark(r.pass_mark());
        if (r.has_tie_break_order()) {
          *rules.mutable_tie_break() = r.tie_break_order().tie_break();
          KYODO_RETURN_IF_ERROR(
              domain::ValidateTieBreakList(rules, "tie_break_order"));
        }
        KYODO_ASSIGN_OR_RETURN(DecisionInput in,
                               LoadDecisionInput(s, rules, budget, limit));
        KYODO_RETURN_IF_ERROR(CheckScreened(in));
        KYODO_RETURN_IF_ERROR(ApplyRulings(r.rulings(), in));
        KYODO_ASSIGN_OR_RETURN(*out, ComputeDecision(rules, in, true));
        return absl::OkStatus();
      });
}

absl::Status DecideCall(const ServiceDeps& d, const CallContext& call,
                        const v1::DecideCallRequest& r, v1::Decision* out) {
  Call decided;
  KYODO_RETURN_IF_ERROR(ChangeCall(
      d, call, r.name(), r.etag(), r.request_id(), r, &decided,
      [&](Session& s, const Call& before, Call& after) {
        // Checked before anything is read: a ruling of another
        // call, or without a reason, changes nothing.
        KYODO_RETURN_IF_ERROR(CheckRulings(before.name(), r.rulings()));
        return Decide(s, call, r, before, after);
      }));
  // The decision as stored (also for a replayed request_id, whose first
  // answer was the call).
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            auto decision, store::GetDecision(s, store::IdOf(decided.name())));
        if (!decision.has_value())
          return absl::InternalError("decision not stored");
        *out = std::move(*decision);
        return absl::OkStatus();
      });
}

absl::Status GetDecision(const ServiceDeps& d, const CallContext& call,
                         const v1::GetDecisionRequest& r, v1::Decision* out) {
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("name", r.name()));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, LoadCall(s, ids, store::Lock::kNone));
        if (!row.has_value()) return common::NotFoundError(r.name());
        KYODO_ASSIGN_OR_RETURN(Access access,
                               AccessTo(s, call.principal, *row));
        if (!SeesCall(access)) return common::NotFoundError(r.name());
        const Call::State state = row->call.state();
        // Staff read it once made; the committee too; everyone once published.
        const bool allowed = access.staff || state == Call::PUBLISHED ||
                             (access.seat.has_value() && IsDecided(state));
        if (!allowed) {
          return common::PermissionDeniedError(
              "the decision is not published yet; only staff and the committee "
              "read it");
        }
        KYODO_ASSIGN_OR_RETURN(auto decision, store::GetDecision(s, ids.call));
        if (!decision.has_value()) {
          return StateError(kyodo::type::v1::NOT_DECIDED,
                            absl::StrCat(r.name(), " has no decision yet"),
                            Call::State_Name(state));
        }
        *out = std::move(*decision);
        if (!access.staff && !access.seat.has_value()) {
          // The public reads the ranked results only: withdrawn and
          // ineligible proposals are not published (access.h).
          auto* results = out->mutable_results();
          results->erase(std::remove_if(results->begin(), results->end(),
                                        [](const v1::ProposalResult& result) {
                                          return !IsPublishedResult(result);
                                        }),
                         results->end());
        }
        return absl::OkStatus();
      });
}

absl::Status PublishResults(const ServiceDeps& d, const CallContext& call,
                            const v1::PublishResultsRequest& r, Call* out) {
  return ChangeCall(
      d, call, r.name(), r.etag(), r.request_id(), r, out,
      [&](Session& s, const Call& before, Call& after) -> absl::Status {
        if (before.state() == Call::PUBLISHED) {
          return StateError(kyodo::type::v1::ALREADY_PUBLISHED,
                            "the results are published",
                            Call::State_Name(before.state()));
        }
        if (before.state() != Call::DECIDED) {
          return StateError(kyodo::type::v1::NOT_DECIDED,
                            "results are published once decided",
                            Call::State_Name(before.state()));
        }
        after.set_state(Call::PUBLISHED);
        *after.mutable_publish_time() = doc::ToTimestamp(call.start);
        // Each applicant now reads its outcome: a new version of each
        // decided proposal (the decision left etag and update_time as they
        // were).
        return store::TouchDecided(s, store::IdOf(before.name()), call.start);
      });
}

}  // namespace kyodo::proposal
