#include "tests/testing/database.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace kyodo::testing {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    std::fprintf(stderr,
                 "%s is not set: run the tests with tests/run.sh, which starts "
                 "the test database\n",
                 name);
    std::abort();
  }
  return value;
}

}  // namespace

namespace {

common::db::PoolOptions Server(const char* user_variable,
                               const char* password_variable) {
  common::db::PoolOptions options;
  options.host = Env("KYODO_TEST_DB_HOST");
  if (!absl::SimpleAtoi(Env("KYODO_TEST_DB_PORT"), &options.port)) std::abort();
  options.user = Env(user_variable);
  std::ifstream in(Env(password_variable));
  std::stringstream password;
  password << in.rdbuf();
  options.password = password.str();
  while (!options.password.empty() && options.password.back() == '\n') {
    options.password.pop_back();
  }
  return options;
}

}  // namespace

common::db::PoolOptions TestServer() {
  return Server("KYODO_TEST_DB_USER", "KYODO_TEST_DB_PASSWORD_FILE");
}

common::db::PoolOptions TestServingServer() {
  return Server("KYODO_TEST_DB_SERVING_USER",
                "KYODO_TEST_DB_SERVING_PASSWORD_FILE");
}

TestDatabase::TestDatabase(const std::string& label)
    : TestDatabase(label, TestServer(), TestServingServer()) {}

TestDatabase::TestDatabase(const std::string& label,
                           common::db::PoolOptions server,
                           common::db::PoolOptions serving_server)
    : options_(std::move(server)), serving_(std::move(serving_server)) {
  std::random_device random;
  std::string clean;
  for (char c : label)
    clean.push_back(
        std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '_');
  options_.database = absl::StrCat("t_", clean.substr(0, 30), "_", getpid(),
                                   "_", random() % 1000000);
  Exec(absl::StrCat("CREATE DATABASE ", options_.database,
                    " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
}

TestDatabase::~TestDatabase() {
  Exec(absl::StrCat("DROP DATABASE IF EXISTS ", options_.database));
}

void TestDatabase::Migrate(
    const std::vector<common::db::MigrationTrack>& tracks) const {
  auto report = common::db::ApplyMigrations(options_, tracks, absl::Seconds(30),
                                            kServingRole);
  ASSERT_TRUE(report.ok()) << report.status();
}

common::db::PoolOptions TestDatabase::ServingOptions() const {
  common::db::PoolOptions options = serving_;
  options.database = options_.database;
  return options;
}

std::unique_ptr<common::db::ConnectionPool> TestDatabase::NewServingPool(
    int max_size) const {
  common::db::PoolOptions options = ServingOptions();
  options.max_size = max_size;
  auto pool = common::db::ConnectionPool::Create(options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return *std::move(pool);
}

std::unique_ptr<common::db::ConnectionPool> TestDatabase::NewPool(
    int max_size) const {
  common::db::PoolOptions options = options_;
  options.max_size = max_size;
  auto pool = common::db::ConnectionPool::Create(options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return *std::move(pool);
}

std::string TestDatabase::QueryValue(const std::string& sql) const {
  auto pool = NewPool(1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(10));
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return "";
  auto row = (*session)->QueryOne(sql);
  EXPECT_TRUE(row.ok()) << row.status() << " for " << sql;
  if (!row.ok() || !row->has_value()) return "";
  return (*row)->String(0);
}

void TestDatabase::Exec(const std::string& sql) const {
  // Creating and dropping the schema itself runs without one selected.
  common::db::PoolOptions options = options_;
  if (absl::StartsWith(sql, "CREATE DATABASE") ||
      absl::StartsWith(sql, "DROP DATABASE")) {
    options.database.clear();
  }
  options.max_size = 1;
  auto pool = common::db::ConnectionPool::Create(options);
  ASSERT_TRUE(pool.ok()) << pool.status();
  auto session = (*pool)->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(session.ok()) << session.status();
  absl::Status status = (*session)->ExecUnprepared(sql);
  ASSERT_TRUE(status.ok()) << status << " for " << sql;
}

}  // namespace kyodo::testing
