// Handlers of the Call methods (公募) up to the review: the record, and the
// transitions DRAFT -> OPEN -> CLOSED -> UNDER_REVIEW. The decision and its
// publication are in decision_handlers.cc.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/audit/audit.h"
#include "common/db/transaction.h"
#include "common/idempotency/idempotency.h"
#include "common/paging/page_token.h"
#include "common/resource/names.h"
#include "common/resource/update_mask.h"
#include "common/server/mutation.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/validate/request.h"
#include "google/protobuf/util/message_differencer.h"
#include "proposal-service/access.h"
#include "proposal-service/committee.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/call_store.h"
#include "proposal-service/store/programme_store.h"
#include "proposal-service/store/proposal_store.h"
#include "proposal-service/store/reviewer_store.h"

namespace kyodo::proposal {

using common::auth::Role;
using common::db::Session;
using common::server::CallContext;
using common::server::RequireRole;
using v1::Call;
namespace doc = common::store;

namespace {

const absl::flat_hash_set<std::string>& MutableCallFields() {
  static const auto* fields =
      new absl::flat_hash_set<std::string>{"display_name",
                                           "fiscal_year",
                                           "submission_start_time",
                                           "submission_end_time",
                                           "budget_yen",
                                           "max_adoptions",
                                           "criteria",
                                           "pass_mark",
                                           "min_reviews",
                                           "tie_break",
                                           "adoption_rule",
                                           "description",
                                           "stages",
                                           "last_stage_display_name",
                                           "last_stage_weight"};
  return *fields;
}

// FAILED_PRECONDITION for a transition that needs state `want`.
absl::Status RequireState(const Call& c, Call::State want,
                          kyodo::type::v1::ErrorReason rule) {
  if (c.state() == want) return absl::OkStatus();
  if (IsDecided(c.state())) return CallDecidedError(c);
  return StateError(rule,
                    absl::StrCat(c.name(), " is not ", Call::State_Name(want)),
                    Call::State_Name(c.state()));
}

}  // namespace

absl::Status ChangeCall(const ServiceDeps& d, const CallContext& call,
                        const std::string& name, const std::string& etag,
                        const std::string& request_id,
                        const google::protobuf::Message& request, Call* out,
                        const CallChange& change,
                        PendingEvents* proposal_events) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "change calls"));
  KYODO_RETURN_IF_ERROR(common::ValidateRequestId("request_id", request_id));
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("name", name));
  common::server::Mutation<Call> m;
  m.name = name;
  m.etag = etag;
  m.request_id = request_id;
  m.request = &request;
  m.load = [&](Session& s)
      -> absl::StatusOr<std::optional<common::server::Versioned<Call>>> {
    KYODO_ASSIGN_OR_RETURN(auto row, LoadCall(s, ids, store::Lock::kUpdate));
    if (!row.has_value()) return std::nullopt;
    return common::server::Versioned<Call>{std::move(row->call), row->version};
  };
  m.authorize = [&](const Call* c) -> absl::Status {
    if (c == nullptr) return absl::OkStatus();  // staff: NOT_FOUND follows
    return RequireManager(call, c->ward(), "change this call");
  };
  m.change = [&](Session& s, const Call& before, Call& after) {
    if (before.has_delete_time()) {
      return common::FailedPreconditionError(kyodo::type::v1::CALL_DELETED,
                                             "the call is deleted");
    }
    return change(s, before, after);
  };
  m.write = store::UpdateCall;
  m.emit = [&](Session& s, const Call& before,
               const Call& after) -> absl::Status {
    PendingEvents own;
    PendingEvents& events = proposal_events ? *proposal_events : own;
    for (v1::Event::Type type : CallEventsOf(before, after)) {
      events.AddCall(type, after);
    }
    if (after.state() == Call::PUBLISHED && before.state() != Call::PUBLISHED) {
      KYODO_ASSIGN_OR_RETURN(
          std::vector<store::ProposalRow> rows,
          store::ProposalsOfCall(s, store::IdOf(after.name())));
      for (const store::ProposalRow& row : rows) {
        if (!row.proposal.has_result()) continue;
        events.AddProposal(v1::Event::PROPOSAL_RESULT_PUBLISHED, row.proposal,
                           after);
      }
    }
    return events.Append(s, call.start);
  };
  KYODO_RETURN_IF_ERROR(common::server::Mutate(*d.pool, call, m, out));
  d.feed->bell().Ring();
  return absl::OkStatus();
}

absl::Status GetCall(const ServiceDeps& d, const CallContext& call,
                     const v1::GetCallRequest& r, Call* out) {
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("name", r.name()));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, LoadCall(s, ids, store::Lock::kNone));
        // A DRAFT call is not announced yet: it does not exist for the public.
        if (!row.has_value() ||
            (row->call.state() == Call::DRAFT && !IsStaff(call.principal))) {
          return common::NotFoundError(r.name());
        }
        *out = std::move(row->call);
        return absl::OkStatus();
      });
}

absl::Status ListCalls(const ServiceDeps& d, const CallContext& call,
                       const v1::ListCallsRequest& r,
                       v1::ListCallsResponse* out) {
  store::CallQuery q;
  if (r.parent() != "programmes/-") {
    KYODO_ASSIGN_OR_RETURN(
        q.programme_id, common::ParseName("parent", r.parent(), "programmes"));
  }
  q.show_deleted = r.show_deleted();
  q.include_drafts = IsStaff(call.principal);
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  KYODO_ASSIGN_OR_RETURN(
      auto filter,
      common::paging::ParseFilter(r.filter(), store::CallFilterFields()));
  const std::string query = absl::StrCat("ListCalls|", r.parent(), "|",
                                         r.filter(), "|", r.show_deleted());
  KYODO_ASSIGN_OR_RETURN(auto cursor, d.pages->Decode(r.page_token(), query));
  std::vector<store::CallRow> rows;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            rows, store::ListCalls(s, q, filter, cursor.last_seq, size + 1));
        return absl::OkStatus();
      }));
  out->set_next_page_token(
      common::paging::FinishPage(rows, size, *d.pages, query));
  for (auto& row : rows) *out->add_calls() = std::move(row.call);
  return absl::OkStatus();
}

absl::Status CreateCall(const ServiceDeps& d, const CallContext& call,
                        const v1::CreateCallRequest& r, Call* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff}, "create calls"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_ASSIGN_OR_RETURN(std::string programme_id,
                         common::ParseName("parent", r.parent(), "programmes"));
  Call c;
  common::ApplyFields(r.call(),
                      std::vector<std::string>(MutableCallFields().begin(),
                                               MutableCallFields().end()),
                      &c);
  KYODO_RETURN_IF_ERROR(domain::ValidateCall(c, "call"));
  return common::db::RunInTransaction(*d.pool, call.deadline, [&](Session& s) {
    return common::idempotency::Run(
        s, r.request_id(), call.principal.subject, call.method, r, out,
        [&]() -> absl::Status {
          // Locked: DeleteProgramme, which checks for calls, waits for us.
          KYODO_ASSIGN_OR_RETURN(auto programme,
                                 store::GetProgramme(s, programme_id, true));
          if (!programme.has_value()) return common::NotFoundError(r.parent());
          KYODO_RETURN_IF_ERROR(
              RequireManager(call, programme->programme.ward(),
                             "create calls of this programme"));
          if (programme->programme.has_delete_time()) {
            return common::FailedPreconditionError(
                kyodo::type::v1::PROGRAMME_DELETED, "the programme is deleted");
          }
          Call created = c;
          created.set_name(CallName(programme_id, common::NewId()));
          created.set_state(Call::DRAFT);
          created.set_ward(programme->programme.ward());
          *created.mutable_create_time() = doc::ToTimestamp(call.start);
          *created.mutable_update_time() = doc::ToTimestamp(call.start);
          created.set_etag(doc::Etag(1));
          KYODO_RETURN_IF_ERROR(store::InsertCall(s, created));
          KYODO_RETURN_IF_ERROR(
              common::audit::Record(s, call.AuditActor(r.request_id()),
                                    created.name(), nullptr, &created));
          *out = std::move(created);
          return absl::OkStatus();
        });
  });
}

absl::Status UpdateCall(const ServiceDeps& d, const CallContext& call,
                        const v1::UpdateCallRequest& r, Call* out) {
  KYODO_ASSIGN_OR_RETURN(auto fields,
                         common::ResolveUpdateMask(r.update_mask(), r.call(),
                                                   MutableCallFields()));
  return ChangeCall(
      d, call, r.call().name(), r.call().etag(), r.request_id(), r, out,
      [&](Session&, const Call& before, Call& after) -> absl::Status {
        if (IsDecided(before.state())) return CallDecidedError(before);
        common::ApplyFields(r.call(), fields, &after);
        KYODO_RETURN_IF_ERROR(domain::ValidateCall(after, "call"));
        if (before.state() == Call::DRAFT) return absl::OkStatus();
        return domain::CheckOpenCallChange(before, after, fields);
      });
}

absl::Status DeleteCall(const ServiceDeps& d, const CallContext& call,
                        const v1::DeleteCallRequest& r, Call* out) {
  return ChangeCall(
      d, call, r.name(), r.etag(), r.request_id(), r, out,
      [&](Session&, const Call& before, Call& after) -> absl::Status {
        KYODO_RETURN_IF_ERROR(
            RequireState(before, Call::DRAFT, kyodo::type::v1::CALL_NOT_DRAFT));
        *after.mutable_delete_time() = doc::ToTimestamp(call.start);
        return absl::OkStatus();
      });
}

absl::Status OpenCall(const ServiceDeps& d, const CallContext& call,
                      const v1::OpenCallRequest& r, Call* out) {
  return ChangeCall(
      d, call, r.name(), r.etag(), r.request_id(), r, out,
      [&](Session& s, const Call& before, Call& after) -> absl::Status {
        KYODO_RETURN_IF_ERROR(
            RequireState(before, Call::DRAFT, kyodo::type::v1::CALL_NOT_DRAFT));
        KYODO_ASSIGN_OR_RETURN(CallIds ids,
                               ParseCallName("name", before.name()));
        KYODO_ASSIGN_OR_RETURN(auto programme,
                               store::GetProgramme(s, ids.programme));
        if (!programme.has_value() || programme->programme.has_delete_time()) {
          return common::FailedPreconditionError(
              kyodo::type::v1::PROGRAMME_DELETED, "the programme is deleted");
        }
        after.set_state(Call::OPEN);
        return absl::OkStatus();
      });
}

absl::Status CloseCall(const ServiceDeps& d, const CallContext& call,
                       const v1::CloseCallRequest& r, Call* out) {
  return ChangeCall(
      d, call, r.name(), r.etag(), r.request_id(), r, out,
      [&](Session&, const Call& before, Call& after) -> absl::Status {
        KYODO_RETURN_IF_ERROR(
            RequireState(before, Call::OPEN, kyodo::type::v1::CALL_NOT_OPEN));
        // Applicants were promised the whole window.
        if (call.start < doc::FromTimestamp(before.submission_end_time())) {
          return common::FailedPreconditionError(
              kyodo::type::v1::SUBMISSION_WINDOW_NOT_ENDED,
              "the submission window is still open; close the call once "
              "submission_end_time has passed");
        }
        after.set_state(Call::CLOSED);
        return absl::OkStatus();
      });
}

namespace {

// Before the review: a proposal returned for correction (ReturnProposal)
// whose deadline is still ahead holds the call (CORRECTIONS_OPEN); one whose
// deadline passed without a resubmission is withdrawn, audited, in the
// review's transaction.
absl::Status EndCorrections(Session& s, const CallContext& call,
                            const std::string& request_id, const Call& c,
                            PendingEvents& events) {
  const std::string& call_name = c.name();
  KYODO_ASSIGN_OR_RETURN(std::vector<store::ProposalRow> rows,
                         store::ProposalsOfCall(s, store::IdOf(call_name)));
  std::vector<store::ProposalRow*> expired;
  for (store::ProposalRow& row : rows) {
    const v1::Proposal& p = row.proposal;
    if (p.state() != v1::Proposal::RETURNED || p.corrections().empty()) {
      continue;
    }
    const v1::Correction& open = p.corrections(p.corrections_size() - 1);
    if (doc::FromTimestamp(open.deadline()) > call.start) {
      return common::ErrorWithReason(
          absl::StatusCode::kFailedPrecondition,
          kyodo::type::v1::CORRECTIONS_OPEN,
          absl::StrCat("CORRECTIONS_OPEN: ", p.name(),
                       " is returned for correction until ",
                       UtcText(doc::FromTimestamp(open.deadline())),
                       "; the review starts after every open correction"),
          {{"proposal", p.name()}});
    }
    expired.push_back(&row);
  }
  const common::audit::Actor actor = call.AuditActor(request_id);
  for (store::ProposalRow* row : expired) {
    v1::Proposal after = row->proposal;
    after.set_state(v1::Proposal::WITHDRAWN);
    *after.mutable_corrections(after.corrections_size() - 1)
         ->mutable_expire_time() = doc::ToTimestamp(call.start);
    *after.mutable_update_time() = doc::ToTimestamp(call.start);
    after.set_etag(doc::Etag(row->version + 1));
    KYODO_RETURN_IF_ERROR(store::UpdateProposal(s, after, row->version));
    KYODO_RETURN_IF_ERROR(
        common::audit::Record(s, actor, after.name(), &row->proposal, &after));
    events.AddProposal(v1::Event::PROPOSAL_WITHDRAWN, after, c);
  }
  return absl::OkStatus();
}

// A member's relations gathered afresh before the review's transaction,
// with the affiliations they were gathered for.
struct Gathered {
  google::protobuf::RepeatedPtrField<std::string> affiliations;
  std::vector<v1::RelatedParty> related;
};

// The related parties (committee.h) of every live member of call `ids`, by
// member name, gathered from partner-service as the programme asks; empty
// when it asks for none. Refuses first the callers who may not start the
// review.
absl::StatusOr<absl::flat_hash_map<std::string, Gathered>> GatherCommittee(
    const ServiceDeps& d, const CallContext& call, const CallIds& ids) {
  absl::flat_hash_map<std::string, Gathered> out;
  std::optional<store::ProgrammeRow> programme;
  std::vector<store::ReviewerRow> members;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto c, LoadCall(s, ids, store::Lock::kNone));
        if (!c.has_value()) return absl::OkStatus();  // NOT_FOUND later
        KYODO_RETURN_IF_ERROR(
            RequireManager(call, c->call.ward(), "start its review"));
        // A call that cannot start its review is refused for that, even
        // when partner-service is down.
        if (c->call.state() != Call::CLOSED) return absl::OkStatus();
        KYODO_ASSIGN_OR_RETURN(programme,
                               store::GetProgramme(s, ids.programme));
        KYODO_ASSIGN_OR_RETURN(members, store::LiveReviewers(s, ids.call));
        return absl::OkStatus();
      }));
  // Nothing to gather (and nothing stored) when the programme asks for
  // neither kind of relation.
  if (!programme.has_value() || (!programme->programme.network_conflicts() &&
                                 !programme->programme.city_unit_conflicts())) {
    return out;
  }
  for (const store::ReviewerRow& row : members) {
    Gathered& g = out[row.reviewer.name()];
    g.affiliations = row.reviewer.affiliations();
    KYODO_ASSIGN_OR_RETURN(
        g.related, GatherRelatedParties(d.records, call, programme->programme,
                                        g.affiliations));
  }
  return out;
}

// In the review's transaction: stores the members' relations gathered
// afresh where they changed, audited. ABORTED when a member's affiliations
// changed, or a member joined, since they were gathered.
absl::Status StoreRelations(
    Session& s, const CallContext& call, const std::string& request_id,
    const std::vector<store::ReviewerRow>& members,
    const absl::flat_hash_map<std::string, Gathered>& gathered) {
  if (gathered.empty()) return absl::OkStatus();
  const common::audit::Actor actor = call.AuditActor(request_id);
  for (const store::ReviewerRow& row : members) {
    auto it = gathered.find(row.reviewer.name());
    if (it == gathered.end() ||
        !std::equal(it->second.affiliations.begin(),
                    it->second.affiliations.end(),
                    row.reviewer.affiliations().begin(),
                    row.reviewer.affiliations().end())) {
      return absl::AbortedError(
          "the committee changed while its conflicts were gathered; try "
          "again");
    }
    v1::Reviewer after = row.reviewer;
    after.clear_related_parties();
    for (const v1::RelatedParty& p : it->second.related)
      *after.add_related_parties() = p;
    if (google::protobuf::util::MessageDifferencer::Equals(after,
                                                           row.reviewer)) {
      continue;
    }
    *after.mutable_update_time() = doc::ToTimestamp(call.start);
    KYODO_RETURN_IF_ERROR(store::UpdateReviewer(s, after, row.version));
    after.set_etag(doc::Etag(row.version + 1));
    KYODO_RETURN_IF_ERROR(
        common::audit::Record(s, actor, after.name(), &row.reviewer, &after));
  }
  return absl::OkStatus();
}

// Every stage's committee: at least the stage's min_reviews members
// (NOT_ENOUGH_REVIEWERS), and no member on a stage the call lacks (its
// stages may have changed while it was a DRAFT: NO_SUCH_STAGE).
absl::Status CheckStageCommittees(const Call& c,
                                  const std::vector<Member>& members) {
  const int32_t last = domain::LastStage(c);
  for (const Member& m : members) {
    for (int32_t stage : m.stages) {
      if (stage < 1 || stage > last) {
        return common::ErrorWithReason(
            absl::StatusCode::kFailedPrecondition,
            kyodo::type::v1::NO_SUCH_STAGE,
            absl::StrCat("NO_SUCH_STAGE: ", m.name, " sits on stage ", stage,
                         "; the call has ", last, " stage(s)"),
            {{"reviewer", m.name}});
      }
    }
  }
  for (int32_t stage = 1; stage <= last; ++stage) {
    const auto sitting =
        std::count_if(members.begin(), members.end(),
                      [&](const Member& m) { return m.SitsOn(stage, last); });
    if (sitting < domain::StageMinReviews(c, stage)) {
      return common::FailedPreconditionError(
          kyodo::type::v1::NOT_ENOUGH_REVIEWERS,
          absl::StrCat(c.stages_size() > 0
                           ? absl::StrCat(domain::StageLabel(c, stage), ": ")
                           : std::string(),
                       "the committee has ", sitting,
                       " member(s); every proposal needs ",
                       domain::StageMinReviews(c, stage), " review(s)"));
    }
  }
  return absl::OkStatus();
}

// The eligible proposals of call `c`, by id: those the first stage reviews.
absl::StatusOr<std::vector<std::string>> EligibleProposals(Session& s,
                                                           const Call& c) {
  KYODO_ASSIGN_OR_RETURN(auto candidates,
                         store::DecisionCandidates(s, store::IdOf(c.name())));
  std::vector<std::string> ids;
  for (const store::CandidateRow& candidate : candidates) {
    if (candidate.state == v1::Proposal::ELIGIBLE) ids.push_back(candidate.id);
  }
  return ids;
}

}  // namespace

absl::Status StartReview(const ServiceDeps& d, const CallContext& call,
                         const v1::StartReviewRequest& r, Call* out) {
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("name", r.name()));
  KYODO_ASSIGN_OR_RETURN(auto gathered, GatherCommittee(d, call, ids));
  PendingEvents withdrawn;
  return ChangeCall(
      d, call, r.name(), r.etag(), r.request_id(), r, out,
      [&](Session& s, const Call& before, Call& after) -> absl::Status {
        withdrawn.Clear();  // a retried transaction starts afresh
        KYODO_RETURN_IF_ERROR(RequireState(before, Call::CLOSED,
                                           kyodo::type::v1::CALL_NOT_CLOSED));
        const std::string call_id = store::IdOf(before.name());
        KYODO_ASSIGN_OR_RETURN(auto members, store::LiveReviewers(s, call_id));
        {
          std::vector<Member> committee;
          committee.reserve(members.size());
          for (const auto& row : members)
            committee.push_back(ToMember(row.reviewer));
          KYODO_RETURN_IF_ERROR(CheckStageCommittees(before, committee));
        }
        KYODO_RETURN_IF_ERROR(
            EndCorrections(s, call, r.request_id(), before, withdrawn));
        KYODO_RETURN_IF_ERROR(
            StoreRelations(s, call, r.request_id(), members, gathered));
        // With the relations as stored now.
        KYODO_ASSIGN_OR_RETURN(std::vector<Member> committee,
                               LoadMembers(s, call_id));
        KYODO_ASSIGN_OR_RETURN(CallParties parties,
                               CallParties::Load(s, call_id));
        KYODO_ASSIGN_OR_RETURN(std::vector<std::string> eligible,
                               EligibleProposals(s, before));
        KYODO_RETURN_IF_ERROR(
            CheckAssignees(before, 1, committee, eligible, parties));
        after.set_state(Call::UNDER_REVIEW);
        after.set_current_stage(1);
        return absl::OkStatus();
      },
      &withdrawn);
}

}  // namespace kyodo::proposal
