#include "notifier/transport.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kyodo::notifier {
namespace {

struct CurlRelease {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListRelease {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::unique_ptr<CURL, CurlRelease> NewCurl() {
  static const bool initialised = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)initialised;
  return std::unique_ptr<CURL, CurlRelease>(curl_easy_init());
}

// libcurl reads the message to upload through this.
struct Upload {
  const std::string* message;
  size_t offset = 0;
};

size_t Read(char* buffer, size_t size, size_t count, void* data) {
  auto* upload = static_cast<Upload*>(data);
  const size_t left = upload->message->size() - upload->offset;
  const size_t n = std::min(left, size * count);
  std::memcpy(buffer, upload->message->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

}  // namespace

Delivery SmtpTransport::Send(const std::string& from, const std::string& to,
                             const std::string& message) {
  auto curl = NewCurl();
  if (curl == nullptr) return {Delivery::kTransient, "curl_easy_init failed"};
  CURL* c = curl.get();
  const std::string mail_from = absl::StrCat("<", from, ">");
  std::unique_ptr<curl_slist, ListRelease> rcpt(
      curl_slist_append(nullptr, absl::StrCat("<", to, ">").c_str()));
  Upload upload{&message};
  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      c, CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  const bool tls = options_.require_tls || !options_.user.empty();
  curl_easy_setopt(c, CURLOPT_USE_SSL, tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (!options_.ca_file.empty())
    curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &Read);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(message.size()));
  const CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_OK) return {Delivery::kSent, ""};
  // libcurl's own words (no address: it names commands and codes only).
  const std::string detail =
      absl::StrCat(curl_easy_strerror(rc), error[0] != '\0' ? ": " : "", error,
                   code > 0 ? absl::StrCat(" (SMTP ", code, ")") : "");
  return {ClassifySmtpFailure(code, error, upload.offset == message.size()),
          detail};
}

Delivery::Outcome ClassifySmtpFailure(long code, absl::string_view error,
                                      bool handed_over) {
  const bool permanent = code >= 500 && code < 600;
  if (handed_over) {
    // After the end of the message the server's answer decides; without
    // one it may have taken the mail (RFC 5321 section 4.1.1.4).
    if (permanent) return Delivery::kPermanent;
    if (code >= 400) return Delivery::kTransient;
    return Delivery::kUncertain;
  }
  // Before it, only a 5xx to the recipient is about this mail (RFC 5321
  // section 4.2.1); a refused greeting, login, STARTTLS or sender is about
  // the server or kyodo's settings, and the mail waits for them.
  if (permanent && absl::StrContains(error, "RCPT")) {
    return Delivery::kPermanent;
  }
  return Delivery::kTransient;
}

absl::StatusOr<std::unique_ptr<FolderTransport>> FolderTransport::Create(
    const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create ", dir, ": ", error.message()));
  }
  return std::unique_ptr<FolderTransport>(new FolderTransport(dir));
}

Delivery FolderTransport::Send(const std::string& from, const std::string& to,
                               const std::string& message) {
  // The next number after the highest there, so the files sort in the
  // order they were sent.
  int64_t next = 1;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, error)) {
    const std::string name = entry.path().filename().string();
    absl::string_view stem = name;
    int64_t n = 0;
    if (absl::ConsumeSuffix(&stem, ".eml") && absl::SimpleAtoi(stem, &n))
      next = std::max(next, n + 1);
  }
  if (error) return {Delivery::kTransient, error.message()};
  const std::string path = absl::StrCat(dir_, "/", next, ".eml");
  const std::string tmp = absl::StrCat(path, ".tmp");
  // The envelope, as a mail server's delivery would record it.
  const std::string text =
      absl::StrCat("X-Envelope-From: <", from, ">\r\nX-Envelope-To: <", to,
                   ">\r\n", message);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
  if (fd < 0) return {Delivery::kTransient, std::strerror(errno)};
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return {Delivery::kTransient, why};
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return {Delivery::kTransient, why};
  }
  return {Delivery::kSent, ""};
}

}  // namespace kyodo::notifier
