// Arbitrary-precision unsigned integer used by the selection engine's exact
// score arithmetic.
//
// Why it exists: a proposal score is a weighted sum of per-criterion fractions
// whose denominators are the criteria's max scores. With up to 20 criteria and
// max scores up to 10^6 the common denominator (their lcm) can reach 10^120,
// which no fixed-width integer holds. Values that fit in 64 bits (the normal
// case) stay in an inline buffer and use fast 128-bit arithmetic, so the
// general representation costs little when it is not needed.
//
// Only the operations the engine needs are provided. All operations are exact
// and never overflow; the ones with preconditions say so.

#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_BIG_UINT_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_BIG_UINT_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/numeric/int128.h"

namespace kyodo::proposal::domain {

class BigUint {
 public:
  // Zero.
  BigUint() = default;
  // The value `value`. Implicit so that small constants read naturally.
  BigUint(uint64_t value);  // NOLINT(google-explicit-constructor)
  static BigUint FromUint128(absl::uint128 value);

  bool IsZero() const { return limbs_.empty(); }
  // The value if it fits in 64 bits, else nullopt. Inline because every
  // Rational comparison calls it to pick its 128-bit fast path.
  std::optional<uint64_t> ToUint64() const {
    switch (limbs_.size()) {
      case 0:
        return 0;
      case 1:
        return limbs_[0];
      case 2:
        return (uint64_t{limbs_[1]} << 32) | limbs_[0];
      default:
        return std::nullopt;
    }
  }
  // The value if it fits in 128 bits, else nullopt.
  std::optional<absl::uint128> ToUint128() const;
  // Number of significant bits (0 for zero).
  int BitWidth() const;
  // Decimal digits, no sign or leading zeros ("0" for zero).
  std::string ToString() const;

  friend BigUint operator+(const BigUint& a, const BigUint& b);
  // Precondition: a >= b (the engine never needs negative values); aborts
  // otherwise because a wrapped result would silently corrupt a ranking.
  friend BigUint operator-(const BigUint& a, const BigUint& b);
  friend BigUint operator*(const BigUint& a, const BigUint& b);

  struct DivModResult;
  // Quotient and remainder of a / b. Precondition: b != 0 (aborts otherwise).
  static DivModResult DivMod(const BigUint& a, const BigUint& b);
  // Greatest common divisor; Gcd(0, 0) == 0.
  static BigUint Gcd(BigUint a, BigUint b);

  friend std::strong_ordering operator<=>(const BigUint& a, const BigUint& b);
  friend bool operator==(const BigUint& a, const BigUint& b) {
    return a.limbs_ == b.limbs_;
  }

 private:
  // Little-endian base-2^32 digits without leading zero limbs, so equal
  // values have equal representations. Eight inline limbs (256 bits) keep
  // every realistic score off the heap.
  using Limbs = absl::InlinedVector<uint32_t, 8>;

  void Trim();
  bool TestBit(int bit) const;
  // Number of low zero bits. Precondition: not zero.
  int TrailingZeros() const;
  // *this -= other. Precondition: *this >= other.
  void SubtractInPlace(const BigUint& other);
  void ShiftLeftOne();
  void ShiftRight(int bits);
  static BigUint DivModSmall(const BigUint& a, uint32_t divisor,
                             uint32_t* remainder);

  Limbs limbs_;
};

struct BigUint::DivModResult {
  BigUint quotient;
  BigUint remainder;
};

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_BIG_UINT_H_
