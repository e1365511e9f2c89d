#include "proposal-service/domain/rational.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"

namespace kyodo::proposal::domain {

Rational Rational::FromInteger(uint64_t value) {
  return Rational(BigUint(value), BigUint(1));
}

absl::StatusOr<Rational> Rational::Create(BigUint numerator,
                                          BigUint denominator) {
  if (denominator.IsZero()) {
    return absl::InvalidArgumentError("Rational: denominator must not be 0");
  }
  return Reduce(std::move(numerator), std::move(denominator));
}

Rational Rational::Reduce(BigUint numerator, BigUint denominator) {
  if (numerator.IsZero()) return Rational();
  const BigUint gcd = BigUint::Gcd(numerator, denominator);
  if (gcd == BigUint(1)) {
    return Rational(std::move(numerator), std::move(denominator));
  }
  return Rational(BigUint::DivMod(numerator, gcd).quotient,
                  BigUint::DivMod(denominator, gcd).quotient);
}

std::string Rational::ToDecimalString(int digits) const {
  if (digits < 0) digits = 0;
  BigUint scale(1);
  for (int i = 0; i < digits; ++i) scale = scale * BigUint(10);
  BigUint::DivModResult division =
      BigUint::DivMod(numerator_ * scale, denominator_);
  // Half-up: round away from zero when the remainder is at least half.
  if (division.remainder + division.remainder >= denominator_) {
    division.quotient = division.quotient + BigUint(1);
  }
  std::string text = division.quotient.ToString();
  if (digits == 0) return text;
  const size_t width = static_cast<size_t>(digits) + 1;
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  text.insert(text.size() - static_cast<size_t>(digits), 1, '.');
  return text;
}

Rational operator+(const Rational& a, const Rational& b) {
  if (a.denominator_ == b.denominator_) {
    return Rational::Reduce(a.numerator_ + b.numerator_, a.denominator_);
  }
  return Rational::Reduce(
      a.numerator_ * b.denominator_ + b.numerator_ * a.denominator_,
      a.denominator_ * b.denominator_);
}

Rational operator*(const Rational& a, const Rational& b) {
  return Rational::Reduce(a.numerator_ * b.numerator_,
                          a.denominator_ * b.denominator_);
}

std::strong_ordering operator<=>(const Rational& a, const Rational& b) {
  if (a.denominator_ == b.denominator_) return a.numerator_ <=> b.numerator_;
  // Fast path: with all four parts below 2^64 the cross products fit in 128
  // bits, so no allocation is needed. This is the common case for scores.
  const std::optional<uint64_t> an = a.numerator_.ToUint64();
  const std::optional<uint64_t> ad = a.denominator_.ToUint64();
  const std::optional<uint64_t> bn = b.numerator_.ToUint64();
  const std::optional<uint64_t> bd = b.denominator_.ToUint64();
  if (an && ad && bn && bd) {
    const absl::uint128 left = absl::uint128(*an) * *bd;
    const absl::uint128 right = absl::uint128(*bn) * *ad;
    if (left == right) return std::strong_ordering::equal;
    return left < right ? std::strong_ordering::less
                        : std::strong_ordering::greater;
  }
  return a.numerator_ * b.denominator_ <=> b.numerator_ * a.denominator_;
}

}  // namespace kyodo::proposal::domain
