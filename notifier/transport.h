// Where the notifier's mails go: an SMTP server (libcurl's SMTP client), or,
// in dry-run mode (the local launcher), a folder of .eml files.
#ifndef KYODO_NOTIFIER_TRANSPORT_H_
#define KYODO_NOTIFIER_TRANSPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kyodo::notifier {

struct Delivery {
  enum Outcome {
    kSent,  // the server took it
    // Try again later: not handed over (no connection, a refused login or
    // TLS, a 4xx answer, a timeout before the end of the message), or
    // refused with a 4xx after it.
    kTransient,
    // Refused for good: a 5xx answer to the recipient or to the message.
    kPermanent,
    // The whole message was handed over but no answer came (a timeout, a
    // dropped connection): the server may have taken it. Never sent again.
    kUncertain,
  };
  Outcome outcome = kSent;
  // What went wrong, for the log and mails.last_error: never an address.
  std::string detail;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `message` (mail.h's Render) from `from` to `to`, both addresses
  // that passed common::IsMailAddress.
  virtual Delivery Send(const std::string& from, const std::string& to,
                        const std::string& message) = 0;
};

struct SmtpOptions {
  // smtp://host:port (STARTTLS when the server offers it, or always with
  // require_tls) or smtps://host:port (TLS from the start).
  std::string url;
  std::string user;      // empty: no authentication
  std::string password;  // from a file (--smtp_password_file)
  // STARTTLS or nothing; always so with a user, so that a password never
  // crosses in clear (a server, or a man in the middle, not offering
  // STARTTLS would otherwise get it).
  bool require_tls = false;
  // A PEM bundle of the authorities to trust; empty = the system's.
  std::string ca_file;
  absl::Duration timeout = absl::Seconds(20);
};

class SmtpTransport final : public Transport {
 public:
  explicit SmtpTransport(SmtpOptions options) : options_(std::move(options)) {}
  Delivery Send(const std::string& from, const std::string& to,
                const std::string& message) override;

 private:
  const SmtpOptions options_;
};

// What a failed SMTP exchange means for the mail: the server's last reply
// `code` (0 for none), libcurl's error text, and whether the whole message
// had been handed over.
Delivery::Outcome ClassifySmtpFailure(long code, absl::string_view error,
                                      bool handed_over);

// Writes each mail to `dir`/<n>.eml (n counting up from what is there),
// whole or not at all (a temporary file renamed).
class FolderTransport final : public Transport {
 public:
  // Creates `dir` if missing.
  static absl::StatusOr<std::unique_ptr<FolderTransport>> Create(
      const std::string& dir);
  Delivery Send(const std::string& from, const std::string& to,
                const std::string& message) override;

 private:
  explicit FolderTransport(std::string dir) : dir_(std::move(dir)) {}
  const std::string dir_;
};

}  // namespace kyodo::notifier

#endif  // KYODO_NOTIFIER_TRANSPORT_H_
