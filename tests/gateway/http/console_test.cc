// The console's static files (gateway/http/console.h), from a folder made
// by the test: content types, cache headers, the route fallback to the
// index, and that no path reaches a file outside the folder or a hidden one.
#include "gateway/http/console.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace kyodo::gateway::http {
namespace {

namespace fs = std::filesystem;

std::string HeaderOf(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "";
}

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("kyodo-console-test-" + std::to_string(getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "dist" / "assets");
    fs::create_directories(base_ / "dist" / ".git");
    Write("dist/index.html", "<!doctype html><title>協働</title>");
    Write("dist/assets/main-ABCD2345.js", "console.log(1)");
    Write("dist/assets/style.css", "body{}");
    Write("dist/.git/config", "hidden");
    Write("dist/.env", "hidden");
    Write("secret.txt", "outside");
    fs::create_symlink(base_ / "secret.txt", base_ / "dist" / "link.txt");
  }
  void TearDown() override { fs::remove_all(base_); }

  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(base_ / rel) << text;
  }

  std::unique_ptr<Console> Load() {
    auto console = Console::Load({.dir = (base_ / "dist").string(),
                                  .oidc_issuer = "http://127.0.0.1:50057"});
    EXPECT_TRUE(console.ok()) << console.status();
    return console.ok() ? *std::move(console) : nullptr;
  }

  fs::path base_;
};

TEST_F(ConsoleTest, ServesFilesWithTheirTypesAndCacheHeaders) {
  auto console = Load();
  ASSERT_NE(console, nullptr);
  Response index = console->Serve("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_TRUE(index.console);
  EXPECT_EQ(index.body, "<!doctype html><title>協働</title>");
  EXPECT_EQ(HeaderOf(index, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(index, "Cache-Control"), "no-cache");

  Response js = console->Serve("/assets/main-ABCD2345.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(HeaderOf(js, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(js, "Cache-Control"),
            "public, max-age=31536000, immutable");

  Response css = console->Serve("/assets/style.css");
  EXPECT_EQ(HeaderOf(css, "Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(HeaderOf(css, "Cache-Control"), "no-cache");  // not hashed
}

TEST_F(ConsoleTest, RoutesLoadTheIndexAndMissingFilesAre404) {
  auto console = Load();
  ASSERT_NE(console, nullptr);
  for (const char* route : {"/calls", "/results/programmes/x/calls/y", "/a/"}) {
    Response r = console->Serve(route);
    EXPECT_EQ(r.status, 200) << route;
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "text/html; charset=utf-8") << route;
  }
  EXPECT_EQ(console->Serve("/assets/missing-ABCD2345.js").status, 404);
  EXPECT_EQ(console->Serve("/favicon.ico").status, 404);
}

TEST_F(ConsoleTest, NothingOutsideTheFolderNorHidden) {
  auto console = Load();
  ASSERT_NE(console, nullptr);
  for (const char* path :
       {"/../secret.txt", "/assets/../../secret.txt", "/..", "/./index.html",
        "/assets/..", "/link.txt", "/.env", "/.git/config", "/..\\secret.txt",
        "secret.txt", ""}) {
    Response r = console->Serve(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_NE(r.body, "outside") << path;
    EXPECT_NE(r.body, "hidden") << path;
  }
}

TEST_F(ConsoleTest, ConfigurationAndPolicyNameTheProvider) {
  auto console = Load();
  ASSERT_NE(console, nullptr);
  Response config = console->Serve("/console-config.json");
  EXPECT_EQ(config.status, 200);
  EXPECT_EQ(HeaderOf(config, "Cache-Control"), "no-cache");
  auto json = nlohmann::json::parse(config.body);
  EXPECT_EQ(json["issuer"], "http://127.0.0.1:50057");
  EXPECT_EQ(json["clientId"], "kyodo-console");
  const std::string csp = console->ContentSecurityPolicy();
  EXPECT_NE(csp.find("connect-src 'self' http://127.0.0.1:50057"),
            std::string::npos)
      << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
}

TEST_F(ConsoleTest, AFolderWithoutIndexIsRefused) {
  fs::remove(base_ / "dist" / "index.html");
  auto console = Console::Load({.dir = (base_ / "dist").string()});
  EXPECT_FALSE(console.ok());
  EXPECT_FALSE(Console::Load({.dir = (base_ / "nowhere").string()}).ok());
}

}  // namespace
}  // namespace kyodo::gateway::http
