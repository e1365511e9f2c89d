// The proposals the committee-ruling and stage tests decide over, shared by
// the engine's tests (selection_rulings_test.cc, selection_stages_test.cc)
// and the stored input's (tests/proposal-service/codec_rulings_test.cc).
#ifndef KYODO_TESTS_PROPOSAL_SERVICE_DOMAIN_RULINGS_FIXTURE_H_
#define KYODO_TESTS_PROPOSAL_SERVICE_DOMAIN_RULINGS_FIXTURE_H_

#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "proposal-service/domain/selection.h"

namespace kyodo::proposal::domain::rulings_fixture {

// One proposal with a single review giving `score` on the one criterion.
inline Candidate Proposal(std::string name, int64_t amount, int64_t score) {
  Candidate c;
  c.name = std::move(name);
  c.requested_amount = amount;
  c.reviews = {Review{"r1", {score}, false}};
  return c;
}

// a (score 90, 400), b (80, 300), c (70, 150) with a budget of 600.
inline SelectionInput ThreeProposals() {
  SelectionInput input;
  input.criteria = {Criterion{1, 100}};
  input.budget = 600;
  input.candidates = {Proposal("a", 400, 90), Proposal("b", 300, 80),
                      Proposal("c", 150, 70)};
  return input;
}

// ThreeProposals (last-stage scores a 90, b 80, c 70) behind a 書類審査 on
// one criterion out of 10 with pass mark 60: a scored 5 (50 points, fails),
// b 6 (60, passes on the mark), c 9 (90).
inline SelectionInput TwoStages() {
  SelectionInput input = ThreeProposals();
  input.stages = {Stage{{Criterion{1, 10}}, 60, 1, 0}};
  const int64_t first[] = {5, 6, 9};
  for (size_t i = 0; i < input.candidates.size(); ++i) {
    input.candidates[i].stage_reviews = {{Review{"s1", {first[i]}, false}}};
  }
  // a stopped at stage 1: no last-stage review.
  input.candidates[0].reviews.clear();
  return input;
}

// The outcome of the proposal called `name` (a test failure if none).
inline const ProposalOutcome& Of(const SelectionResult& r,
                                 const std::string& name) {
  for (const ProposalOutcome& o : r.outcomes) {
    if (o.name == name) return o;
  }
  ADD_FAILURE() << name;
  return r.outcomes.front();
}

}  // namespace kyodo::proposal::domain::rulings_fixture

#endif  // KYODO_TESTS_PROPOSAL_SERVICE_DOMAIN_RULINGS_FIXTURE_H_
