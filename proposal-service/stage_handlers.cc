// AdvanceStage: closes the stage under review of a call with stages
// (段階審査, proposal_service.proto Call.stages) and opens the next. Each
// proposal under review in the stage gets the exact score of the stage's
// criteria from the counted reviews of the stage's members (committee.h
// decides who counts, as for the decision); those below the stage's pass
// mark (domain::Passes) go no further. What was counted is stored
// (stage_results), so the decision reads a closed stage as it closed.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "proposal-service/access.h"
#include "proposal-service/committee.h"
#include "proposal-service/decision_input.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/domain/scoring.h"
#include "proposal-service/domain/selection.h"
#include "proposal-service/domain/selection_codec.h"
#include "proposal-service/handlers.h"
#include "proposal-service/store/proposal_store.h"
#include "proposal-service/store/stage_store.h"

namespace kyodo::proposal {

using common::db::Session;
using common::server::CallContext;
using v1::Call;

namespace {

// One proposal's result in the stage.
struct Judged {
  std::string id;
  std::string title;
  std::vector<domain::Review> reviews;  // counted and conflicted
  domain::Rational score;
  int32_t counted = 0;
  bool passed = false;
};

// The stage `stage` of call `c` as it stands: every proposal under review in
// it, judged; with the members, for the next stage's check. REVIEWS_MISSING
// while one lacks the stage's min_reviews counted reviews, NOT_SCREENED
// while a proposal awaits its screening.
struct StageState {
  std::vector<Judged> judged;
  std::vector<Member> members;
  CallParties parties;
};

absl::StatusOr<StageState> JudgeStage(Session& s, const Call& c,
                                      int32_t stage) {
  const std::string call_id = store::IdOf(c.name());
  const std::string prefix = absl::StrCat(c.name(), "/proposals/");
  KYODO_ASSIGN_OR_RETURN(auto candidates,
                         store::DecisionCandidates(s, call_id));
  DecisionInput unscreened;
  absl::flat_hash_map<std::string, size_t> under_review;
  StageState out;
  for (const store::CandidateRow& row : candidates) {
    if (row.state == v1::Proposal::SUBMITTED) {
      unscreened.not_screened.push_back(absl::StrCat(prefix, row.id));
    }
    if (row.state != v1::Proposal::ELIGIBLE || row.stages_passed != stage - 1)
      continue;
    under_review[row.id] = out.judged.size();
    out.judged.push_back({row.id, row.title, {}, 0, 0, false});
  }
  std::sort(unscreened.not_screened.begin(), unscreened.not_screened.end());
  KYODO_RETURN_IF_ERROR(CheckScreened(unscreened));
  KYODO_ASSIGN_OR_RETURN(out.members, LoadMembers(s, call_id));
  KYODO_ASSIGN_OR_RETURN(out.parties, CallParties::Load(s, call_id));
  KYODO_RETURN_IF_ERROR(ForEachStageReview(
      s, call_id, stage, domain::LastStage(c), out.members, out.parties,
      under_review, [&](size_t i, domain::Review review) {
        out.judged[i].reviews.push_back(std::move(review));
      }));
  const int32_t needed = std::max(domain::StageMinReviews(c, stage), 1);
  std::vector<domain::MissingReview> missing;
  for (Judged& j : out.judged) {
    j.counted = static_cast<int32_t>(
        std::count_if(j.reviews.begin(), j.reviews.end(),
                      [](const domain::Review& r) { return !r.conflicted; }));
    if (j.counted < needed) {
      missing.push_back({absl::StrCat(prefix, j.id), j.counted});
    }
  }
  std::sort(missing.begin(), missing.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  KYODO_RETURN_IF_ERROR(ReviewsMissingError(missing, needed));
  std::vector<domain::Criterion> criteria;
  for (const v1::Criterion& k : domain::StageCriteria(c, stage)) {
    criteria.push_back({k.weight(), k.max_score()});
  }
  for (Judged& j : out.judged) {
    absl::StatusOr<domain::ProposalScore> score =
        domain::ScoreProposal(criteria, j.reviews);
    if (!score.ok()) {
      // The stored reviews passed the same bounds when written.
      return absl::InternalError(absl::StrCat("stage ", stage, " of ", j.id,
                                              ": ", score.status().message()));
    }
    j.score = score->score;
    j.passed = domain::Passes(j.score, domain::StagePassMark(c, stage));
  }
  // Best first, then by id: the order results are shown in.
  std::sort(out.judged.begin(), out.judged.end(),
            [](const Judged& a, const Judged& b) {
              if (a.score != b.score) return a.score > b.score;
              return a.id < b.id;
            });
  return out;
}

// The stage under review, when AdvanceStage may close it: UNDER_REVIEW and
// not at the last stage (LAST_STAGE).
absl::StatusOr<int32_t> StageToClose(const Call& c) {
  if (IsDecided(c.state())) return CallDecidedError(c);
  if (c.state() != Call::UNDER_REVIEW) {
    return StateError(kyodo::type::v1::REVIEW_NOT_STARTED,
                      "a stage is closed while the call is UNDER_REVIEW",
                      Call::State_Name(c.state()));
  }
  const int32_t stage = domain::CurrentStage(c);
  if (stage >= domain::LastStage(c)) {
    return common::ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, kyodo::type::v1::LAST_STAGE,
        absl::StrCat("LAST_STAGE: ", c.name(), " is at its last stage (",
                     domain::StageLabel(c, stage),
                     "); it is decided with DecideCall"),
        {{"current_stage", absl::StrCat(stage)}});
  }
  return stage;
}

void AddStageResult(const std::string& call_name, int32_t stage,
                    const Judged& j, v1::AdvanceStageResponse* out) {
  v1::StageResult* r = out->add_results();
  r->set_proposal(absl::StrCat(call_name, "/proposals/", j.id));
  r->set_title(j.title);
  SetStageScore(j.score, stage, j.passed, r->mutable_score());
  r->mutable_score()->set_reviews(j.counted);
}

}  // namespace

absl::Status AdvanceStage(const ServiceDeps& d, const CallContext& call,
                          const v1::AdvanceStageRequest& r,
                          v1::AdvanceStageResponse* out) {
  KYODO_ASSIGN_OR_RETURN(CallIds ids, ParseCallName("name", r.name()));
  if (r.validate_only()) {
    // A dry run: nothing locked, nothing written.
    return common::db::RunWithSession(
        *d.pool, call.deadline, [&](Session& s) -> absl::Status {
          KYODO_ASSIGN_OR_RETURN(auto row,
                                 LoadCall(s, ids, store::Lock::kNone));
          if (!row.has_value())
            return Hidden(IsStaff(call.principal), r.name());
          KYODO_RETURN_IF_ERROR(
              RequireManager(call, row->call.ward(), "close a review stage"));
          KYODO_ASSIGN_OR_RETURN(int32_t stage, StageToClose(row->call));
          KYODO_ASSIGN_OR_RETURN(StageState state,
                                 JudgeStage(s, row->call, stage));
          out->set_stage(stage);
          for (const Judged& j : state.judged) {
            AddStageResult(row->call.name(), stage, j, out);
          }
          *out->mutable_call() = std::move(row->call);
          return absl::OkStatus();
        });
  }
  int32_t closed = 0;
  KYODO_RETURN_IF_ERROR(ChangeCall(
      d, call, r.name(), r.etag(), r.request_id(), r, out->mutable_call(),
      [&](Session& s, const Call& before, Call& after) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(closed, StageToClose(before));
        KYODO_ASSIGN_OR_RETURN(StageState state, JudgeStage(s, before, closed));
        std::vector<std::string> passing;
        std::vector<store::StageResultRow> rows;
        for (const Judged& j : state.judged) {
          if (j.passed) passing.push_back(j.id);
          rows.push_back({j.id, closed,
                          boost::multiprecision::numerator(j.score).str(),
                          boost::multiprecision::denominator(j.score).str(),
                          j.passed, domain::EncodeReviewList(j.reviews)});
        }
        // The next stage's assignments must cover what passed.
        KYODO_RETURN_IF_ERROR(CheckAssignees(before, closed + 1, state.members,
                                             passing, state.parties));
        const std::string call_id = store::IdOf(before.name());
        KYODO_RETURN_IF_ERROR(
            store::InsertStageResults(s, call_id, rows, call.start));
        KYODO_RETURN_IF_ERROR(
            store::SetStagesPassed(s, call_id, passing, closed));
        after.set_current_stage(closed + 1);
        return absl::OkStatus();
      }));
  // The results as stored (also on a retry with the same request_id,
  // which answers the stored call).
  if (closed == 0) closed = out->call().current_stage() - 1;
  out->set_stage(closed);
  return common::db::RunWithSession(
      *d.pool, call.deadline, [&](Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(auto rows,
                               store::StageResultsOfCall(s, ids.call));
        KYODO_ASSIGN_OR_RETURN(auto candidates,
                               store::DecisionCandidates(s, ids.call));
        absl::flat_hash_map<std::string, std::string> titles;
        for (const auto& c : candidates) titles[c.id] = c.title;
        std::vector<Judged> judged;
        for (const store::StageResultRow& row : rows) {
          if (row.stage != closed) continue;
          Judged j;
          j.id = row.proposal_id;
          j.title = titles[row.proposal_id];
          j.score = domain::Rational(domain::Integer(row.score_numerator),
                                     domain::Integer(row.score_denominator));
          j.passed = row.passed;
          KYODO_ASSIGN_OR_RETURN(std::vector<domain::Review> reviews,
                                 domain::DecodeReviewList(row.reviews));
          j.counted = static_cast<int32_t>(std::count_if(
              reviews.begin(), reviews.end(),
              [](const domain::Review& r) { return !r.conflicted; }));
          judged.push_back(std::move(j));
        }
        std::sort(judged.begin(), judged.end(),
                  [](const Judged& a, const Judged& b) {
                    if (a.score != b.score) return a.score > b.score;
                    return a.id < b.id;
                  });
        for (const Judged& j : judged)
          AddStageResult(out->call().name(), closed, j, out);
        return absl::OkStatus();
      });
}

}  // namespace kyodo::proposal
