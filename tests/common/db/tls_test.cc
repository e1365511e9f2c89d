// TLS to MariaDB (PoolOptions::tls_*, the services' --db_tls_* flags) against
// a private MariaDB started with TLS on, with a throwaway CA made by the
// openssl command line (tests/deploy/make_test_ca.sh): the right CA connects
// and the session is encrypted, a wrong CA or a certificate for another host
// is refused, a server without TLS is refused, and client certificates work
// for an account that requires one.
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "tests/testing/database.h"
#include "tests/testing/private_mariadb.h"
#include "tests/testing/process.h"

namespace kyodo::common::db {
namespace {

using ::kyodo::testing::ChildProcess;
using ::kyodo::testing::PrivateMariaDb;

// MySQL client error: TLS failed (bad chain, wrong host, no TLS on server).
constexpr int kTlsError = 2026;

class DbTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/kyodo-db-tls.XXXXXX";
    dir_ = new std::string(mkdtemp(pattern));
    const std::string command =
        absl::StrCat(KYODO_SOURCE_DIR, "/tests/deploy/make_test_ca.sh ", *dir_);
    ASSERT_EQ(std::system(command.c_str()), 0) << "make_test_ca.sh failed";
    server_ = new PrivateMariaDb();
    // Also on 127.0.0.2, an address the server certificate does not name.
    ASSERT_TRUE(server_->Start({"--ssl-ca=" + File("ca.pem"),
                                "--ssl-cert=" + File("server.pem"),
                                "--ssl-key=" + File("server.key"),
                                "--bind-address=127.0.0.1,127.0.0.2"}));
    // An account that must present a client certificate of this CA with
    // the gateway's subject (make_test_ca.sh's client.pem).
    auto admin = ConnectionPool::Create(server_->Options());
    ASSERT_TRUE(admin.ok());
    auto session = (*admin)->Borrow(absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(session.ok()) << session.status();
    ASSERT_TRUE((*session)
                    ->ExecUnprepared("CREATE USER 'kyodo_cert'@'127.0.0.1' "
                                     "IDENTIFIED BY 'cert-password' REQUIRE "
                                     "SUBJECT '/CN=kyodo-gateway'")
                    .ok());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    if (dir_ != nullptr) {
      (void)std::system(("rm -rf " + *dir_).c_str());
      delete dir_;
      dir_ = nullptr;
    }
  }

  static std::string File(const std::string& name) {
    return *dir_ + "/" + name;
  }

  // The serving account over TLS trusting `ca` (a file name in the folder).
  static PoolOptions Serving(const std::string& ca) {
    PoolOptions options = server_->ServingOptions();
    if (!ca.empty()) options.tls_ca_file = File(ca);
    options.max_size = 1;
    return options;
  }

  // A session with `options`, or the error.
  static absl::StatusOr<std::string> SslCipher(const PoolOptions& options) {
    auto pool = ConnectionPool::Create(options);
    if (!pool.ok()) return pool.status();
    auto session = (*pool)->Borrow(absl::Now() + absl::Seconds(10));
    if (!session.ok()) return session.status();
    auto row = (*session)->QueryOne("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    if (!row.ok()) return row.status();
    if (!row->has_value()) return absl::InternalError("no Ssl_cipher");
    return (*row)->String(1);
  }

  static std::string* dir_;
  static PrivateMariaDb* server_;
};

std::string* DbTlsTest::dir_ = nullptr;
PrivateMariaDb* DbTlsTest::server_ = nullptr;

TEST_F(DbTlsTest, RightCaConnectsOverTls) {
  absl::StatusOr<std::string> cipher = SslCipher(Serving("ca.pem"));
  ASSERT_TRUE(cipher.ok()) << cipher.status();
  EXPECT_FALSE(cipher->empty()) << "the session is not encrypted";
  // Without the option the same server is reached in plaintext: the check
  // above tells the two apart.
  absl::StatusOr<std::string> plain = SslCipher(Serving(""));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, "");
}

TEST_F(DbTlsTest, WrongCaIsRefused) {
  absl::StatusOr<std::string> cipher = SslCipher(Serving("other-ca.pem"));
  EXPECT_EQ(cipher.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(MySqlErrorNumber(cipher.status()), kTlsError);
}

TEST_F(DbTlsTest, CertificateForAnotherHostIsRefused) {
  PoolOptions options = Serving("ca.pem");
  options.host = "127.0.0.2";
  absl::StatusOr<std::string> cipher = SslCipher(options);
  EXPECT_EQ(MySqlErrorNumber(cipher.status()), kTlsError) << cipher.status();
  // The address itself works (plaintext): it is the name check that refused.
  options.tls_ca_file.clear();
  EXPECT_TRUE(SslCipher(options).ok());
}

TEST_F(DbTlsTest, ServerWithoutTlsIsRefused) {
  // The shared test server of tests/run.sh runs without TLS.
  PoolOptions options = ::kyodo::testing::TestServingServer();
  options.tls_ca_file = File("ca.pem");
  absl::StatusOr<std::string> cipher = SslCipher(options);
  EXPECT_EQ(MySqlErrorNumber(cipher.status()), kTlsError) << cipher.status();
}

TEST_F(DbTlsTest, ClientCertificateForAnAccountThatRequiresIt) {
  PoolOptions options = Serving("ca.pem");
  options.user = "kyodo_cert";
  options.password = "cert-password";
  // 1045: access denied without the certificate.
  EXPECT_EQ(MySqlErrorNumber(SslCipher(options).status()), 1045);
  options.tls_cert_file = File("client.pem");
  options.tls_key_file = File("client.key");
  absl::StatusOr<std::string> cipher = SslCipher(options);
  ASSERT_TRUE(cipher.ok()) << cipher.status();
  EXPECT_FALSE(cipher->empty());
  // A certificate of another CA is not accepted.
  options.tls_cert_file = File("other-client.pem");
  options.tls_key_file = File("other-client.key");
  EXPECT_FALSE(SslCipher(options).ok());
}

TEST_F(DbTlsTest, HalfAClientCertificateIsInvalid) {
  PoolOptions options = Serving("ca.pem");
  options.tls_cert_file = File("client.pem");
  EXPECT_EQ(ConnectionPool::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Serving("");
  options.tls_cert_file = File("client.pem");
  options.tls_key_file = File("client.key");
  EXPECT_EQ(ConnectionPool::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The flags end to end: a service's migration step over TLS with the right
// CA succeeds (and grants the serving role), with a wrong CA it fails and
// writes nothing.
TEST_F(DbTlsTest, ServiceFlagsConnectOverVerifiedTls) {
  std::ofstream(File("migrate.password")) << server_->Options().password;
  std::ofstream(File("jwt.key")) << "kyodo-db-tls-test-jwt-key";
  std::ofstream(File("page.key")) << "kyodo-db-tls-test-page-token-key";
  auto run = [&](const std::string& ca, const std::string& database) {
    ChildProcess step(
        ChildProcess::Binary("partner-service"),
        {"--migrate_only", "--db_host=127.0.0.1",
         absl::StrCat("--db_port=", server_->port()), "--db_user=kyodo_migrate",
         "--db_password_file=" + File("migrate.password"),
         "--db_name=" + database, "--db_tls_ca_file=" + File(ca),
         "--db_serving_role=kyodo_serving", "--jwt_key_file=" + File("jwt.key"),
         "--page_token_key_file=" + File("page.key")},
        File(database + ".log"));
    EXPECT_TRUE(step.Start());
    int status = 0;
    EXPECT_TRUE(step.Wait(absl::Seconds(60), &status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(run("ca.pem", "kyodo_tls_ok"), 0)
      << ::kyodo::testing::FileTail(File("kyodo_tls_ok.log"), 20);
  EXPECT_NE(run("other-ca.pem", "kyodo_tls_refused"), 0);
  EXPECT_TRUE(absl::StrContains(
      ::kyodo::testing::FileTail(File("kyodo_tls_refused.log"), 20), "2026"));

  PoolOptions serving = Serving("ca.pem");
  serving.database = "kyodo_tls_ok";
  auto pool = ConnectionPool::Create(serving);
  ASSERT_TRUE(pool.ok());
  auto session = (*pool)->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(session.ok()) << session.status();
  auto count = (*session)->QueryOne("SELECT COUNT(*) FROM partners");
  EXPECT_TRUE(count.ok()) << count.status();
  auto migrating = ConnectionPool::Create(server_->Options());
  ASSERT_TRUE(migrating.ok());
  auto admin = (*migrating)->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(admin.ok());
  auto exists = (*admin)->QueryOne(
      "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = "
      "'kyodo_tls_refused'");
  ASSERT_TRUE(exists.ok() && exists->has_value());
  EXPECT_EQ((*exists)->String(0), "0");
}

}  // namespace
}  // namespace kyodo::common::db
