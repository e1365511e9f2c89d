// How the notifier reads an SMTP server's answers (notifier/transport.h),
// with libcurl against a scripted server (tests/notifier/smtp_script.py)
// answering one way per mode: only a refusal of the recipient or of the
// message fails a mail for good; a message handed over without an answer
// is never sent again (at most one mail per event and recipient); the
// rest waits for a retry.
#include "notifier/transport.h"

#include <signal.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/process.h"

namespace kyodo::notifier {
namespace {

constexpr char kMessage[] =
    "Subject: test\r\nMIME-Version: 1.0\r\n\r\n"
    ".a line starting with a dot\r\nbody\r\n";

Delivery SendTo(const std::string& mode) {
  testing::ChildProcess server(
      "/usr/bin/python3",
      {absl::StrCat(KYODO_SOURCE_DIR, "/tests/notifier/smtp_script.py"), mode},
      absl::StrCat(::testing::TempDir(), "/smtp-", mode, ".log"));
  EXPECT_TRUE(server.Start());
  const int port = server.WaitForLoggedPort("serving", absl::Seconds(30));
  EXPECT_NE(port, 0) << server.LogTail();
  SmtpOptions options;
  options.url = absl::StrCat("smtp://127.0.0.1:", port);
  options.timeout = absl::Seconds(20);
  SmtpTransport transport(options);
  Delivery d = transport.Send("noreply@city.kawasaki.example",
                              "taro@example.jp", kMessage);
  server.Signal(SIGKILL);
  server.Wait(absl::Seconds(10));
  return d;
}

TEST(SmtpTransportTest, EachAnswerMeansWhatItSays) {
  struct Case {
    const char* mode;
    Delivery::Outcome want;
  };
  for (const Case& c : {
           Case{"accept", Delivery::kSent},
           // The server's trouble, or kyodo's settings: the mail waits.
           Case{"greeting-421", Delivery::kTransient},
           Case{"mail-553", Delivery::kTransient},
           // About this mail: refused for good.
           Case{"rcpt-550", Delivery::kPermanent},
           Case{"data-554", Delivery::kPermanent},
           // Handed over, no answer: perhaps taken; never again.
           Case{"close-after-data", Delivery::kUncertain},
       }) {
    const Delivery d = SendTo(c.mode);
    EXPECT_EQ(d.outcome, c.want) << c.mode << ": " << d.detail;
    if (c.want != Delivery::kSent) {
      EXPECT_FALSE(d.detail.empty()) << c.mode;
      // What is logged and stored names no address.
      EXPECT_EQ(d.detail.find("example.jp"), std::string::npos) << d.detail;
    }
  }
}

TEST(SmtpTransportTest, NoServerIsTransient) {
  SmtpOptions options;
  options.url = "smtp://127.0.0.1:1";
  options.timeout = absl::Seconds(5);
  SmtpTransport transport(options);
  EXPECT_EQ(transport.Send("a@example.jp", "b@example.jp", kMessage).outcome,
            Delivery::kTransient);
}

TEST(SmtpTransportTest, AUserMeansTlsOrNothing) {
  // The scripted server offers no STARTTLS: with a user (a password to
  // protect) the mail is not sent, and waits.
  testing::ChildProcess server(
      "/usr/bin/python3",
      {absl::StrCat(KYODO_SOURCE_DIR, "/tests/notifier/smtp_script.py"),
       "accept"},
      absl::StrCat(::testing::TempDir(), "/smtp-tls.log"));
  ASSERT_TRUE(server.Start());
  const int port = server.WaitForLoggedPort("serving", absl::Seconds(30));
  ASSERT_NE(port, 0) << server.LogTail();
  SmtpOptions options;
  options.url = absl::StrCat("smtp://127.0.0.1:", port);
  options.user = "kyodo";
  options.password = "not-to-be-sent-in-clear";
  SmtpTransport transport(options);
  const Delivery d = transport.Send("a@example.jp", "b@example.jp", kMessage);
  EXPECT_EQ(d.outcome, Delivery::kTransient) << d.detail;
  server.Signal(SIGKILL);
}

TEST(ClassifySmtpFailureTest, ByWhereTheExchangeStopped) {
  EXPECT_EQ(ClassifySmtpFailure(550, "RCPT failed: 550", false),
            Delivery::kPermanent);
  EXPECT_EQ(ClassifySmtpFailure(553, "MAIL failed: 553", false),
            Delivery::kTransient);
  EXPECT_EQ(ClassifySmtpFailure(535, "Login denied", false),
            Delivery::kTransient);
  EXPECT_EQ(ClassifySmtpFailure(451, "RCPT failed: 451", false),
            Delivery::kTransient);
  EXPECT_EQ(ClassifySmtpFailure(0, "Connection refused", false),
            Delivery::kTransient);
  EXPECT_EQ(ClassifySmtpFailure(554, "", true), Delivery::kPermanent);
  EXPECT_EQ(ClassifySmtpFailure(451, "", true), Delivery::kTransient);
  EXPECT_EQ(ClassifySmtpFailure(354, "Operation timed out", true),
            Delivery::kUncertain);
  EXPECT_EQ(ClassifySmtpFailure(0, "", true), Delivery::kUncertain);
}

}  // namespace
}  // namespace kyodo::notifier
