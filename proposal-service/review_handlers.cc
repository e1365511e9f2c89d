// Handlers of the Review methods: a committee member's scores for one
// proposal. Written by the member itself (or, for a paper score sheet, by
// the programme's managers on its behalf) while the call is UNDER_REVIEW;
// read by the programme's managers, and by each member for its own.
// Applicants and viewers never see a review: only the aggregate score of a
// published result.
#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/paging/page_token.h"
#include "common/server/mutation.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "common/text/enum_label.h"
#include "common/validate/request.h"
#include "proposal-service/access.h"
#include "proposal-service/committee.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/proposal_store.h"
#include "proposal-service/store/review_store.h"
#include "proposal-service/store/reviewer_store.h"

namespace kyodo::proposal {

using common::auth::Role;
using common::db::Session;
using common::server::CallContext;
using v1::Call;
using v1::Proposal;
using v1::Review;
namespace doc = common::store;

namespace {

// Who may read reviews of the call: admins and ward staff (of any ward:
// docs/API.md's "read all") read all, a member only its own (`*own_only` = its
// id). PERMISSION_DENIED for everyone else.
absl::Status ReviewReader(Session& s, const CallContext& call,
                          const CallIds& ids, absl::string_view name,
                          std::string* own_only) {
  KYODO_ASSIGN_OR_RETURN(auto c, LoadCall(s, ids, store::Lock::kNone));
  if (!c.has_value()) return Hidden(IsStaff(call.principal), name);
  if (IsStaff(call.principal)) return absl::OkStatus();
  KYODO_ASSIGN_OR_RETURN(Access access, AccessTo(s, call.principal, *c));
  if (access.seat.has_value()) {
    *own_only = store::IdOf(access.seat->reviewer.name());
    return absl::OkStatus();
  }
  return common::PermissionDeniedError(
      "reviews are read by admins and ward staff and, each its own, by the "
      "committee's members");
}

// The author of a review and the stage it scores.
struct Author {
  std::string reviewer_id;
  int32_t stage = 1;
};

// The member whose review this is: the caller's own seat, or the member a
// manager names for a paper score sheet, and the stage under review.
// Validates the scores against that stage's criteria (fixed since the call
// opened).
absl::StatusOr<Author> ResolveAuthor(const ServiceDeps& d,
                                     const CallContext& call,
                                     const v1::SubmitReviewRequest& r,
                                     const ChildIds& proposal) {
  std::optional<ChildIds> named;
  if (!r.reviewer().empty()) {
    KYODO_ASSIGN_OR_RETURN(named, ParseReviewerName("reviewer", r.reviewer()));
    if (named->programme != proposal.programme ||
        named->call != proposal.call) {
      return common::InvalidArgumentError(
          "reviewer", "must be a member of the proposal's call");
    }
  } else if (call.principal.role != Role::kReviewer ||
             call.principal.reviewer.empty()) {
    return common::PermissionDeniedError(
        "reviews are written by the committee's members (or, with `reviewer`, "
        "entered by the programme's managers)");
  }
  Author author;
  KYODO_RETURN_IF_ERROR(common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto c,
                               LoadCall(s, {proposal.programme, proposal.call},
                                        store::Lock::kNone));
        if (!c.has_value()) return Hidden(IsStaff(call.principal), r.parent());
        if (named.has_value()) {
          KYODO_RETURN_IF_ERROR(RequireManager(call, c->call.ward(),
                                               "enter a member's score sheet"));
          KYODO_ASSIGN_OR_RETURN(auto member,
                                 store::GetReviewer(s, named->child));
          if (!member.has_value() || member->call_id != proposal.call ||
              member->reviewer.has_delete_time()) {
            return common::NotFoundError(r.reviewer());
          }
          author.reviewer_id = named->child;
        } else {
          KYODO_ASSIGN_OR_RETURN(
              auto seat,
              store::FindSeat(s, proposal.call, call.principal.reviewer));
          if (!seat.has_value()) {
            return common::PermissionDeniedError(
                "the caller is not a member of this call's committee");
          }
          author.reviewer_id = store::IdOf(seat->reviewer.name());
        }
        author.stage = domain::CurrentStage(c->call);
        return domain::ValidateScores(c->call, author.stage, r.review(),
                                      "review");
      }));
  return author;
}

// What a review is written against, read in the review's transaction.
struct ReviewSubject {
  std::optional<store::CallRow> call;
  std::optional<store::ProposalRow> proposal;
  std::optional<store::ReviewerRow> member;
  int32_t stages_passed = 0;  // the proposal's
};

// Loads the review `name` of proposal `ids` by member `author` for its
// Mutation, locking in the service's order: the call (shared), the
// proposal, the member, the review. nullopt when the proposal is not there
// to review; a review not written yet is an empty one of version 0 (which
// store::WriteReview inserts). `claim`, when not empty, must still be the
// member's principal.
absl::StatusOr<std::optional<common::server::Versioned<Review>>> LoadReview(
    Session& s, const ChildIds& ids, const Author& author,
    const std::string& name, const std::string& claim, ReviewSubject& subject) {
  using Result = std::optional<common::server::Versioned<Review>>;
  KYODO_ASSIGN_OR_RETURN(subject.call, LoadCall(s, {ids.programme, ids.call},
                                                store::Lock::kShare));
  if (!subject.call.has_value()) return Result();
  KYODO_ASSIGN_OR_RETURN(subject.proposal,
                         store::GetProposal(s, ids.child, true));
  const auto& p = subject.proposal;
  if (!p.has_value() || p->call_id != ids.call ||
      p->proposal.has_delete_time() || p->proposal.state() == Proposal::DRAFT) {
    return Result();
  }
  KYODO_ASSIGN_OR_RETURN(subject.stages_passed,
                         store::StagesPassed(s, ids.child));
  KYODO_ASSIGN_OR_RETURN(subject.member,
                         store::GetReviewer(s, author.reviewer_id, true));
  if (!subject.member.has_value() ||
      subject.member->reviewer.has_delete_time()) {
    return common::FailedPreconditionError(kyodo::type::v1::REVIEWER_DELETED,
                                           "the member left the committee");
  }
  if (!claim.empty() && subject.member->reviewer.principal() != claim) {
    return common::PermissionDeniedError("the member's principal changed");
  }
  KYODO_ASSIGN_OR_RETURN(
      auto existing,
      store::GetReview(s, ids.child, author.reviewer_id, author.stage, true));
  if (existing.has_value()) {
    return Result(common::server::Versioned<Review>{std::move(existing->review),
                                                    existing->version});
  }
  Review empty;
  empty.set_name(name);
  return Result(common::server::Versioned<Review>{std::move(empty), 0});
}

// The rules a review of stage `stage` is written under: the call
// UNDER_REVIEW at that stage, the proposal ELIGIBLE and through the stages
// before, the member on the stage, assigned the proposal and without a
// conflict with it.
absl::Status CheckReviewable(const Call& c, int32_t stage, const Proposal& p,
                             int32_t stages_passed,
                             const v1::Reviewer& reviewer) {
  if (IsDecided(c.state())) return CallDecidedError(c);
  if (c.state() != Call::UNDER_REVIEW) {
    return StateError(kyodo::type::v1::REVIEW_NOT_STARTED,
                      "reviews are written while UNDER_REVIEW",
                      Call::State_Name(c.state()));
  }
  if (p.state() != Proposal::ELIGIBLE) {
    return StateError(kyodo::type::v1::PROPOSAL_NOT_ELIGIBLE,
                      "only ELIGIBLE proposals are reviewed",
                      Proposal::State_Name(p.state()));
  }
  if (domain::CurrentStage(c) != stage) {
    return absl::AbortedError(
        "the call moved to another stage while the review was written; try "
        "again");
  }
  const Member member = ToMember(reviewer);
  if (!member.SitsOn(stage, domain::LastStage(c))) {
    return common::ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, kyodo::type::v1::NOT_ON_STAGE,
        absl::StrCat("NOT_ON_STAGE: the member does not score ",
                     domain::StageLabel(c, stage),
                     ", the stage under review (Reviewer.stages)"),
        {{"stage", absl::StrCat(stage)}});
  }
  if (stages_passed != stage - 1) {
    return common::ErrorWithReason(
        absl::StatusCode::kFailedPrecondition,
        kyodo::type::v1::STAGE_NOT_PASSED,
        absl::StrCat("STAGE_NOT_PASSED: the proposal did not pass ",
                     domain::StageLabel(c, stages_passed + 1),
                     " and is not under review in ",
                     domain::StageLabel(c, stage)),
        {{"stage", absl::StrCat(stages_passed + 1)}});
  }
  const std::string proposal_id = store::IdOf(p.name());
  if (!member.Assigned(proposal_id)) {
    return common::FailedPreconditionError(
        kyodo::type::v1::NOT_ASSIGNED,
        "the member is assigned other proposals of this call "
        "(Reviewer.assigned_proposals)");
  }
  std::vector<std::string> parties = {store::IdOf(p.applicant())};
  for (const std::string& c : p.co_applicants())
    parties.push_back(store::IdOf(c));
  if (auto source = member.ConflictOn(proposal_id, parties);
      source.has_value()) {
    return common::FailedPreconditionError(
        kyodo::type::v1::REVIEWER_CONFLICTED,
        absl::StrCat("the member has a conflict of interest with this "
                     "proposal (",
                     common::EnumLabel(*source),
                     "; see the member's conflicts)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SubmitReview(const ServiceDeps& d, const CallContext& call,
                          const v1::SubmitReviewRequest& r, Review* out) {
  KYODO_RETURN_IF_ERROR(
      common::ValidateRequestId("request_id", r.request_id()));
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseProposalName("parent", r.parent()));
  KYODO_ASSIGN_OR_RETURN(Author author, ResolveAuthor(d, call, r, ids));
  ReviewSubject subject;
  common::server::Mutation<Review> m;
  m.name = absl::StrCat(r.parent(), "/reviews/",
                        store::ReviewId({author.reviewer_id, author.stage}));
  m.etag = r.review().etag();
  m.request_id = r.request_id();
  m.request = &r;
  m.load = [&](Session& s) {
    const std::string claim =
        r.reviewer().empty() ? call.principal.reviewer : "";
    return LoadReview(s, ids, author, m.name, claim, subject);
  };
  m.authorize = [&](const Review* review) -> absl::Status {
    if (review == nullptr) return common::NotFoundError(r.parent());
    return absl::OkStatus();
  };
  m.change = [&](Session&, const Review& before,
                 Review& after) -> absl::Status {
    // authorize has refused the call when load found nothing, so all three
    // are set here; checked all the same rather than assumed.
    if (!subject.call || !subject.proposal || !subject.member) {
      return common::NotFoundError(r.parent());
    }
    KYODO_RETURN_IF_ERROR(CheckReviewable(
        subject.call->call, author.stage, subject.proposal->proposal,
        subject.stages_passed, subject.member->reviewer));
    *after.mutable_scores() = r.review().scores();
    after.set_stage(author.stage);
    after.set_comment(r.review().comment());
    after.set_reviewer(subject.member->reviewer.name());
    if (!before.has_create_time())
      *after.mutable_create_time() = doc::ToTimestamp(call.start);
    return absl::OkStatus();
  };
  m.write = store::WriteReview;
  return common::server::Mutate(*d.pool, call, m, out);
}

absl::Status GetReview(const ServiceDeps& d, const CallContext& call,
                       const v1::GetReviewRequest& r, Review* out) {
  KYODO_ASSIGN_OR_RETURN(ReviewIds ids, ParseReviewName("name", r.name()));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        std::string own_only;
        KYODO_RETURN_IF_ERROR(ReviewReader(s, call, {ids.programme, ids.call},
                                           r.name(), &own_only));
        const std::optional<store::ReviewKey> key =
            store::ParseReviewId(ids.reviewer);
        if (!key.has_value()) return common::NotFoundError(r.name());
        if (!own_only.empty() && own_only != key->reviewer_id) {
          return common::PermissionDeniedError(
              "a committee member reads its own reviews only");
        }
        KYODO_ASSIGN_OR_RETURN(
            auto row,
            store::GetReview(s, ids.proposal, key->reviewer_id, key->stage));
        if (!row.has_value()) return common::NotFoundError(r.name());
        auto proposal = store::GetProposal(s, ids.proposal);
        if (!proposal.ok()) return proposal.status();
        if (!proposal->has_value() || (*proposal)->call_id != ids.call) {
          return common::NotFoundError(r.name());
        }
        *out = std::move(row->review);
        return absl::OkStatus();
      });
}

absl::Status ListReviews(const ServiceDeps& d, const CallContext& call,
                         const v1::ListReviewsRequest& r,
                         v1::ListReviewsResponse* out) {
  KYODO_ASSIGN_OR_RETURN(ChildIds ids, ParseProposalName("parent", r.parent()));
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  const std::string query = absl::StrCat("ListReviews|", r.parent());
  KYODO_ASSIGN_OR_RETURN(auto cursor, d.pages->Decode(r.page_token(), query));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        std::string own_only;
        KYODO_RETURN_IF_ERROR(ReviewReader(s, call, {ids.programme, ids.call},
                                           r.parent(), &own_only));
        KYODO_ASSIGN_OR_RETURN(auto proposal, store::GetProposal(s, ids.child));
        if (!proposal.has_value() || proposal->call_id != ids.call) {
          return common::NotFoundError(r.parent());
        }
        KYODO_ASSIGN_OR_RETURN(auto rows,
                               store::ListReviews(s, ids.child, own_only,
                                                  cursor.last_seq, size + 1));
        out->set_next_page_token(
            common::paging::FinishPage(rows, size, *d.pages, query));
        for (auto& row : rows) *out->add_reviews() = std::move(row.review);
        return absl::OkStatus();
      });
}

absl::Status ListReviewProgress(const ServiceDeps& d, const CallContext& call,
                                const v1::ListReviewProgressRequest& r,
                                v1::ListReviewProgressResponse* out) {
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("parent", r.parent()));
  KYODO_ASSIGN_OR_RETURN(int size,
                         common::paging::EffectivePageSize(r.page_size()));
  const std::string query = absl::StrCat("ListReviewProgress|", r.parent());
  KYODO_ASSIGN_OR_RETURN(auto cursor, d.pages->Decode(r.page_token(), query));
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto c, LoadCall(s, ids, store::Lock::kNone));
        if (!c.has_value()) return Hidden(IsStaff(call.principal), r.parent());
        KYODO_ASSIGN_OR_RETURN(Access access, AccessTo(s, call.principal, *c));
        if (!access.staff && !access.seat.has_value()) {
          return common::PermissionDeniedError(
              "only staff and the members of a call's committee read its "
              "review progress");
        }
        // The stage under review (the last once decided): its members,
        // and the proposals that reached it.
        const Call& of = c->call;
        const int32_t stage = domain::CurrentStage(of);
        const int32_t last = domain::LastStage(of);
        out->set_stage(stage);
        KYODO_ASSIGN_OR_RETURN(std::vector<Member> all,
                               LoadMembers(s, ids.call));
        std::vector<Member> members;
        for (Member& m : all) {
          if (m.SitsOn(stage, last)) members.push_back(std::move(m));
        }
        KYODO_ASSIGN_OR_RETURN(auto candidates,
                               store::DecisionCandidates(s, ids.call));
        // The proposals under review, by id, after the cursor.
        std::vector<store::CandidateRow*> page;
        for (store::CandidateRow& row : candidates) {
          if ((row.state == Proposal::ELIGIBLE ||
               row.state == Proposal::ADOPTED ||
               row.state == Proposal::NOT_ADOPTED) &&
              row.stages_passed == stage - 1 && row.id > cursor.last_key) {
            page.push_back(&row);
          }
        }
        std::sort(page.begin(), page.end(),
                  [](const store::CandidateRow* a,
                     const store::CandidateRow* b) { return a->id < b->id; });
        if (static_cast<int>(page.size()) > size) {
          page.resize(size);
          out->set_next_page_token(d.pages->Encode(
              query, common::paging::PageCursor{0, page.back()->id}));
        }
        KYODO_ASSIGN_OR_RETURN(CallParties parties,
                               CallParties::Load(s, ids.call));
        KYODO_ASSIGN_OR_RETURN(std::vector<store::ScoreRow> scores,
                               store::CallScores(s, ids.call));
        absl::flat_hash_set<std::pair<std::string, std::string>> reviewed;
        for (const store::ScoreRow& row : scores) {
          if (row.stage == stage)
            reviewed.emplace(row.proposal_id, row.reviewer_id);
        }
        for (const Member& m : members) {
          v1::Reviewer* column = out->add_members();
          column->set_name(m.name);
          column->set_display_name(m.display_name);
          column->set_principal(m.principal);
        }
        for (const store::CandidateRow* row : page) {
          v1::ProposalProgress* p = out->add_proposals();
          p->set_proposal(absl::StrCat(of.name(), "/proposals/", row->id));
          p->set_title(row->title);
          p->set_min_reviews(domain::StageMinReviews(of, stage));
          const std::vector<std::string>& own = parties.Of(row->id);
          int32_t counted = 0;
          for (const Member& m : members) {
            v1::ReviewCell* cell = p->add_cells();
            cell->set_reviewer(m.name);
            if (!m.Assigned(row->id)) {
              cell->set_state(v1::ReviewCell::NOT_ASSIGNED);
            } else if (m.ConflictOn(row->id, own).has_value()) {
              cell->set_state(v1::ReviewCell::CONFLICTED);
            } else if (reviewed.contains({row->id, store::IdOf(m.name)})) {
              cell->set_state(v1::ReviewCell::SCORED);
              ++counted;
            } else {
              cell->set_state(v1::ReviewCell::MISSING);
            }
          }
          p->set_counted_reviews(counted);
        }
        return absl::OkStatus();
      });
}

}  // namespace kyodo::proposal
