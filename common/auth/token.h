// Verifying and minting kyodo's JWTs.
//
// Signatures are checked by libjwt (Debian's libjwt-dev, whose HMAC
// comparison is constant-time); this file adds what kyodo requires on top:
// the header's `alg` must be in the configured allow-list (never `none`, and
// HS* and RS* never both, which would let a public key serve as an HMAC
// secret), `exp` must be present and in the future, `nbf` not in the future,
// `iss` and `aud` (string or list) must match, and the kyodo claims must be
// consistent with the role (a ward_staff token names a valid ward, an
// applicant token a partner...).
#ifndef KYODO_COMMON_AUTH_TOKEN_H_
#define KYODO_COMMON_AUTH_TOKEN_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"

namespace kyodo::common::auth {

struct VerifierOptions {
  std::string issuer;
  std::string audience;
  // "HS256" (key = shared secret) or "RS256" (key = PEM public key); the
  // list must not mix families.
  std::vector<std::string> algorithms = {"HS256"};
  std::string key;
  absl::Duration leeway = absl::Seconds(30);
};

class TokenVerifier {
 public:
  // INVALID_ARGUMENT for an empty key, issuer or audience, an unknown
  // algorithm, `none`, or mixed HS/RS families.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Create(
      VerifierOptions options);

  // The principal of a valid token, or UNAUTHENTICATED saying what is wrong
  // (never echoing the token).
  absl::StatusOr<Principal> Verify(absl::string_view token,
                                   absl::Time now = absl::Now()) const;

  // Verifies the `authorization` metadata value: "Bearer <token>".
  absl::StatusOr<Principal> VerifyAuthorizationHeader(
      absl::string_view header, absl::Time now = absl::Now()) const;

 private:
  explicit TokenVerifier(VerifierOptions options)
      : options_(std::move(options)) {}
  VerifierOptions options_;
};

struct MintOptions {
  std::string issuer;
  std::string audience;
  std::string algorithm = "HS256";
  // HS256: the shared secret; RS256: the PEM private key.
  std::string key;
  absl::Duration lifetime = absl::Hours(8);
  absl::Time now = absl::Now();
};

// Signs a token for `principal` (local use, tools and tests; production
// tokens come from the city's identity provider).
absl::StatusOr<std::string> MintToken(const Principal& principal,
                                      const MintOptions& options);

}  // namespace kyodo::common::auth

#endif  // KYODO_COMMON_AUTH_TOKEN_H_
