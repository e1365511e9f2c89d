#include "tests/testing/private_mariadb.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace kyodo::testing {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

PrivateMariaDb::PrivateMariaDb() {
  // In the folder tests/run.sh chose for the test databases (memory, when
  // the machine has it), else /tmp.
  const char* parent = std::getenv("KYODO_TEST_DB_PARENT");
  std::string dir =
      absl::StrCat(parent != nullptr && *parent != '\0' ? parent : "/tmp",
                   "/kyodo-private-db.XXXXXX");
  if (mkdtemp(dir.data()) != nullptr) dir_ = dir;
  port_ = FreePort();
}

PrivateMariaDb::~PrivateMariaDb() {
  if (dir_.empty()) return;
  Run("stop");
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool PrivateMariaDb::Start(const std::vector<std::string>& server_options) {
  if (dir_.empty() || port_ <= 0) return false;
  // FreePort's port is free when it answers, not necessarily when the
  // server binds it: another test may take it in between (ctest -j). A
  // first start that fails is tried again on a new port; once the server
  // has been up, it starts again on its own port only.
  for (int attempt = 0;; ++attempt) {
    if (Run("start", server_options)) {
      started_ = true;
      return true;
    }
    if (started_ || attempt == 2) return false;
    std::fprintf(stderr, "mariadb.sh start on port %d failed; another port\n",
                 port_);
    Run("stop");
    port_ = FreePort();
    if (port_ <= 0) return false;
  }
}
bool PrivateMariaDb::Stop() { return Run("stop"); }

namespace {

common::db::PoolOptions Account(int port, const std::string& user,
                                const std::string& password_file) {
  common::db::PoolOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.user = user;
  std::ifstream in(password_file);
  std::stringstream password;
  password << in.rdbuf();
  options.password = password.str();
  while (!options.password.empty() && options.password.back() == '\n') {
    options.password.pop_back();
  }
  return options;
}

}  // namespace

common::db::PoolOptions PrivateMariaDb::Options() const {
  return Account(port_, "kyodo_migrate", password_file());
}

common::db::PoolOptions PrivateMariaDb::ServingOptions() const {
  return Account(port_, "kyodo", serving_password_file());
}

bool PrivateMariaDb::Run(const std::string& command,
                         const std::vector<std::string>& server_options) {
  const std::string script =
      absl::StrCat(KYODO_SOURCE_DIR, "/deploy/local/mariadb.sh");
  std::string line = absl::StrCat("'", script, "' ", command, " '", dir_, "'");
  if (command == "start") absl::StrAppend(&line, " ", port_);
  // Our own options (paths in a temporary folder): quoted all the same.
  for (const std::string& option : server_options) {
    absl::StrAppend(&line, " '", option, "'");
  }
  absl::StrAppend(&line, " >>'", dir_, "/script.log' 2>&1");
  if (std::system(line.c_str()) == 0) return true;
  std::ifstream log(dir_ + "/script.log");
  std::stringstream text;
  text << log.rdbuf();
  std::fprintf(stderr, "mariadb.sh %s failed:\n%s\n", command.c_str(),
               text.str().c_str());
  return false;
}

}  // namespace kyodo::testing
