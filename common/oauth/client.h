// The OAuth 2.0 / OpenID Connect client side kyodo needs, over libcurl:
// - the gateway's own short-lived credential (client credentials grant,
//   RFC 6749 section 4.4), renewed before it expires (ServiceCredential);
// - `kyodoctl login`: discovery and the device authorization grant
//   (RFC 8628) against the city's (or the local) OpenID provider.
#ifndef KYODO_COMMON_OAUTH_CLIENT_H_
#define KYODO_COMMON_OAUTH_CLIENT_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/time/clock.h"

namespace kyodo::common::oauth {

struct HttpAnswer {
  long status = 0;
  std::string body;
};

// POSTs `form` (application/x-www-form-urlencoded); with `basic_user`, as
// HTTP Basic client authentication (client_secret_basic). UNAVAILABLE when
// the server cannot be reached in `timeout`.
absl::StatusOr<HttpAnswer> PostForm(
    const std::string& url, const std::map<std::string, std::string>& form,
    const std::string& basic_user, const std::string& basic_password,
    absl::Duration timeout);
absl::StatusOr<HttpAnswer> Get(const std::string& url, absl::Duration timeout);

// A token and when it stops being valid.
struct IssuedToken {
  std::string token;
  absl::Time expires;
};

// The client credentials grant at `endpoint`: the gateway's screening
// credential. The answer's `expires_in` sets `expires` (from `now`).
struct ClientCredentials {
  std::string endpoint;
  std::string client_id;
  std::string client_secret;
  std::string scope;     // may be empty
  std::string resource;  // RFC 8707 resource indicator; may be empty
  absl::Duration timeout = absl::Seconds(5);
};
absl::StatusOr<IssuedToken> RequestClientCredentials(
    const ClientCredentials& grant, absl::Time now);

// Holds a credential and renews it before it expires: a token is used until
// two thirds of its lifetime have passed, then fetched again. A failed
// renewal keeps the current token while it is still valid (retrying after
// `retry`); past that, Token() answers UNAVAILABLE.
class ServiceCredential {
 public:
  using Fetch = std::function<absl::StatusOr<IssuedToken>(absl::Time now)>;
  ServiceCredential(Fetch fetch, const Clock* clock,
                    absl::Duration retry = absl::Seconds(5))
      : fetch_(std::move(fetch)), clock_(clock), retry_(retry) {}

  absl::StatusOr<std::string> Token();
  // How many tokens have been fetched (tests, metrics).
  int fetches() const;

 private:
  Fetch fetch_;
  const Clock* clock_;
  absl::Duration retry_;
  mutable std::mutex mu_;
  IssuedToken current_;
  absl::Time renew_at_ = absl::InfinitePast();
  int fetches_ = 0;
};

// A service's own credential (the gateway's screener, the notifier's):
// obtained at `endpoint` with the client credentials grant and renewed
// before it expires, or, for local development and the tests, read from
// `token_file` at each use (something else renews it).
struct ServiceTokenOptions {
  std::string endpoint;     // --service_token_endpoint
  std::string client_id;    // --service_client_id
  std::string secret_file;  // --service_client_secret_file
  std::string token_file;   // --service_token_file
  std::string scope;
  std::string resource;
};
struct ServiceToken {
  std::function<absl::StatusOr<std::string>()> token;
  // A secret that stays the same while the token is renewed: the client
  // secret, or the token file's first contents.
  std::string key;
  // The renewing credential (null with a token file).
  std::shared_ptr<ServiceCredential> credential;
};
// INVALID_ARGUMENT unless exactly one of endpoint and token_file is given
// (naming the flags), or when the secret or token file cannot be read.
absl::StatusOr<ServiceToken> MakeServiceToken(
    const ServiceTokenOptions& options, const Clock* clock);

// The endpoints an OpenID provider publishes at
// `<issuer>/.well-known/openid-configuration`.
struct ProviderMetadata {
  std::string issuer;
  std::string token_endpoint;
  std::string device_authorization_endpoint;
};
absl::StatusOr<ProviderMetadata> Discover(const std::string& issuer,
                                          absl::Duration timeout);

}  // namespace kyodo::common::oauth

#endif  // KYODO_COMMON_OAUTH_CLIENT_H_
