// Test support: a MariaDB of the test's own (deploy/local/mariadb.sh in a
// temp folder), for tests that stop and restart the database; the shared
// test server must never restart.
#ifndef KYODO_TESTS_TESTING_PRIVATE_MARIADB_H_
#define KYODO_TESTS_TESTING_PRIVATE_MARIADB_H_

#include <string>
#include <vector>

#include "common/db/pool.h"

namespace kyodo::testing {

// A free loopback port (the kernel's pick for an ephemeral bind).
int FreePort();

class PrivateMariaDb {
 public:
  PrivateMariaDb();
  // Stops the server and removes its folder.
  ~PrivateMariaDb();
  PrivateMariaDb(const PrivateMariaDb&) = delete;
  PrivateMariaDb& operator=(const PrivateMariaDb&) = delete;

  // Initialises (first time) and starts it, with `server_options` given to
  // mariadbd (e.g. --ssl-cert=...); waits until it answers.
  bool Start(const std::vector<std::string>& server_options = {});
  // Stops it and waits until the process has exited.
  bool Stop();

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // The migrating account kyodo_migrate (deploy/local/mariadb.sh): may
  // create schemas and grant.
  std::string password_file() const { return dir_ + "/kyodo_migrate.password"; }
  // The serving account kyodo (role kyodo_serving).
  std::string serving_password_file() const { return dir_ + "/kyodo.password"; }
  // Connection settings for kyodo_migrate, no schema selected.
  common::db::PoolOptions Options() const;
  // Connection settings for kyodo, no schema selected.
  common::db::PoolOptions ServingOptions() const;

 private:
  bool Run(const std::string& command,
           const std::vector<std::string>& server_options = {});
  std::string dir_;
  int port_ = 0;
  bool started_ = false;  // once up, it keeps its port (clients know it)
};

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_PRIVATE_MARIADB_H_
