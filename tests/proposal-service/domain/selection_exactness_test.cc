// Exactness and determinism of the selection engine: scores at the extreme
// input bounds checked against an independent slow reference, amounts at
// their bounds, and results that must not depend on the input order.

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proposal-service/domain/selection.h"
#include "proposal-service/domain/validation.h"

namespace kyodo::proposal::domain {
namespace {

// Slow reference integer, deliberately independent of the
// engine's arithmetic (exact.h): base-10^4
// digits with schoolbook addition and multiplication, nothing else.
class Decimal {
 public:
  explicit Decimal(uint64_t value) {
    for (; value != 0; value /= kBase) digits_.push_back(value % kBase);
  }
  static Decimal Parse(const std::string& text) {
    Decimal result(0);
    for (const char c : text) {
      result = result * Decimal(10) + Decimal(static_cast<uint64_t>(c - '0'));
    }
    return result;
  }
  Decimal operator+(const Decimal& other) const {
    Decimal sum(0);
    uint64_t carry = 0;
    for (size_t i = 0;
         i < std::max(digits_.size(), other.digits_.size()) || carry != 0;
         ++i) {
      carry += At(i) + other.At(i);
      sum.digits_.push_back(carry % kBase);
      carry /= kBase;
    }
    sum.Trim();
    return sum;
  }
  Decimal operator*(const Decimal& other) const {
    Decimal product(0);
    product.digits_.assign(digits_.size() + other.digits_.size() + 1, 0);
    for (size_t i = 0; i < digits_.size(); ++i) {
      uint64_t carry = 0;
      for (size_t j = 0; j < other.digits_.size() || carry != 0; ++j) {
        carry += product.digits_[i + j] + digits_[i] * other.At(j);
        product.digits_[i + j] = carry % kBase;
        carry /= kBase;
      }
    }
    product.Trim();
    return product;
  }
  friend int Compare(const Decimal& a, const Decimal& b) {
    if (a.digits_.size() != b.digits_.size()) {
      return a.digits_.size() < b.digits_.size() ? -1 : 1;
    }
    for (size_t i = a.digits_.size(); i-- > 0;) {
      if (a.digits_[i] != b.digits_[i])
        return a.digits_[i] < b.digits_[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  static constexpr uint64_t kBase = 10000;
  uint64_t At(size_t i) const { return i < digits_.size() ? digits_[i] : 0; }
  void Trim() {
    while (!digits_.empty() && digits_.back() == 0) digits_.pop_back();
  }
  std::vector<uint64_t> digits_;  // Little-endian.
};

// The contract's formula with the product of the maxima as the common
// denominator (no lcm, no reduction): score = numerator / denominator.
struct ReferenceScore {
  Decimal numerator{0};
  Decimal denominator{0};
};

ReferenceScore Reference(const std::vector<Criterion>& criteria,
                         const Candidate& candidate) {
  Decimal product_of_maxima(1);
  uint64_t total_weight = 0;
  for (const Criterion& c : criteria) {
    product_of_maxima = product_of_maxima * Decimal(c.max_score);
    total_weight += static_cast<uint64_t>(c.weight);
  }
  ReferenceScore score;
  uint64_t count = 0;
  for (const Review& review : candidate.reviews) count += !review.conflicted;
  for (size_t c = 0; c < criteria.size(); ++c) {
    uint64_t sum = 0;
    for (const Review& r : candidate.reviews) {
      if (!r.conflicted) sum += static_cast<uint64_t>(r.scores[c]);
    }
    Decimal term =
        Decimal(100 * static_cast<uint64_t>(criteria[c].weight)) * Decimal(sum);
    for (size_t other = 0; other < criteria.size(); ++other) {
      if (other != c) term = term * Decimal(criteria[other].max_score);
    }
    score.numerator = score.numerator + term;
  }
  score.denominator =
      Decimal(count) * Decimal(total_weight) * product_of_maxima;
  return score;
}

int Compare(const ReferenceScore& a, const ReferenceScore& b) {
  return Compare(a.numerator * b.denominator, b.numerator * a.denominator);
}

// The 20 largest primes below 10^6: their lcm is their product, ~10^120.
const std::vector<int64_t> kPrimeMaxima = {
    999983, 999979, 999961, 999959, 999953, 999931, 999917,
    999907, 999883, 999863, 999853, 999809, 999773, 999769,
    999763, 999749, 999727, 999721, 999683, 999671};

// 24 proposals on 20 criteria with coprime maxima, scored near the top by up
// to 200 reviewers, so that the scores are huge fractions very close together.
SelectionInput CoprimeMaximaCall() {
  std::mt19937_64 rng(424242);
  SelectionInput input;
  for (size_t c = 0; c < kPrimeMaxima.size(); ++c) {
    input.criteria.push_back(Criterion{
        c % 3 == 0 ? kMaxWeight : 1 + static_cast<int64_t>(rng() % 1000),
        kPrimeMaxima[c]});
  }
  input.budget = kMaxAmount;
  for (int p = 0; p < 24; ++p) {
    const int reviewers = p < 4 ? kMaxReviewsPerProposal : 1 + rng() % 200;
    Candidate candidate;
    candidate.name = absl::StrCat("p", p);
    candidate.requested_amount = kMaxAmount / 10;
    for (int r = 0; r < reviewers; ++r) {
      Review review{absl::StrCat("r", r), {}, false};
      for (const Criterion& c : input.criteria) {
        // Mostly near the top so that scores are close together.
        review.scores.push_back(p < 2 ? c.max_score
                                      : c.max_score -
                                            static_cast<int64_t>(rng() % 3));
      }
      candidate.reviews.push_back(std::move(review));
    }
    input.candidates.push_back(std::move(candidate));
  }
  // p1 is p0 minus one point on one review: below it by less than 10^-9.
  input.candidates[1].reviews[7].scores[5] -= 1;
  // p3 has p2's reviews twice over: equal as a fraction, so it must tie.
  std::vector<Review>& once = input.candidates[2].reviews;
  once.resize(100);
  input.candidates[3].reviews = once;
  for (Review copy : once) {
    copy.reviewer += "-copy";
    input.candidates[3].reviews.push_back(std::move(copy));
  }
  return input;
}

// Whether the engine's reduced score equals the reference fraction.
bool SameValue(const Rational& score, const ReferenceScore& reference) {
  return Compare(Decimal::Parse(numerator(score).str()) * reference.denominator,
                 reference.numerator *
                     Decimal::Parse(denominator(score).str())) == 0;
}

TEST(ExactnessTest, CoprimeMaximaMatchTheSlowReference) {
  const SelectionInput input = CoprimeMaximaCall();
  const absl::StatusOr<SelectionResult> result = Select(input);
  ASSERT_TRUE(result.ok()) << result.status();
  std::vector<ReferenceScore> reference;
  for (const ProposalOutcome& outcome : result->outcomes) {
    const auto it = std::find_if(
        input.candidates.begin(), input.candidates.end(),
        [&](const Candidate& c) { return c.name == outcome.name; });
    reference.push_back(Reference(input.criteria, *it));
    const Rational& score = *outcome.score;
    EXPECT_TRUE(SameValue(score, reference.back())) << outcome.name;
    EXPECT_EQ(gcd(numerator(score), denominator(score)), 1);
  }
  for (size_t i = 0; i < reference.size(); ++i) {
    for (size_t j = 0; j < reference.size(); ++j) {
      const int expected = Compare(reference[i], reference[j]);
      const int actual =
          result->outcomes[i].score->compare(*result->outcomes[j].score);
      EXPECT_EQ(expected < 0, actual < 0) << i << " " << j;
      EXPECT_EQ(expected == 0, actual == 0) << i << " " << j;
      if (i < j) {
        EXPECT_GE(expected, 0) << "ranked out of order";
      }
    }
  }
  EXPECT_EQ(result->outcomes[0].name, "p0");
  EXPECT_EQ(result->outcomes[1].name, "p1");
  EXPECT_EQ(result->outcomes[0].score, Rational(100));
  EXPECT_EQ(result->outcomes[1].score_decimal, "100.0000");  // Just below.
  const auto p2 = std::find_if(result->outcomes.begin(), result->outcomes.end(),
                               [](const auto& o) { return o.name == "p2"; });
  EXPECT_TRUE(p2->tied_on_score);
  EXPECT_EQ(p2->score, (p2 + 1)->score);
  EXPECT_EQ((p2 + 1)->name, "p3");
  // The case is only worth its cost if it leaves the 64- and 128-bit paths.
  EXPECT_GT(boost::multiprecision::msb(denominator(*p2->score)), 256u);
}

TEST(ExactnessTest, PassMarkAtTheTopOfTheScale) {
  SelectionInput input;
  input.criteria.assign(kMaxCriteria, Criterion{kMaxWeight, kMaxMaxScore});
  input.budget = kMaxAmount;
  input.pass_mark = kMaxPassMark;
  for (const char* name : {"full", "one-point-short"}) {
    Candidate candidate;
    candidate.name = name;
    for (int r = 0; r < kMaxReviewsPerProposal; ++r) {
      candidate.reviews.push_back(
          {absl::StrCat("r", r),
           std::vector<int64_t>(kMaxCriteria, kMaxMaxScore), false});
    }
    input.candidates.push_back(std::move(candidate));
  }
  input.candidates[1].reviews[199].scores[19] -= 1;
  const absl::StatusOr<SelectionResult> result = Select(input);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcomes[0].reason, Reason::kAdopted);
  EXPECT_EQ(result->outcomes[1].reason, Reason::kBelowPassMark);
  // 100 - 100 * 1000 / (200 * 10^6 * 20000) = 100 - 1/40000000.
  EXPECT_EQ(result->outcomes[1].score,
            Rational(Integer(3999999999), Integer(40000000)));
  EXPECT_EQ(result->outcomes[1].score_decimal, "100.0000");
}

TEST(ExactnessTest, AmountsAtTheirBounds) {
  SelectionInput input;
  input.criteria = {Criterion{1, 1}};
  input.budget = kMaxAmount;
  for (int i = 0; i < kMaxCandidates; ++i) {
    Candidate candidate;
    candidate.name = absl::StrCat("p", 1000000 + i);
    candidate.requested_amount = kMaxAmount / kMaxCandidates;
    candidate.reviews = {Review{"r", {i % 2}, false}};
    input.candidates.push_back(std::move(candidate));
  }
  absl::StatusOr<SelectionResult> result = Select(input);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->adopted_count, kMaxCandidates);
  EXPECT_EQ(result->total_adopted_amount, kMaxAmount);
  EXPECT_EQ(result->remaining_budget, 0);
  input.candidates.resize(3);
  input.candidates[0].requested_amount = kMaxAmount;
  input.candidates[1].requested_amount = kMaxAmount;
  result = Select(input);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->adopted_count, 1);
  EXPECT_EQ(result->remaining_budget, 0);
}

// A call full of ties: few distinct scores, amounts and submission times.
SelectionInput TieHeavyCall(std::mt19937_64& rng) {
  SelectionInput input;
  input.criteria = {Criterion{3, 2}, Criterion{1, 2}, Criterion{2, 2}};
  input.budget = 2000;
  input.pass_mark = 40;
  input.max_adoptions = static_cast<int32_t>(rng() % 12);
  input.rule =
      rng() % 2 ? AdoptionRule::kGreedySkip : AdoptionRule::kGreedyStop;
  const std::vector<std::vector<TieBreak>> lists = {
      {},
      {{TieBreakKey::kHigherCriterionScore, 2},
       {TieBreakKey::kEarlierSubmission}},
      {{TieBreakKey::kName}},
      {{TieBreakKey::kEarlierSubmission},
       {TieBreakKey::kLowerRequestedAmount}}};
  input.tie_break = lists[rng() % lists.size()];
  for (int p = 0; p < 60; ++p) {
    Candidate candidate;
    candidate.name = absl::StrCat("proposals/", rng() % 1000000, "-", p);
    candidate.requested_amount = 100 * static_cast<int64_t>(1 + rng() % 4);
    candidate.submit_time =
        absl::FromUnixSeconds(static_cast<int64_t>(rng() % 3));
    if (rng() % 10 == 0) candidate.state = Candidate::State::kIneligible;
    if (rng() % 10 == 0) candidate.state = Candidate::State::kWithdrawn;
    const int reviewers = 1 + static_cast<int>(rng() % 2);
    for (int r = 0; r < reviewers + 1; ++r) {
      Review review{absl::StrCat("r", r), {}, r == reviewers};
      for (const Criterion& c : input.criteria) {
        review.scores.push_back(
            static_cast<int64_t>(rng() % (c.max_score + 1)));
      }
      candidate.reviews.push_back(std::move(review));
    }
    input.candidates.push_back(std::move(candidate));
  }
  return input;
}

// Everything a decision stores, as text, so that results compare in full.
std::string Describe(const SelectionResult& result) {
  std::string text =
      absl::StrCat(result.total_adopted_amount, " ", result.remaining_budget,
                   " ", result.adopted_count, "\n");
  for (const ProposalOutcome& o : result.outcomes) {
    absl::StrAppend(
        &text, o.name, " ", o.rank, " ",
        o.score ? numerator(*o.score).str() + "/" + denominator(*o.score).str()
                : "-",
        " ", o.score_decimal, " ", ReasonName(o.reason), " ", o.adopted_amount,
        " ", o.budget_left, " ", o.tied_on_score, "\n");
  }
  return text;
}

TEST(DeterminismTest, ResultDoesNotDependOnInputOrder) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    SelectionInput input = TieHeavyCall(rng);
    const absl::StatusOr<SelectionResult> expected = Select(input);
    ASSERT_TRUE(expected.ok()) << expected.status();
    int tied = 0;
    for (const ProposalOutcome& o : expected->outcomes) tied += o.tied_on_score;
    EXPECT_GT(tied, 10) << "the call should exercise the tie-breaks";
    for (int shuffle = 0; shuffle < 10; ++shuffle) {
      std::shuffle(input.candidates.begin(), input.candidates.end(), rng);
      for (Candidate& candidate : input.candidates) {
        std::shuffle(candidate.reviews.begin(), candidate.reviews.end(), rng);
      }
      const absl::StatusOr<SelectionResult> actual = Select(input);
      ASSERT_TRUE(actual.ok()) << actual.status();
      ASSERT_EQ(Describe(*actual), Describe(*expected)) << "seed " << seed;
    }
  }
}

}  // namespace
}  // namespace kyodo::proposal::domain
