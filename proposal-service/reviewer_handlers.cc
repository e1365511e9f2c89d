// Handlers of the Reviewer methods: the committee (審査会) of a call and its
// members' conflicts of interest. Members are appointed by the programme's
// managers; the committee may change until the decision.
#include <algorithm>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
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
#include "proposal-service/committee.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/programme_store.h"
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
      "display_name",       "principal", "affiliations",
      "assigned_proposals", "stages",    "email"};
  return *fields;
}

// Why a party conflicts the member, for Reviewer.Conflict.note.
std::string ConflictNote(const v1::RelatedParty* related,
                         const std::string& party) {
  if (related == nullptr) {
    return "an affiliation of the member is the applicant or a co-applicant";
  }
  if (related->source() == Reviewer::Conflict::NETWORK) {
    return absl::StrCat("party ", party, " and the member's affiliation ",
                        related->affiliation(), " are members of ",
                        related->via());
  }
  return absl::StrCat("party ", party, " and the member's affiliation ",
                      related->affiliation(), " are city units under ",
                      related->via());
}

// Adds to `r` (a member of call `call_name`) the conflicts its affiliations
// and related parties imply: the call's submitted proposals one of them is
// a party to (committee.h), one per proposal, with its strongest source
// (AFFILIATION, then NETWORK, then CITY_UNIT).
absl::Status AddImpliedConflicts(Session& s, const std::string& call_name,
                                 Reviewer* r) {
  const Member member = ToMember(*r);
  std::vector<std::string> partner_ids;
  for (const auto& entry : member.parties) partner_ids.push_back(entry.first);
  std::sort(partner_ids.begin(), partner_ids.end());
  KYODO_ASSIGN_OR_RETURN(
      auto pairs,
      store::ProposalsWithParties(s, store::IdOf(call_name), partner_ids));
  absl::flat_hash_map<std::string, const v1::RelatedParty*> related;
  for (const v1::RelatedParty& p : r->related_parties())
    related.emplace(store::IdOf(p.partner()), &p);
  // proposal id -> (source, partner id); ordered by proposal.
  absl::btree_map<std::string,
                  std::pair<Reviewer::Conflict::Source, std::string>>
      strongest;
  for (const auto& [proposal_id, partner_id] : pairs) {
    const Reviewer::Conflict::Source source = member.parties.at(partner_id);
    auto [it, inserted] =
        strongest.try_emplace(proposal_id, source, partner_id);
    if (!inserted && source < it->second.first)
      it->second = {source, partner_id};
  }
  for (const auto& [proposal_id, why] : strongest) {
    Reviewer::Conflict* c = r->add_conflicts();
    c->set_proposal(absl::StrCat(call_name, "/proposals/", proposal_id));
    c->set_source(why.first);
    auto it = related.find(why.second);
    c->set_note(ConflictNote(
        why.first == Reviewer::Conflict::AFFILIATION || it == related.end()
            ? nullptr
            : it->second,
        absl::StrCat("partners/", why.second)));
  }
  return absl::OkStatus();
}

// The parties related to `affiliations` that the programme of call `ids`
// asks for (committee.h), gathered before any transaction; refuses first
// the callers who may not appoint the call's committee.
absl::StatusOr<std::vector<v1::RelatedParty>> RelatedFor(
    const ServiceDeps& d, const CallContext& call, const CallIds& ids,
    const google::protobuf::RepeatedPtrField<std::string>& affiliations) {
  std::optional<store::ProgrammeRow> programme;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto c, LoadCall(s, ids, store::Lock::kNone));
        if (!c.has_value()) return absl::OkStatus();  // NOT_FOUND later
        KYODO_RETURN_IF_ERROR(
            RequireManager(call, c->call.ward(), "appoint its committee"));
        // A decided call's committee is refused for that (CALL_DECIDED),
        // even when partner-service is down.
        if (IsDecided(c->call.state())) return absl::OkStatus();
        KYODO_ASSIGN_OR_RETURN(programme,
                               store::GetProgramme(s, ids.programme));
        return absl::OkStatus();
      }));
  if (!programme.has_value()) return std::vector<v1::RelatedParty>();
  return GatherRelatedParties(d.records, call, programme->programme,
                              affiliations);
}

// INVALID_ARGUMENT naming `field`[i] unless every assigned proposal of `r`
// is a distinct, submitted (not draft, not deleted) proposal of call
// `call_name`.
absl::Status CheckAssignments(Session& s, const std::string& call_name,
                              const Reviewer& r, absl::string_view field) {
  const std::string prefix = absl::StrCat(call_name, "/proposals/");
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < r.assigned_proposals_size(); ++i) {
    const std::string at = absl::StrCat(field, "[", i, "]");
    const std::string& name = r.assigned_proposals(i);
    if (!absl::StartsWith(name, prefix) || name.size() == prefix.size()) {
      return common::InvalidArgumentError(
          at, absl::StrCat("must name a proposal of ", call_name));
    }
    if (!seen.insert(name).second)
      return common::InvalidArgumentError(at, "is listed twice");
    KYODO_ASSIGN_OR_RETURN(auto row, store::GetProposal(s, store::IdOf(name)));
    if (!row.has_value() || row->proposal.name() != name ||
        row->proposal.state() == v1::Proposal::DRAFT ||
        row->proposal.has_delete_time()) {
      return common::InvalidArgumentError(
          at, "names no submitted proposal of the call");
    }
  }
  return absl::OkStatus();
}

bool SameAffiliations(
    const google::protobuf::RepeatedPtrField<std::string>& a,
    const google::protobuf::RepeatedPtrField<std::string>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

absl::Status Decorate(const ServiceDeps& d, const CallContext& call,
                      Reviewer* r) {
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseReviewerName("name", r->name()));
  return common::db::RunWithSession(*d.pool, call.deadline, [&](Session& s) {
    return AddImpliedConflicts(s, CallName(ids.programme, ids.call), r);
  });
}

// Loads call `ids` for reading and refuses callers that may not see its
// committee: staff and the committee's own members.
// A call whose committee the caller reads, and how (ReadableMember).
struct ReadCommittee {
  store::CallRow row;
  Access access;
};

absl::StatusOr<ReadCommittee> CommitteeReadable(Session& s,
                                                const CallContext& call,
                                                const CallIds& ids,
                                                absl::string_view name) {
  KYODO_ASSIGN_OR_RETURN(auto row, LoadCall(s, ids, store::Lock::kNone));
  if (!row.has_value()) return Hidden(IsStaff(call.principal), name);
  KYODO_ASSIGN_OR_RETURN(Access access, AccessTo(s, call.principal, *row));
  // The notifier reads the members' addresses (notifier/).
  const bool notifier = call.principal.role == Role::kNotifier;
  if (!access.staff && !access.seat.has_value() && !notifier) {
    return common::PermissionDeniedError(
        "only staff and the members of a call's committee read it");
  }
  return ReadCommittee{*std::move(row), std::move(access)};
}

// A member as `reader` reads it (after AddImpliedConflicts): its address
// only to the programme's managers, the member itself and the notifier; to
// the notifier nothing but what it mails by (name, display_name, email,
// stages, delete_time).
void RedactMember(const CallContext& call, const Access& reader,
                  Reviewer* member) {
  if (call.principal.role == Role::kNotifier) {
    Reviewer kept;
    kept.set_name(member->name());
    kept.set_display_name(member->display_name());
    if (member->has_email()) kept.set_email(member->email());
    *kept.mutable_stages() = member->stages();
    if (member->has_delete_time())
      *kept.mutable_delete_time() = member->delete_time();
    *member = std::move(kept);
    return;
  }
  const bool self =
      reader.seat.has_value() && reader.seat->reviewer.name() == member->name();
  if (!reader.manager && !self) member->clear_email();
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
            ReadCommittee c,
            CommitteeReadable(s, call, {ids.programme, ids.call}, r.name()));
        KYODO_ASSIGN_OR_RETURN(auto row, store::GetReviewer(s, ids.child));
        if (!row.has_value() || row->call_id != ids.call) {
          return common::NotFoundError(r.name());
        }
        *out = std::move(row->reviewer);
        KYODO_RETURN_IF_ERROR(AddImpliedConflicts(s, c.row.call.name(), out));
        RedactMember(call, c.access, out);
        return absl::OkStatus();
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
        KYODO_ASSIGN_OR_RETURN(ReadCommittee c,
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
              AddImpliedConflicts(s, c.row.call.name(), member));
          RedactMember(call, c.access, member);
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
  KYODO_ASSIGN_OR_RETURN(std::vector<v1::RelatedParty> related,
                         RelatedFor(d, call, ids, member.affiliations()));
  for (v1::RelatedParty& p : related)
    *member.add_related_parties() = std::move(p);
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
              KYODO_RETURN_IF_ERROR(CheckAssignments(
                  s, c->call.name(), member, "reviewer.assigned_proposals"));
              KYODO_RETURN_IF_ERROR(
                  domain::ValidateMemberStages(member, c->call, "reviewer"));
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
  KYODO_ASSIGN_OR_RETURN(
      ChildIds ids, ParseReviewerName("reviewer.name", r.reviewer().name()));
  // The relations follow the affiliations the member will have: gathered
  // before the transaction, and refused there if they changed meanwhile.
  google::protobuf::RepeatedPtrField<std::string> affiliations;
  if (std::find(fields.begin(), fields.end(), "affiliations") != fields.end()) {
    affiliations = r.reviewer().affiliations();
  } else {
    KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
        *d.pool, call.deadline, [&](Session& s) -> absl::Status {
          KYODO_ASSIGN_OR_RETURN(auto row, store::GetReviewer(s, ids.child));
          if (row.has_value()) affiliations = row->reviewer.affiliations();
          return absl::OkStatus();
        }));
  }
  KYODO_ASSIGN_OR_RETURN(
      std::vector<v1::RelatedParty> related,
      RelatedFor(d, call, {ids.programme, ids.call}, affiliations));
  std::optional<v1::Call> of_call;
  return ChangeReviewer(
      d, call, r.reviewer().name(), r.reviewer().etag(), r.request_id(), r, out,
      [&](const store::CallRow& c, const Reviewer&) {
        of_call = c.call;
        return Manages(call, c);
      },
      [&](Session& s, Reviewer& after) -> absl::Status {
        common::ApplyFields(r.reviewer(), fields, &after);
        KYODO_RETURN_IF_ERROR(domain::ValidateReviewer(after, "reviewer"));
        if (of_call.has_value()) {
          KYODO_RETURN_IF_ERROR(
              domain::ValidateMemberStages(after, *of_call, "reviewer"));
        }
        KYODO_RETURN_IF_ERROR(
            CheckAssignments(s, CallName(ids.programme, ids.call), after,
                             "reviewer.assigned_proposals"));
        if (!SameAffiliations(after.affiliations(), affiliations)) {
          return absl::AbortedError(
              "the member's affiliations changed meanwhile; try again");
        }
        after.clear_related_parties();
        for (const v1::RelatedParty& p : related)
          *after.add_related_parties() = p;
        return absl::OkStatus();
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
