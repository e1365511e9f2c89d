// One notification mail as it goes over SMTP: an RFC 5322 message in
// Japanese, made of 7-bit ASCII only, so that every relay passes it as it
// is (RFC 2045-2047): the subject and the names as UTF-8 encoded-words, the
// body UTF-8 in base64.
#ifndef KYODO_NOTIFIER_MAIL_H_
#define KYODO_NOTIFIER_MAIL_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kyodo::notifier {

struct Mailbox {
  std::string address;  // common::IsMailAddress
  std::string name;     // UTF-8, may be empty
};

struct Mail {
  Mailbox from;
  Mailbox to;
  std::string subject;  // UTF-8, one line
  std::string body;     // UTF-8, lines ending in "\n"
  // The Message-ID without its angle brackets ("...@domain"): the same
  // for the same event and recipient, so a receiving system can tell a
  // copy from a second mail.
  std::string message_id;
  absl::Time date;
};

// The message, lines ending in CRLF. Precondition: both addresses pass
// common::IsMailAddress (nothing else is ever put in a header as is).
std::string Render(const Mail& mail);

// `text` as RFC 2047 encoded-words ("=?UTF-8?B?...?="), each at most 75
// characters and never splitting a character, joined by a folding CRLF and
// space; ASCII text without specials is returned as it is.
std::string EncodeHeaderText(absl::string_view text);

// The Message-ID of the mail about event `cursor` to `recipient` of kind
// `kind`, in `domain`.
std::string MessageIdOf(absl::string_view cursor, absl::string_view kind,
                        absl::string_view recipient, absl::string_view domain);

}  // namespace kyodo::notifier

#endif  // KYODO_NOTIFIER_MAIL_H_
