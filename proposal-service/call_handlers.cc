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
                                           "description"};
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
                        const CallChange& change) {
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
  return common::server::Mutate(*d.pool, call, m, out);
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
                            const std::string& request_id,
                            const std::string& call_name) {
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

// When any member has assignments: FAILED_PRECONDITION TOO_FEW_ASSIGNEES
// naming the first eligible proposals that fewer than min_reviews members
// may review (assigned, without a conflict; committee.h).
absl::Status CheckAssignees(Session& s, const Call& c,
                            const std::vector<store::ReviewerRow>& rows) {
  std::vector<Member> members;
  bool assigned = false;
  for (const store::ReviewerRow& row : rows) {
    members.push_back(ToMember(row.reviewer));
    assigned = assigned || !members.back().assigned.empty();
  }
  if (!assigned) return absl::OkStatus();
  const std::string call_id = store::IdOf(c.name());
  KYODO_ASSIGN_OR_RETURN(auto candidates,
                         store::DecisionCandidates(s, call_id));
  KYODO_ASSIGN_OR_RETURN(auto party_rows, store::PartiesOfCall(s, call_id));
  absl::flat_hash_map<std::string, std::vector<std::string>> parties;
  for (auto& [proposal_id, partner_id] : party_rows)
    parties[proposal_id].push_back(std::move(partner_id));
  std::vector<std::string> short_of;
  for (const store::CandidateRow& candidate : candidates) {
    if (candidate.state != v1::Proposal::ELIGIBLE) continue;
    const std::vector<std::string>& own = parties[candidate.id];
    int able = 0;
    for (const Member& m : members) {
      if (m.Assigned(candidate.id) && !m.ConflictOn(candidate.id, own)) ++able;
    }
    if (able < c.min_reviews()) {
      short_of.push_back(absl::StrCat(c.name(), "/proposals/", candidate.id));
    }
  }
  if (short_of.empty()) return absl::OkStatus();
  std::sort(short_of.begin(), short_of.end());
  const size_t count = short_of.size();
  if (short_of.size() > 20) short_of.resize(20);
  return common::ErrorWithReason(
      absl::StatusCode::kFailedPrecondition, kyodo::type::v1::TOO_FEW_ASSIGNEES,
      absl::StrCat("TOO_FEW_ASSIGNEES: ", count,
                   " proposal(s) have fewer than ", c.min_reviews(),
                   " assigned members without a conflict: ",
                   absl::StrJoin(short_of, ", ")),
      {{"proposals", absl::StrJoin(short_of, ",")},
       {"count", absl::StrCat(count)}});
}

}  // namespace

absl::Status StartReview(const ServiceDeps& d, const CallContext& call,
                         const v1::StartReviewRequest& r, Call* out) {
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("name", r.name()));
  KYODO_ASSIGN_OR_RETURN(auto gathered, GatherCommittee(d, call, ids));
  return ChangeCall(
      d, call, r.name(), r.etag(), r.request_id(), r, out,
      [&](Session& s, const Call& before, Call& after) -> absl::Status {
        KYODO_RETURN_IF_ERROR(RequireState(before, Call::CLOSED,
                                           kyodo::type::v1::CALL_NOT_CLOSED));
        KYODO_ASSIGN_OR_RETURN(
            auto members, store::LiveReviewers(s, store::IdOf(before.name())));
        if (static_cast<int>(members.size()) < before.min_reviews()) {
          return common::FailedPreconditionError(
              kyodo::type::v1::NOT_ENOUGH_REVIEWERS,
              absl::StrCat("the committee has ", members.size(),
                           " member(s); every proposal needs ",
                           before.min_reviews(), " review(s)"));
        }
        KYODO_RETURN_IF_ERROR(
            EndCorrections(s, call, r.request_id(), before.name()));
        KYODO_RETURN_IF_ERROR(
            StoreRelations(s, call, r.request_id(), members, gathered));
        if (!gathered.empty()) {
          KYODO_ASSIGN_OR_RETURN(
              members, store::LiveReviewers(s, store::IdOf(before.name())));
        }
        KYODO_RETURN_IF_ERROR(CheckAssignees(s, before, members));
        after.set_state(Call::UNDER_REVIEW);
        return absl::OkStatus();
      });
}

}  // namespace kyodo::proposal
