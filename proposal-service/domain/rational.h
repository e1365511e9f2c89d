// Exact non-negative rational numbers for proposal scores.
//
// The API contract says scores are compared exactly, never as doubles: two
// proposals whose scores are equal as fractions must tie, and a score equal
// to the pass mark must pass. A Rational is always stored reduced (numerator
// and denominator coprime, denominator >= 1), so equal values have equal
// representations and can be stored and compared field by field.
//
// Scores are never negative, so the type has no sign; this keeps every
// operation total except division by zero, which is reported as an error.

#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_RATIONAL_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_RATIONAL_H_

#include <compare>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "proposal-service/domain/big_uint.h"

namespace kyodo::proposal::domain {

class Rational {
 public:
  // Zero (0/1).
  Rational() : denominator_(1) {}

  // The integer `value` (value/1).
  static Rational FromInteger(uint64_t value);
  // numerator/denominator, reduced.
  // Errors: INVALID_ARGUMENT if denominator is 0.
  static absl::StatusOr<Rational> Create(BigUint numerator,
                                         BigUint denominator);

  // Reduced numerator and denominator (gcd 1, denominator >= 1).
  const BigUint& numerator() const { return numerator_; }
  const BigUint& denominator() const { return denominator_; }

  // The value rounded half-up to exactly `digits` decimals (digits >= 0;
  // negative is treated as 0), e.g. 220/3 with 4 digits is "73.3333" and
  // 1/8 with 2 digits is "0.13". Exact: no floating point is involved.
  std::string ToDecimalString(int digits) const;

  friend Rational operator+(const Rational& a, const Rational& b);
  friend Rational operator*(const Rational& a, const Rational& b);

  // Exact ordering by value.
  friend std::strong_ordering operator<=>(const Rational& a, const Rational& b);
  // Exact equality; cheap because both sides are reduced.
  friend bool operator==(const Rational& a, const Rational& b) {
    return a.numerator_ == b.numerator_ && a.denominator_ == b.denominator_;
  }

 private:
  Rational(BigUint numerator, BigUint denominator)
      : numerator_(std::move(numerator)),
        denominator_(std::move(denominator)) {}
  // Precondition: denominator != 0.
  static Rational Reduce(BigUint numerator, BigUint denominator);

  BigUint numerator_;
  BigUint denominator_;
};

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_RATIONAL_H_
