// Test support: the whole suite as real processes — partner-service,
// project-service, proposal-service and the gateway — on loopback ports,
// each on a throwaway schema of the test MariaDB. For integration and fault
// tests that kill and restart services.
#ifndef KYODO_TESTS_TESTING_CLUSTER_H_
#define KYODO_TESTS_TESTING_CLUSTER_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/testing/database.h"
#include "tests/testing/process.h"

namespace kyodo::testing {

enum class Service { kPartner, kProject, kProposal, kGateway };

// How a Cluster starts its services (the defaults: plaintext, no extra
// flags).
struct ClusterOptions {
  // Extra command-line flags of each service from its first start (TLS
  // flags, --metrics_listen, ...); SetExtraFlags replaces them later.
  std::map<Service, std::vector<std::string>> extra_flags;
  // Credentials of Channel() and of the health checks, per service, for a
  // service that serves TLS; plaintext when absent.
  std::map<Service, std::shared_ptr<grpc::ChannelCredentials>> credentials;
  // A database server of its own for a service (its schema is made there);
  // the test run's server when absent.
  struct DatabaseServer {
    common::db::PoolOptions migrating;  // may create schemas and grant
    common::db::PoolOptions serving;    // the account the service runs as
  };
  std::map<Service, DatabaseServer> database_servers;
};

// A loopback TCP port held for this object's life by a bound, not listening
// socket with SO_REUSEPORT: no other process can bind it nor draw it as an
// ephemeral port, but a gRPC server (which sets SO_REUSEPORT, as the
// services do by default) can listen on it, and on it again after a
// restart. For the cluster's gRPC ports, which must be known before the
// services start (project- and proposal-service name each other) and stay
// the same across restarts.
class ReservedPort {
 public:
  // `port` 0: one the kernel picks; else that one (port() 0 if it is taken).
  explicit ReservedPort(const std::string& ip = "127.0.0.1", int port = 0);
  ~ReservedPort();
  ReservedPort(const ReservedPort&) = delete;
  ReservedPort& operator=(const ReservedPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class Cluster {
 public:
  // Runs the migration step of each service with a database (`<service>
  // --migrate_only` as the migrating account, granting the serving role),
  // then starts all four, the services as the serving account with
  // --migrate=false, and waits until each reports SERVING.
  explicit Cluster(const std::string& label);
  Cluster(const std::string& label, ClusterOptions options);
  // Stops every process (SIGTERM, then SIGKILL after 10 s) and drops the
  // schemas.
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  std::string Address(Service service) const;
  // A channel to the service, with the credentials it was given (plaintext
  // by default).
  std::shared_ptr<grpc::Channel> Channel(Service service) const;
  // Replaces the credentials of Channel() and the health checks, e.g. after
  // restarting a service with other TLS flags.
  void SetCredentials(Service service,
                      std::shared_ptr<grpc::ChannelCredentials> credentials);

  // SIGKILL, and wait until the process is gone.
  void Kill(Service service);
  // Starts it again on the same port and waits for SERVING.
  void Restart(Service service);
  bool Running(Service service) const;
  // The process id (0 when not running), e.g. to read its memory.
  pid_t Pid(Service service) const;

  // A schema's database, to check what was written.
  const TestDatabase& Database(Service service) const;
  // Extra command-line flags for a service, applied at its next (re)start.
  void SetExtraFlags(Service service, std::vector<std::string> flags);
  // The flags the cluster starts a service with (its extra flags last), to
  // start more replicas of it (a later --listen wins).
  std::vector<std::string> Flags(Service service) const {
    return Args(service);
  }
  // The services' clock (the test hook --test_clock_file, which every
  // service of the cluster is started with; docs/CONTRIBUTING.md, "Tests"):
  // the real time plus what AdvanceClock added. Moving it makes a
  // submission window end at once instead of after a wait.
  absl::Time Now() const { return absl::Now() + clock_offset_; }
  void AdvanceClock(absl::Duration by);
  // The port the service logged with `msg` since its last start ("serving
  // metrics", "serving HTTP"): for its --metrics_listen or --http_listen
  // with port 0. Fails the test when there is none.
  int LoggedPort(Service service, const std::string& msg);
  // The last lines of a service's log (for failure messages).
  std::string LogTail(Service service, int lines = 20) const;
  const std::string& log_dir() const { return dir_; }

 private:
  struct Process {
    std::string name;  // binary name
    std::shared_ptr<ReservedPort> reserved;
    int port = 0;
    std::unique_ptr<ChildProcess> child;  // null until started, after Kill
    std::vector<std::string> extra;
  };
  void Start(Service service);
  void MigrateAll();
  std::string LogPath(Service service) const;
  void WaitServing(Service service, absl::Duration timeout);
  std::vector<std::string> Args(Service service) const;
  // The files holding the service's database passwords.
  std::string MigratingPasswordFile(Service service) const;
  std::string ServingPasswordFile(Service service) const;

  std::string dir_;
  std::map<Service, std::unique_ptr<TestDatabase>> databases_;
  std::set<Service> own_server_;  // services on a server of their own
  std::map<Service, Process> processes_;
  std::map<Service, std::shared_ptr<grpc::ChannelCredentials>> credentials_;
  absl::Duration clock_offset_;
};

// The secret files a Cluster writes for its services.
std::string TestKeyFile(const std::string& dir);

// A loopback TCP port that was free a moment ago. Racy under `ctest -j`
// (another test's port-0 bind or outgoing connection may take it before
// the child binds it): give children port 0 and read the port they bound
// (ChildProcess::WaitForLoggedPort, Cluster::LoggedPort) instead.
int FreeLoopbackPort();

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_CLUSTER_H_
