// The HTTP entry through a generated TypeScript client: starts the suite
// with the security tests' world, then runs client/run.sh (protoc-gen-es,
// tsc, node with @connectrpc/connect-node), which checks a list, a
// creation, an error with its BadRequest and ErrorInfo details, 401, 403
// and the streaming export.
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/gateway/http/http_testing.h"
#include "tests/security/world.h"

namespace kyodo::testing {
namespace {

TEST(HttpClientTest, GeneratedTypeScriptClientCallsTheEntry) {
  HttpCluster http("http_client");
  security::World world;
  ASSERT_NO_FATAL_FAILURE(security::Seed(*http.cluster, &world));
  const std::string log = http.cluster->log_dir() + "/client.log";
  auto set = [](const char* name, const std::string& value) {
    setenv(name, value.c_str(), 1);
  };
  set("KYODO_HTTP_BASE", http.base);
  set("KYODO_TOKEN_ADMIN", world.token(security::kAdmin));
  set("KYODO_TOKEN_APPLICANT", world.token(security::kApplicant));
  set("KYODO_TOKEN_VIEWER", world.token(security::kViewer));
  set("KYODO_CIVIC_A", world.civic_a);
  set("KYODO_CALL_OPEN", world.call_open);
  const std::string command = absl::StrCat(
      KYODO_SOURCE_DIR, "/tests/gateway/http/client/run.sh ", KYODO_BINARY_DIR,
      "/tests/gateway/http/client >", log, " 2>&1");
  const int rc = std::system(command.c_str());
  const std::string output = ReadText(log);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("checks passed"), std::string::npos) << output;
}

}  // namespace
}  // namespace kyodo::testing
