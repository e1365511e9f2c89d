// Text rules shared by the services: UTF-8 validity and the normalisation
// that search compares on.
//
// Stored text is kept byte for byte as the caller sent it (utf8mb4_bin, so
// はは and ばば stay distinct); only search keys are normalised.
#ifndef KYODO_COMMON_TEXT_TEXT_H_
#define KYODO_COMMON_TEXT_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kyodo::common {

// True when `text` is well-formed UTF-8: no overlong forms, no surrogates, no
// code point above U+10FFFF. The empty string is valid.
bool IsValidUtf8(absl::string_view text);

// The key search compares on: NFKC (full-width ASCII and half-width kana fold
// to their standard forms), case folded, katakana folded to hiragana, and
// runs of white space removed. Fails with INVALID_ARGUMENT on invalid UTF-8.
absl::StatusOr<std::string> SearchKey(absl::string_view text);

// True when `address` is a mail address kyodo can send to (an RFC 5321
// addr-spec in its common form): ASCII `local@domain`, at most 254 bytes,
// the local part a dot-atom (letters, digits and !#$%&'*+-/=?^_`{|}~,
// single dots between) of at most 64 bytes, the domain dot-separated
// labels of letters, digits and inner hyphens. No quoted local parts,
// address literals or internationalised addresses, and never a space,
// CR, LF, comma or angle bracket, so an address is safe in a mail header.
bool IsMailAddress(absl::string_view address);

}  // namespace kyodo::common

#endif  // KYODO_COMMON_TEXT_TEXT_H_
