#include "proposal-service/domain/exact.h"

#include <string>

namespace kyodo::proposal::domain {

std::string ToDecimalString(const Rational& value, int digits) {
  if (digits < 0) digits = 0;
  const Integer& denominator = boost::multiprecision::denominator(value);
  Integer scaled = boost::multiprecision::numerator(value) *
                   boost::multiprecision::pow(Integer(10), digits);
  Integer quotient;
  Integer remainder;
  boost::multiprecision::divide_qr(scaled, denominator, quotient, remainder);
  // Half-up: round away from zero when the remainder is at least half.
  if (remainder * 2 >= denominator) ++quotient;
  std::string text = quotient.str();
  if (digits == 0) return text;
  const size_t width = static_cast<size_t>(digits) + 1;
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  text.insert(text.size() - static_cast<size_t>(digits), 1, '.');
  return text;
}

}  // namespace kyodo::proposal::domain
