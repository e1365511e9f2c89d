#include "proposal-service/domain/big_uint.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <numeric>
#include <string>
#include <utility>

namespace kyodo::proposal::domain {
namespace {

constexpr int kLimbBits = 32;
constexpr uint32_t kDecimalChunk = 1000000000;  // 10^9 fits in a limb.
constexpr int kDecimalChunkDigits = 9;

}  // namespace

BigUint::BigUint(uint64_t value) {
  if (value == 0) return;
  limbs_.push_back(static_cast<uint32_t>(value));
  if (value >> kLimbBits != 0) {
    limbs_.push_back(static_cast<uint32_t>(value >> kLimbBits));
  }
}

BigUint BigUint::FromUint128(absl::uint128 value) {
  BigUint result;
  while (value != 0) {
    result.limbs_.push_back(static_cast<uint32_t>(absl::Uint128Low64(value)));
    value >>= kLimbBits;
  }
  return result;
}

std::optional<absl::uint128> BigUint::ToUint128() const {
  if (limbs_.size() > 4) return std::nullopt;
  absl::uint128 value = 0;
  for (size_t i = limbs_.size(); i-- > 0;) {
    value = (value << kLimbBits) | limbs_[i];
  }
  return value;
}

int BigUint::BitWidth() const {
  if (limbs_.empty()) return 0;
  return static_cast<int>(limbs_.size() - 1) * kLimbBits +
         std::bit_width(limbs_.back());
}

std::string BigUint::ToString() const {
  if (IsZero()) return "0";
  // Peel off base-10^9 chunks from the bottom, then print them top first.
  std::vector<uint32_t> chunks;
  BigUint rest = *this;
  while (!rest.IsZero()) {
    uint32_t chunk = 0;
    rest = DivModSmall(rest, kDecimalChunk, &chunk);
    chunks.push_back(chunk);
  }
  std::string out = std::to_string(chunks.back());
  for (size_t i = chunks.size() - 1; i-- > 0;) {
    std::string part = std::to_string(chunks[i]);
    out.append(kDecimalChunkDigits - part.size(), '0');
    out += part;
  }
  return out;
}

void BigUint::Trim() {
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
}

bool BigUint::TestBit(int bit) const {
  const size_t limb = static_cast<size_t>(bit / kLimbBits);
  if (limb >= limbs_.size()) return false;
  return (limbs_[limb] >> (bit % kLimbBits)) & 1;
}

void BigUint::ShiftLeftOne() {
  uint32_t carry = 0;
  for (uint32_t& limb : limbs_) {
    const uint32_t next_carry = limb >> (kLimbBits - 1);
    limb = (limb << 1) | carry;
    carry = next_carry;
  }
  if (carry != 0) limbs_.push_back(carry);
}

void BigUint::ShiftRight(int bits) {
  const size_t whole = static_cast<size_t>(bits / kLimbBits);
  const int part = bits % kLimbBits;
  if (whole >= limbs_.size()) {
    limbs_.clear();
    return;
  }
  limbs_.erase(limbs_.begin(), limbs_.begin() + whole);
  if (part != 0) {
    for (size_t i = 0; i < limbs_.size(); ++i) {
      const uint64_t high = i + 1 < limbs_.size() ? limbs_[i + 1] : 0;
      limbs_[i] =
          static_cast<uint32_t>(((high << kLimbBits) | limbs_[i]) >> part);
    }
  }
  Trim();
}

BigUint operator+(const BigUint& a, const BigUint& b) {
  const BigUint& longer = a.limbs_.size() >= b.limbs_.size() ? a : b;
  const BigUint& shorter = &longer == &a ? b : a;
  BigUint sum = longer;
  uint64_t carry = 0;
  for (size_t i = 0; i < sum.limbs_.size(); ++i) {
    if (i >= shorter.limbs_.size() && carry == 0) break;
    const uint64_t addend = i < shorter.limbs_.size() ? shorter.limbs_[i] : 0;
    const uint64_t total = uint64_t{sum.limbs_[i]} + addend + carry;
    sum.limbs_[i] = static_cast<uint32_t>(total);
    carry = total >> kLimbBits;
  }
  if (carry != 0) sum.limbs_.push_back(static_cast<uint32_t>(carry));
  return sum;
}

void BigUint::SubtractInPlace(const BigUint& other) {
  int64_t borrow = 0;
  for (size_t i = 0; i < limbs_.size(); ++i) {
    if (i >= other.limbs_.size() && borrow == 0) break;
    const int64_t subtrahend = i < other.limbs_.size() ? other.limbs_[i] : 0;
    int64_t value = int64_t{limbs_[i]} - subtrahend - borrow;
    borrow = value < 0 ? 1 : 0;
    if (value < 0) value += int64_t{1} << kLimbBits;
    limbs_[i] = static_cast<uint32_t>(value);
  }
  Trim();
}

BigUint operator-(const BigUint& a, const BigUint& b) {
  if (a < b) std::abort();  // Contract violation; see header.
  BigUint difference = a;
  difference.SubtractInPlace(b);
  return difference;
}

BigUint operator*(const BigUint& a, const BigUint& b) {
  if (a.IsZero() || b.IsZero()) return BigUint();
  const std::optional<uint64_t> small_a = a.ToUint64();
  const std::optional<uint64_t> small_b = b.ToUint64();
  if (small_a && small_b) {
    return BigUint::FromUint128(absl::uint128(*small_a) * *small_b);
  }
  BigUint product;
  product.limbs_.assign(a.limbs_.size() + b.limbs_.size(), 0);
  for (size_t i = 0; i < a.limbs_.size(); ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < b.limbs_.size(); ++j) {
      // (2^32-1)^2 + 2 * (2^32-1) == 2^64 - 1: the sum cannot overflow.
      const uint64_t total =
          uint64_t{a.limbs_[i]} * b.limbs_[j] + product.limbs_[i + j] + carry;
      product.limbs_[i + j] = static_cast<uint32_t>(total);
      carry = total >> kLimbBits;
    }
    product.limbs_[i + b.limbs_.size()] = static_cast<uint32_t>(carry);
  }
  product.Trim();
  return product;
}

BigUint BigUint::DivModSmall(const BigUint& a, uint32_t divisor,
                             uint32_t* remainder) {
  BigUint quotient = a;
  uint64_t rest = 0;
  for (size_t i = quotient.limbs_.size(); i-- > 0;) {
    const uint64_t current = (rest << kLimbBits) | quotient.limbs_[i];
    quotient.limbs_[i] = static_cast<uint32_t>(current / divisor);
    rest = current % divisor;
  }
  quotient.Trim();
  *remainder = static_cast<uint32_t>(rest);
  return quotient;
}

BigUint::DivModResult BigUint::DivMod(const BigUint& a, const BigUint& b) {
  if (b.IsZero()) std::abort();  // Contract violation; see header.
  if (a < b) return {BigUint(), a};
  if (b.limbs_.size() == 1) {
    uint32_t remainder = 0;
    BigUint quotient = DivModSmall(a, b.limbs_[0], &remainder);
    return {std::move(quotient), BigUint(remainder)};
  }
  const std::optional<absl::uint128> wide_a = a.ToUint128();
  if (wide_a) {
    const absl::uint128 wide_b = *b.ToUint128();
    return {FromUint128(*wide_a / wide_b), FromUint128(*wide_a % wide_b)};
  }
  // Binary long division. The remainder starts as the top bits of `a` that
  // are certainly below `b`, so the loop runs once per quotient bit only.
  const int shift = a.BitWidth() - b.BitWidth();
  BigUint remainder = a;
  remainder.ShiftRight(shift + 1);
  BigUint quotient;
  quotient.limbs_.assign(static_cast<size_t>(shift / kLimbBits + 1), 0);
  for (int bit = shift; bit >= 0; --bit) {
    remainder.ShiftLeftOne();
    if (a.TestBit(bit)) {
      if (remainder.IsZero()) remainder.limbs_.push_back(0);
      remainder.limbs_[0] |= 1;
    }
    if (remainder >= b) {
      remainder.SubtractInPlace(b);
      quotient.limbs_[static_cast<size_t>(bit / kLimbBits)] |=
          uint32_t{1} << (bit % kLimbBits);
    }
  }
  quotient.Trim();
  return {std::move(quotient), std::move(remainder)};
}

int BigUint::TrailingZeros() const {
  size_t limb = 0;
  while (limbs_[limb] == 0) ++limb;
  return static_cast<int>(limb) * kLimbBits + std::countr_zero(limbs_[limb]);
}

BigUint BigUint::Gcd(BigUint a, BigUint b) {
  // Binary GCD: linear-time steps (shift, subtract) instead of divisions,
  // dropping to the machine gcd as soon as both values fit in 64 bits.
  if (a.IsZero()) return b;
  if (b.IsZero()) return a;
  const int a_twos = a.TrailingZeros();
  const int b_twos = b.TrailingZeros();
  a.ShiftRight(a_twos);
  b.ShiftRight(b_twos);
  BigUint result;
  while (true) {  // Both odd here.
    const std::optional<uint64_t> small_a = a.ToUint64();
    const std::optional<uint64_t> small_b = b.ToUint64();
    if (small_a && small_b) {
      result = BigUint(std::gcd(*small_a, *small_b));
      break;
    }
    if (a < b) std::swap(a, b);
    a.SubtractInPlace(b);  // Odd - odd: even, or zero when a == b.
    if (a.IsZero()) {
      result = std::move(b);
      break;
    }
    a.ShiftRight(a.TrailingZeros());
  }
  for (int i = std::min(a_twos, b_twos); i > 0; --i) result.ShiftLeftOne();
  return result;
}

std::strong_ordering operator<=>(const BigUint& a, const BigUint& b) {
  if (a.limbs_.size() != b.limbs_.size()) {
    return a.limbs_.size() <=> b.limbs_.size();
  }
  for (size_t i = a.limbs_.size(); i-- > 0;) {
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
  }
  return std::strong_ordering::equal;
}

}  // namespace kyodo::proposal::domain
