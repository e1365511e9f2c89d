// Start-up configuration: secrets from files, flags from the environment.
#include "common/config/config.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "common/server/service_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(std::string, kyodo_test_greeting, "default", "a flag for the test");
ABSL_FLAG(int, kyodo_test_count, 1, "another flag for the test");

namespace kyodo::common::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SecretFileTest : public ::testing::Test {
 protected:
  SecretFileTest() {
    char dir[] = "/tmp/kyodo-config-test.XXXXXX";
    dir_ = mkdtemp(dir);
  }
  ~SecretFileTest() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string dir_;
};

TEST_F(SecretFileTest, TrailingNewlineIsDropped) {
  EXPECT_EQ(*ReadSecretFile("--jwt_key_file", Write("a", "s3cret\n")),
            "s3cret");
  EXPECT_EQ(*ReadSecretFile("--jwt_key_file", Write("b", "s3cret")), "s3cret");
  EXPECT_EQ(*ReadSecretFile("--jwt_key_file", Write("c", "s3cret\r\n")),
            "s3cret");
  // Only one newline goes; the rest is the secret, spaces included.
  EXPECT_EQ(*ReadSecretFile("--jwt_key_file", Write("d", "s3cret\n\n")),
            "s3cret\n");
  EXPECT_EQ(*ReadSecretFile("--jwt_key_file", Write("e", " pad ded \n")),
            " pad ded ");
  const std::string pem =
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  EXPECT_EQ(*ReadSecretFile("--jwt_key_file", Write("f", pem)),
            pem.substr(0, pem.size() - 1));
  EXPECT_EQ(*ReadSecretFile("--x", Write("g", std::string("a\0b", 3))),
            std::string("a\0b", 3));
}

TEST_F(SecretFileTest, MissingFileNamesTheSettingAndPath) {
  const std::string path = dir_ + "/missing";
  auto secret = ReadSecretFile("--db_password_file", path);
  EXPECT_EQ(secret.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(secret.status().message()),
              HasSubstr("--db_password_file"));
  EXPECT_THAT(std::string(secret.status().message()), HasSubstr(path));
}

TEST_F(SecretFileTest, EmptyFileOrPathIsRefused) {
  for (const char* content : {"", "\n", "\r\n"}) {
    const std::string path = Write("empty", content);
    auto secret = ReadSecretFile("--page_token_key_file", path);
    EXPECT_EQ(secret.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(secret.status().message()), HasSubstr("empty"));
    EXPECT_THAT(std::string(secret.status().message()), HasSubstr(path));
  }
  auto no_path = ReadSecretFile("--jwt_key_file", "");
  EXPECT_EQ(no_path.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(no_path.status().message()),
              HasSubstr("--jwt_key_file"));
}

TEST_F(SecretFileTest, DirectoryIsRefused) {
  auto secret = ReadSecretFile("--jwt_key_file", dir_);
  EXPECT_EQ(secret.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(secret.status().message()), HasSubstr(dir_));
}

TEST(FailTest, ExitsWithStatusTwo) {
  EXPECT_EXIT(Fail("--db_port must be 1..65535"), ::testing::ExitedWithCode(2),
              "kyodo: invalid configuration: --db_port must be 1..65535");
}

// argv for ParseFlagsAndEnvironment (absl wants mutable char*).
class Argv {
 public:
  explicit Argv(std::vector<std::string> args) : args_(std::move(args)) {
    for (std::string& a : args_) pointers_.push_back(a.data());
    pointers_.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(args_.size()); }
  char** argv() { return pointers_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> pointers_;
};

// ParseFlagsAndEnvironment may run once per process (absl refuses a second
// usage message), so each case runs in a child process of its own: the child
// parses, checks, and exits 0 when everything matched.
[[noreturn]] void ParseAndExit(std::vector<std::string> args,
                               const std::function<bool()>& check) {
  Argv argv(std::move(args));
  ParseFlagsAndEnvironment(argv.argc(), argv.argv(), "usage");
  std::exit(check() ? 0 : 3);
}

TEST(FlagsTest, EnvironmentSetsFlags) {
  EXPECT_EXIT(
      {
        setenv("KYODO_KYODO_TEST_GREETING", "from-env", 1);
        setenv("KYODO_KYODO_TEST_COUNT", "7", 1);
        // Variables with the prefix that name no flag are left alone.
        setenv("KYODO_NOT_A_FLAG_AT_ALL", "x", 1);
        Argv argv({"prog", "positional"});
        std::vector<char*> rest =
            ParseFlagsAndEnvironment(argv.argc(), argv.argv(), "usage");
        const bool ok =
            absl::GetFlag(FLAGS_kyodo_test_greeting) == "from-env" &&
            absl::GetFlag(FLAGS_kyodo_test_count) == 7 && rest.size() == 2 &&
            std::string(rest[0]) == "prog" &&
            std::string(rest[1]) == "positional";
        std::exit(ok ? 0 : 3);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(FlagsTest, CommandLineWinsOverEnvironment) {
  EXPECT_EXIT(
      {
        setenv("KYODO_KYODO_TEST_GREETING", "from-env", 1);
        setenv("KYODO_KYODO_TEST_COUNT", "7", 1);
        ParseAndExit({"prog", "--kyodo_test_greeting=from-argv"}, [] {
          return absl::GetFlag(FLAGS_kyodo_test_greeting) == "from-argv" &&
                 absl::GetFlag(FLAGS_kyodo_test_count) == 7;
        });
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(FlagsTest, DefaultsStayWithoutEnvironment) {
  EXPECT_EXIT(
      {
        unsetenv("KYODO_KYODO_TEST_GREETING");
        unsetenv("KYODO_KYODO_TEST_COUNT");
        ParseAndExit({"prog"}, [] {
          return absl::GetFlag(FLAGS_kyodo_test_greeting) == "default" &&
                 absl::GetFlag(FLAGS_kyodo_test_count) == 1;
        });
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(FlagsTest, BadEnvironmentValueExitsWithStatusTwo) {
  EXPECT_EXIT(
      {
        setenv("KYODO_KYODO_TEST_COUNT", "seven", 1);
        ParseAndExit({"prog"}, [] { return true; });
      },
      ::testing::ExitedWithCode(2),
      "kyodo: invalid configuration: environment variable "
      "KYODO_KYODO_TEST_COUNT");
}

TEST(FlagsTest, BadCommandLineValueExitsWithStatusTwo) {
  // config.h: "Exits with status 2 on an unknown flag or a value that does
  // not parse."
  EXPECT_EXIT(
      ParseAndExit({"prog", "--kyodo_test_count=seven"}, [] { return true; }),
      ::testing::ExitedWithCode(2),
      "kyodo: invalid configuration: .*seven.*kyodo_test_count");
}

TEST(FlagsTest, UnknownFlagExitsWithStatusTwo) {
  EXPECT_EXIT(
      ParseAndExit({"prog", "--no_such_flag_anywhere=1"}, [] { return true; }),
      ::testing::ExitedWithCode(2),
      "kyodo: invalid configuration: .*no_such_flag_anywhere");
}

TEST(FlagsTest, MissingValueExitsWithStatusTwo) {
  EXPECT_EXIT(ParseAndExit({"prog", "--kyodo_test_count"}, [] { return true; }),
              ::testing::ExitedWithCode(2),
              "kyodo: invalid configuration: .*kyodo_test_count");
}

TEST(FlagsTest, FlagsBetweenPositionalArguments) {
  // kyodoctl's command line: flags before, between and after the command
  // words, "--name value" as well as "--name=value".
  EXPECT_EXIT(
      {
        unsetenv("KYODO_KYODO_TEST_GREETING");
        unsetenv("KYODO_KYODO_TEST_COUNT");
        Argv argv({"prog", "--kyodo_test_count", "5", "partners", "list",
                   "--kyodo_test_greeting=hi", "--", "--not-a-flag"});
        std::vector<char*> rest =
            ParseFlagsAndEnvironment(argv.argc(), argv.argv(), "usage");
        const bool ok = absl::GetFlag(FLAGS_kyodo_test_greeting) == "hi" &&
                        absl::GetFlag(FLAGS_kyodo_test_count) == 5 &&
                        rest.size() == 4 &&
                        std::string(rest[1]) == "partners" &&
                        std::string(rest[2]) == "list" &&
                        std::string(rest[3]) == "--not-a-flag";
        std::exit(ok ? 0 : 3);
      },
      ::testing::ExitedWithCode(0), "");
}

// LoadServiceConfig reads the flags once per process too: each case runs in
// a child process.
class ServiceConfigTest : public SecretFileTest {
 protected:
  ServiceConfigTest() {
    db_password_ = Write("db", "db-pass\n");
    jwt_key_ = Write("jwt", "jwt-secret\n");
    page_key_ = Write("page", "0123456789abcdef\n");
  }
  void SetSecretFiles() const {
    setenv("KYODO_DB_PASSWORD_FILE", db_password_.c_str(), 1);
    setenv("KYODO_JWT_KEY_FILE", jwt_key_.c_str(), 1);
    setenv("KYODO_PAGE_TOKEN_KEY_FILE", page_key_.c_str(), 1);
  }
  [[noreturn]] void LoadAndExit(
      std::vector<std::string> args,
      const std::function<bool(const server::ServiceConfig&)>& check) {
    Argv argv(std::move(args));
    ParseFlagsAndEnvironment(argv.argc(), argv.argv(), "usage");
    const server::ServiceConfig config = server::LoadServiceConfig(
        "partner", "kyodo_partner", "127.0.0.1:50051");
    std::exit(check(config) ? 0 : 3);
  }

  std::string db_password_, jwt_key_, page_key_;
};

TEST_F(ServiceConfigTest, ReadsFlagsEnvironmentAndSecretFiles) {
  EXPECT_EXIT(
      {
        SetSecretFiles();
        setenv("KYODO_DB_POOL_SIZE", "8", 1);
        setenv("KYODO_JWT_ALGORITHMS", "HS256,HS384", 1);
        LoadAndExit({"prog", "--db_port=3307", "--drain=1s"},
                    [](const server::ServiceConfig& c) {
                      return c.listen == "127.0.0.1:50051" &&
                             c.db.port == 3307 && c.db.password == "db-pass" &&
                             c.db.database == "kyodo_partner" &&
                             c.db.max_size == 8 && c.auth.key == "jwt-secret" &&
                             c.auth.algorithms ==
                                 std::vector<std::string>{"HS256", "HS384"} &&
                             c.page_token_key == "0123456789abcdef" &&
                             c.drain == absl::Seconds(1) && c.migrate &&
                             !c.migrate_only;
                    });
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(ServiceConfigTest, ShortPageTokenKeyIsRefused) {
  const std::string short_key = Write("short", "too-short\n");
  EXPECT_EXIT(
      {
        SetSecretFiles();
        setenv("KYODO_PAGE_TOKEN_KEY_FILE", short_key.c_str(), 1);
        LoadAndExit({"prog"},
                    [](const server::ServiceConfig&) { return true; });
      },
      ::testing::ExitedWithCode(2), "--page_token_key_file");
}

TEST_F(ServiceConfigTest, MissingSecretFileIsRefused) {
  const std::string missing = dir_ + "/missing";
  EXPECT_EXIT(
      {
        SetSecretFiles();
        setenv("KYODO_DB_PASSWORD_FILE", missing.c_str(), 1);
        LoadAndExit({"prog"},
                    [](const server::ServiceConfig&) { return true; });
      },
      ::testing::ExitedWithCode(2), "--db_password_file");
}

TEST_F(ServiceConfigTest, OutOfRangeValuesAreRefused) {
  EXPECT_EXIT(
      {
        SetSecretFiles();
        LoadAndExit({"prog", "--db_pool_size=0"},
                    [](const server::ServiceConfig&) { return true; });
      },
      ::testing::ExitedWithCode(2), "--db_pool_size");
  EXPECT_EXIT(
      {
        SetSecretFiles();
        LoadAndExit({"prog", "--listen=50051"},
                    [](const server::ServiceConfig&) { return true; });
      },
      ::testing::ExitedWithCode(2), "--listen");
  EXPECT_EXIT(
      {
        SetSecretFiles();
        LoadAndExit({"prog", "--log_level=loud"},
                    [](const server::ServiceConfig&) { return true; });
      },
      ::testing::ExitedWithCode(2), "--log_level");
}

}  // namespace
}  // namespace kyodo::common::config
