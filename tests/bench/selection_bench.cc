// Benchmark of the selection engine on a large call: 5,000 proposals with 15
// reviewers each on 6 criteria (the size the API contract must handle well
// under 50 ms); also the largest call (100,000 proposals) and the worst case
// of the exact arithmetic (20 criteria with coprime maxima). Arguments:
// proposals, reviewers, criteria, coprime maxima (0/1). The input comes from
// a seeded PRNG, so runs are comparable.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "proposal-service/domain/selection.h"

namespace kyodo::proposal::domain {
namespace {

int64_t PreviousPrime(int64_t n) {
  for (--n;; --n) {
    bool prime = true;
    for (int64_t d = 2; d * d <= n && prime; ++d) prime = n % d != 0;
    if (prime) return n;
  }
}

// Realistic maxima (5, 10, 100, ...) or, for the worst case of the exact
// arithmetic, distinct primes near 10^6 whose lcm has about 20 * 20 bits per
// criterion.
SelectionInput LargeCall(int proposals, int reviewers, int criteria,
                         bool coprime_maxima) {
  std::mt19937_64 rng(20250401);
  SelectionInput input;
  const int64_t maxima[] = {5, 10, 5, 100, 3, 10};
  int64_t prime = 1000000;
  for (int c = 0; c < criteria; ++c) {
    if (coprime_maxima) prime = PreviousPrime(prime);
    input.criteria.push_back(
        Criterion{1 + c % 3, coprime_maxima ? prime : maxima[c % 6]});
  }
  input.budget = 2000000000;  // About a fifth of the total requested.
  input.pass_mark = 40;
  for (int p = 0; p < proposals; ++p) {
    Candidate candidate;
    candidate.name = "calls/2025-kawasaki/proposals/" + std::to_string(p);
    candidate.requested_amount = 100000 + static_cast<int64_t>(rng() % 3900000);
    candidate.submit_time =
        absl::FromUnixSeconds(1735689600 + static_cast<int64_t>(rng() % 86400));
    for (int r = 0; r < reviewers; ++r) {
      // One reviewer in twenty declared a conflict; the first never did, so
      // every proposal keeps at least one counted review.
      Review review{
          "reviewers/" + std::to_string(r), {}, r > 0 && rng() % 20 == 0};
      for (const Criterion& criterion : input.criteria) {
        review.scores.push_back(
            static_cast<int64_t>(rng() % (criterion.max_score + 1)));
      }
      candidate.reviews.push_back(std::move(review));
    }
    input.candidates.push_back(std::move(candidate));
  }
  return input;
}

void BM_Select(benchmark::State& state) {
  const SelectionInput input = LargeCall(
      static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
      static_cast<int>(state.range(2)), state.range(3) != 0);
  for (auto _ : state) {
    absl::StatusOr<SelectionResult> result = Select(input);
    if (!result.ok()) state.SkipWithError("Select failed");
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Select)
    ->Args({5000, 15, 6, 0})
    ->Args({100000, 3, 6, 0})
    ->Args({5000, 15, 20, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kyodo::proposal::domain

BENCHMARK_MAIN();
