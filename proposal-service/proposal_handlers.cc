// Handlers of the Proposal methods up to submission and withdrawal.
// Screening and the link to the consignment project are in
// screening_handlers.cc.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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
#include "proposal-service/access.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/events.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/programme_store.h"
#include "proposal-service/store/proposal_store.h"
#include "proposal-service/store/reviewer_store.h"

namespace kyodo::proposal {

using common::auth::Role;
using common::db::Session;
using common::server::CallContext;
using common::server::RequireRole;
using v1::Call;
using v1::Proposal;
namespace doc = common::store;

namespace {

// Live drafts one applicant may hold in one call (a service limit, not a
// programme rule): a proposal is at most about 40 KB (the limits in
// proposal_service.proto), and the ward's staff views page through every
// proposal of the ward's calls, so drafts must not grow without bound.
// Deleting a draft frees its place.
constexpr int32_t kMaxDraftsPerApplicantInCall = 20;

// What an applicant writes. The applicant itself is fixed at creation.
const absl::flat_hash_set<std::string>& MutableProposalFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "co_applicants",        "title",    "issue", "plan",
      "requested_amount_yen", "continues"};
  return *fields;
}

// Returns for correction (ReturnProposal in proposal_service.proto): how
// far ahead a deadline may lie (the call's review waits for it), and how
// many returns one proposal may have (Proposal.corrections' max_items).
constexpr absl::Duration kMaxCorrectionTime = absl::Hours(24 * 90);
constexpr int kMaxCorrections = 5;

absl::Status RequireDraft(const Proposal& p) {
  if (p.state() == Proposal::DRAFT) return absl::OkStatus();
  return StateError(kyodo::type::v1::PROPOSAL_NOT_DRAFT,
                    "only a DRAFT proposal changes this way",
                    Proposal::State_Name(p.state()));
}

// The applicant edits a draft, and a proposal returned for correction.
absl::Status RequireEditable(const Proposal& p) {
  if (p.state() == Proposal::DRAFT || p.state() == Proposal::RETURNED) {
    return absl::OkStatus();
  }
  return StateError(kyodo::type::v1::PROPOSAL_NOT_DRAFT,
                    "only a DRAFT proposal, or one RETURNED for correction, "
                    "is edited",
                    Proposal::State_Name(p.state()));
}

// What happens only before the review starts (StartReview): the call is
// OPEN or CLOSED.
absl::Status RequireBeforeReview(const Call& c, absl::string_view what) {
  if (c.state() == Call::OPEN || c.state() == Call::CLOSED) {
    return absl::OkStatus();
  }
  return StateError(kyodo::type::v1::REVIEW_STARTED,
                    absl::StrCat(what, " only until the review starts"),
                    Call::State_Name(c.state()));
}

// The window rule: start <= t < end.
absl::Status CheckWindow(const Call& c, absl::Time t) {
  if (t < doc::FromTimestamp(c.submission_start_time())) {
    return common::FailedPreconditionError(
        kyodo::type::v1::NOT_OPEN_YET,
        "the submission window has not opened yet");
  }
  if (t >= doc::FromTimestamp(c.submission_end_time())) {
    return common::FailedPreconditionError(
        kyodo::type::v1::SUBMISSION_WINDOW_CLOSED,
        "the submission window has closed");
  }
  return absl::OkStatus();
}

// ListProposals' parent: a call, a programme's calls or every call.
absl::StatusOr<store::ProposalQuery> ParseParent(absl::string_view parent) {
  store::ProposalQuery q;
  const std::vector<absl::string_view> parts = absl::StrSplit(parent, '/');
  const bool shaped =
      parts.size() == 4 && parts[0] == "programmes" && parts[2] == "calls";
  if (shaped && parts[1] == "-" && parts[3] == "-") return q;
  if (shaped && common::IsValidId(parts[1]) && parts[3] == "-") {
    q.programme_id = std::string(parts[1]);
    return q;
  }
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("parent", parent));
  q.programme_id = ids.programme;
  q.call_id = ids.call;
  return q;
}

// ListProposals' and SummarizeProposals' filter. An applicant must not
// learn its outcome before publication, not even by filtering on state: it
// filters on the state it reads.
absl::StatusOr<common::paging::SqlFilter> ParseProposalFilter(
    const CallContext& call, const std::string& filter) {
  return common::paging::ParseFilter(filter,
                                     call.principal.role == Role::kApplicant
                                         ? store::ApplicantFilterFields()
                                         : store::ProposalFilterFields());
}

// Refuses a List of one call's proposals to a caller that could see none
// of them but its own; sets the query's scope from the caller's role.
absl::Status ScopeList(Session& s, const CallContext& call,
                       absl::string_view parent, store::ProposalQuery& q) {
  using Scope = store::ProposalQuery::Scope;
  const common::auth::Principal& p = call.principal;
  switch (p.role) {
    case Role::kAdmin:
    case Role::kWardStaff:
      q.scope = Scope::kAll;
      break;
    case Role::kReviewer:
      q.scope = Scope::kSeatsOrPublished;
      q.principal = p.reviewer;
      break;
    case Role::kApplicant:
      q.scope = Scope::kOwnOrPublished;
      q.applicant_id = store::IdOf(p.partner);
      break;
    case Role::kViewer:
    case Role::kScreener:  // refused before any handler (rpc.h)
    case Role::kNotifier:
      q.scope = Scope::kPublished;
      break;
  }
  if (q.call_id.empty()) return absl::OkStatus();
  KYODO_ASSIGN_OR_RETURN(
      auto row, LoadCall(s, {q.programme_id, q.call_id}, store::Lock::kNone));
  if (!row.has_value()) return Hidden(IsStaff(p), parent);
  KYODO_ASSIGN_OR_RETURN(Access access, AccessTo(s, p, *row));
  if (!SeesCall(access)) return Hidden(false, parent);
  if (q.scope == Scope::kSeatsOrPublished || q.scope == Scope::kPublished) {
    if (!SeesAllProposals(access)) {
      return common::PermissionDeniedError(
          "only staff and the call's committee read its proposals before the "
          "results are published");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ChangeProposal(const ServiceDeps& d, const CallContext& call,
                            const std::string& name, const std::string& etag,
                            const std::string& request_id,
                            const google::protobuf::Message& request,
                            Proposal* out, const ProposalChangeOptions& options,
                            const ProposalChange& change) {
  KYODO_RETURN_IF_ERROR(common::ValidateRequestId("request_id", request_id));
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseProposalName("name", name));
  std::optional<store::CallRow> call_row;
  common::server::Mutation<Proposal> m;
  m.name = name;
  m.etag = etag;
  m.request_id = request_id;
  m.request = &request;
  m.load = [&](Session& s)
      -> absl::StatusOr<std::optional<common::server::Versioned<Proposal>>> {
    KYODO_ASSIGN_OR_RETURN(
        call_row, LoadCall(s, {ids.programme, ids.call}, options.call_lock));
    if (!call_row.has_value()) return std::nullopt;
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetProposal(s, ids.child, true));
    if (!row.has_value() || row->call_id != ids.call) return std::nullopt;
    return common::server::Versioned<Proposal>{std::move(row->proposal),
                                               row->version};
  };
  m.authorize = [&](const Proposal* p) -> absl::Status {
    const common::auth::Principal& who = call.principal;
    if (p == nullptr) return Hidden(IsStaff(who), name);
    if (who.CanManageWard(call_row->call.ward())) return absl::OkStatus();
    if (options.screener_may && who.role == Role::kScreener) {
      return absl::OkStatus();
    }
    if (options.applicant_may && who.role == Role::kApplicant &&
        !who.partner.empty() && who.partner == p->applicant()) {
      return absl::OkStatus();
    }
    return common::PermissionDeniedError(
        options.applicant_may
            ? "only the applicant and the programme's ward staff change a "
              "proposal"
            : "only admins and the programme's ward staff do this");
  };
  m.change = [&](Session& s, const Proposal& before,
                 Proposal& after) -> absl::Status {
    if (!options.after_decision && IsDecided(call_row->call.state())) {
      return CallDecidedError(call_row->call);
    }
    if (before.has_delete_time()) {
      return common::FailedPreconditionError(kyodo::type::v1::PROPOSAL_DELETED,
                                             "the proposal is deleted");
    }
    return change(s, *call_row, before, after);
  };
  m.write = [&](Session& s, const Proposal& after,
                int64_t version) -> absl::Status {
    KYODO_RETURN_IF_ERROR(store::UpdateProposal(s, after, version));
    if (options.replace_parties) return store::ReplaceParties(s, after);
    return absl::OkStatus();
  };
  m.emit = [&](Session& s, const Proposal& before,
               const Proposal& after) -> absl::Status {
    std::optional<v1::Event::Type> type = ProposalEventOf(before, after);
    if (!type.has_value()) return absl::OkStatus();
    PendingEvents events;
    events.AddProposal(*type, after, call_row->call);
    return events.Append(s, call.start);
  };
  KYODO_RETURN_IF_ERROR(common::server::Mutate(*d.pool, call, m, out));
  d.feed->bell().Ring();
  if (!call_row.has_value()) {
    // A replayed request_id: Mutate answered the stored response without
    // loading anything, so the call is read here to shape the answer as of
    // now (the stored one is the unredacted proposal).
    KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
        *d.pool, call.deadline, [&](Session& s) -> absl::Status {
          KYODO_ASSIGN_OR_RETURN(
              call_row,
              LoadCall(s, {ids.programme, ids.call}, store::Lock::kNone));
          return absl::OkStatus();
        }));
    if (!call_row.has_value()) return Hidden(IsStaff(call.principal), name);
  }
  const ProposalView view = ViewOf(call.principal, IsStaff(call.principal),
                                   false, call_row->call.state(), *out);
  Redact(view, call_row->call.state(), out);
  return absl::OkStatus();
}

absl::Status GetProposal(const ServiceDeps& d, const CallContext& call,
                         const v1::GetProposalRequest& r, Proposal* out) {
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseProposalName("name", r.name()));
  // The proposal as `access` shows it. One the caller may not see (a
  // draft) answers as a missing one would, so that existence cannot be
  // probed.
  auto Shown = [&](const Access& access, Proposal proposal) -> absl::Status {
    const ProposalView view = ViewOf(call.principal, access, proposal);
    if (view == ProposalView::kNone) {
      return Hidden(SeesAllProposals(access), r.name());
    }
    *out = std::move(proposal);
    Redact(view, access.call_state, out);
    return absl::OkStatus();
  };
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        // The proposal and its call in one read. When either is missing or
        // the name's parents are not theirs, the reads below find out
        // which, for the error that caller may be told; so they do for a
        // stored proposal that does not parse (DATA_LOSS), whose error only
        // those who see the call may get.
        absl::StatusOr<std::optional<store::ProposalInCall>> found =
            store::GetProposalInCall(s, ids.child);
        if (!found.ok() && found.status().code() != absl::StatusCode::kDataLoss)
          return found.status();
        if (found.ok() && found->has_value() &&
            (*found)->row.call_id == ids.call &&
            (*found)->call_programme_id == ids.programme) {
          store::ProposalInCall& in_call = **found;
          KYODO_ASSIGN_OR_RETURN(
              Access access,
              AccessTo(s, call.principal, ids.call, in_call.call_ward,
                       in_call.row.call_state));
          if (!SeesCall(access)) return Hidden(false, r.name());
          return Shown(access, std::move(in_call.row.proposal));
        }
        KYODO_ASSIGN_OR_RETURN(
            auto c, LoadCall(s, {ids.programme, ids.call}, store::Lock::kNone));
        if (!c.has_value()) return Hidden(IsStaff(call.principal), r.name());
        KYODO_ASSIGN_OR_RETURN(Access access, AccessTo(s, call.principal, *c));
        if (!SeesCall(access)) return Hidden(false, r.name());
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetProposal(s, ids.child));
        if (!row.has_value() || row->call_id != ids.call) {
          return Hidden(SeesAllProposals(access), r.name());
        }
        return Shown(access, std::move(row->proposal));
      });
}

absl::Status ListProposals(const ServiceDeps& d, const CallContext& call,
                           const v1::ListProposalsRequest& r,
                           v1::ListProposalsResponse* out) {
  KYODO_ASSIGN_OR_RETURN(store::ProposalQuery q, ParseParent(r.parent()));
  q.show_deleted = r.show_deleted();
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  KYODO_ASSIGN_OR_RETURN(auto filter, ParseProposalFilter(call, r.filter()));
  const std::string query = absl::StrCat("ListProposals|", r.parent(), "|",
                                         r.filter(), "|", r.show_deleted());
  KYODO_ASSIGN_OR_RETURN(auto cursor, d.pages->Decode(r.page_token(), query));
  std::vector<store::ProposalRow> rows;
  absl::flat_hash_set<std::string> seats;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_RETURN_IF_ERROR(ScopeList(s, call, r.parent(), q));
        if (q.scope == store::ProposalQuery::Scope::kSeatsOrPublished) {
          KYODO_ASSIGN_OR_RETURN(auto ids, store::SeatCalls(s, q.principal));
          seats.insert(ids.begin(), ids.end());
        }
        KYODO_ASSIGN_OR_RETURN(
            rows,
            store::ListProposals(s, q, filter, cursor.last_seq, size + 1));
        return absl::OkStatus();
      }));
  out->set_next_page_token(
      common::paging::FinishPage(rows, size, *d.pages, query));
  const bool staff = IsStaff(call.principal);
  for (store::ProposalRow& row : rows) {
    const ProposalView view =
        ViewOf(call.principal, staff, seats.contains(row.call_id),
               row.call_state, row.proposal);
    if (view == ProposalView::kNone) continue;
    Proposal* p = out->add_proposals();
    *p = std::move(row.proposal);
    Redact(view, row.call_state, p);
  }
  return absl::OkStatus();
}

absl::Status SummarizeProposals(const ServiceDeps& d, const CallContext& call,
                                const v1::SummarizeProposalsRequest& r,
                                v1::ProposalSummary* out) {
  KYODO_ASSIGN_OR_RETURN(store::ProposalQuery q, ParseParent(r.parent()));
  KYODO_ASSIGN_OR_RETURN(auto filter, ParseProposalFilter(call, r.filter()));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_RETURN_IF_ERROR(ScopeList(s, call, r.parent(), q));
        KYODO_ASSIGN_OR_RETURN(*out, store::SummarizeProposals(s, q, filter));
        return absl::OkStatus();
      });
}

absl::Status CreateProposal(const ServiceDeps& d, const CallContext& call,
                            const v1::CreateProposalRequest& r, Proposal* out) {
  KYODO_RETURN_IF_ERROR(
      RequireRole(call, {Role::kAdmin, Role::kWardStaff, Role::kApplicant},
                  "create proposals"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("parent", r.parent()));
  Proposal p;
  std::vector<std::string> fields(MutableProposalFields().begin(),
                                  MutableProposalFields().end());
  fields.emplace_back("applicant");
  common::ApplyFields(r.proposal(), fields, &p);
  if (call.principal.role == Role::kApplicant &&
      (call.principal.partner.empty() ||
       p.applicant() != call.principal.partner)) {
    return common::PermissionDeniedError(
        "an applicant proposes as itself: proposal.applicant must be its own "
        "partner");
  }
  KYODO_RETURN_IF_ERROR(domain::ValidateProposal(p, "proposal"));
  return common::db::RunInTransaction(*d.pool, call.deadline, [&](Session& s) {
    return common::idempotency::Run(
        s, r.request_id(), call.principal.subject, call.method, r, out,
        [&]() -> absl::Status {
          // Exclusive: two creations by one applicant must count each
          // other's drafts.
          KYODO_ASSIGN_OR_RETURN(auto c,
                                 LoadCall(s, ids, store::Lock::kUpdate));
          if (!c.has_value() ||
              (c->call.state() == Call::DRAFT && !IsStaff(call.principal))) {
            return common::NotFoundError(r.parent());
          }
          if (IsStaff(call.principal)) {
            KYODO_RETURN_IF_ERROR(RequireManager(
                call, c->call.ward(), "register proposals for this call"));
          }
          if (IsDecided(c->call.state())) return CallDecidedError(c->call);
          if (c->call.has_delete_time()) {
            return common::FailedPreconditionError(
                kyodo::type::v1::CALL_DELETED, "the call is deleted");
          }
          if (c->call.state() != Call::OPEN) {
            return StateError(kyodo::type::v1::CALL_NOT_OPEN,
                              "proposals are made to an OPEN call",
                              Call::State_Name(c->call.state()));
          }
          KYODO_ASSIGN_OR_RETURN(
              int32_t drafts,
              store::CountDrafts(s, ids.call, store::IdOf(p.applicant())));
          if (drafts >= kMaxDraftsPerApplicantInCall) {
            return common::ErrorWithReason(
                absl::StatusCode::kFailedPrecondition,
                kyodo::type::v1::TOO_MANY_DRAFTS,
                absl::StrCat("TOO_MANY_DRAFTS: the applicant already has ",
                             drafts,
                             " drafts in this call, the most one "
                             "applicant may hold (",
                             kMaxDraftsPerApplicantInCall,
                             "); submit or delete one first"),
                {{"limit", absl::StrCat(kMaxDraftsPerApplicantInCall)}});
          }
          Proposal created = p;
          created.set_name(
              absl::StrCat(c->call.name(), "/proposals/", common::NewId()));
          created.set_state(Proposal::DRAFT);
          *created.mutable_create_time() = doc::ToTimestamp(call.start);
          *created.mutable_update_time() = doc::ToTimestamp(call.start);
          created.set_etag(doc::Etag(1));
          KYODO_RETURN_IF_ERROR(store::InsertProposal(
              s, created, c->call.ward(), c->call.fiscal_year()));
          KYODO_RETURN_IF_ERROR(
              common::audit::Record(s, call.AuditActor(r.request_id()),
                                    created.name(), nullptr, &created));
          *out = std::move(created);
          return absl::OkStatus();
        });
  });
}

absl::Status UpdateProposal(const ServiceDeps& d, const CallContext& call,
                            const v1::UpdateProposalRequest& r, Proposal* out) {
  KYODO_ASSIGN_OR_RETURN(
      auto fields, common::ResolveUpdateMask(r.update_mask(), r.proposal(),
                                             MutableProposalFields()));
  ProposalChangeOptions options;
  options.replace_parties =
      std::find(fields.begin(), fields.end(), "co_applicants") != fields.end();
  return ChangeProposal(
      d, call, r.proposal().name(), r.proposal().etag(), r.request_id(), r, out,
      options,
      [&](Session&, const store::CallRow&, const Proposal& before,
          Proposal& after) -> absl::Status {
        KYODO_RETURN_IF_ERROR(RequireEditable(before));
        common::ApplyFields(r.proposal(), fields, &after);
        return domain::ValidateProposal(after, "proposal");
      });
}

absl::Status DeleteProposal(const ServiceDeps& d, const CallContext& call,
                            const v1::DeleteProposalRequest& r, Proposal* out) {
  return ChangeProposal(
      d, call, r.name(), r.etag(), r.request_id(), r, out, {},
      [&](Session&, const store::CallRow&, const Proposal& before,
          Proposal& after) -> absl::Status {
        KYODO_RETURN_IF_ERROR(RequireDraft(before));
        *after.mutable_delete_time() = doc::ToTimestamp(call.start);
        return absl::OkStatus();
      });
}

absl::Status SubmitProposal(const ServiceDeps& d, const CallContext& call,
                            const v1::SubmitProposalRequest& r, Proposal* out) {
  absl::Time when = call.start;
  if (r.has_received_time()) {
    KYODO_RETURN_IF_ERROR(
        RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                    "register paper submissions (received_time)"));
    when = doc::FromTimestamp(r.received_time());
    if (when > call.start) {
      return common::InvalidArgumentError("received_time", "is in the future");
    }
  }
  ProposalChangeOptions options;
  // Exclusive: two submissions of one applicant must count each other.
  options.call_lock = store::Lock::kUpdate;
  return ChangeProposal(
      d, call, r.name(), r.etag(), r.request_id(), r, out, options,
      [&](Session& s, const store::CallRow& c, const Proposal& before,
          Proposal& after) -> absl::Status {
        const bool corrected = before.state() == Proposal::RETURNED;
        if (corrected) {
          // A resubmission after correction: judged by the correction's
          // deadline, not by the call's window.
          KYODO_RETURN_IF_ERROR(
              RequireBeforeReview(c.call, "a corrected proposal is submitted"));
          const v1::Correction& open =
              before.corrections(before.corrections_size() - 1);
          if (when < doc::FromTimestamp(open.return_time())) {
            return common::InvalidArgumentError(
                "received_time",
                "is before the proposal was returned for correction");
          }
          if (when >= doc::FromTimestamp(open.deadline())) {
            const std::string deadline =
                UtcText(doc::FromTimestamp(open.deadline()));
            return common::ErrorWithReason(
                absl::StatusCode::kFailedPrecondition,
                kyodo::type::v1::CORRECTION_DEADLINE_PASSED,
                absl::StrCat("CORRECTION_DEADLINE_PASSED: the correction was "
                             "due before ",
                             deadline),
                {{"deadline", deadline}});
          }
        } else {
          KYODO_RETURN_IF_ERROR(RequireDraft(before));
          if (c.call.state() != Call::OPEN) {
            return StateError(kyodo::type::v1::CALL_NOT_OPEN,
                              "proposals are submitted to an OPEN call",
                              Call::State_Name(c.call.state()));
          }
          KYODO_RETURN_IF_ERROR(CheckWindow(c.call, when));
        }
        KYODO_ASSIGN_OR_RETURN(auto programme,
                               store::GetProgramme(s, c.programme_id));
        if (programme.has_value() &&
            programme->programme.one_proposal_per_applicant()) {
          // Co-applicants count as applicants (proposal_service.proto).
          std::vector<std::string> parties = {before.applicant()};
          parties.insert(parties.end(), before.co_applicants().begin(),
                         before.co_applicants().end());
          for (const std::string& party : parties) {
            KYODO_ASSIGN_OR_RETURN(
                int32_t others,
                store::CountOtherSubmitted(s, store::IdOf(c.call.name()),
                                           store::IdOf(party),
                                           store::IdOf(before.name())));
            if (others == 0) continue;
            return common::ErrorWithReason(
                absl::StatusCode::kFailedPrecondition,
                kyodo::type::v1::TOO_MANY_PROPOSALS_IN_CALL,
                absl::StrCat(
                    "TOO_MANY_PROPOSALS_IN_CALL: ",
                    party == before.applicant() ? "the applicant "
                                                : "co-applicant ",
                    party,
                    " is already a party to a submitted proposal in this "
                    "call; the programme accepts one per applicant, "
                    "co-applicants included (withdraw it first)"),
                {{"partner", party}});
          }
        }
        after.set_state(Proposal::SUBMITTED);
        if (corrected) {
          // The first submission's time stays: it is the one the
          // tie-break EARLIER_SUBMISSION reads.
          *after.mutable_corrections(after.corrections_size() - 1)
               ->mutable_resubmit_time() = doc::ToTimestamp(when);
        } else {
          *after.mutable_submit_time() = doc::ToTimestamp(when);
        }
        return absl::OkStatus();
      });
}

absl::Status ReturnProposal(const ServiceDeps& d, const CallContext& call,
                            const v1::ReturnProposalRequest& r, Proposal* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                    "return proposals for correction"));
  KYODO_RETURN_IF_ERROR(common::RequireNonEmpty("note", r.note()));
  if (!r.has_deadline()) {
    return common::InvalidArgumentError("deadline", "required",
                                        kyodo::type::v1::FIELD_REQUIRED);
  }
  const absl::Time deadline = doc::FromTimestamp(r.deadline());
  if (deadline <= call.start) {
    return common::InvalidArgumentError("deadline", "must be in the future");
  }
  if (deadline > call.start + kMaxCorrectionTime) {
    return common::InvalidArgumentError(
        "deadline",
        "must be at most 90 days ahead (the call's review "
        "waits for every open correction)");
  }
  ProposalChangeOptions options;
  options.applicant_may = false;
  return ChangeProposal(
      d, call, r.name(), r.etag(), r.request_id(), r, out, options,
      [&](Session&, const store::CallRow& c, const Proposal& before,
          Proposal& after) -> absl::Status {
        const Proposal::State state = before.state();
        if (state != Proposal::SUBMITTED && state != Proposal::ELIGIBLE &&
            state != Proposal::INELIGIBLE) {
          return StateError(
              kyodo::type::v1::PROPOSAL_NOT_SUBMITTED,
              "only a submitted proposal (SUBMITTED, ELIGIBLE or INELIGIBLE) "
              "is returned for correction",
              Proposal::State_Name(state));
        }
        KYODO_RETURN_IF_ERROR(
            RequireBeforeReview(c.call, "a proposal is returned"));
        if (before.corrections_size() >= kMaxCorrections) {
          return common::ErrorWithReason(
              absl::StatusCode::kFailedPrecondition,
              kyodo::type::v1::TOO_MANY_CORRECTIONS,
              absl::StrCat("TOO_MANY_CORRECTIONS: the proposal was returned ",
                           before.corrections_size(),
                           " times, the most it may be"),
              {{"limit", absl::StrCat(kMaxCorrections)}});
        }
        v1::Correction* correction = after.add_corrections();
        correction->set_note(r.note());
        *correction->mutable_deadline() = r.deadline();
        *correction->mutable_return_time() = doc::ToTimestamp(call.start);
        correction->set_returned_by(call.principal.subject);
        correction->set_returned_from(state);
        if (after.has_screening()) {
          *correction->mutable_screening() =
              std::move(*after.mutable_screening());
          after.clear_screening();
        }
        after.set_state(Proposal::RETURNED);
        return absl::OkStatus();
      });
}

absl::Status WithdrawProposal(const ServiceDeps& d, const CallContext& call,
                              const v1::WithdrawProposalRequest& r,
                              Proposal* out) {
  return ChangeProposal(
      d, call, r.name(), r.etag(), r.request_id(), r, out, {},
      [&](Session&, const store::CallRow& c, const Proposal& before,
          Proposal& after) -> absl::Status {
        const Proposal::State state = before.state();
        if (state != Proposal::SUBMITTED && state != Proposal::ELIGIBLE &&
            state != Proposal::INELIGIBLE && state != Proposal::RETURNED) {
          return StateError(
              state == Proposal::WITHDRAWN
                  ? kyodo::type::v1::ALREADY_WITHDRAWN
                  : kyodo::type::v1::PROPOSAL_NOT_SUBMITTED,
              "only a submitted proposal is withdrawn (a draft is deleted)",
              Proposal::State_Name(state));
        }
        KYODO_RETURN_IF_ERROR(
            RequireBeforeReview(c.call, "a proposal is withdrawn"));
        after.set_state(Proposal::WITHDRAWN);
        return absl::OkStatus();
      });
}

}  // namespace kyodo::proposal
