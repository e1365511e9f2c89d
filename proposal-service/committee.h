// A committee member as the review, the decision and the progress view see
// it: which proposals it may not score (a conflict of interest) and which it
// is assigned. One definition, so that SubmitReview refusing a review, the
// decision not counting it and the progress view showing it never disagree.
//
// Conflicts (proposal_service.proto, Reviewer.Conflict.Source):
// - DECLARED: the member said so (DeclareConflict);
// - AFFILIATION: an affiliation is the applicant or a co-applicant;
// - NETWORK, CITY_UNIT: a related party (Reviewer.related_parties, gathered
//   by GatherRelatedParties as the programme asks) is one of them.
// Assignments: a member with Reviewer.assigned_proposals reviews only
// those; a member without reviews every proposal. Stages: a member scores
// the stages of Reviewer.stages, or the last stage only.
#ifndef KYODO_PROPOSAL_SERVICE_COMMITTEE_H_
#define KYODO_PROPOSAL_SERVICE_COMMITTEE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/db/session.h"
#include "common/server/rpc.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "proposal-service/clients/records_client.h"
#include "proposal-service/domain/selection_types.h"

namespace kyodo::proposal {

struct Member {
  std::string name;  // programmes/{p}/calls/{c}/reviewers/{r}
  std::string display_name;
  std::string principal;
  absl::flat_hash_set<std::string> declared;  // proposal ids
  // Partner ids whose being a party conflicts the member, with the source:
  // the affiliations (AFFILIATION) and the related parties.
  absl::flat_hash_map<std::string, v1::Reviewer::Conflict::Source> parties;
  absl::flat_hash_set<std::string> assigned;  // proposal ids; empty = all
  absl::flat_hash_set<int32_t> stages;        // empty = the last only

  // The conflict with proposal `proposal_id` whose parties (partner ids)
  // are `parties`, if any; DECLARED first, then the first party's source.
  std::optional<v1::Reviewer::Conflict::Source> ConflictOn(
      const std::string& proposal_id,
      const std::vector<std::string>& parties) const;
  bool Assigned(const std::string& proposal_id) const {
    return assigned.empty() || assigned.contains(proposal_id);
  }
  // Whether the member scores stage `stage` of a call whose last stage is
  // `last` (domain::LastStage).
  bool SitsOn(int32_t stage, int32_t last) const {
    return stages.empty() ? stage == last : stages.contains(stage);
  }
};

// The parties (partner ids: the applicant and co-applicants) of each
// proposal of a call, read once for the decision, the progress view and
// the checks on assignments.
class CallParties {
 public:
  static absl::StatusOr<CallParties> Load(common::db::Session& s,
                                          const std::string& call_id);
  // Empty for a proposal without parties on record.
  const std::vector<std::string>& Of(const std::string& proposal_id) const;

 private:
  absl::flat_hash_map<std::string, std::vector<std::string>> parties_;
  std::vector<std::string> none_;
};

// The reviews of stage `stage` (domain::LastStage is `last`) of the
// proposals `under_review` (proposal id -> index) that take part in its
// score: those of `members` sitting on the stage and assigned the proposal,
// each marked conflicted when its author has a conflict with it (such a
// review is kept, uncounted, as the engine takes it). Gives each to
// `add(index, review)`. The same rule for the decision and AdvanceStage.
absl::Status ForEachStageReview(
    common::db::Session& s, const std::string& call_id, int32_t stage,
    int32_t last, const std::vector<Member>& members,
    const CallParties& parties,
    const absl::flat_hash_map<std::string, size_t>& under_review,
    const std::function<void(size_t, domain::Review)>& add);

// FAILED_PRECONDITION TOO_FEW_ASSIGNEES naming the first of the proposals
// `proposal_ids` of call `c` under review in stage `stage` that fewer than
// the stage's min_reviews members may review (sitting on the stage,
// assigned, without a conflict), or OK. Only checked when a member has
// assignments (without any, every member reviews every proposal).
absl::Status CheckAssignees(const v1::Call& c, int32_t stage,
                            const std::vector<Member>& members,
                            const std::vector<std::string>& proposal_ids,
                            const CallParties& parties);

Member ToMember(const v1::Reviewer& r);

// The live members of call `call_id`, in the order they were appointed.
absl::StatusOr<std::vector<Member>> LoadMembers(common::db::Session& s,
                                                const std::string& call_id);

// The parties related to `affiliations` as `programme` asks
// (network_conflicts, city_unit_conflicts), read from partner-service with
// the caller's token: the other members of every network an affiliation
// belongs to, and every city unit of the 局 or 区役所 a CITY_UNIT
// affiliation is under. Empty when the programme asks for neither (nothing
// is asked then). Errors are the Records' (UNAVAILABLE when partner-service
// cannot answer, or when `records` is null and the programme asks); call
// it before opening a transaction.
absl::StatusOr<std::vector<v1::RelatedParty>> GatherRelatedParties(
    const Records* records, const common::server::CallContext& call,
    const v1::Programme& programme,
    const google::protobuf::RepeatedPtrField<std::string>& affiliations);

}  // namespace kyodo::proposal

#endif  // KYODO_PROPOSAL_SERVICE_COMMITTEE_H_
