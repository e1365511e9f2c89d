#include "common/auth/token.h"

#include <jwt.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "nlohmann/json.hpp"

namespace kyodo::common::auth {
namespace {

// Far above any real token; refuses giant headers before parsing them.
constexpr size_t kMaxTokenBytes = 8192;

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

bool IsHmac(jwt_alg_t alg) {
  return alg == JWT_ALG_HS256 || alg == JWT_ALG_HS384 || alg == JWT_ALG_HS512;
}
bool IsRsa(jwt_alg_t alg) {
  return alg == JWT_ALG_RS256 || alg == JWT_ALG_RS384 || alg == JWT_ALG_RS512;
}

absl::Status Denied(absl::string_view why) {
  return UnauthenticatedError(absl::StrCat("invalid token: ", why));
}

std::string StringClaim(jwt_t* jwt, const char* name) {
  const char* value = jwt_get_grant(jwt, name);
  return value == nullptr ? std::string() : std::string(value);
}

// An integer claim, or nullopt when absent or not an integer.
std::optional<long> IntClaim(jwt_t* jwt, const char* name) {
  errno = 0;
  long value = jwt_get_grant_int(jwt, name);
  if (errno != 0) return std::nullopt;
  return value;
}

bool AudienceMatches(jwt_t* jwt, const std::string& audience) {
  if (StringClaim(jwt, "aud") == audience) return true;
  std::unique_ptr<char, FreeDeleter> json(jwt_get_grants_json(jwt, "aud"));
  if (json == nullptr) return false;
  nlohmann::json parsed = nlohmann::json::parse(json.get(), nullptr, false);
  if (!parsed.is_array()) return false;
  for (const auto& entry : parsed) {
    if (entry.is_string() && entry.get<std::string>() == audience) return true;
  }
  return false;
}

absl::Status CheckTimes(jwt_t* jwt, absl::Time now, absl::Duration leeway) {
  std::optional<long> exp = IntClaim(jwt, "exp");
  if (!exp.has_value()) return Denied("no exp claim");
  if (absl::FromUnixSeconds(*exp) + leeway <= now) return Denied("expired");
  // nbf may be any JSON number (RFC 7519 NumericDate); anything else where
  // a date belongs is refused rather than ignored.
  std::unique_ptr<char, FreeDeleter> nbf(jwt_get_grants_json(jwt, "nbf"));
  if (nbf != nullptr) {
    nlohmann::json value = nlohmann::json::parse(nbf.get(), nullptr, false);
    if (!value.is_number()) return Denied("nbf is not a date");
    // absl::Seconds(double) saturates: absurd values stay in the future.
    if (absl::UnixEpoch() + absl::Seconds(value.get<double>()) - leeway > now) {
      return Denied("not valid yet (nbf)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Principal> ReadPrincipal(jwt_t* jwt) {
  Principal p;
  p.subject = StringClaim(jwt, "sub");
  if (p.subject.empty()) return Denied("no sub claim");
  std::optional<Role> role = ParseRole(StringClaim(jwt, "role"));
  if (!role.has_value()) return Denied("missing or unknown role claim");
  p.role = *role;
  const std::string ward = StringClaim(jwt, "ward");
  if (!ward.empty() && !kyodo::type::v1::Ward_Parse(ward, &p.ward)) {
    return Denied("unknown ward claim");
  }
  p.partner = StringClaim(jwt, "partner");
  p.reviewer = StringClaim(jwt, "reviewer");
  if (p.role == Role::kWardStaff &&
      p.ward == kyodo::type::v1::WARD_UNSPECIFIED) {
    return Denied("a ward_staff token needs a ward claim");
  }
  if (p.role == Role::kApplicant && !absl::StartsWith(p.partner, "partners/")) {
    return Denied("an applicant token needs a partner claim (partners/...)");
  }
  if (p.role == Role::kReviewer && p.reviewer.empty()) {
    return Denied("a reviewer token needs a reviewer claim");
  }
  return p;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Create(
    VerifierOptions options) {
  if (options.key.empty()) {
    return absl::InvalidArgumentError("jwt key is empty");
  }
  if (options.issuer.empty() || options.audience.empty()) {
    return absl::InvalidArgumentError("jwt issuer and audience are required");
  }
  if (options.algorithms.empty()) {
    return absl::InvalidArgumentError("jwt algorithm list is empty");
  }
  bool hmac = false, rsa = false;
  for (const std::string& name : options.algorithms) {
    const jwt_alg_t alg = jwt_str_alg(name.c_str());
    hmac |= IsHmac(alg);
    rsa |= IsRsa(alg);
    if (!IsHmac(alg) && !IsRsa(alg)) {
      return absl::InvalidArgumentError(
          absl::StrCat("jwt algorithm not allowed: ", name));
    }
  }
  if (hmac && rsa) {
    return absl::InvalidArgumentError(
        "jwt algorithms must not mix HS* and RS* (one key serves one family)");
  }
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(std::move(options)));
}

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view token,
                                                absl::Time now) const {
  if (token.empty()) return Denied("empty");
  if (token.size() > kMaxTokenBytes) return Denied("too long");
  const std::string text(token);  // libjwt wants a NUL-terminated string
  jwt_t* raw = nullptr;
  const int error =
      jwt_decode(&raw, text.c_str(),
                 reinterpret_cast<const unsigned char*>(options_.key.data()),
                 static_cast<int>(options_.key.size()));
  JwtPtr jwt(raw);
  if (error != 0 || jwt == nullptr) return Denied("bad format or signature");
  const char* alg = jwt_alg_str(jwt_get_alg(jwt.get()));
  bool allowed = false;
  for (const std::string& name : options_.algorithms) {
    allowed |= (alg != nullptr && name == alg);
  }
  if (!allowed) {
    return Denied(absl::StrCat("algorithm ", alg == nullptr ? "?" : alg,
                               " is not accepted"));
  }
  if (absl::Status s = CheckTimes(jwt.get(), now, options_.leeway); !s.ok()) {
    return s;
  }
  if (StringClaim(jwt.get(), "iss") != options_.issuer) {
    return Denied("wrong issuer");
  }
  if (!AudienceMatches(jwt.get(), options_.audience)) {
    return Denied("wrong audience");
  }
  return ReadPrincipal(jwt.get());
}

absl::StatusOr<Principal> TokenVerifier::VerifyAuthorizationHeader(
    absl::string_view header, absl::Time now) const {
  constexpr absl::string_view kBearer = "Bearer ";
  if (header.empty()) {
    return UnauthenticatedError(
        "missing authorization metadata (Bearer token)");
  }
  if (!absl::StartsWithIgnoreCase(header, kBearer)) {
    return UnauthenticatedError(
        "authorization metadata must be Bearer <token>");
  }
  return Verify(header.substr(kBearer.size()), now);
}

absl::StatusOr<std::string> MintToken(const Principal& principal,
                                      const MintOptions& options) {
  const jwt_alg_t alg = jwt_str_alg(options.algorithm.c_str());
  if (!IsHmac(alg) && !IsRsa(alg)) {
    return absl::InvalidArgumentError("unsupported algorithm");
  }
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  JwtPtr jwt(raw);
  const long now = static_cast<long>(absl::ToUnixSeconds(options.now));
  int rc = 0;
  rc |= jwt_add_grant(jwt.get(), "sub", principal.subject.c_str());
  rc |= jwt_add_grant(jwt.get(), "role",
                      std::string(RoleName(principal.role)).c_str());
  rc |= jwt_add_grant(jwt.get(), "iss", options.issuer.c_str());
  rc |= jwt_add_grant(jwt.get(), "aud", options.audience.c_str());
  rc |= jwt_add_grant_int(jwt.get(), "iat", now);
  rc |= jwt_add_grant_int(
      jwt.get(), "exp",
      now + static_cast<long>(absl::ToInt64Seconds(options.lifetime)));
  if (principal.ward != kyodo::type::v1::WARD_UNSPECIFIED) {
    rc |= jwt_add_grant(jwt.get(), "ward",
                        kyodo::type::v1::Ward_Name(principal.ward).c_str());
  }
  if (!principal.partner.empty()) {
    rc |= jwt_add_grant(jwt.get(), "partner", principal.partner.c_str());
  }
  if (!principal.reviewer.empty()) {
    rc |= jwt_add_grant(jwt.get(), "reviewer", principal.reviewer.c_str());
  }
  rc |= jwt_set_alg(jwt.get(), alg,
                    reinterpret_cast<const unsigned char*>(options.key.data()),
                    static_cast<int>(options.key.size()));
  if (rc != 0) return absl::InvalidArgumentError("cannot build the token");
  std::unique_ptr<char, FreeDeleter> encoded(jwt_encode_str(jwt.get()));
  if (encoded == nullptr) return absl::InvalidArgumentError("cannot sign");
  return std::string(encoded.get());
}

}  // namespace kyodo::common::auth
