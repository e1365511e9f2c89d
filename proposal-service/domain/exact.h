// Exact integers and fractions for proposal scores, from Boost.Multiprecision.
//
// docs/API.md ("Selecting proposals") says scores are compared exactly, as
// rationals, never as floating point: two
// proposals whose scores are equal as fractions must tie, and a score equal
// to the pass mark must pass. The score's common denominator is the lcm of
// the criteria's max scores, which with 20 criteria and max scores up to 10^6
// can reach 10^120, so no fixed-width integer holds it.
//
// Integer is boost::multiprecision::cpp_int (unbounded, exact; values up to
// 128 bits live inline, so the usual scores never allocate). Rational is
// cpp_rational: always stored reduced (numerator and denominator coprime,
// denominator >= 1), so equal values have equal parts. Read the parts with
// boost::multiprecision::numerator() / denominator() and print them with
// .str(). In Boost 1.74 (Debian 12) cpp_rational's == runs a full ordering
// (continued fractions) instead of comparing the reduced parts, so hot paths
// compare integers (the engine's rank keys) rather than Rationals.

#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_EXACT_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_EXACT_H_

#include <string>

#include "boost/multiprecision/cpp_int.hpp"

namespace kyodo::proposal::domain {

using Integer = boost::multiprecision::cpp_int;
using Rational = boost::multiprecision::cpp_rational;

// `value` (>= 0) rounded half-up to exactly `digits` decimals (digits >= 0;
// negative is treated as 0), e.g. 220/3 with 4 digits is "73.3333" and 1/8
// with 2 digits is "0.13". Exact: no floating point is involved.
std::string ToDecimalString(const Rational& value, int digits);

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_EXACT_H_
