// Every method of the four kyodo services, over HTTP and without a token,
// answers 401 unauthenticated: generated from the descriptors (as the gRPC
// security matrix, tests/security/matrix_test.cc), so a new method is
// checked without touching this test. Server-streaming methods answer in
// Connect's streaming form (HTTP 200, the error in the end-of-stream
// message) and, for ExportOpenData, as the plain download (401).
// Client-streaming methods (UploadDocument) are not served over Connect
// at all (501, whoever asks); their plain path, /documents/upload, is 401.
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/gateway/http/http_testing.h"
#include "tests/security/world.h"

namespace kyodo::testing {
namespace {

using Json = nlohmann::json;

class HttpUnauthenticatedTest : public ::testing::TestWithParam<
                                    const google::protobuf::MethodDescriptor*> {
 protected:
  static void SetUpTestSuite() { http_ = new HttpCluster("http_unauth"); }
  static void TearDownTestSuite() { delete http_; }
  static HttpCluster* http_;
};
HttpCluster* HttpUnauthenticatedTest::http_ = nullptr;

TEST_P(HttpUnauthenticatedTest, Answers401) {
  const auto* method = GetParam();
  const std::string path =
      "/" + method->service()->full_name() + "/" + method->name();
  if (method->client_streaming()) {
    CurlResult r = ConnectJson(http_->base, path.substr(1), "{}", "");
    EXPECT_EQ(r.status, 501) << path << ": " << r.body;
    const std::string pdf = "%PDF-1.4\n%%EOF\n";
    CurlResult upload = Curl(http_->base +
                                 "/documents/upload?parent=projects/p1&kind="
                                 "PLAN&file_name=a.pdf",
                             {}, &pdf);
    EXPECT_EQ(upload.status, 401) << upload.body;
    EXPECT_EQ(Json::parse(upload.body, nullptr, false)["code"],
              "unauthenticated")
        << upload.body;
    return;
  }
  if (!method->server_streaming()) {
    CurlResult r = ConnectJson(http_->base, path.substr(1), "{}", "");
    EXPECT_EQ(r.status, 401) << path << ": " << r.body;
    EXPECT_EQ(Json::parse(r.body, nullptr, false)["code"], "unauthenticated")
        << path << ": " << r.body;
    // A token that is not one is the same.
    CurlResult forged = ConnectJson(http_->base, path.substr(1), "{}",
                                    "eyJhbGciOiJub25lIn0.e30.");
    EXPECT_EQ(forged.status, 401) << path << ": " << forged.body;
    return;
  }
  const std::string body = std::string(5, '\0');  // one empty envelope
  CurlResult r = Curl(
      http_->base + path,
      {"-X", "POST", "-H", "Content-Type: application/connect+json"}, &body);
  ASSERT_EQ(r.status, 200) << path;
  ASSERT_GE(r.body.size(), 5u) << path;
  EXPECT_EQ(static_cast<unsigned char>(r.body[0]), 2) << path;
  EXPECT_EQ(Json::parse(r.body.substr(5), nullptr, false)["error"]["code"],
            "unauthenticated")
      << path << ": " << r.body;
}

TEST(HttpUnauthenticatedDownload, Answers401) {
  HttpCluster http("http_unauth_dl");
  for (const char* file :
       {"projects.csv", "projects.jsonl", "results.csv", "results.jsonl"}) {
    CurlResult r = Curl(http.base + "/open-data/" + file, {});
    EXPECT_EQ(r.status, 401) << file << ": " << r.body;
  }
}

std::string MethodName(
    const ::testing::TestParamInfo<const google::protobuf::MethodDescriptor*>&
        info) {
  std::string service = info.param->service()->name();
  return service + "_" + info.param->name();
}

INSTANTIATE_TEST_SUITE_P(EveryMethod, HttpUnauthenticatedTest,
                         ::testing::ValuesIn(security::AllMethods()),
                         MethodName);

}  // namespace
}  // namespace kyodo::testing
