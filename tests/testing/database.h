// Test support: a throwaway schema on the MariaDB that tests/run.sh starts.
//
// The server is found through KYODO_TEST_DB_HOST, KYODO_TEST_DB_PORT,
// KYODO_TEST_DB_USER and KYODO_TEST_DB_PASSWORD_FILE (the migrating account,
// which may create, change and drop schemas, and grant), and
// KYODO_TEST_DB_SERVING_USER and KYODO_TEST_DB_SERVING_PASSWORD_FILE (the
// serving account, whose default role is kServingRole: what the services run
// as; docs/OPERATIONS.md, "Database accounts"). Without them the test fails
// (it does not skip): storage tests only mean something against a real
// database.
#ifndef KYODO_TESTS_TESTING_DATABASE_H_
#define KYODO_TESTS_TESTING_DATABASE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/db/migrate.h"
#include "common/db/pool.h"

namespace kyodo::testing {

// The role the migration step grants the serving privileges to
// (deploy/local/mariadb.sh makes it).
inline constexpr char kServingRole[] = "kyodo_serving";

// The server of the test run as the migrating account, no schema selected.
common::db::PoolOptions TestServer();
// The same server as the serving account, no schema selected.
common::db::PoolOptions TestServingServer();

// Creates a fresh schema (named after `label`, the process and a random
// suffix) and drops it on destruction.
class TestDatabase {
 public:
  // On the test run's server.
  explicit TestDatabase(const std::string& label);
  // On another server: `server` as the migrating account, `serving_server`
  // as the serving one (no schema selected in either), e.g. a
  // PrivateMariaDb's.
  TestDatabase(const std::string& label, common::db::PoolOptions server,
               common::db::PoolOptions serving_server);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const common::db::PoolOptions& options() const { return options_; }
  const std::string& name() const { return options_.database; }

  // Applies `tracks` and grants kServingRole the serving privileges, as the
  // migration step does (aborting the test on failure).
  void Migrate(const std::vector<common::db::MigrationTrack>& tracks) const;

  // A pool on this schema as the migrating account.
  std::unique_ptr<common::db::ConnectionPool> NewPool(int max_size = 8) const;
  // The serving account's settings on this schema, and a pool with them:
  // what a service runs as (TestService uses it).
  common::db::PoolOptions ServingOptions() const;
  std::unique_ptr<common::db::ConnectionPool> NewServingPool(
      int max_size = 8) const;

  // Runs `sql` on the schema and returns the first column of the first row
  // ("" when none): for assertions on what was written.
  std::string QueryValue(const std::string& sql) const;
  void Exec(const std::string& sql) const;

 private:
  common::db::PoolOptions options_;
  common::db::PoolOptions serving_;
};

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_DATABASE_H_
