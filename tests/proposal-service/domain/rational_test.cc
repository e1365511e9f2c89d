// Tests of the exact arithmetic under the selection engine: BigUint against
// 128-bit machine arithmetic and algebraic identities, Rational reduction,
// ordering and half-up decimal rounding.

#include "proposal-service/domain/rational.h"

#include <cstdint>
#include <ostream>
#include <random>
#include <sstream>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "proposal-service/domain/big_uint.h"

namespace kyodo::proposal::domain {

// Readable failure messages for EXPECT_EQ on BigUint and Rational.
void PrintTo(const BigUint& value, std::ostream* out) {
  *out << value.ToString();
}
void PrintTo(const Rational& value, std::ostream* out) {
  *out << value.numerator().ToString() << "/" << value.denominator().ToString();
}

namespace {

BigUint PowerOf(uint64_t base, int exponent) {
  BigUint result(1);
  for (int i = 0; i < exponent; ++i) result = result * BigUint(base);
  return result;
}

// A value of about 64 * words bits built from random words.
BigUint RandomBig(std::mt19937_64& rng, int words) {
  BigUint result;
  const BigUint base = BigUint::FromUint128(absl::uint128(1) << 64);
  for (int i = 0; i < words; ++i) result = result * base + BigUint(rng());
  return result;
}

Rational R(uint64_t numerator, uint64_t denominator) {
  return *Rational::Create(BigUint(numerator), BigUint(denominator));
}

TEST(BigUintTest, PrintsDecimal) {
  EXPECT_EQ(BigUint().ToString(), "0");
  EXPECT_EQ(BigUint(1).ToString(), "1");
  EXPECT_EQ(BigUint(1000000000).ToString(), "1000000000");
  EXPECT_EQ(BigUint(UINT64_MAX).ToString(), "18446744073709551615");
  EXPECT_EQ(BigUint::FromUint128(absl::Uint128Max()).ToString(),
            "340282366920938463463374607431768211455");
  EXPECT_EQ(PowerOf(10, 40).ToString(), "1" + std::string(40, '0'));
  EXPECT_EQ(PowerOf(2, 200).ToString(),
            "1606938044258990275541962092341162602522202993782792835301376");
}

TEST(BigUintTest, MatchesUint128Arithmetic) {
  std::mt19937_64 rng(20240401);
  for (int i = 0; i < 2000; ++i) {
    // Vary the magnitudes so that one- and two-limb paths are all taken.
    const uint64_t a = rng() >> (rng() % 64);
    const uint64_t b = (rng() >> (rng() % 64)) | 1;
    const absl::uint128 wide = absl::uint128(a) * rng();
    EXPECT_EQ(*(BigUint(a) * BigUint(b)).ToUint128(), absl::uint128(a) * b);
    EXPECT_EQ(*(BigUint(a) + BigUint(b)).ToUint128(), absl::uint128(a) + b);
    const BigUint::DivModResult division =
        BigUint::DivMod(BigUint::FromUint128(wide), BigUint(b));
    EXPECT_EQ(*division.quotient.ToUint128(), wide / b);
    EXPECT_EQ(*division.remainder.ToUint128(), wide % b);
    EXPECT_EQ(BigUint(a) < BigUint(b), a < b);
    std::ostringstream reference;
    reference << wide;
    EXPECT_EQ(BigUint::FromUint128(wide).ToString(), reference.str());
  }
}

TEST(BigUintTest, LargeDivisionIdentity) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    const BigUint divisor = RandomBig(rng, 1 + static_cast<int>(rng() % 6)) + 1;
    const BigUint quotient = RandomBig(rng, 1 + static_cast<int>(rng() % 6));
    const BigUint remainder = BigUint::DivMod(RandomBig(rng, 6), divisor)
                                  .remainder;  // Any value below divisor.
    const BigUint dividend = quotient * divisor + remainder;
    const BigUint::DivModResult division = BigUint::DivMod(dividend, divisor);
    EXPECT_EQ(division.quotient, quotient);
    EXPECT_EQ(division.remainder, remainder);
    EXPECT_EQ(dividend - remainder, quotient * divisor);
  }
}

TEST(BigUintTest, Gcd) {
  EXPECT_EQ(BigUint::Gcd(BigUint(), BigUint()), BigUint());
  EXPECT_EQ(BigUint::Gcd(BigUint(), BigUint(12)), BigUint(12));
  EXPECT_EQ(BigUint::Gcd(BigUint(12), BigUint(18)), BigUint(6));
  // 2^100 * 3^20 and 2^90 * 5^30 share exactly 2^90.
  const BigUint a = PowerOf(2, 100) * PowerOf(3, 20);
  const BigUint b = PowerOf(2, 90) * PowerOf(5, 30);
  EXPECT_EQ(BigUint::Gcd(a, b), PowerOf(2, 90));
  std::mt19937_64 rng(11);
  for (int i = 0; i < 50; ++i) {
    const BigUint common = RandomBig(rng, 3);
    const BigUint x = RandomBig(rng, 4);
    const BigUint y = RandomBig(rng, 4);
    const BigUint gcd = BigUint::Gcd(x * common, y * common);
    EXPECT_EQ(gcd, BigUint::Gcd(x, y) * common);
    EXPECT_TRUE(BigUint::DivMod(x * common, gcd).remainder.IsZero());
  }
}

TEST(BigUintTest, BitWidthAndConversions) {
  EXPECT_EQ(BigUint().BitWidth(), 0);
  EXPECT_EQ(BigUint(1).BitWidth(), 1);
  EXPECT_EQ(PowerOf(2, 64).BitWidth(), 65);
  EXPECT_FALSE(PowerOf(2, 64).ToUint64().has_value());
  EXPECT_EQ(*(PowerOf(2, 64) - BigUint(1)).ToUint64(), UINT64_MAX);
  EXPECT_FALSE(PowerOf(2, 128).ToUint128().has_value());
}

TEST(BigUintDeathTest, NegativeDifferenceAborts) {
  EXPECT_DEATH({ (void)(BigUint(1) - BigUint(2)); }, "");
}

TEST(RationalTest, CreateReduces) {
  const Rational value = R(6, 4);
  EXPECT_EQ(value.numerator(), BigUint(3));
  EXPECT_EQ(value.denominator(), BigUint(2));
  const Rational zero = R(0, 5);
  EXPECT_EQ(zero.numerator(), BigUint());
  EXPECT_EQ(zero.denominator(), BigUint(1));
  EXPECT_EQ(zero, Rational());
  const Rational big = *Rational::Create(PowerOf(6, 50), PowerOf(4, 30));
  EXPECT_EQ(big.numerator(), PowerOf(3, 50));
  EXPECT_EQ(big.denominator(), PowerOf(2, 10));
}

TEST(RationalTest, ZeroDenominatorIsInvalid) {
  EXPECT_EQ(Rational::Create(BigUint(1), BigUint()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RationalTest, OrdersExactly) {
  EXPECT_LT(R(1, 3), R(1, 2));
  EXPECT_EQ(R(2, 6), R(1, 3));
  EXPECT_GT(R(7, 1), R(13, 2));
  // Differ only in the last of ~80 digits: needs the multi-limb path.
  const BigUint huge = PowerOf(10, 80);
  const Rational a = *Rational::Create(huge, huge + BigUint(1));
  const Rational b = *Rational::Create(huge + BigUint(1), huge + BigUint(2));
  EXPECT_LT(a, b);
  EXPECT_GT(b, a);
  EXPECT_EQ(a <=> a, std::strong_ordering::equal);
  // 64-bit fast path at its edge: cross products near 2^128.
  EXPECT_GT(R(UINT64_MAX - 1, UINT64_MAX), R(UINT64_MAX - 2, UINT64_MAX - 1));
  EXPECT_LT(R(UINT64_MAX - 2, UINT64_MAX), R(UINT64_MAX - 1, UINT64_MAX));
}

TEST(RationalTest, Arithmetic) {
  const Rational third = R(1, 3);
  EXPECT_EQ(third + third + third, Rational::FromInteger(1));
  EXPECT_EQ(R(2, 3) * R(3, 4), R(1, 2));
  EXPECT_EQ(R(1, 6) + R(1, 10), R(4, 15));
}

TEST(RationalTest, DecimalStringRoundsHalfUp) {
  EXPECT_EQ(R(220, 3).ToDecimalString(4), "73.3333");
  EXPECT_EQ(R(2, 3).ToDecimalString(4), "0.6667");
  EXPECT_EQ(R(1, 8).ToDecimalString(2), "0.13");        // 0.125: half goes up.
  EXPECT_EQ(R(1, 20000).ToDecimalString(4), "0.0001");  // Exactly half.
  EXPECT_EQ(R(1, 20001).ToDecimalString(4), "0.0000");  // Just below half.
  EXPECT_EQ(R(100, 1).ToDecimalString(4), "100.0000");
  EXPECT_EQ(Rational().ToDecimalString(4), "0.0000");
  EXPECT_EQ(R(5, 2).ToDecimalString(0), "3");
  EXPECT_EQ(R(5, 2).ToDecimalString(-1), "3");
  EXPECT_EQ(R(99999, 1000).ToDecimalString(2), "100.00");  // Carry through.
  const Rational huge =
      *Rational::Create(PowerOf(10, 60) + BigUint(1), PowerOf(10, 58));
  EXPECT_EQ(huge.ToDecimalString(4), "100.0000");
}

}  // namespace
}  // namespace kyodo::proposal::domain
