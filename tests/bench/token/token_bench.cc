// TokenVerifier::Verify of one token sent again and again, as an app sends
// its access token on every call, with the cache of verified tokens
// (--jwt_cache_size, default 4096) and without it (0). docs/BENCHMARKS.md
// reports the ratio.
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "common/auth/token.h"

namespace kyodo::common::auth {
namespace {

struct Setup {
  std::unique_ptr<TokenVerifier> verifier;
  std::string token;
};

// arg 0: 0 = HS256, 1 = RS256, 2 = ES256; arg 1: the cache size.
Setup Make(int kind, int cache_size) {
  const char* alg = kind == 0 ? "HS256" : kind == 1 ? "RS256" : "ES256";
  VerifierOptions options;
  options.issuer = "kyodo-bench";
  options.audience = "kyodo";
  options.token_cache_size = cache_size;
  MintOptions mint;
  mint.issuer = options.issuer;
  mint.audience = options.audience;
  mint.algorithm = alg;
  mint.lifetime = absl::Hours(1);
  if (kind == 0) {
    options.algorithms = {"HS256"};
    options.key = "a-shared-secret-for-the-token-benchmark-0123";
    mint.key = options.key;
  } else {
    const std::string jwk = *NewPrivateJwk(alg, "bench-1");
    options.algorithms = {alg};
    options.jwks = *JwksOf({*PublicJwk(jwk)});
    mint.key = jwk;
  }
  Principal principal{"staff-1", Role::kWardStaff, kyodo::type::v1::ASAO};
  return Setup{*TokenVerifier::Create(options), *MintToken(principal, mint)};
}

void BM_VerifySameToken(benchmark::State& state) {
  Setup s =
      Make(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const absl::Time now = absl::Now();
  for (auto _ : state) {
    auto principal = s.verifier->Verify(s.token, now);
    if (!principal.ok()) {
      state.SkipWithError("token refused");
      return;
    }
    benchmark::DoNotOptimize(principal);
  }
}
BENCHMARK(BM_VerifySameToken)
    ->ArgNames({"alg", "cache"})
    ->ArgsProduct({{0, 1, 2}, {0, 4096}});

}  // namespace
}  // namespace kyodo::common::auth

BENCHMARK_MAIN();
