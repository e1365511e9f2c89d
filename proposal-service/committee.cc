#include "proposal-service/committee.h"

#include <algorithm>
#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/store/ids.h"
#include "proposal-service/store/proposal_store.h"
#include "proposal-service/store/review_store.h"
#include "proposal-service/store/reviewer_store.h"

namespace kyodo::proposal {
namespace {

using Source = v1::Reviewer::Conflict::Source;

// Bounds on the walks below, far above any real tree or network: a longer
// parent chain or a larger 局 is refused rather than walked without end.
constexpr int kMaxDepth = 64;
constexpr size_t kMaxUnits = 5000;

// Adds `partner` once (the first reason found is kept, and an affiliation
// is never its own related party).
void AddRelated(const std::string& partner, Source source,
                const std::string& via, const std::string& affiliation,
                const absl::flat_hash_set<std::string>& own,
                absl::flat_hash_set<std::string>& seen,
                std::vector<v1::RelatedParty>& out) {
  if (own.contains(partner) || !seen.insert(partner).second) return;
  v1::RelatedParty& r = out.emplace_back();
  r.set_partner(partner);
  r.set_source(source);
  r.set_via(via);
  r.set_affiliation(affiliation);
}

// The unit heading `unit`'s 局 or 区役所: its ancestor just below the root
// of the city-unit tree (itself when it is one). nullopt for the root and
// for a partner that is not a CITY_UNIT.
absl::StatusOr<std::optional<std::string>> HeadUnit(
    const Records& records, const common::server::CallContext& call,
    const std::string& unit) {
  KYODO_ASSIGN_OR_RETURN(auto p, records.GetPartner(call, unit));
  if (!p.has_value() || p->kind() != partner::v1::CITY_UNIT ||
      p->parent().empty()) {
    return std::nullopt;
  }
  std::string head = unit;
  std::string parent = p->parent();
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    KYODO_ASSIGN_OR_RETURN(auto up, records.GetPartner(call, parent));
    if (!up.has_value() || up->parent().empty()) return head;
    head = parent;
    parent = up->parent();
  }
  return common::FailedPreconditionError(
      kyodo::type::v1::RECORDS_UNAVAILABLE,
      absl::StrCat("the city-unit tree above ", unit, " is deeper than ",
                   kMaxDepth, " units"));
}

}  // namespace

std::optional<Source> Member::ConflictOn(
    const std::string& proposal_id,
    const std::vector<std::string>& proposal_parties) const {
  if (declared.contains(proposal_id)) return v1::Reviewer::Conflict::DECLARED;
  for (const std::string& party : proposal_parties) {
    if (auto it = parties.find(party); it != parties.end()) return it->second;
  }
  return std::nullopt;
}

Member ToMember(const v1::Reviewer& r) {
  Member m;
  m.name = r.name();
  m.display_name = r.display_name();
  m.principal = r.principal();
  // Stored conflicts are the declared ones (the others are derived when
  // the member is read).
  for (const auto& conflict : r.conflicts()) {
    m.declared.insert(store::IdOf(conflict.proposal()));
  }
  for (const v1::RelatedParty& related : r.related_parties()) {
    m.parties.emplace(store::IdOf(related.partner()), related.source());
  }
  // An affiliation outranks a relation to the same partner.
  for (const std::string& a : r.affiliations()) {
    m.parties[store::IdOf(a)] = v1::Reviewer::Conflict::AFFILIATION;
  }
  for (const std::string& p : r.assigned_proposals()) {
    m.assigned.insert(store::IdOf(p));
  }
  m.stages.insert(r.stages().begin(), r.stages().end());
  return m;
}

absl::StatusOr<CallParties> CallParties::Load(common::db::Session& s,
                                              const std::string& call_id) {
  KYODO_ASSIGN_OR_RETURN(auto rows, store::PartiesOfCall(s, call_id));
  CallParties out;
  for (auto& [proposal_id, partner_id] : rows) {
    out.parties_[proposal_id].push_back(std::move(partner_id));
  }
  return out;
}

const std::vector<std::string>& CallParties::Of(
    const std::string& proposal_id) const {
  auto it = parties_.find(proposal_id);
  return it == parties_.end() ? none_ : it->second;
}

absl::Status ForEachStageReview(
    common::db::Session& s, const std::string& call_id, int32_t stage,
    int32_t last, const std::vector<Member>& members,
    const CallParties& parties,
    const absl::flat_hash_map<std::string, size_t>& under_review,
    const std::function<void(size_t, domain::Review)>& add) {
  absl::flat_hash_map<std::string, const Member*> sitting;
  for (const Member& m : members) {
    if (m.SitsOn(stage, last)) sitting[store::IdOf(m.name)] = &m;
  }
  KYODO_ASSIGN_OR_RETURN(std::vector<store::ScoreRow> scores,
                         store::CallScores(s, call_id));
  for (store::ScoreRow& row : scores) {
    if (row.stage != stage) continue;
    auto proposal = under_review.find(row.proposal_id);
    auto member = sitting.find(row.reviewer_id);
    if (proposal == under_review.end() || member == sitting.end()) continue;
    // The review of a member no longer assigned the proposal does not
    // count, as that of a member who left the committee.
    if (!member->second->Assigned(row.proposal_id)) continue;
    const bool conflicted =
        member->second->ConflictOn(row.proposal_id, parties.Of(row.proposal_id))
            .has_value();
    add(proposal->second, domain::Review{member->second->name,
                                         std::move(row.scores), conflicted});
  }
  return absl::OkStatus();
}

absl::Status CheckAssignees(const v1::Call& c, int32_t stage,
                            const std::vector<Member>& members,
                            const std::vector<std::string>& proposal_ids,
                            const CallParties& parties) {
  const bool assigned =
      std::any_of(members.begin(), members.end(),
                  [](const Member& m) { return !m.assigned.empty(); });
  if (!assigned) return absl::OkStatus();
  const int32_t last = domain::LastStage(c);
  const int32_t needed = domain::StageMinReviews(c, stage);
  std::vector<std::string> short_of;
  for (const std::string& id : proposal_ids) {
    int able = 0;
    for (const Member& m : members) {
      if (m.SitsOn(stage, last) && m.Assigned(id) &&
          !m.ConflictOn(id, parties.Of(id))) {
        ++able;
      }
    }
    if (able < needed) {
      short_of.push_back(absl::StrCat(c.name(), "/proposals/", id));
    }
  }
  if (short_of.empty()) return absl::OkStatus();
  std::sort(short_of.begin(), short_of.end());
  const size_t count = short_of.size();
  if (short_of.size() > 20) short_of.resize(20);
  return common::ErrorWithReason(
      absl::StatusCode::kFailedPrecondition, kyodo::type::v1::TOO_FEW_ASSIGNEES,
      absl::StrCat("TOO_FEW_ASSIGNEES: ", count,
                   " proposal(s) have fewer than ", needed,
                   " assigned members without a conflict",
                   c.stages_size() > 0
                       ? absl::StrCat(" in ", domain::StageLabel(c, stage))
                       : std::string(),
                   ": ", absl::StrJoin(short_of, ", ")),
      {{"proposals", absl::StrJoin(short_of, ",")},
       {"count", absl::StrCat(count)}});
}

absl::StatusOr<std::vector<Member>> LoadMembers(common::db::Session& s,
                                                const std::string& call_id) {
  KYODO_ASSIGN_OR_RETURN(auto rows, store::LiveReviewers(s, call_id));
  std::vector<Member> members;
  members.reserve(rows.size());
  for (const store::ReviewerRow& row : rows) {
    members.push_back(ToMember(row.reviewer));
  }
  return members;
}

absl::StatusOr<std::vector<v1::RelatedParty>> GatherRelatedParties(
    const Records* records_or_null, const common::server::CallContext& call,
    const v1::Programme& programme,
    const google::protobuf::RepeatedPtrField<std::string>& affiliations) {
  std::vector<v1::RelatedParty> out;
  if (!programme.network_conflicts() && !programme.city_unit_conflicts()) {
    return out;
  }
  if (records_or_null == nullptr) {
    return absl::UnavailableError(
        "partner-service is not configured; the programme's conflicts "
        "cannot be gathered");
  }
  const Records& records = *records_or_null;
  const absl::flat_hash_set<std::string> own(affiliations.begin(),
                                             affiliations.end());
  absl::flat_hash_set<std::string> seen;
  if (programme.network_conflicts()) {
    for (const std::string& a : affiliations) {
      KYODO_ASSIGN_OR_RETURN(
          std::vector<partner::v1::Network> networks,
          records.ListNetworks(call, absl::StrCat("member = \"", a, "\"")));
      for (const partner::v1::Network& n : networks) {
        for (const std::string& m : n.members()) {
          AddRelated(m, v1::Reviewer::Conflict::NETWORK, n.name(), a, own, seen,
                     out);
        }
      }
    }
  }
  if (programme.city_unit_conflicts()) {
    for (const std::string& a : affiliations) {
      KYODO_ASSIGN_OR_RETURN(std::optional<std::string> head,
                             HeadUnit(records, call, a));
      if (!head.has_value()) continue;
      // Every unit under the head, breadth first, the head included.
      std::deque<std::string> queue = {*head};
      absl::flat_hash_set<std::string> visited = {*head};
      while (!queue.empty()) {
        const std::string unit = std::move(queue.front());
        queue.pop_front();
        AddRelated(unit, v1::Reviewer::Conflict::CITY_UNIT, *head, a, own, seen,
                   out);
        KYODO_ASSIGN_OR_RETURN(
            std::vector<partner::v1::Partner> children,
            records.ListPartners(call,
                                 absl::StrCat("parent = \"", unit, "\"")));
        for (const partner::v1::Partner& child : children) {
          if (!visited.insert(child.name()).second) continue;
          if (visited.size() > kMaxUnits) {
            return common::FailedPreconditionError(
                kyodo::type::v1::RECORDS_UNAVAILABLE,
                absl::StrCat(*head, " has more than ", kMaxUnits,
                             " units under it"));
          }
          queue.push_back(child.name());
        }
      }
    }
  }
  return out;
}

}  // namespace kyodo::proposal
