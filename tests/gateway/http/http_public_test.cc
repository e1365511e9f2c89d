// The HTTP entry's public surface (/public/v1/, gateway/http/public.cc) end
// to end: the suite as processes, the security tests' world of records
// (one call in each state: tests/security/world.h), curl without any
// token. The gateway reads its viewer credential from a token file here
// (--http_public_token_file); the client credentials grant against an
// OpenID provider is tests/integration/oidc_test.sh's and the browser
// test's (tests/web/walk.mjs). docs/HTTP.md ("Public results").
#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/gateway/http/http_testing.h"
#include "tests/security/world.h"
#include "tests/testing/auth.h"
#include "tests/testing/documents.h"

namespace kyodo::testing {
namespace {

using Json = nlohmann::json;

Json Parse(const std::string& text) {
  return Json::parse(text, nullptr, false);
}

class HttpPublicTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/kyodo-public.XXXXXX";
    dir_ = new std::string(mkdtemp(pattern));
    std::ofstream(*dir_ + "/public.token") << ViewerToken("kyodo-public");
    http_ = new HttpCluster(
        "http_public",
        {absl::StrCat("--http_public_token_file=", *dir_, "/public.token")});
    world_ = new security::World();
    security::Seed(*http_->cluster, world_);
  }
  static void TearDownTestSuite() {
    delete world_;
    delete http_;
    (void)std::system(("rm -rf " + *dir_).c_str());
    delete dir_;
  }
  static CurlResult Get(const std::string& path,
                        const std::vector<std::string>& args = {}) {
    return Curl(http_->base + "/public/v1/" + path, args);
  }

  static std::string* dir_;
  static HttpCluster* http_;
  static security::World* world_;
};
std::string* HttpPublicTest::dir_ = nullptr;
HttpCluster* HttpPublicTest::http_ = nullptr;
security::World* HttpPublicTest::world_ = nullptr;

TEST_F(HttpPublicTest, ListsPublishedCallsOnlyWithoutAToken) {
  CurlResult r = Get("calls");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  Json body = Parse(r.body);
  ASSERT_TRUE(body["calls"].is_array()) << r.body;
  std::vector<std::string> names;
  for (const Json& c : body["calls"]) {
    names.push_back(c["name"]);
    EXPECT_EQ(c["state"], "PUBLISHED") << c.dump();
    EXPECT_FALSE(c.contains("etag")) << c.dump();
    EXPECT_FALSE(c.contains("updateTime")) << c.dump();
  }
  EXPECT_NE(std::find(names.begin(), names.end(), world_->call_published),
            names.end())
      << r.body;
  for (const std::string* hidden :
       {&world_->call_decided, &world_->call_open, &world_->call_review,
        &world_->call_draft}) {
    EXPECT_FALSE(absl::StrContains(r.body, *hidden)) << *hidden;
  }
  // The Connect API itself still wants a token.
  EXPECT_EQ(
      ConnectJson(http_->base, "kyodo.proposal.v1.ProposalService/ListCalls",
                  R"({"parent": "programmes/-"})", "")
          .status,
      401);
}

TEST_F(HttpPublicTest, ShowsThePublishedResultsOfACall) {
  CurlResult r = Get(world_->call_published);
  ASSERT_EQ(r.status, 200) << r.body;
  Json body = Parse(r.body);
  EXPECT_EQ(body["call"]["name"], world_->call_published) << r.body;
  EXPECT_EQ(body["call"]["state"], "PUBLISHED");
  EXPECT_FALSE(body["call"].contains("etag")) << r.body;
  EXPECT_FALSE(body["decision"].contains("decidedBy")) << r.body;
  ASSERT_TRUE(body["decision"]["results"].is_array()) << r.body;
  bool found = false;
  for (const Json& result : body["decision"]["results"])
    found = found || result["proposal"] == world_->proposal_published;
  EXPECT_TRUE(found) << r.body;
  EXPECT_FALSE(absl::StrContains(r.body, world_->proposal_decided));
}

// A call decided but not published answers exactly as no call does: same
// status, same headers, same body, whoever asks (the caller's token is not
// the one used).
TEST_F(HttpPublicTest, AnUnpublishedCallIsIndistinguishableFromNone) {
  CurlResult missing = Get(world_->programme + "/calls/nosuchcall0000");
  ASSERT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(Parse(missing.body)["code"], "not_found") << missing.body;
  auto same = [&](const CurlResult& r, const std::string& what) {
    EXPECT_EQ(r.status, missing.status) << what << ": " << r.body;
    EXPECT_EQ(r.body, missing.body) << what;
    std::map<std::string, std::string> a = r.headers, b = missing.headers;
    a.erase("date");
    b.erase("date");
    EXPECT_EQ(a, b) << what;
  };
  same(Get(world_->call_decided), "decided");
  same(Get(world_->call_review), "under review");
  same(Get(world_->call_open), "open");
  same(Get(world_->call_draft), "draft");
  same(Get("programmes/nosuch/calls/nosuch"), "no programme");
  same(Get("programmes/%2E%2E/calls/x"), "malformed");
  same(Get(world_->call_decided,
           {"-H", "Authorization: Bearer " + world_->token(security::kAdmin)}),
       "decided, asked with an admin token");
  for (const auto& [name, value] : missing.headers) {
    EXPECT_NE(name, "etag");
    EXPECT_NE(name, "last-modified");
    EXPECT_NE(name, "x-request-id");
  }
}

TEST_F(HttpPublicTest, DownloadsTheOpenDataWithoutAToken) {
  CurlResult r = Get("open-data/results.csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(absl::StartsWith(r.Header("content-type"), "text/csv"));
  EXPECT_EQ(r.Header("content-disposition"),
            R"(attachment; filename="kyodo-results.csv")");
  EXPECT_TRUE(absl::StartsWith(r.body, "\xEF\xBB\xBF")) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, "公募(公表済)")) << r.body;
  EXPECT_FALSE(absl::StrContains(r.body, "公募(決定済)")) << r.body;
  EXPECT_EQ(Get("open-data/secrets.csv").status, 404);
  EXPECT_EQ(Get("open-data/results.csv?fiscal_year=x").status, 400);
}

TEST_F(HttpPublicTest, ListsProjectsWithoutAToken) {
  CurlResult r = Get("projects");
  ASSERT_EQ(r.status, 200) << r.body;
  Json body = Parse(r.body);
  bool found = false;
  for (const Json& p : body["projects"]) {
    found = found || p["name"] == world_->project;
    EXPECT_FALSE(p.contains("etag")) << p.dump();
  }
  EXPECT_TRUE(found) << r.body;
  EXPECT_EQ(Get("projects?filter=x").status, 400);
}

// A project's documents marked public reach readers without a token once
// the project is published (started); the others (the world's
// document_project) do not exist for them.
TEST_F(HttpPublicTest, AProjectsPublicDocumentsWithoutAToken) {
  auto projects = project::v1::ProjectService::NewStub(
      http_->cluster->Channel(Service::kGateway));
  const Content pdf = PdfOfSize(200 << 10, 'p');
  type::v1::Document report;
  const grpc::Status status = UploadDocument(
      *projects, AdminToken(),
      Upload(world_->project, type::v1::REPORT, "実績報告書（公開用）.pdf",
             /*is_public=*/true),
      pdf, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string base = world_->project + "/documents";
  const std::string id = report.name().substr(report.name().rfind('/') + 1);

  // The world's project is PLANNED: not published yet.
  CurlResult before = Get(base);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(Parse(before.body).value("documents", Json::array()).size(), 0u)
      << before.body;
  EXPECT_EQ(Get(base + "/" + id).status, 404);
  project::v1::StartProjectRequest start;
  start.set_name(world_->project);
  project::v1::Project started;
  const grpc::Status begun =
      projects->StartProject(Context(AdminToken()).get(), start, &started);
  ASSERT_TRUE(begun.ok()) << begun.error_message();

  CurlResult list = Get(base);
  ASSERT_EQ(list.status, 200) << list.body;
  const Json body = Parse(list.body);
  ASSERT_EQ(body["documents"].size(), 1u) << list.body;
  const Json& listed = body["documents"][0];
  EXPECT_EQ(listed.value("name", ""), report.name());
  EXPECT_EQ(listed.value("fileName", ""), "実績報告書（公開用）.pdf");
  EXPECT_FALSE(listed.contains("creator")) << listed.dump();
  EXPECT_FALSE(listed.contains("etag")) << listed.dump();

  CurlResult file = Get(base + "/" + id);
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(file.body, Whole(pdf));
  EXPECT_EQ(file.Header("content-type"), "application/pdf");
  const std::string hidden =
      world_->document_project.substr(world_->document_project.rfind('/') + 1);
  EXPECT_EQ(Get(base + "/" + hidden).status, 404);
  EXPECT_EQ(Get(base + "/nosuch").status, 404);
}

TEST_F(HttpPublicTest, OnlyReads) {
  CurlResult r = Curl(http_->base + "/public/v1/calls", {"-X", "POST"});
  EXPECT_EQ(r.status, 405) << r.body;
  EXPECT_EQ(Get("proposals").status, 404);
}

// Without a public credential there is no public surface.
TEST(HttpPublicOff, AnswersNotFound) {
  HttpCluster http("http_public_off");
  CurlResult r = Curl(http.base + "/public/v1/calls", {});
  EXPECT_EQ(r.status, 404) << r.body;
}

}  // namespace
}  // namespace kyodo::testing
