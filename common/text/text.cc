#include "common/text/text.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "unicode/normalizer2.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/ustring.h"

namespace kyodo::common {
namespace {

// Katakana U+30A1..U+30F6 map one to one onto hiragana U+3041..U+3096; the
// rest (ー, ヷ...) have no hiragana form and stay.
UChar32 FoldKana(UChar32 c) {
  if (c >= 0x30A1 && c <= 0x30F6) return c - 0x60;
  return c;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  if (text.empty()) return true;
  UErrorCode error = U_ZERO_ERROR;
  int32_t length = 0;
  // Preflight only: with a null destination ICU validates and counts.
  u_strFromUTF8(nullptr, 0, &length, text.data(),
                static_cast<int32_t>(text.size()), &error);
  return error == U_BUFFER_OVERFLOW_ERROR || U_SUCCESS(error);
}

absl::StatusOr<std::string> SearchKey(absl::string_view text) {
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError("text is not valid UTF-8");
  }
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf =
      icu::Normalizer2::getNFKCCasefoldInstance(error);
  if (U_FAILURE(error)) {
    return absl::InternalError(u_errorName(error));
  }
  icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString normalized = nfkc_cf->normalize(source, error);
  if (U_FAILURE(error)) {
    return absl::InternalError(u_errorName(error));
  }
  icu::UnicodeString folded;
  for (int32_t i = 0; i < normalized.length();) {
    UChar32 c = normalized.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c)) continue;
    folded.append(FoldKana(c));
  }
  std::string out;
  folded.toUTF8String(out);
  return out;
}

namespace {

bool IsAtext(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+-/=?^_`{|}~").find(c) !=
             absl::string_view::npos;
}

}  // namespace

bool IsMailAddress(absl::string_view address) {
  if (address.size() > 254) return false;
  const size_t at = address.rfind('@');
  if (at == absl::string_view::npos) return false;
  const absl::string_view local = address.substr(0, at);
  const absl::string_view domain = address.substr(at + 1);
  if (local.empty() || local.size() > 64 || domain.empty()) return false;
  char previous = '.';
  for (char c : local) {
    if (c == '.' ? previous == '.' : !IsAtext(c)) return false;
    previous = c;
  }
  if (previous == '.') return false;
  for (absl::string_view label : absl::StrSplit(domain, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-')
        return false;
    }
  }
  return true;
}

}  // namespace kyodo::common
