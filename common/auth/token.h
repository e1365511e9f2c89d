// Verifying and minting kyodo's JWTs.
//
// Signatures are checked by libcjose (Debian's libcjose-dev, the JOSE
// library of mod_auth_openidc: it imports JWKs and verifies RS256, ES256
// and HS256 JWS, comparing HMACs in constant time). libjwt, used before,
// refuses any `typ` but "JWT", so it cannot read the access tokens of an
// OpenID provider (RFC 9068 `at+jwt`), and it has no JWKS support.
//
// Two kinds of keys, never confused:
// - public keys from a JWKS (RS256 and ES256), chosen by the token's `kid`;
//   several at once, so that a provider can rotate: the file is re-read when
//   it changes (checked at most every `jwks_recheck`, and whenever a token
//   names a `kid` not yet known);
// - an HS256 shared secret, for local development only: `production`
//   refuses HS* tokens and an HS* configuration.
// The header's `alg` picks the kind (HS* -> the secret, RS*/ES* -> the JWKS
// key of that `kid`, whose type must match: an RSA key never verifies ES256
// nor a public key an HMAC), and must be in the allow-list; never `none`.
// Then `exp` must be present and in the future, `nbf` not in the future,
// `iss` one of the accepted issuers and `aud` (string or list) the audience,
// and kyodo's claims consistent with the role (a ward_staff token names a
// valid ward, an applicant token a partner...). The claims' names are
// configurable, so a city maps its identity provider's claims without code.
#ifndef KYODO_COMMON_AUTH_TOKEN_H_
#define KYODO_COMMON_AUTH_TOKEN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"

namespace kyodo::common::auth {

// The names of the claims that carry kyodo's role and scope.
struct ClaimNames {
  std::string role = "role";
  std::string ward = "ward";
  std::string partner = "partner";
  std::string reviewer = "reviewer";
};

struct VerifierOptions {
  // The accepted issuer(s), comma separated (e.g. the identity provider and,
  // in local development, the issuer of `kyodoctl token`).
  std::string issuer;
  std::string audience;
  // Accepted `alg` values: HS256/HS384/HS512 (need `key`), RS256 and ES256
  // (need a JWKS). Empty: derived from what is configured.
  std::vector<std::string> algorithms = {"HS256"};
  // The HS* shared secret (local development); empty = none.
  std::string key;
  // A JWKS file of public keys (RS256, ES256), re-read when it changes.
  std::string jwks_file;
  // Or a fixed JWKS (tests, tools); used when jwks_file is empty.
  std::string jwks;
  // How often the JWKS file is checked for a change (its inode, size and
  // modification time), measured by the `now` given to Verify; zero = on
  // every use.
  absl::Duration jwks_recheck = absl::Seconds(5);
  // Refuses HS* tokens (and refuses to start with an HS* secret).
  bool production = false;
  ClaimNames claims;
  absl::Duration leeway = absl::Seconds(30);
  // How many verified tokens are remembered, so that a client sending the
  // same token on every call pays for its signature and claims once (zero:
  // none). See TokenVerifier::Verify.
  int token_cache_size = 4096;
};

class TokenVerifier {
 public:
  // INVALID_ARGUMENT for a missing issuer or audience, an unknown algorithm,
  // `none`, an HS* algorithm without a secret (or in production mode), an
  // RS*/ES* one without a JWKS, or a JWKS that cannot be read.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Create(
      VerifierOptions options);
  ~TokenVerifier();

  // The principal of a valid token, or UNAUTHENTICATED saying what is wrong
  // (never echoing the token).
  //
  // A token that passed is remembered by its SHA-256 (never its text) with
  // its principal and validity window, up to `token_cache_size` tokens. The
  // same token again is answered from memory while `now` is inside that
  // window (exp and nbf with the leeway, as on the first check) and, for a
  // JWKS token, while the key set it was verified with is still the one in
  // use: a reloaded JWKS forgets it, so a withdrawn key stops its tokens at
  // the next file check, as without the cache. Refused tokens are never
  // remembered. When full, the expired entries go; if none has expired,
  // all do (the bound holds; a flood of valid tokens only costs re-checks).
  absl::StatusOr<Principal> Verify(absl::string_view token,
                                   absl::Time now = absl::Now()) const;

  // Verifies the `authorization` metadata value: "Bearer <token>".
  absl::StatusOr<Principal> VerifyAuthorizationHeader(
      absl::string_view header, absl::Time now = absl::Now()) const;

  // The key ids of the JWKS as last loaded (tests, logs).
  std::vector<std::string> KeyIds() const;

  // What the token cache did (tests, metrics).
  struct CacheStats {
    int64_t hits = 0;
    int64_t misses = 0;
    int64_t entries = 0;
  };
  CacheStats TokenCacheStats() const;

 private:
  struct State;
  explicit TokenVerifier(VerifierOptions options);
  struct Checked;
  absl::StatusOr<Checked> Check(absl::string_view token, absl::Time now) const;
  VerifierOptions options_;
  std::unique_ptr<State> state_;
};

struct MintOptions {
  std::string issuer;
  std::string audience;
  // HS256 (key = the shared secret), or RS256 / ES256 (key = a private JWK,
  // JSON, whose `kid` goes into the header).
  std::string algorithm = "HS256";
  std::string key;
  absl::Duration lifetime = absl::Hours(8);
  absl::Time now = absl::Now();
  ClaimNames claims;
};

// Signs a token for `principal` (local use, tools and tests; production
// tokens come from the city's identity provider).
absl::StatusOr<std::string> MintToken(const Principal& principal,
                                      const MintOptions& options);

// A fresh private JWK (JSON) for tests and tools: "RS256" (RSA 2048) or
// "ES256" (P-256), with `kid`.
absl::StatusOr<std::string> NewPrivateJwk(absl::string_view algorithm,
                                          absl::string_view kid);
// The public part of a JWK, and a JWKS of public keys.
absl::StatusOr<std::string> PublicJwk(absl::string_view private_jwk);
absl::StatusOr<std::string> JwksOf(const std::vector<std::string>& jwks);

}  // namespace kyodo::common::auth

#endif  // KYODO_COMMON_AUTH_TOKEN_H_
