#include "common/oauth/client.h"

#include <curl/curl.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "common/log/log.h"
#include "nlohmann/json.hpp"

namespace kyodo::common::oauth {
namespace {

using Json = nlohmann::json;

// Large enough for any token or metadata answer; refuses anything bigger.
constexpr size_t kMaxAnswerBytes = 1 << 20;

struct CurlRelease {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

size_t Append(char* data, size_t size, size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * count > kMaxAnswerBytes) return 0;
  body->append(data, size * count);
  return size * count;
}

std::string Escape(CURL* curl, const std::string& text) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(curl, text.data(), static_cast<int>(text.size())),
      &curl_free);
  return escaped == nullptr ? "" : escaped.get();
}

absl::StatusOr<HttpAnswer> Perform(const std::string& url, const char* form,
                                   const std::string& user,
                                   const std::string& password, CURL* curl,
                                   absl::Duration timeout) {
  HttpAnswer answer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  if (form != nullptr) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
  if (!user.empty()) {
    // RFC 6749 2.3.1: client id and secret form-encoded, then Basic.
    const std::string id = Escape(curl, user);
    const std::string secret = Escape(curl, password);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, secret.c_str());
  }
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("cannot reach ", url, ": ", curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

std::unique_ptr<CURL, CurlRelease> NewCurl() {
  static const bool initialised = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)initialised;
  return std::unique_ptr<CURL, CurlRelease>(curl_easy_init());
}

}  // namespace

absl::StatusOr<HttpAnswer> PostForm(
    const std::string& url, const std::map<std::string, std::string>& form,
    const std::string& basic_user, const std::string& basic_password,
    absl::Duration timeout) {
  auto curl = NewCurl();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  std::string body;
  for (const auto& [name, value] : form) {
    if (value.empty()) continue;
    if (!body.empty()) body += '&';
    absl::StrAppend(&body, Escape(curl.get(), name), "=",
                    Escape(curl.get(), value));
  }
  return Perform(url, body.c_str(), basic_user, basic_password, curl.get(),
                 timeout);
}

absl::StatusOr<HttpAnswer> Get(const std::string& url, absl::Duration timeout) {
  auto curl = NewCurl();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  return Perform(url, nullptr, "", "", curl.get(), timeout);
}

absl::StatusOr<IssuedToken> RequestClientCredentials(
    const ClientCredentials& grant, absl::Time now) {
  absl::StatusOr<HttpAnswer> answer =
      PostForm(grant.endpoint,
               {{"grant_type", "client_credentials"},
                {"scope", grant.scope},
                {"resource", grant.resource}},
               grant.client_id, grant.client_secret, grant.timeout);
  if (!answer.ok()) return answer.status();
  const Json json = Json::parse(answer->body, nullptr, false);
  if (answer->status != 200 || !json.is_object()) {
    // The error code of RFC 6749 5.2, never the body (it could echo input).
    std::string error = "no JSON error";
    if (json.is_object() && json.contains("error") &&
        json["error"].is_string()) {
      error = json["error"].get<std::string>();
    }
    return absl::UnavailableError(absl::StrCat(
        "token endpoint answered HTTP ", answer->status, " (", error, ")"));
  }
  if (!json.contains("access_token") || !json["access_token"].is_string() ||
      !json.contains("expires_in") || !json["expires_in"].is_number()) {
    return absl::UnavailableError(
        "token endpoint answer lacks access_token or expires_in");
  }
  return IssuedToken{json["access_token"].get<std::string>(),
                     now + absl::Seconds(json["expires_in"].get<double>())};
}

absl::StatusOr<std::string> ServiceCredential::Token() {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  if (now < renew_at_ && !current_.token.empty()) return current_.token;
  absl::StatusOr<IssuedToken> fresh = fetch_(now);
  if (fresh.ok() && fresh->expires > now) {
    ++fetches_;
    current_ = *std::move(fresh);
    renew_at_ = now + (current_.expires - now) * 2 / 3;
    return current_.token;
  }
  const absl::Status error =
      fresh.ok() ? absl::UnavailableError("fetched an expired token")
                 : fresh.status();
  // A minute of margin: a token about to expire would fail downstream.
  if (!current_.token.empty() && now + absl::Seconds(60) < current_.expires) {
    log::Warning("service credential not renewed; using the current one",
                 {{"error", error.message()}});
    renew_at_ = now + retry_;
    return current_.token;
  }
  return absl::UnavailableError(absl::StrCat(
      "the gateway has no valid credential of its own: ", error.message()));
}

int ServiceCredential::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

absl::StatusOr<ProviderMetadata> Discover(const std::string& issuer,
                                          absl::Duration timeout) {
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  absl::StatusOr<HttpAnswer> answer =
      Get(base + "/.well-known/openid-configuration", timeout);
  if (!answer.ok()) return answer.status();
  const Json json = Json::parse(answer->body, nullptr, false);
  if (answer->status != 200 || !json.is_object()) {
    return absl::UnavailableError(
        absl::StrCat("no OpenID provider metadata at ", base, " (HTTP ",
                     answer->status, ")"));
  }
  auto text = [&](const char* name) {
    return json.contains(name) && json[name].is_string()
               ? json[name].get<std::string>()
               : std::string();
  };
  ProviderMetadata metadata{text("issuer"), text("token_endpoint"),
                            text("device_authorization_endpoint")};
  if (metadata.issuer != base && metadata.issuer != issuer) {
    // OpenID Connect Discovery 4.3: the issuer must be the one asked.
    return absl::FailedPreconditionError(
        absl::StrCat("provider metadata names issuer ", metadata.issuer));
  }
  return metadata;
}

absl::StatusOr<ServiceToken> MakeServiceToken(
    const ServiceTokenOptions& options, const Clock* clock) {
  if (options.endpoint.empty() == options.token_file.empty()) {
    return absl::InvalidArgumentError(
        "give --service_token_endpoint (with --service_client_secret_file) "
        "or, for local development, --service_token_file");
  }
  ServiceToken out;
  if (!options.endpoint.empty()) {
    auto secret = config::ReadSecretFile("--service_client_secret_file",
                                         options.secret_file);
    if (!secret.ok()) return secret.status();
    out.key = *secret;
    ClientCredentials grant;
    grant.endpoint = options.endpoint;
    grant.client_id = options.client_id;
    grant.client_secret = *secret;
    grant.scope = options.scope;
    grant.resource = options.resource;
    out.credential = std::make_shared<ServiceCredential>(
        [grant](absl::Time now) {
          return RequestClientCredentials(grant, now);
        },
        clock);
    out.token = [credential = out.credential] { return credential->Token(); };
    return out;
  }
  auto first =
      config::ReadSecretFile("--service_token_file", options.token_file);
  if (!first.ok()) return first.status();
  out.key = *first;
  out.token = [file = options.token_file] {
    return config::ReadSecretFile("--service_token_file", file);
  };
  return out;
}

}  // namespace kyodo::common::oauth
