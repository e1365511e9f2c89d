// Test support: reads back a mail as a mail client would (RFC 5322
// headers, RFC 2047 encoded-words, a base64 body), to check what the
// notifier wrote (notifier/mail.h) independently of how it wrote it.
#ifndef KYODO_TESTS_NOTIFIER_MIME_H_
#define KYODO_TESTS_NOTIFIER_MIME_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kyodo::testing {

struct ReadMail {
  // Header name (lower-cased) -> the value, unfolded, encoded-words
  // decoded; the last one when a header repeats.
  std::map<std::string, std::string> headers;
  // The raw (undecoded, unfolded) values.
  std::map<std::string, std::string> raw;
  std::string body;  // decoded, line ends as "\n"
  // The longest line of the message as it was sent.
  size_t longest_line = 0;
  bool ascii_only = true;
};

// INVALID_ARGUMENT when the mail is not well formed (no blank line after
// the headers, a bad encoded-word, a body that is not base64).
absl::StatusOr<ReadMail> ParseMail(absl::string_view text);

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_NOTIFIER_MIME_H_
