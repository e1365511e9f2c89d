// The HTTP entry over HTTPS (--http_tls_cert_file, --http_tls_key_file),
// with a throwaway CA (tests/deploy/make_test_ca.sh): a client trusting
// the CA calls it and gets Strict-Transport-Security; plaintext HTTP and a
// client that does not trust the CA get nothing.
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/gateway/http/http_testing.h"
#include "tests/testing/auth.h"

namespace kyodo::testing {
namespace {

TEST(HttpTlsTest, ServesHttpsOnly) {
  char pattern[] = "/tmp/kyodo-http-tls.XXXXXX";
  const std::string certs = mkdtemp(pattern);
  const std::string make =
      absl::StrCat(KYODO_SOURCE_DIR, "/tests/deploy/make_test_ca.sh ", certs,
                   " IP:127.0.0.1,DNS:localhost >/dev/null 2>&1");
  ASSERT_EQ(std::system(make.c_str()), 0) << make;
  HttpCluster http("http_tls",
                   {"--http_tls_cert_file=" + certs + "/server.pem",
                    "--http_tls_key_file=" + certs + "/server.key"});
  const std::string https =
      absl::StrReplaceAll(http.base, {{"http://", "https://"}});
  CurlResult ok =
      ConnectJson(https, "kyodo.partner.v1.PartnerService/ListPartners", "{}",
                  AdminToken(), {"--cacert", certs + "/ca.pem"});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Header("strict-transport-security"), "max-age=31536000");
  CurlResult untrusted =
      Curl(https + "/healthz", {"--cacert", certs + "/other-ca.pem"});
  EXPECT_NE(untrusted.exit_code, 0);
  EXPECT_EQ(untrusted.status, 0);
  CurlResult plain = Curl(http.base + "/healthz", {});
  EXPECT_NE(plain.exit_code, 0);
  EXPECT_EQ(plain.status, 0);
  (void)std::system(("rm -rf " + certs).c_str());
}

}  // namespace
}  // namespace kyodo::testing
