// Tests of what the selection engine relies on from its exact arithmetic
// (proposal-service/domain/exact.h): fractions stored reduced, exact order
// and equality far beyond 64 bits, and the half-up decimal rendering.
#include "proposal-service/domain/exact.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace kyodo::proposal::domain {
namespace {

Integer PowerOf(uint64_t base, unsigned exponent) {
  return boost::multiprecision::pow(Integer(base), exponent);
}

Rational R(uint64_t numerator, uint64_t denominator) {
  return Rational(Integer(numerator), Integer(denominator));
}

TEST(RationalTest, ConstructionReduces) {
  const Rational value = R(6, 4);
  EXPECT_EQ(numerator(value), 3);
  EXPECT_EQ(denominator(value), 2);
  const Rational zero = R(0, 5);
  EXPECT_EQ(numerator(zero), 0);
  EXPECT_EQ(denominator(zero), 1);
  EXPECT_EQ(zero, Rational());
  const Rational big(PowerOf(6, 50), PowerOf(4, 30));
  EXPECT_EQ(numerator(big), PowerOf(3, 50));
  EXPECT_EQ(denominator(big), PowerOf(2, 10));
  // The parts the decision records (score_numerator, score_denominator).
  EXPECT_EQ(numerator(big).str(), "717897987691852588770249");
  EXPECT_EQ(denominator(big).str(), "1024");
}

TEST(RationalTest, OrdersExactly) {
  EXPECT_LT(R(1, 3), R(1, 2));
  EXPECT_EQ(R(2, 6), R(1, 3));
  EXPECT_GT(R(7, 1), R(13, 2));
  // Differ only in the last of ~80 digits.
  const Integer huge = PowerOf(10, 80);
  const Rational a(huge, huge + 1);
  const Rational b(huge + 1, huge + 2);
  EXPECT_LT(a, b);
  EXPECT_GT(b, a);
  EXPECT_NE(a, b);
  // Cross products near 2^128.
  EXPECT_GT(R(UINT64_MAX - 1, UINT64_MAX), R(UINT64_MAX - 2, UINT64_MAX - 1));
  EXPECT_LT(R(UINT64_MAX - 2, UINT64_MAX), R(UINT64_MAX - 1, UINT64_MAX));
}

TEST(RationalTest, Arithmetic) {
  const Rational third = R(1, 3);
  EXPECT_EQ(third + third + third, Rational(1));
  EXPECT_EQ(R(2, 3) * R(3, 4), R(1, 2));
  EXPECT_EQ(R(1, 6) + R(1, 10), R(4, 15));
}

TEST(IntegerTest, LcmBeyond64Bits) {
  // The score's common denominator: the lcm of 20 coprime max scores near
  // 10^6 is their product, about 10^120.
  Integer lcm = 1;
  Integer product = 1;
  for (uint64_t m :
       {999983u, 999979u, 999961u, 999959u, 999953u, 999931u, 999917u,
        999907u, 999883u, 999863u, 999853u, 999809u, 999773u, 999769u,
        999763u, 999749u, 999727u, 999721u, 999683u, 999671u}) {
    lcm = boost::multiprecision::lcm(lcm, Integer(m));
    product *= m;
  }
  EXPECT_EQ(lcm, product);
  EXPECT_GT(boost::multiprecision::msb(lcm), 390u);
  EXPECT_EQ(boost::multiprecision::lcm(PowerOf(2, 100) * 3, PowerOf(2, 90) * 5),
            PowerOf(2, 100) * 15);
}

TEST(ToDecimalStringTest, RoundsHalfUp) {
  EXPECT_EQ(ToDecimalString(R(220, 3), 4), "73.3333");
  EXPECT_EQ(ToDecimalString(R(2, 3), 4), "0.6667");
  EXPECT_EQ(ToDecimalString(R(1, 8), 2), "0.13");        // 0.125: half goes up.
  EXPECT_EQ(ToDecimalString(R(1, 20000), 4), "0.0001");  // Exactly half.
  EXPECT_EQ(ToDecimalString(R(1, 20001), 4), "0.0000");  // Just below half.
  EXPECT_EQ(ToDecimalString(R(100, 1), 4), "100.0000");
  EXPECT_EQ(ToDecimalString(Rational(), 4), "0.0000");
  EXPECT_EQ(ToDecimalString(R(5, 2), 0), "3");
  EXPECT_EQ(ToDecimalString(R(5, 2), -1), "3");
  EXPECT_EQ(ToDecimalString(R(99999, 1000), 2), "100.00");  // Carry through.
  const Rational huge(PowerOf(10, 60) + 1, PowerOf(10, 58));
  EXPECT_EQ(ToDecimalString(huge, 4), "100.0000");
  const Rational just_below(PowerOf(10, 62) - 1, PowerOf(10, 60) * 2);
  EXPECT_EQ(ToDecimalString(just_below, 4), "50.0000");
}

}  // namespace
}  // namespace kyodo::proposal::domain
