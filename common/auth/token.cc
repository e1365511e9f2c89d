#include "common/auth/token.h"

#include <cjose/cjose.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sha256.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "nlohmann/json.hpp"

namespace kyodo::common::auth {
namespace {

using Json = nlohmann::json;

// Far above any real token; refuses giant headers before parsing them.
constexpr size_t kMaxTokenBytes = 8192;

struct JwkRelease {
  void operator()(cjose_jwk_t* jwk) const { cjose_jwk_release(jwk); }
};
using JwkPtr = std::shared_ptr<cjose_jwk_t>;
JwkPtr Own(cjose_jwk_t* jwk) { return JwkPtr(jwk, JwkRelease()); }

struct JwsRelease {
  void operator()(cjose_jws_t* jws) const { cjose_jws_release(jws); }
};
using JwsPtr = std::unique_ptr<cjose_jws_t, JwsRelease>;

struct HeaderRelease {
  void operator()(cjose_header_t* h) const { cjose_header_release(h); }
};
using HeaderPtr = std::unique_ptr<cjose_header_t, HeaderRelease>;

bool IsHmac(absl::string_view alg) {
  return alg == "HS256" || alg == "HS384" || alg == "HS512";
}
// The asymmetric algorithms a JWKS key may serve (one per key type).
bool IsAsymmetric(absl::string_view alg) {
  return alg == "RS256" || alg == "ES256";
}

// The compact JWS form (RFC 7515, section 7.1): three non-empty segments of
// unpadded base64url joined by dots. Checked before cjose reads the token:
// cjose 0.6's decoder aborts the whole process (an assert in base64.c) on a
// '=' inside a segment, so one crafted header would stop the server. A
// segment of 4n+1 characters encodes no whole byte and is refused too.
bool IsCompactJws(absl::string_view token) {
  int segments = 0;
  for (absl::string_view segment : absl::StrSplit(token, '.')) {
    ++segments;
    if (segment.empty() || segment.size() % 4 == 1) return false;
    for (char c : segment) {
      const bool base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!base64url) return false;
    }
  }
  return segments == 3;
}

absl::Status Denied(absl::string_view why) {
  return UnauthenticatedError(absl::StrCat("invalid token: ", why));
}

// One public key of the JWKS and the one algorithm it verifies.
struct Key {
  std::string alg;
  JwkPtr jwk;
};
using KeySet = std::map<std::string, Key>;

// A JWKS -> its signing keys by kid. Keys for encryption (`use` "enc"), of
// other types or curves, or for other algorithms are passed over; a private
// key, a symmetric key, a signing key without `kid` or a repeated `kid` make
// the whole set invalid.
absl::StatusOr<KeySet> ParseJwks(absl::string_view text) {
  Json jwks = Json::parse(text, nullptr, false);
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) {
    return absl::InvalidArgumentError("JWKS: not a {\"keys\": [...]} object");
  }
  KeySet keys;
  for (const Json& entry : jwks["keys"]) {
    if (!entry.is_object()) {
      return absl::InvalidArgumentError("JWKS: a key is not an object");
    }
    auto text_of = [&](const char* member) {
      auto it = entry.find(member);
      return it != entry.end() && it->is_string() ? it->get<std::string>()
                                                  : std::string();
    };
    const std::string kty = text_of("kty");
    if (kty == "oct" || entry.contains("k")) {
      return absl::InvalidArgumentError(
          "JWKS: holds a symmetric key; publish only public keys");
    }
    if (entry.contains("d")) {
      return absl::InvalidArgumentError(
          "JWKS: holds a private key (member d); publish only public keys");
    }
    const std::string use = text_of("use");
    if (!use.empty() && use != "sig") continue;
    std::string alg;
    if (kty == "RSA") {
      alg = "RS256";
    } else if (kty == "EC" && text_of("crv") == "P-256") {
      alg = "ES256";
    } else {
      continue;
    }
    const std::string declared = text_of("alg");
    if (!declared.empty() && declared != alg) continue;
    const std::string kid = text_of("kid");
    if (kid.empty()) {
      return absl::InvalidArgumentError("JWKS: a signing key has no kid");
    }
    if (keys.count(kid) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS: kid ", kid, " appears twice"));
    }
    const std::string json = entry.dump();
    cjose_err err;
    cjose_jwk_t* jwk = cjose_jwk_import(json.data(), json.size(), &err);
    if (jwk == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS: key ", kid, " cannot be read: ", err.message));
    }
    keys[kid] = Key{alg, Own(jwk)};
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(
        "JWKS: no RS256 or ES256 signing key in it");
  }
  return keys;
}

// What tells that the JWKS file changed: a new file renamed over it (a new
// inode, as Kubernetes' ConfigMap volumes and atomic writers do) or one
// rewritten in place (size, modification time).
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = -1;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp& o) const {
    return dev == o.dev && ino == o.ino && size == o.size &&
           mtime_ns == o.mtime_ns;
  }
};

absl::StatusOr<FileStamp> Stamp(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot stat ", path));
  }
  return FileStamp{st.st_dev, st.st_ino, st.st_size,
                   static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                       st.st_mtim.tv_nsec};
}

absl::StatusOr<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string StringClaim(const Json& claims, const std::string& name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>()
                                               : std::string();
}

bool AudienceMatches(const Json& claims, const std::string& audience) {
  auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->is_string()) return it->get<std::string>() == audience;
  if (!it->is_array()) return false;
  for (const auto& entry : *it) {
    if (entry.is_string() && entry.get<std::string>() == audience) return true;
  }
  return false;
}

bool IssuerMatches(const Json& claims, const std::string& issuers) {
  const std::string iss = StringClaim(claims, "iss");
  if (iss.empty()) return false;
  for (absl::string_view accepted :
       absl::StrSplit(issuers, ',', absl::SkipEmpty())) {
    if (iss == accepted) return true;
  }
  return false;
}

// The instants a token is accepted in: from `from` (nbf less the leeway;
// the infinite past without nbf) until just before `until` (exp plus the
// leeway).
struct Window {
  absl::Time from = absl::InfinitePast();
  absl::Time until = absl::InfinitePast();
  bool Holds(absl::Time now) const { return from <= now && now < until; }
};

absl::StatusOr<Window> CheckTimes(const Json& claims, absl::Time now,
                                  absl::Duration leeway) {
  Window window;
  auto exp = claims.find("exp");
  if (exp == claims.end()) return Denied("no exp claim");
  if (!exp->is_number()) return Denied("exp is not a date");
  // absl::Seconds(double) saturates: absurd values stay absurd, not wrapped.
  window.until = absl::UnixEpoch() + absl::Seconds(exp->get<double>()) + leeway;
  if (window.until <= now) return Denied("expired");
  // nbf may be any JSON number (RFC 7519 NumericDate); anything else where
  // a date belongs is refused rather than ignored.
  auto nbf = claims.find("nbf");
  if (nbf != claims.end()) {
    if (!nbf->is_number()) return Denied("nbf is not a date");
    window.from =
        absl::UnixEpoch() + absl::Seconds(nbf->get<double>()) - leeway;
    if (window.from > now) return Denied("not valid yet (nbf)");
  }
  return window;
}

absl::StatusOr<Principal> ReadPrincipal(const Json& claims,
                                        const ClaimNames& names) {
  Principal p;
  p.subject = StringClaim(claims, "sub");
  if (p.subject.empty()) return Denied("no sub claim");
  std::optional<Role> role = ParseRole(StringClaim(claims, names.role));
  if (!role.has_value()) {
    return Denied(
        absl::StrCat("missing or unknown role claim (", names.role, ")"));
  }
  p.role = *role;
  const std::string ward = StringClaim(claims, names.ward);
  if (!ward.empty() && !kyodo::type::v1::Ward_Parse(ward, &p.ward)) {
    return Denied("unknown ward claim");
  }
  p.partner = StringClaim(claims, names.partner);
  p.reviewer = StringClaim(claims, names.reviewer);
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

JwkPtr HmacKey(absl::string_view secret) {
  cjose_err err;
  return Own(cjose_jwk_create_oct_spec(
      reinterpret_cast<const uint8_t*>(secret.data()), secret.size(), &err));
}

}  // namespace

// A token that passed, as the cache keeps it.
struct TokenVerifier::Checked {
  Principal principal;
  Window window;
  // The JWKS generation its key came from; 0 for an HS* token (the secret
  // never changes while the process runs).
  uint64_t generation = 0;
};

struct TokenVerifier::State {
  JwkPtr hmac;  // null without a secret
  std::mutex mu;
  std::shared_ptr<const KeySet> keys;  // null without a JWKS
  // Counts the key sets loaded (from 1); a token cached under an older one
  // is checked again.
  uint64_t generation = 1;
  FileStamp stamp;
  absl::Time next_check = absl::InfinitePast();

  std::mutex cache_mu;
  // By the token's SHA-256.
  absl::flat_hash_map<std::string, Checked> cache;
  int64_t hits = 0;
  int64_t misses = 0;

  // The keys, after looking at the file when due (or when `force`), and
  // their generation.
  std::shared_ptr<const KeySet> Keys(const VerifierOptions& options,
                                     absl::Time now, bool force,
                                     uint64_t* generation_out) {
    std::lock_guard<std::mutex> lock(mu);
    Reload(options, now, force);
    *generation_out = generation;
    return keys;
  }

 private:
  void Reload(const VerifierOptions& options, absl::Time now, bool force) {
    if (options.jwks_file.empty() || (!force && now < next_check)) return;
    next_check = now + options.jwks_recheck;
    absl::StatusOr<FileStamp> current = Stamp(options.jwks_file);
    if (!current.ok() || *current == stamp) return;
    stamp = *current;
    absl::StatusOr<std::string> text = ReadWhole(options.jwks_file);
    absl::StatusOr<KeySet> parsed =
        text.ok() ? ParseJwks(*text) : absl::StatusOr<KeySet>(text.status());
    if (!parsed.ok()) {
      // Keeps the keys it had; tries again when the file changes again.
      log::Warning("jwks not reloaded", {{"file", options.jwks_file},
                                         {"error", parsed.status().message()}});
      return;
    }
    keys = std::make_shared<const KeySet>(*std::move(parsed));
    ++generation;
    std::vector<std::string> ids;
    for (const auto& [kid, key] : *keys) ids.push_back(kid);
    log::Info("jwks loaded",
              {{"file", options.jwks_file}, {"kids", absl::StrJoin(ids, ",")}});
  }
};

TokenVerifier::TokenVerifier(VerifierOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {}
TokenVerifier::~TokenVerifier() = default;

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Create(
    VerifierOptions options) {
  if (options.issuer.empty() || options.audience.empty()) {
    return absl::InvalidArgumentError("jwt issuer and audience are required");
  }
  const bool has_jwks = !options.jwks_file.empty() || !options.jwks.empty();
  if (options.algorithms.empty()) {
    if (!options.key.empty() && !options.production) {
      options.algorithms.emplace_back("HS256");
    }
    if (has_jwks) {
      options.algorithms.emplace_back("RS256");
      options.algorithms.emplace_back("ES256");
    }
  }
  if (options.algorithms.empty()) {
    return absl::InvalidArgumentError(
        "no token key: give a JWKS of public keys (or, for local "
        "development, an HS256 secret)");
  }
  for (const std::string& alg : options.algorithms) {
    if (IsHmac(alg)) {
      if (options.production) {
        return absl::InvalidArgumentError(absl::StrCat(
            "jwt algorithm ", alg,
            " is for local development; production mode accepts only RS256 "
            "and ES256 tokens verified with a JWKS"));
      }
      if (options.key.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("jwt algorithm ", alg, " needs the shared secret"));
      }
    } else if (IsAsymmetric(alg)) {
      if (!has_jwks) {
        return absl::InvalidArgumentError(absl::StrCat(
            "jwt algorithm ", alg, " needs a JWKS of public keys"));
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("jwt algorithm not allowed: ", alg));
    }
  }
  if (options.production && !options.key.empty()) {
    return absl::InvalidArgumentError(
        "production mode holds no shared token secret (HS256 is for local "
        "development)");
  }
  std::unique_ptr<TokenVerifier> verifier(new TokenVerifier(options));
  if (!options.key.empty()) verifier->state_->hmac = HmacKey(options.key);
  if (!options.jwks_file.empty()) {
    absl::StatusOr<FileStamp> stamp = Stamp(options.jwks_file);
    absl::StatusOr<std::string> text = ReadWhole(options.jwks_file);
    if (!stamp.ok() || !text.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read the JWKS file ", options.jwks_file));
    }
    KYODO_ASSIGN_OR_RETURN(KeySet keys, ParseJwks(*text));
    verifier->state_->keys = std::make_shared<const KeySet>(std::move(keys));
    verifier->state_->stamp = *stamp;
  } else if (!options.jwks.empty()) {
    KYODO_ASSIGN_OR_RETURN(KeySet keys, ParseJwks(options.jwks));
    verifier->state_->keys = std::make_shared<const KeySet>(std::move(keys));
  }
  return verifier;
}

std::vector<std::string> TokenVerifier::KeyIds() const {
  std::vector<std::string> ids;
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->keys != nullptr) {
    for (const auto& [kid, key] : *state_->keys) ids.push_back(kid);
  }
  return ids;
}

absl::StatusOr<TokenVerifier::Checked> TokenVerifier::Check(
    absl::string_view token, absl::Time now) const {
  if (token.empty()) return Denied("empty");
  if (token.size() > kMaxTokenBytes) return Denied("too long");
  if (!IsCompactJws(token)) return Denied("bad format");
  cjose_err err;
  JwsPtr jws(cjose_jws_import(token.data(), token.size(), &err));
  if (jws == nullptr) return Denied("bad format");
  // The header as cjose read it decides the key and the check. It must also
  // be a JSON object to a strict parser, with the same "alg": cjose's parser
  // (jansson) and nlohmann's read a header holding a NUL byte differently,
  // and a token two parsers disagree on is refused rather than guessed at.
  cjose_header_t* header = cjose_jws_get_protected(jws.get());
  const char* alg_c = cjose_header_get(header, CJOSE_HDR_ALG, &err);
  const char* kid_c = cjose_header_get(header, CJOSE_HDR_KID, &err);
  const std::string alg = alg_c == nullptr ? "" : alg_c;
  const std::string kid = kid_c == nullptr ? "" : kid_c;
  std::string header_text;
  if (!absl::WebSafeBase64Unescape(token.substr(0, token.find('.')),
                                   &header_text)) {
    return Denied("bad format");
  }
  const Json strict = Json::parse(header_text, nullptr, false);
  if (!strict.is_object() || !strict.contains("alg") ||
      !strict["alg"].is_string() || strict["alg"].get<std::string>() != alg) {
    return Denied("the header is not a JSON object naming its algorithm");
  }
  bool allowed = false;
  for (const std::string& name : options_.algorithms) allowed |= name == alg;
  if (!allowed) {
    if (IsHmac(alg) && options_.production) {
      return Denied(
          absl::StrCat(alg, " tokens are refused in production mode"));
    }
    return Denied(absl::StrCat("algorithm ", alg.empty() ? "?" : alg,
                               " is not accepted"));
  }
  JwkPtr jwk;
  uint64_t generation = 0;
  if (IsHmac(alg)) {
    jwk = state_->hmac;
  } else {
    if (kid.empty()) return Denied("no kid in the header");
    std::shared_ptr<const KeySet> keys =
        state_->Keys(options_, now, false, &generation);
    if (keys == nullptr || keys->count(kid) == 0) {
      // Perhaps a key the provider has just added: look at the file now.
      keys = state_->Keys(options_, now, true, &generation);
    }
    if (keys == nullptr || keys->count(kid) == 0) {
      return Denied("unknown signing key (kid)");
    }
    const Key& key = keys->at(kid);
    if (key.alg != alg) {
      return Denied(absl::StrCat("key ", kid, " does not sign ", alg));
    }
    jwk = key.jwk;
  }
  if (jwk == nullptr || !cjose_jws_verify(jws.get(), jwk.get(), &err)) {
    return Denied("bad signature");
  }
  uint8_t* plain = nullptr;
  size_t plain_len = 0;
  if (!cjose_jws_get_plaintext(jws.get(), &plain, &plain_len, &err)) {
    return Denied("bad format");
  }
  const Json claims = Json::parse(
      reinterpret_cast<const char*>(plain),
      reinterpret_cast<const char*>(plain) + plain_len, nullptr, false);
  if (!claims.is_object()) return Denied("claims are not a JSON object");
  KYODO_ASSIGN_OR_RETURN(Window window,
                         CheckTimes(claims, now, options_.leeway));
  if (!IssuerMatches(claims, options_.issuer)) return Denied("wrong issuer");
  if (!AudienceMatches(claims, options_.audience)) {
    return Denied("wrong audience");
  }
  KYODO_ASSIGN_OR_RETURN(Principal principal,
                         ReadPrincipal(claims, options_.claims));
  return Checked{std::move(principal), window, generation};
}

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view token,
                                                absl::Time now) const {
  if (options_.token_cache_size <= 0) {
    KYODO_ASSIGN_OR_RETURN(Checked checked, Check(token, now));
    return std::move(checked.principal);
  }
  // Empty and over-long input is refused by Check before any hashing.
  if (token.empty() || token.size() > kMaxTokenBytes) {
    return Check(token, now).status();
  }
  const std::string digest = Sha256(token);
  std::optional<Checked> cached;
  {
    std::lock_guard<std::mutex> lock(state_->cache_mu);
    auto it = state_->cache.find(digest);
    if (it != state_->cache.end() && it->second.window.Holds(now)) {
      cached = it->second;
    }
  }
  if (cached.has_value()) {
    bool current = cached->generation == 0;
    if (!current) {
      // Looks at the JWKS file when due, as a full check would.
      uint64_t generation = 0;
      state_->Keys(options_, now, false, &generation);
      current = generation == cached->generation;
    }
    if (current) {
      std::lock_guard<std::mutex> lock(state_->cache_mu);
      ++state_->hits;
      return std::move(cached->principal);
    }
  }
  {
    std::lock_guard<std::mutex> lock(state_->cache_mu);
    ++state_->misses;
  }
  KYODO_ASSIGN_OR_RETURN(Checked checked, Check(token, now));
  Principal principal = checked.principal;
  std::lock_guard<std::mutex> lock(state_->cache_mu);
  auto& cache = state_->cache;
  if (static_cast<int64_t>(cache.size()) >= options_.token_cache_size) {
    absl::erase_if(cache, [now](const auto& entry) {
      return !entry.second.window.Holds(now);
    });
    if (static_cast<int64_t>(cache.size()) >= options_.token_cache_size) {
      cache.clear();
    }
  }
  cache.insert_or_assign(digest, std::move(checked));
  return principal;
}

TokenVerifier::CacheStats TokenVerifier::TokenCacheStats() const {
  std::lock_guard<std::mutex> lock(state_->cache_mu);
  return CacheStats{state_->hits, state_->misses,
                    static_cast<int64_t>(state_->cache.size())};
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
  cjose_err err;
  JwkPtr jwk;
  std::string kid;
  if (IsHmac(options.algorithm)) {
    if (options.key.empty()) return absl::InvalidArgumentError("empty key");
    jwk = HmacKey(options.key);
  } else if (IsAsymmetric(options.algorithm)) {
    Json parsed = Json::parse(options.key, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("d")) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.algorithm, " needs a private JWK"));
    }
    if (parsed.contains("kid") && parsed["kid"].is_string()) {
      kid = parsed["kid"].get<std::string>();
    }
    jwk = Own(cjose_jwk_import(options.key.data(), options.key.size(), &err));
    const cjose_jwk_kty_t want =
        options.algorithm == "RS256" ? CJOSE_JWK_KTY_RSA : CJOSE_JWK_KTY_EC;
    if (jwk != nullptr && cjose_jwk_get_kty(jwk.get(), &err) != want) {
      return absl::InvalidArgumentError(
          absl::StrCat("the JWK is not a key for ", options.algorithm));
    }
  } else {
    return absl::InvalidArgumentError("unsupported algorithm");
  }
  if (jwk == nullptr) return absl::InvalidArgumentError("unusable key");

  const int64_t now = absl::ToUnixSeconds(options.now);
  Json claims = {{"sub", principal.subject},
                 {options.claims.role, std::string(RoleName(principal.role))},
                 {"iss", options.issuer},
                 {"aud", options.audience},
                 {"iat", now},
                 {"exp", now + absl::ToInt64Seconds(options.lifetime)}};
  if (principal.ward != kyodo::type::v1::WARD_UNSPECIFIED) {
    claims[options.claims.ward] = kyodo::type::v1::Ward_Name(principal.ward);
  }
  if (!principal.partner.empty()) {
    claims[options.claims.partner] = principal.partner;
  }
  if (!principal.reviewer.empty()) {
    claims[options.claims.reviewer] = principal.reviewer;
  }
  const std::string payload = claims.dump();

  HeaderPtr header(cjose_header_new(&err));
  if (header == nullptr ||
      !cjose_header_set(header.get(), CJOSE_HDR_ALG, options.algorithm.c_str(),
                        &err) ||
      !cjose_header_set(header.get(), "typ", "JWT", &err) ||
      (!kid.empty() &&
       !cjose_header_set(header.get(), CJOSE_HDR_KID, kid.c_str(), &err))) {
    return absl::InternalError("cannot build the token header");
  }
  JwsPtr jws(cjose_jws_sign(jwk.get(), header.get(),
                            reinterpret_cast<const uint8_t*>(payload.data()),
                            payload.size(), &err));
  const char* compact = nullptr;
  if (jws == nullptr || !cjose_jws_export(jws.get(), &compact, &err)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot sign: ", err.message));
  }
  return std::string(compact);
}

absl::StatusOr<std::string> NewPrivateJwk(absl::string_view algorithm,
                                          absl::string_view kid) {
  cjose_err err;
  JwkPtr jwk;
  if (algorithm == "RS256") {
    static const uint8_t kE[] = {0x01, 0x00, 0x01};
    jwk = Own(cjose_jwk_create_RSA_random(2048, kE, sizeof(kE), &err));
  } else if (algorithm == "ES256") {
    jwk = Own(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err));
  } else {
    return absl::InvalidArgumentError("RS256 or ES256");
  }
  if (jwk == nullptr) return absl::InternalError("cannot make a key");
  std::unique_ptr<char, decltype(&free)> json(
      cjose_jwk_to_json(jwk.get(), true, &err), &free);
  if (json == nullptr) return absl::InternalError("cannot export the key");
  Json parsed = Json::parse(json.get());
  parsed["kid"] = std::string(kid);
  parsed["alg"] = std::string(algorithm);
  parsed["use"] = "sig";
  return parsed.dump();
}

absl::StatusOr<std::string> PublicJwk(absl::string_view private_jwk) {
  Json parsed = Json::parse(private_jwk, nullptr, false);
  if (!parsed.is_object()) return absl::InvalidArgumentError("not a JWK");
  if (parsed.contains("k")) {
    return absl::InvalidArgumentError("a symmetric key has no public part");
  }
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
    parsed.erase(member);
  }
  return parsed.dump();
}

absl::StatusOr<std::string> JwksOf(const std::vector<std::string>& jwks) {
  Json keys = Json::array();
  for (const std::string& jwk : jwks) {
    KYODO_ASSIGN_OR_RETURN(std::string pub, PublicJwk(jwk));
    keys.push_back(Json::parse(pub));
  }
  return Json{{"keys", keys}}.dump();
}

}  // namespace kyodo::common::auth
