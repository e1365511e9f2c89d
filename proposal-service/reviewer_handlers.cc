// Handlers of the Reviewer methods: the committee (審査会) of a call and its
// members' conflicts of interest. Members are appointed by the programme's
// managers; the committee may change until the decision.
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
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
#include "proposal-service/handlers.h"
#include "proposal-service/store/proposal_store.h"
#include "proposal-service/store/reviewer_store.h"

namespace kyodo::proposal {

using common::server::CallContext;
using common::server::RequireRole;
namespace {

using common::auth::Role;
using common::db::Session;
using v1::Reviewer;
namespace doc = common::store;

const absl::flat_hash_set<std::string>& MutableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "display_name", "principal", "affiliations"};
  return *fields;
}

// Adds to `r` (a member of call `call_name`) the AFFILIATION conflicts:
// the call's submitted proposals whose applicant or co-applicant is one of
// its affiliations.
absl::Status AddAffiliationConflicts(Session& s, const std::string& call_name,
                                     Reviewer* r) {
  std::vector<std::string> partner_ids;
  for (const std::string& a : r->affiliations())
    partner_ids.push_back(store::IdOf(a));
  KYODO_ASSIGN_OR_RETURN(
      std::vector<std::string> proposals,
      store::ProposalsWithParties(s, store::IdOf(call_name), partner_ids));
  for (const std::string& id : proposals) {
    Reviewer::Conflict* c = r->add_conflicts();
    c->set_proposal(absl::StrCat(call_name, "/proposals/", id));
    c->set_source(Reviewer::Conflict::AFFILIATION);
    c->set_note(
        "an affiliation of the member is the applicant or a co-applicant");
  }
  return absl::OkStatus();
}

absl::Status Decorate(const ServiceDeps& d, const CallContext& call,
                      Reviewer* r) {
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseReviewerName("name", r->name()));
  return common::db::RunWithSession(*d.pool, call.deadline, [&](Session& s) {
    return AddAffiliationConflicts(s, CallName(ids.programme, ids.call), r);
  });
}

// Loads call `ids` for reading and refuses callers that may not see its
// committee: staff and the committee's own members.
absl::StatusOr<store::CallRow> CommitteeReadable(Session& s,
                                                 const CallContext& call,
                                                 const CallIds& ids,
                                                 absl::string_view name) {
  KYODO_ASSIGN_OR_RETURN(auto row, LoadCall(s, ids, store::Lock::kNone));
  if (!row.has_value()) return Hidden(IsStaff(call.principal), name);
  KYODO_ASSIGN_OR_RETURN(Access access, AccessTo(s, call.principal, *row));
  if (!access.staff && !access.seat.has_value()) {
    return common::PermissionDeniedError(
        "only staff and the members of a call's committee read it");
  }
  return *std::move(row);
}

// The standard change of a member through Mutate, under a shared lock of
// its call; `may` says who may make it (beyond nothing: it must allow).
absl::Status ChangeReviewer(
    const ServiceDeps& d, const CallContext& call, const std::string& name,
    const std::string& etag, const std::string& request_id,
    const google::protobuf::Message& request, Reviewer* out,
    std::function<bool(const store::CallRow&, const Reviewer&)> may,
    std::function<absl::Status(Session&, Reviewer&)> change) {
  KYODO_RETURN_IF_ERROR(common::ValidateRequestId("request_id", request_id));
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseReviewerName("name", name));
  std::optional<store::CallRow> call_row;
  common::server::Mutation<Reviewer> m;
  m.name = name;
  m.etag = etag;
  m.request_id = request_id;
  m.request = &request;
  m.load = [&](Session& s)
      -> absl::StatusOr<std::optional<common::server::Versioned<Reviewer>>> {
    KYODO_ASSIGN_OR_RETURN(
        call_row, LoadCall(s, {ids.programme, ids.call}, store::Lock::kShare));
    if (!call_row.has_value()) return std::nullopt;
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetReviewer(s, ids.child, true));
    if (!row.has_value() || row->call_id != ids.call) return std::nullopt;
    return common::server::Versioned<Reviewer>{std::move(row->reviewer),
                                               row->version};
  };
  m.authorize = [&](const Reviewer* r) -> absl::Status {
    if (r == nullptr) return Hidden(IsStaff(call.principal), name);
    if (may(*call_row, *r)) return absl::OkStatus();
    return common::PermissionDeniedError(
        absl::StrCat("only admins and ward staff of ",
                     kyodo::type::v1::Ward_Name(call_row->call.ward()),
                     " may change this committee member"));
  };
  m.change = [&](Session& s, const Reviewer& before,
                 Reviewer& after) -> absl::Status {
    if (IsDecided(call_row->call.state()))
      return CallDecidedError(call_row->call);
    if (before.has_delete_time()) {
      return common::FailedPreconditionError(kyodo::type::v1::REVIEWER_DELETED,
                                             "the member is deleted");
    }
    return change(s, after);
  };
  m.write = store::UpdateReviewer;
  KYODO_RETURN_IF_ERROR(common::server::Mutate(*d.pool, call, m, out));
  return Decorate(d, call, out);
}

bool Manages(const CallContext& call, const store::CallRow& c) {
  return call.principal.CanManageWard(c.call.ward());
}

}  // namespace

absl::Status GetReviewer(const ServiceDeps& d, const CallContext& call,
                         const v1::GetReviewerRequest& r, Reviewer* out) {
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseReviewerName("name", r.name()));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(
            store::CallRow c,
            CommitteeReadable(s, call, {ids.programme, ids.call}, r.name()));
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetReviewer(s, ids.child));
        if (!row.has_value() || row->call_id != ids.call) {
          return common::NotFoundError(r.name());
        }
        *out = std::move(row->reviewer);
        return AddAffiliationConflicts(s, c.call.name(), out);
      });
}

absl::Status ListReviewers(const ServiceDeps& d, const CallContext& call,
                           const v1::ListReviewersRequest& r,
                           v1::ListReviewersResponse* out) {
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("parent", r.parent()));
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  const std::string query =
      absl::StrCat("ListReviewers|", r.parent(), "|", r.show_deleted());
  KYODO_ASSIGN_OR_RETURN(auto cursor, d.pages->Decode(r.page_token(), query));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(store::CallRow c,
                               CommitteeReadable(s, call, ids, r.parent()));
        KYODO_ASSIGN_OR_RETURN(
            auto rows, store::ListReviewers(s, ids.call, r.show_deleted(),
                                            cursor.last_seq, size + 1));
        out->set_next_page_token(
            common::paging::FinishPage(rows, size, *d.pages, query));
        for (auto& row : rows) {
          Reviewer* member = out->add_reviewers();
          *member = std::move(row.reviewer);
          KYODO_RETURN_IF_ERROR(
              AddAffiliationConflicts(s, c.call.name(), member));
        }
        return absl::OkStatus();
      });
}

absl::Status CreateReviewer(const ServiceDeps& d, const CallContext& call,
                            const v1::CreateReviewerRequest& r, Reviewer* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                    "appoint committee members"));
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("parent", r.parent()));
  Reviewer member;
  common::ApplyFields(
      r.reviewer(),
      std::vector<std::string>(MutableFields().begin(), MutableFields().end()),
      &member);
  KYODO_RETURN_IF_ERROR(domain::ValidateReviewer(member, "reviewer"));
  KYODO_RETURN_IF_ERROR(
      common::db::RunInTransaction(*d.pool, call.deadline, [&](Session& s) {
        return common::idempotency::Run(
            s, r.request_id(), call.principal.subject, call.method, r, out,
            [&]() -> absl::Status {
              KYODO_ASSIGN_OR_RETURN(auto c,
                                     LoadCall(s, ids, store::Lock::kShare));
              if (!c.has_value()) return common::NotFoundError(r.parent());
              KYODO_RETURN_IF_ERROR(RequireManager(call, c->call.ward(),
                                                   "appoint its committee"));
              if (IsDecided(c->call.state())) return CallDecidedError(c->call);
              if (c->call.has_delete_time()) {
                return common::FailedPreconditionError(
                    kyodo::type::v1::CALL_DELETED, "the call is deleted");
              }
              Reviewer created = member;
              created.set_name(
                  absl::StrCat(c->call.name(), "/reviewers/", common::NewId()));
              *created.mutable_create_time() = doc::ToTimestamp(call.start);
              *created.mutable_update_time() = doc::ToTimestamp(call.start);
              created.set_etag(doc::Etag(1));
              KYODO_RETURN_IF_ERROR(store::InsertReviewer(s, created));
              KYODO_RETURN_IF_ERROR(
                  common::audit::Record(s, call.AuditActor(r.request_id()),
                                        created.name(), nullptr, &created));
              *out = std::move(created);
              return absl::OkStatus();
            });
      }));
  return Decorate(d, call, out);
}

absl::Status UpdateReviewer(const ServiceDeps& d, const CallContext& call,
                            const v1::UpdateReviewerRequest& r, Reviewer* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                    "change committee members"));
  KYODO_ASSIGN_OR_RETURN(
      auto fields, common::ResolveUpdateMask(r.update_mask(), r.reviewer(),
                                             MutableFields()));
  return ChangeReviewer(
      d, call, r.reviewer().name(), r.reviewer().etag(), r.request_id(), r, out,
      [&](const store::CallRow& c, const Reviewer&) {
        return Manages(call, c);
      },
      [&](Session&, Reviewer& after) {
        common::ApplyFields(r.reviewer(), fields, &after);
        return domain::ValidateReviewer(after, "reviewer");
      });
}

absl::Status DeleteReviewer(const ServiceDeps& d, const CallContext& call,
                            const v1::DeleteReviewerRequest& r, Reviewer* out) {
  KYODO_RETURN_IF_ERROR(RequireRole(call, {Role::kAdmin, Role::kWardStaff},
                                    "remove committee members"));
  return ChangeReviewer(
      d, call, r.name(), r.etag(), r.request_id(), r, out,
      [&](const store::CallRow& c, const Reviewer&) {
        return Manages(call, c);
      },
      [&](Session&, Reviewer& after) {
        *after.mutable_delete_time() = doc::ToTimestamp(call.start);
        return absl::OkStatus();
      });
}

absl::Status DeclareConflict(const ServiceDeps& d, const CallContext& call,
                             const v1::DeclareConflictRequest& r,
                             Reviewer* out) {
  KYODO_ASSIGN_OR_RETURN(ChildIds member,
                         ParseReviewerName("reviewer", r.reviewer()));
  KYODO_ASSIGN_OR_RETURN(ChildIds proposal,
                         ParseProposalName("proposal", r.proposal()));
  if (proposal.programme != member.programme || proposal.call != member.call) {
    return common::InvalidArgumentError(
        "proposal", "must be a proposal of the member's call");
  }
  return ChangeReviewer(
      d, call, r.reviewer(), "", r.request_id(), r, out,
      // The member itself, or the programme's managers on its behalf.
      [&](const store::CallRow& c, const Reviewer& m) {
        return Manages(call, c) || (call.principal.role == Role::kReviewer &&
                                    !call.principal.reviewer.empty() &&
                                    call.principal.reviewer == m.principal() &&
                                    !m.has_delete_time());
      },
      [&](Session& s, Reviewer& after) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetProposal(s, proposal.child));
        if (!row.has_value() || row->call_id != proposal.call ||
            row->proposal.state() == v1::Proposal::DRAFT ||
            row->proposal.has_delete_time()) {
          return common::NotFoundError(r.proposal());
        }
        for (Reviewer::Conflict& c : *after.mutable_conflicts()) {
          if (c.proposal() == r.proposal()) {  // declared again: a new note
            c.set_note(r.note());
            return absl::OkStatus();
          }
        }
        Reviewer::Conflict* c = after.add_conflicts();
        c->set_proposal(r.proposal());
        c->set_source(Reviewer::Conflict::DECLARED);
        c->set_note(r.note());
        return absl::OkStatus();
      });
}

}  // namespace kyodo::proposal
