// JWT verification: every way a token can be wrong ends UNAUTHENTICATED.
#include "common/auth/token.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kyodo/type/v1/ward.pb.h"

namespace kyodo::common::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIssuer[] = "kyodo-test";
constexpr char kAudience[] = "kyodo";
constexpr char kKey[] = "a-shared-secret-of-reasonable-length-0123";
constexpr char kOtherKey[] = "another-shared-secret-of-reasonable-len-9";

// A fixed "now", so that times are exact.
const absl::Time kNow = absl::FromUnixSeconds(1780000000);

VerifierOptions HsOptions() {
  VerifierOptions options;
  options.issuer = kIssuer;
  options.audience = kAudience;
  options.algorithms = {"HS256"};
  options.key = kKey;
  return options;
}

std::unique_ptr<TokenVerifier> Verifier(VerifierOptions options = HsOptions()) {
  auto verifier = TokenVerifier::Create(std::move(options));
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return *std::move(verifier);
}

MintOptions Mint(absl::Time now = kNow) {
  MintOptions options;
  options.issuer = kIssuer;
  options.audience = kAudience;
  options.key = kKey;
  options.lifetime = absl::Hours(1);
  options.now = now;
  return options;
}

std::string MustMint(const Principal& p, const MintOptions& options = Mint()) {
  auto token = MintToken(p, options);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

Principal Admin() { return Principal{"admin-1", Role::kAdmin}; }

std::string B64(absl::string_view data) {
  return absl::WebSafeBase64Escape(data);
}

// A token signed by hand: lets the tests write claims MintToken never would.
std::string SignHs256(absl::string_view header, absl::string_view payload,
                      absl::string_view key = kKey) {
  const std::string input = absl::StrCat(B64(header), ".", B64(payload));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
       &length);
  return absl::StrCat(
      input, ".",
      B64(absl::string_view(reinterpret_cast<const char*>(mac), length)));
}

constexpr char kHs256Header[] = R"({"alg":"HS256","typ":"JWT"})";

// Claims valid at kNow, with `extra` spliced in (and `omit` left out).
std::string Claims(const std::string& extra = "",
                   const std::string& omit = "") {
  std::vector<std::string> parts;
  auto add = [&](const std::string& name, const std::string& json) {
    if (name != omit) parts.push_back(absl::StrCat("\"", name, "\":", json));
  };
  add("sub", "\"user-1\"");
  add("role", "\"admin\"");
  add("iss", absl::StrCat("\"", kIssuer, "\""));
  add("aud", absl::StrCat("\"", kAudience, "\""));
  add("iat", absl::StrCat(absl::ToUnixSeconds(kNow)));
  add("exp", absl::StrCat(absl::ToUnixSeconds(kNow + absl::Hours(1))));
  if (!extra.empty()) parts.push_back(extra);
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

void ExpectUnauthenticated(const absl::StatusOr<Principal>& result,
                           const std::string& token = "") {
  ASSERT_FALSE(result.ok()) << "token accepted: " << token;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated)
      << result.status();
  EXPECT_EQ(ErrorReason(result.status()), "UNAUTHENTICATED");
  if (token.size() > 20) {
    // Never echoes the token (or its signature).
    EXPECT_THAT(std::string(result.status().message()),
                Not(HasSubstr(token.substr(token.size() - 20))));
  }
}

TEST(TokenTest, EveryRoleRoundTrips) {
  auto verifier = Verifier();

  auto admin = verifier->Verify(MustMint(Admin()), kNow);
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_EQ(admin->subject, "admin-1");
  EXPECT_EQ(admin->role, Role::kAdmin);
  EXPECT_TRUE(admin->is_admin());
  EXPECT_TRUE(admin->CanManageWard(kyodo::type::v1::TAMA));

  Principal staff{"staff-1", Role::kWardStaff};
  staff.ward = kyodo::type::v1::ASAO;
  auto got_staff = verifier->Verify(MustMint(staff), kNow);
  ASSERT_TRUE(got_staff.ok()) << got_staff.status();
  EXPECT_EQ(got_staff->role, Role::kWardStaff);
  EXPECT_EQ(got_staff->ward, kyodo::type::v1::ASAO);
  EXPECT_TRUE(got_staff->IsStaffOf(kyodo::type::v1::ASAO));
  EXPECT_FALSE(got_staff->IsStaffOf(kyodo::type::v1::TAMA));
  EXPECT_FALSE(got_staff->CanManageWard(kyodo::type::v1::TAMA));
  EXPECT_FALSE(got_staff->is_admin());

  Principal reviewer{"rev-1", Role::kReviewer};
  reviewer.reviewer = "reviewers/r42";
  auto got_reviewer = verifier->Verify(MustMint(reviewer), kNow);
  ASSERT_TRUE(got_reviewer.ok()) << got_reviewer.status();
  EXPECT_EQ(got_reviewer->role, Role::kReviewer);
  EXPECT_EQ(got_reviewer->reviewer, "reviewers/r42");

  Principal applicant{"app-1", Role::kApplicant};
  applicant.partner = "partners/abc123";
  auto got_applicant = verifier->Verify(MustMint(applicant), kNow);
  ASSERT_TRUE(got_applicant.ok()) << got_applicant.status();
  EXPECT_EQ(got_applicant->role, Role::kApplicant);
  EXPECT_EQ(got_applicant->partner, "partners/abc123");

  auto viewer = verifier->Verify(MustMint({"v-1", Role::kViewer}), kNow);
  ASSERT_TRUE(viewer.ok()) << viewer.status();
  EXPECT_EQ(viewer->role, Role::kViewer);
  EXPECT_EQ(viewer->subject, "v-1");
  EXPECT_FALSE(viewer->CanManageWard(kyodo::type::v1::WARD_UNSPECIFIED));
}

TEST(TokenTest, RoleNames) {
  for (Role role :
       {Role::kAdmin, Role::kWardStaff, Role::kReviewer, Role::kApplicant,
        Role::kViewer, Role::kScreener, Role::kNotifier}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(RoleName(Role::kWardStaff), "ward_staff");
  EXPECT_EQ(RoleName(Role::kNotifier), "notifier");
  EXPECT_FALSE(ParseRole("Admin").has_value());
  EXPECT_FALSE(ParseRole("").has_value());
  EXPECT_FALSE(ParseRole("root").has_value());
}

TEST(TokenTest, ExpiredIsRefused) {
  auto verifier = Verifier();
  const std::string token = MustMint(Admin(), Mint(kNow - absl::Hours(2)));
  ExpectUnauthenticated(verifier->Verify(token, kNow), token);
  // Against the real clock too (the default `now`).
  const std::string old = MustMint(Admin(), Mint(absl::Now() - absl::Hours(3)));
  ExpectUnauthenticated(verifier->Verify(old), old);
  ExpectUnauthenticated(verifier->VerifyAuthorizationHeader("Bearer " + old),
                        old);
}

TEST(TokenTest, ExpiryLeeway) {
  // exp = kNow + 1h; the leeway is 30 s.
  auto verifier = Verifier();
  const std::string token = MustMint(Admin());
  EXPECT_TRUE(verifier->Verify(token, kNow + absl::Hours(1)).ok());
  EXPECT_TRUE(
      verifier->Verify(token, kNow + absl::Hours(1) + absl::Seconds(29)).ok());
  ExpectUnauthenticated(
      verifier->Verify(token, kNow + absl::Hours(1) + absl::Seconds(30)));
  VerifierOptions strict = HsOptions();
  strict.leeway = absl::ZeroDuration();
  ExpectUnauthenticated(Verifier(strict)->Verify(token, kNow + absl::Hours(1)));
}

TEST(TokenCacheTest, ARepeatedTokenIsCheckedOnceWithinItsWindow) {
  auto verifier = Verifier();
  const std::string token =
      MustMint(Principal{"staff-1", Role::kWardStaff, kyodo::type::v1::ASAO});
  for (int i = 0; i < 3; ++i) {
    auto principal = verifier->Verify(token, kNow + absl::Minutes(i));
    ASSERT_TRUE(principal.ok()) << principal.status();
    EXPECT_EQ(principal->subject, "staff-1");
    EXPECT_TRUE(principal->IsStaffOf(kyodo::type::v1::ASAO));
  }
  TokenVerifier::CacheStats stats = verifier->TokenCacheStats();
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.hits, 2);
  EXPECT_EQ(stats.entries, 1);
  // exp = kNow + 1h, leeway 30 s: remembered or not, the token ends there.
  EXPECT_TRUE(
      verifier->Verify(token, kNow + absl::Hours(1) + absl::Seconds(29)).ok());
  ExpectUnauthenticated(
      verifier->Verify(token, kNow + absl::Hours(1) + absl::Seconds(30)),
      token);
  EXPECT_EQ(verifier->TokenCacheStats().hits, 3);
}

TEST(TokenCacheTest, NbfHoldsForARememberedTokenToo) {
  auto verifier = Verifier();
  const std::string token =
      SignHs256(kHs256Header,
                Claims(absl::StrCat(R"("nbf":)", absl::ToUnixSeconds(kNow))));
  ExpectUnauthenticated(verifier->Verify(token, kNow - absl::Minutes(5)),
                        token);
  EXPECT_EQ(verifier->TokenCacheStats().entries, 0);  // refusals are not kept
  EXPECT_TRUE(verifier->Verify(token, kNow).ok());
  EXPECT_EQ(verifier->TokenCacheStats().entries, 1);
  // A clock that goes back before nbf (less the leeway) refuses it again.
  ExpectUnauthenticated(verifier->Verify(token, kNow - absl::Minutes(5)),
                        token);
  EXPECT_TRUE(verifier->Verify(token, kNow - absl::Seconds(29)).ok());
}

TEST(TokenCacheTest, RefusedTokensAreNeverRemembered) {
  auto verifier = Verifier();
  const std::string forged = SignHs256(kHs256Header, Claims(), kOtherKey);
  for (int i = 0; i < 3; ++i)
    ExpectUnauthenticated(verifier->Verify(forged, kNow), forged);
  TokenVerifier::CacheStats stats = verifier->TokenCacheStats();
  EXPECT_EQ(stats.entries, 0);
  EXPECT_EQ(stats.hits, 0);
  EXPECT_EQ(stats.misses, 3);
}

TEST(TokenCacheTest, TheCacheIsBoundedAndCanBeTurnedOff) {
  VerifierOptions options = HsOptions();
  options.token_cache_size = 3;
  auto verifier = Verifier(options);
  std::vector<std::string> tokens;
  for (int i = 0; i < 8; ++i) {
    tokens.push_back(
        MustMint(Principal{absl::StrCat("user-", i), Role::kViewer}));
  }
  for (const std::string& token : tokens) {
    auto principal = verifier->Verify(token, kNow);
    ASSERT_TRUE(principal.ok()) << principal.status();
    EXPECT_LE(verifier->TokenCacheStats().entries, 3);
  }
  // Each token still verifies as itself, remembered or not.
  for (int i = 0; i < 8; ++i) {
    auto principal = verifier->Verify(tokens[i], kNow);
    ASSERT_TRUE(principal.ok()) << principal.status();
    EXPECT_EQ(principal->subject, absl::StrCat("user-", i));
  }
  EXPECT_LE(verifier->TokenCacheStats().entries, 3);

  options.token_cache_size = 0;
  auto uncached = Verifier(options);
  EXPECT_TRUE(uncached->Verify(tokens[0], kNow).ok());
  EXPECT_TRUE(uncached->Verify(tokens[0], kNow).ok());
  EXPECT_EQ(uncached->TokenCacheStats().entries, 0);
  EXPECT_EQ(uncached->TokenCacheStats().hits, 0);
}

TEST(TokenTest, WrongAudienceOrIssuerIsRefused) {
  auto verifier = Verifier();
  MintOptions other_audience = Mint();
  other_audience.audience = "someone-else";
  const std::string a = MustMint(Admin(), other_audience);
  ExpectUnauthenticated(verifier->Verify(a, kNow), a);

  MintOptions other_issuer = Mint();
  other_issuer.issuer = "evil-idp";
  const std::string i = MustMint(Admin(), other_issuer);
  ExpectUnauthenticated(verifier->Verify(i, kNow), i);
}

TEST(TokenTest, AudienceMayBeAList) {
  auto verifier = Verifier();
  const std::string listed = SignHs256(
      kHs256Header, Claims(R"("aud":["other","kyodo"])", /*omit=*/"aud"));
  EXPECT_TRUE(verifier->Verify(listed, kNow).ok());
  const std::string not_listed =
      SignHs256(kHs256Header, Claims(R"("aud":["other","kyodo-x"])", "aud"));
  ExpectUnauthenticated(verifier->Verify(not_listed, kNow), not_listed);
  const std::string numeric =
      SignHs256(kHs256Header, Claims(R"("aud":[1,2])", "aud"));
  ExpectUnauthenticated(verifier->Verify(numeric, kNow), numeric);
  const std::string none = SignHs256(kHs256Header, Claims("", "aud"));
  ExpectUnauthenticated(verifier->Verify(none, kNow), none);
}

TEST(TokenTest, HandSignedValidTokenIsAccepted) {
  // The hand-signing helper itself produces acceptable tokens, so the
  // refusals below are about the claims under test.
  auto result = Verifier()->Verify(SignHs256(kHs256Header, Claims()), kNow);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->subject, "user-1");
}

TEST(TokenTest, AlgNoneIsRefused) {
  const std::string unsigned_token = absl::StrCat(
      B64(R"({"alg":"none","typ":"JWT"})"), ".", B64(Claims()), ".");
  ExpectUnauthenticated(Verifier()->Verify(unsigned_token, kNow),
                        unsigned_token);
  const std::string no_dot =
      absl::StrCat(B64(R"({"alg":"none"})"), ".", B64(Claims()));
  ExpectUnauthenticated(Verifier()->Verify(no_dot, kNow), no_dot);
  const std::string upper = absl::StrCat(B64(R"({"alg":"NONE","typ":"JWT"})"),
                                         ".", B64(Claims()), ".");
  ExpectUnauthenticated(Verifier()->Verify(upper, kNow), upper);
}

TEST(TokenTest, BadSignaturesAreRefused) {
  auto verifier = Verifier();
  MintOptions other_key = Mint();
  other_key.key = kOtherKey;
  const std::string foreign = MustMint(Admin(), other_key);
  ExpectUnauthenticated(verifier->Verify(foreign, kNow), foreign);

  // The payload swapped for another (role viewer -> admin), signature kept.
  const std::string viewer = MustMint({"v-1", Role::kViewer});
  std::vector<std::string> parts = absl::StrSplit(viewer, '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload));
  const size_t at = payload.find("\"viewer\"");
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, 8, "\"admin\"");
  const std::string tampered =
      absl::StrCat(parts[0], ".", B64(payload), ".", parts[2]);
  ExpectUnauthenticated(verifier->Verify(tampered, kNow), tampered);

  // One character of the signature changed.
  std::string flipped = viewer;
  char& c = flipped[flipped.size() - 5];
  c = c == 'A' ? 'B' : 'A';
  ExpectUnauthenticated(verifier->Verify(flipped, kNow), flipped);

  // Signature removed.
  const std::string stripped = absl::StrCat(parts[0], ".", parts[1], ".");
  ExpectUnauthenticated(verifier->Verify(stripped, kNow), stripped);
}

TEST(TokenTest, AlgorithmOutsideTheAllowListIsRefused) {
  // Correctly signed with the right key, but HS512 is not configured.
  MintOptions hs512 = Mint();
  hs512.algorithm = "HS512";
  const std::string token = MustMint(Admin(), hs512);
  ExpectUnauthenticated(Verifier()->Verify(token, kNow), token);
  VerifierOptions both = HsOptions();
  both.algorithms = {"HS256", "HS512"};
  EXPECT_TRUE(Verifier(both)->Verify(token, kNow).ok());
}

TEST(TokenTest, TimeClaimsAreChecked) {
  auto verifier = Verifier();
  const std::string no_exp = SignHs256(kHs256Header, Claims("", "exp"));
  ExpectUnauthenticated(verifier->Verify(no_exp, kNow), no_exp);
  const std::string text_exp =
      SignHs256(kHs256Header, Claims(R"("exp":"9999999999")", "exp"));
  ExpectUnauthenticated(verifier->Verify(text_exp, kNow), text_exp);

  const std::string future_nbf = SignHs256(
      kHs256Header,
      Claims(absl::StrCat("\"nbf\":",
                          absl::ToUnixSeconds(kNow + absl::Minutes(10)))));
  ExpectUnauthenticated(verifier->Verify(future_nbf, kNow), future_nbf);
  // Within the leeway, nbf is tolerated (clock skew).
  const std::string near_nbf = SignHs256(
      kHs256Header,
      Claims(absl::StrCat("\"nbf\":",
                          absl::ToUnixSeconds(kNow + absl::Seconds(10)))));
  EXPECT_TRUE(verifier->Verify(near_nbf, kNow).ok());
  const std::string past_nbf =
      SignHs256(kHs256Header,
                Claims(absl::StrCat(
                    "\"nbf\":", absl::ToUnixSeconds(kNow - absl::Hours(1)))));
  EXPECT_TRUE(verifier->Verify(past_nbf, kNow).ok());
}

TEST(TokenTest, NbfInTheFutureIsRefusedWhateverItsJsonForm) {
  // RFC 7519 NumericDate may be fractional; a future nbf written as
  // 1e10 + 0.5 is as much in the future as an integer one. A malformed
  // (string) nbf cannot be judged and must not be ignored either.
  auto verifier = Verifier();
  const std::string fractional =
      SignHs256(kHs256Header, Claims(R"("nbf":9999999999.5)"));
  ExpectUnauthenticated(verifier->Verify(fractional, kNow), fractional);
  const std::string text =
      SignHs256(kHs256Header, Claims(R"("nbf":"9999999999")"));
  ExpectUnauthenticated(verifier->Verify(text, kNow), text);
}

TEST(TokenTest, GarbageIsRefused) {
  auto verifier = Verifier();
  for (const std::string& garbage :
       {std::string(""), std::string("abc"), std::string("a.b.c"),
        std::string("..."), std::string("Bearer"),
        absl::StrCat(B64("{}"), ".", B64("{}"), ".", B64("sig")),
        absl::StrCat(B64("not json"), ".", B64(Claims()), ".x"),
        std::string("\xff\xfe.\x00.x", 7)}) {
    ExpectUnauthenticated(verifier->Verify(garbage, kNow), garbage);
  }
}

// cjose 0.6 aborts the process on a '=' inside a segment (found by fuzz_jwt:
// tests/fuzz/crashes/jwt/). Such tokens, padded ones and ones whose segments
// hold no whole byte are refused before cjose reads them; a valid token
// differing in one place shows each refusal is for that place alone.
TEST(TokenTest, MalformedBase64urlIsRefusedBeforeParsing) {
  auto verifier = Verifier();
  const std::string valid = MustMint(Admin());
  ASSERT_TRUE(verifier->Verify(valid, kNow).ok());
  const std::vector<std::string> parts = absl::StrSplit(valid, '.');
  ASSERT_EQ(parts.size(), 3u);
  const std::string header_with_pad_inside =
      absl::StrCat(parts[0].substr(0, 5), "=", parts[0].substr(6), ".",
                   parts[1], ".", parts[2]);
  const std::string padded_signature =
      absl::StrCat(parts[0], ".", parts[1], ".", parts[2], "=");
  const std::string one_char_payload =
      absl::StrCat(parts[0], ".eyJhb.", parts[2]);
  const std::string four_segments = absl::StrCat(valid, ".", parts[2]);
  const std::string standard_alphabet =
      absl::StrCat(parts[0], ".", parts[1], ".",
                   parts[2].substr(0, parts[2].size() - 1), "+");
  for (const std::string& token :
       {header_with_pad_inside, padded_signature, one_char_payload,
        four_segments, standard_alphabet, std::string(1, '\0') + valid}) {
    auto verified = verifier->Verify(token, kNow);
    ExpectUnauthenticated(verified, token);
    EXPECT_THAT(std::string(verified.status().message()),
                HasSubstr("bad format"))
        << token;
  }
}

// Found by fuzz_jwt (tests/fuzz/crashes/jwt/header_with_nul_byte): cjose
// read a header holding a NUL byte as naming HS256 while a strict JSON
// parser reads no object at all. Correctly signed, it is still refused.
TEST(TokenTest, HeaderThatIsNotStrictJsonIsRefused) {
  auto verifier = Verifier();
  ASSERT_TRUE(verifier->Verify(SignHs256(kHs256Header, Claims()), kNow).ok());
  for (const std::string& header :
       {std::string("{\"alg\":\"HS256\",\"x\":1\0,\"y\":2}", 28),
        std::string(R"({"alg":"HS256"} trailing)"),
        std::string(R"({"alg":"HS256","alg":"none"})"),
        std::string(R"(["alg","HS256"])")}) {
    const std::string token = SignHs256(header, Claims());
    ExpectUnauthenticated(verifier->Verify(token, kNow), token);
  }
}

TEST(TokenTest, OverLongTokenIsRefusedEvenWhenValid) {
  auto verifier = Verifier();
  Principal big{std::string(9000, 's'), Role::kAdmin};
  const std::string token = MustMint(big);
  ASSERT_GT(token.size(), 8192u);
  ExpectUnauthenticated(verifier->Verify(token, kNow), token);
  EXPECT_THAT(std::string(verifier->Verify(token, kNow).status().message()),
              HasSubstr("too long"));
  // A long but acceptable subject is fine.
  Principal ok{std::string(1000, 's'), Role::kAdmin};
  EXPECT_TRUE(verifier->Verify(MustMint(ok), kNow).ok());
}

TEST(TokenTest, AuthorizationHeader) {
  auto verifier = Verifier();
  const std::string token = MustMint(Admin());
  EXPECT_TRUE(
      verifier->VerifyAuthorizationHeader("Bearer " + token, kNow).ok());
  ExpectUnauthenticated(verifier->VerifyAuthorizationHeader(token, kNow),
                        token);
  ExpectUnauthenticated(verifier->VerifyAuthorizationHeader("", kNow));
  ExpectUnauthenticated(
      verifier->VerifyAuthorizationHeader("Basic " + token, kNow), token);
  ExpectUnauthenticated(verifier->VerifyAuthorizationHeader("Bearer ", kNow));
  ExpectUnauthenticated(verifier->VerifyAuthorizationHeader("Bearer", kNow));
}

TEST(TokenTest, RoleClaimsMustBeConsistent) {
  auto verifier = Verifier();
  auto refused = [&](const std::string& extra, const std::string& omit = "") {
    const std::string token = SignHs256(kHs256Header, Claims(extra, omit));
    ExpectUnauthenticated(verifier->Verify(token, kNow), token);
  };
  refused(R"("role":"ward_staff")", "role");  // no ward
  refused(R"("role":"ward_staff","ward":"SHINJUKU")", "role");
  refused(R"("role":"ward_staff","ward":"WARD_UNSPECIFIED")", "role");
  refused(R"("role":"applicant")", "role");  // no partner
  refused(R"("role":"applicant","partner":"abc123")", "role");
  refused(R"("role":"applicant","partner":"agreements/abc")", "role");
  refused(R"("role":"reviewer")", "role");  // no reviewer
  refused(R"("role":"superuser")", "role");
  refused(R"("role":"Admin")", "role");
  refused("", "role");
  refused("", "sub");
  refused(R"("sub":"")", "sub");

  // MintToken does not check; the verifier does.
  const std::string staff_without_ward = MustMint({"s", Role::kWardStaff});
  ExpectUnauthenticated(verifier->Verify(staff_without_ward, kNow),
                        staff_without_ward);
  const std::string applicant_without_partner =
      MustMint({"a", Role::kApplicant});
  ExpectUnauthenticated(verifier->Verify(applicant_without_partner, kNow),
                        applicant_without_partner);

  // The consistent versions pass.
  EXPECT_TRUE(
      verifier
          ->Verify(
              SignHs256(kHs256Header,
                        Claims(R"("role":"ward_staff","ward":"TAMA")", "role")),
              kNow)
          .ok());
  EXPECT_TRUE(
      verifier
          ->Verify(
              SignHs256(kHs256Header,
                        Claims(R"("role":"applicant","partner":"partners/p1")",
                               "role")),
              kNow)
          .ok());
}

TEST(TokenTest, VerifierCreationRefusesUnsafeOptions) {
  auto invalid = [](VerifierOptions options) {
    auto verifier = TokenVerifier::Create(std::move(options));
    EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
  };
  VerifierOptions o = HsOptions();
  o.algorithms = {"HS256", "RS256"};
  invalid(o);
  o.algorithms = {"none"};
  invalid(o);
  o.algorithms = {"HS256", "none"};
  invalid(o);
  o.algorithms = {"ES256"};
  invalid(o);
  o.algorithms = {"hs256x"};
  invalid(o);
  o = HsOptions();
  o.key = "";
  invalid(o);
  o.algorithms = {};  // derived from the keys given: none here
  invalid(o);
  o = HsOptions();
  o.algorithms = {};  // derived: HS256 for the secret
  EXPECT_TRUE(TokenVerifier::Create(o).ok());
  o = HsOptions();
  o.issuer = "";
  invalid(o);
  o = HsOptions();
  o.audience = "";
  invalid(o);
  o = HsOptions();
  o.algorithms = {"HS256", "HS384", "HS512"};
  EXPECT_TRUE(TokenVerifier::Create(o).ok());
}

TEST(TokenTest, MintRefusesUnsupportedAlgorithms) {
  MintOptions options = Mint();
  options.algorithm = "none";
  EXPECT_EQ(MintToken(Admin(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.algorithm = "ES256";
  EXPECT_EQ(MintToken(Admin(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Keys of an identity provider, made for the suite: two RSA and one P-256.
class JwksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = new std::map<std::string, std::string>;
    for (auto [kid, alg] : {std::pair{"rsa-1", "RS256"},
                            {"rsa-2", "RS256"},
                            {"ec-1", "ES256"},
                            {"stranger", "RS256"}}) {
      auto jwk = NewPrivateJwk(alg, kid);
      ASSERT_TRUE(jwk.ok()) << jwk.status();
      (*keys_)[kid] = *jwk;
    }
  }
  static void TearDownTestSuite() { delete keys_; }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kyodo-jwks-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string Jwks(std::initializer_list<const char*> kids) {
    std::vector<std::string> jwks;
    for (const char* kid : kids) jwks.push_back(keys_->at(kid));
    auto text = JwksOf(jwks);
    EXPECT_TRUE(text.ok()) << text.status();
    return *text;
  }
  // Writes the JWKS file as providers and Kubernetes do: a new file renamed
  // over the old one.
  std::string WriteJwks(const std::string& text) {
    const std::string path = (dir_ / "jwks.json").string();
    const std::string tmp = path + ".new";
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, path);
    return path;
  }
  VerifierOptions Options(const std::string& jwks_file) const {
    VerifierOptions options;
    options.issuer = "https://idp.example,kyodo-test";
    options.audience = kAudience;
    options.algorithms = {};
    options.jwks_file = jwks_file;
    options.jwks_recheck = absl::Seconds(10);
    return options;
  }
  static MintOptions MintWith(const char* kid, const char* alg) {
    MintOptions options = Mint();
    options.issuer = "https://idp.example";
    options.algorithm = alg;
    options.key = keys_->at(kid);
    return options;
  }

  static std::map<std::string, std::string>* keys_;
  std::filesystem::path dir_;
};
std::map<std::string, std::string>* JwksTest::keys_ = nullptr;

TEST_F(JwksTest, Rs256AndEs256TokensAreVerifiedByKid) {
  auto verifier = Verifier(Options(WriteJwks(Jwks({"rsa-1", "ec-1"}))));
  Principal staff{"staff-9", Role::kWardStaff};
  staff.ward = kyodo::type::v1::ASAO;
  auto rs = verifier->Verify(MustMint(staff, MintWith("rsa-1", "RS256")), kNow);
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_EQ(rs->subject, "staff-9");
  EXPECT_EQ(rs->ward, kyodo::type::v1::ASAO);
  auto es =
      verifier->Verify(MustMint(Admin(), MintWith("ec-1", "ES256")), kNow);
  ASSERT_TRUE(es.ok()) << es.status();
  EXPECT_EQ(es->role, Role::kAdmin);
}

TEST_F(JwksTest, UnknownKeyOtherAudienceAndExpiryAreRefused) {
  auto verifier = Verifier(Options(WriteJwks(Jwks({"rsa-1"}))));
  const std::string stranger = MustMint(Admin(), MintWith("stranger", "RS256"));
  ExpectUnauthenticated(verifier->Verify(stranger, kNow), stranger);
  EXPECT_THAT(verifier->Verify(stranger, kNow).status().message(),
              HasSubstr("unknown signing key"));
  // Signed by a stranger's key but naming a known kid.
  std::string forged = keys_->at("stranger");
  forged.replace(forged.find("\"stranger\""), 10, "\"rsa-1\"");
  MintOptions as_known = MintWith("rsa-1", "RS256");
  as_known.key = forged;
  const std::string lying = MustMint(Admin(), as_known);
  ExpectUnauthenticated(verifier->Verify(lying, kNow), lying);

  MintOptions other_audience = MintWith("rsa-1", "RS256");
  other_audience.audience = "another-app";
  const std::string a = MustMint(Admin(), other_audience);
  ExpectUnauthenticated(verifier->Verify(a, kNow), a);
  EXPECT_THAT(verifier->Verify(a, kNow).status().message(),
              HasSubstr("audience"));

  const std::string t = MustMint(Admin(), MintWith("rsa-1", "RS256"));
  ExpectUnauthenticated(verifier->Verify(t, kNow + absl::Hours(2)), t);
}

TEST_F(JwksTest, KeyTypeMustMatchTheAlgorithm) {
  auto verifier = Verifier(Options(WriteJwks(Jwks({"rsa-1", "ec-1"}))));
  // An ES256 header naming the RSA key (and the converse).
  const std::string es = MustMint(Admin(), MintWith("ec-1", "ES256"));
  std::vector<std::string> parts = absl::StrSplit(es, '.');
  const std::string swapped =
      absl::StrCat(B64(R"({"alg":"ES256","kid":"rsa-1","typ":"JWT"})"), ".",
                   parts[1], ".", parts[2]);
  ExpectUnauthenticated(verifier->Verify(swapped, kNow), swapped);
  // Algorithm confusion: HMAC keyed with the public RSA key, which everyone
  // has, under the RSA key's kid: no HS secret is configured, so refused.
  const std::string confused = SignHs256(
      R"({"alg":"HS256","kid":"rsa-1","typ":"JWT"})",
      Claims(R"("iss":"https://idp.example")", "iss"), Jwks({"rsa-1"}));
  ExpectUnauthenticated(verifier->Verify(confused, kNow), confused);
}

TEST_F(JwksTest, ProductionModeRefusesHs256) {
  VerifierOptions options = Options(WriteJwks(Jwks({"rsa-1"})));
  options.production = true;
  auto verifier = Verifier(options);
  MintOptions hs = Mint();
  const std::string token = MustMint(Admin(), hs);
  ExpectUnauthenticated(verifier->Verify(token, kNow), token);
  EXPECT_THAT(verifier->Verify(token, kNow).status().message(),
              HasSubstr("refused in production mode"));
  EXPECT_TRUE(
      verifier->Verify(MustMint(Admin(), MintWith("rsa-1", "RS256")), kNow)
          .ok());
  // And production mode will not start with a shared secret or HS256.
  VerifierOptions with_secret = options;
  with_secret.key = kKey;
  EXPECT_EQ(TokenVerifier::Create(with_secret).status().code(),
            absl::StatusCode::kInvalidArgument);
  with_secret.key = "";
  with_secret.algorithms = {"HS256", "RS256"};
  EXPECT_EQ(TokenVerifier::Create(with_secret).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Development mode takes both: the secret for HS256, the JWKS for the rest.
  VerifierOptions dev = Options(options.jwks_file);
  dev.key = kKey;
  auto both = Verifier(dev);
  EXPECT_TRUE(both->Verify(token, kNow).ok());
  const std::string es = MustMint(Admin(), MintWith("ec-1", "ES256"));
  ExpectUnauthenticated(both->Verify(es, kNow), es);  // not in this JWKS
}

TEST_F(JwksTest, RotationIsPickedUpWithoutRestart) {
  const std::string path = WriteJwks(Jwks({"rsa-1"}));
  auto verifier = Verifier(Options(path));
  const std::string old_token = MustMint(Admin(), MintWith("rsa-1", "RS256"));
  const std::string new_token = MustMint(Admin(), MintWith("rsa-2", "RS256"));
  EXPECT_TRUE(verifier->Verify(old_token, kNow).ok());
  ExpectUnauthenticated(verifier->Verify(new_token, kNow), new_token);

  // The provider publishes its new key beside the old one: a token naming
  // the new kid makes the verifier look at the file at once.
  WriteJwks(Jwks({"rsa-2", "rsa-1"}));
  EXPECT_TRUE(verifier->Verify(new_token, kNow).ok());
  EXPECT_TRUE(verifier->Verify(old_token, kNow).ok());
  EXPECT_THAT(verifier->KeyIds(),
              ::testing::UnorderedElementsAre("rsa-1", "rsa-2"));

  // The old key is withdrawn: its tokens pass until the next check (10 s by
  // the verifier's clock), then never again.
  // A remembered token is forgotten with the key set it was checked with.
  WriteJwks(Jwks({"rsa-2"}));
  const int64_t hits = verifier->TokenCacheStats().hits;
  EXPECT_TRUE(verifier->Verify(old_token, kNow + absl::Seconds(5)).ok());
  EXPECT_EQ(verifier->TokenCacheStats().hits, hits + 1);
  ExpectUnauthenticated(verifier->Verify(old_token, kNow + absl::Seconds(11)),
                        old_token);
  EXPECT_TRUE(verifier->Verify(new_token, kNow + absl::Seconds(11)).ok());
  EXPECT_THAT(verifier->KeyIds(), ::testing::ElementsAre("rsa-2"));
}

TEST_F(JwksTest, FileRewrittenInPlaceAndBrokenFilesAreHandled) {
  const std::string path = WriteJwks(Jwks({"rsa-1"}));
  VerifierOptions options = Options(path);
  options.jwks_recheck = absl::ZeroDuration();  // look on every use
  auto verifier = Verifier(options);
  const std::string token = MustMint(Admin(), MintWith("rsa-1", "RS256"));
  // Half-written: the verifier keeps the keys it had.
  std::ofstream(path, std::ios::trunc) << "{\"keys\": [";
  EXPECT_TRUE(verifier->Verify(token, kNow).ok());
  // Rewritten in place (same inode) with another key.
  std::ofstream(path, std::ios::trunc) << Jwks({"ec-1"});
  ExpectUnauthenticated(verifier->Verify(token, kNow), token);
  EXPECT_TRUE(
      verifier->Verify(MustMint(Admin(), MintWith("ec-1", "ES256")), kNow)
          .ok());
}

TEST_F(JwksTest, JwksMustHoldOnlyPublicSigningKeys) {
  auto invalid = [&](const std::string& text) {
    VerifierOptions options = Options(WriteJwks(text));
    EXPECT_EQ(TokenVerifier::Create(options).status().code(),
              absl::StatusCode::kInvalidArgument)
        << text;
  };
  invalid(absl::StrCat("{\"keys\":[", keys_->at("rsa-1"), "]}"));  // private
  invalid(R"({"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"}]})");
  invalid(R"({"keys":[]})");
  invalid("not json");
  std::string no_kid = *PublicJwk(keys_->at("rsa-1"));
  no_kid.replace(no_kid.find("\"kid\""), 5, "\"xid\"");
  invalid(absl::StrCat("{\"keys\":[", no_kid, "]}"));
  const std::string pub = *PublicJwk(keys_->at("rsa-1"));
  invalid(absl::StrCat("{\"keys\":[", pub, ",", pub, "]}"));  // kid twice
  VerifierOptions missing = Options((dir_ / "absent.json").string());
  EXPECT_EQ(TokenVerifier::Create(missing).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(JwksTest, ClaimNamesAreConfigurable) {
  // A city's provider says "kyodo_role" and "office".
  VerifierOptions options = Options(WriteJwks(Jwks({"ec-1"})));
  options.claims.role = "kyodo_role";
  options.claims.ward = "office";
  auto verifier = Verifier(options);
  Principal staff{"staff-2", Role::kWardStaff};
  staff.ward = kyodo::type::v1::TAMA;
  MintOptions mapped = MintWith("ec-1", "ES256");
  mapped.claims = options.claims;
  auto got = verifier->Verify(MustMint(staff, mapped), kNow);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->ward, kyodo::type::v1::TAMA);
  // The default names mean nothing to this verifier.
  const std::string plain = MustMint(staff, MintWith("ec-1", "ES256"));
  ExpectUnauthenticated(verifier->Verify(plain, kNow), plain);
}

TEST_F(JwksTest, AccessTokenTypeIsAccepted) {
  // Providers mark access tokens `typ: at+jwt` (RFC 9068).
  const std::string token =
      SignHs256(R"({"alg":"HS256","typ":"at+jwt"})", Claims());
  EXPECT_TRUE(Verifier()->Verify(token, kNow).ok());
}

}  // namespace
}  // namespace kyodo::common::auth
