// The gateway's own credential: renewed before it expires, by a clock the
// test moves; a failed renewal keeps a still-valid token, never an expired
// one. (The client credentials grant itself runs against the local OpenID
// provider in tests/integration/oidc_test.sh.)
#include "common/oauth/client.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/time/clock.h"
#include "gtest/gtest.h"

namespace kyodo::common::oauth {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1780000000);

class ServiceCredentialTest : public ::testing::Test {
 protected:
  // Each fetch issues "token-N", valid for ten minutes from the fetch.
  ServiceCredential::Fetch Issuer() {
    return [this](absl::Time now) -> absl::StatusOr<IssuedToken> {
      fetch_times_.push_back(now);
      if (!available_) return absl::UnavailableError("provider down");
      return IssuedToken{absl::StrCat("token-", fetch_times_.size()),
                         now + absl::Minutes(10)};
    };
  }

  FakeClock clock_{kStart};
  bool available_ = true;
  std::vector<absl::Time> fetch_times_;
};

TEST_F(ServiceCredentialTest, RenewsAfterTwoThirdsOfTheLifetime) {
  ServiceCredential credential(Issuer(), &clock_);
  EXPECT_EQ(*credential.Token(), "token-1");
  clock_.Set(kStart + absl::Minutes(6));
  EXPECT_EQ(*credential.Token(), "token-1");  // still fresh: not fetched
  EXPECT_EQ(credential.fetches(), 1);
  clock_.Set(kStart + absl::Minutes(7));  // 2/3 of 10 minutes passed
  EXPECT_EQ(*credential.Token(), "token-2");
  EXPECT_EQ(credential.fetches(), 2);
  ASSERT_EQ(fetch_times_.size(), 2u);
  // Renewed three minutes before the first token would have expired.
  EXPECT_EQ(fetch_times_[1], kStart + absl::Minutes(7));
}

TEST_F(ServiceCredentialTest, KeepsAValidTokenWhenRenewalFails) {
  ServiceCredential credential(Issuer(), &clock_, absl::Seconds(5));
  EXPECT_EQ(*credential.Token(), "token-1");
  available_ = false;
  clock_.Set(kStart + absl::Minutes(7));
  EXPECT_EQ(*credential.Token(), "token-1");
  // Retries only after the retry delay.
  clock_.Set(kStart + absl::Minutes(7) + absl::Seconds(2));
  EXPECT_EQ(*credential.Token(), "token-1");
  EXPECT_EQ(fetch_times_.size(), 2u);
  clock_.Set(kStart + absl::Minutes(7) + absl::Seconds(6));
  EXPECT_EQ(*credential.Token(), "token-1");
  EXPECT_EQ(fetch_times_.size(), 3u);
  // Within a minute of expiry it no longer hands the old token out.
  clock_.Set(kStart + absl::Minutes(9) + absl::Seconds(30));
  auto token = credential.Token();
  EXPECT_EQ(token.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(std::string(token.status().message()).find("provider down"),
            std::string::npos);
  // The provider is back: a fresh token at once.
  available_ = true;
  EXPECT_EQ(*credential.Token(), "token-5");
}

TEST_F(ServiceCredentialTest, NoTokenAtAllIsUnavailable) {
  available_ = false;
  ServiceCredential credential(Issuer(), &clock_);
  EXPECT_EQ(credential.Token().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(credential.fetches(), 0);
}

TEST(ClientCredentialsTest, UnreachableEndpointIsUnavailable) {
  ClientCredentials grant;
  // Port 9 on loopback (discard): nothing listens in the test environment.
  grant.endpoint = "http://127.0.0.1:9/token";
  grant.client_id = "kyodo-gateway";
  grant.client_secret = "s";
  grant.timeout = absl::Seconds(2);
  auto token = RequestClientCredentials(grant, kStart);
  EXPECT_EQ(token.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kyodo::common::oauth
