#include "tests/testing/cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/downstream.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/auth.h"

extern char** environ;

namespace kyodo::testing {

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

ReservedPort::ReservedPort(const std::string& ip, int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
  address.sin_port = htons(port);
  if (fd_ < 0 ||
      bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    if (port == 0) ADD_FAILURE() << "cannot reserve a port on " << ip;
    return;
  }
  socklen_t length = sizeof(address);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
}

ReservedPort::~ReservedPort() {
  if (fd_ >= 0) close(fd_);
}

namespace {

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path);
  out << content;
}

const char* HealthName(Service s) {
  switch (s) {
    case Service::kPartner:
      return "kyodo.partner.v1.PartnerService";
    case Service::kProject:
      return "kyodo.project.v1.ProjectService";
    case Service::kProposal:
      return "kyodo.proposal.v1.ProposalService";
    case Service::kGateway:
      return "kyodo.gateway.v1.Gateway";
  }
  return "";
}

// The file of the services' clock offset (Cluster::AdvanceClock).
std::string ClockFile(const std::string& dir) { return dir + "/clock"; }

}  // namespace

std::string TestKeyFile(const std::string& dir) { return dir + "/jwt.key"; }

Cluster::Cluster(const std::string& label) : Cluster(label, ClusterOptions{}) {}

Cluster::Cluster(const std::string& label, ClusterOptions options)
    : credentials_(std::move(options.credentials)) {
  char pattern[] = "/tmp/kyodo-cluster.XXXXXX";
  dir_ = mkdtemp(pattern);
  WriteFile(TestKeyFile(dir_), kTestJwtKey);
  WriteFile(dir_ + "/page.key", "kyodo-cluster-page-token-key");
  // The gateway's screening credential: role screener, which can do nothing
  // but ScreenProposal and the reads screening needs (the production gateway
  // gets one from the identity provider: tests/integration/oidc_test.sh).
  WriteFile(
      dir_ + "/gateway.token",
      TokenFor({"gateway", common::auth::Role::kScreener}, absl::Hours(24)));
  WriteFile(dir_ + "/db_migrate.password", TestServer().password);
  WriteFile(dir_ + "/db.password", TestServingServer().password);
  processes_[Service::kPartner] = {"partner-service"};
  processes_[Service::kProject] = {"project-service"};
  processes_[Service::kProposal] = {"proposal-service"};
  processes_[Service::kGateway] = {"gateway"};
  for (auto& [service, process] : processes_) {
    process.reserved = std::make_shared<ReservedPort>();
    process.port = process.reserved->port();
  }
  for (auto& [service, flags] : options.extra_flags) {
    processes_[service].extra = std::move(flags);
  }
  for (Service s : {Service::kPartner, Service::kProject, Service::kProposal}) {
    const std::string name =
        absl::StrCat(label, "_", processes_[s].name.substr(0, 4));
    auto server = options.database_servers.find(s);
    if (server == options.database_servers.end()) {
      databases_[s] = std::make_unique<TestDatabase>(name);
      continue;
    }
    databases_[s] = std::make_unique<TestDatabase>(
        name, server->second.migrating, server->second.serving);
    own_server_.insert(s);
    WriteFile(MigratingPasswordFile(s), server->second.migrating.password);
    WriteFile(ServingPasswordFile(s), server->second.serving.password);
  }
  MigrateAll();
  for (Service s : {Service::kPartner, Service::kProject, Service::kProposal,
                    Service::kGateway}) {
    Start(s);
  }
  for (Service s : {Service::kPartner, Service::kProject, Service::kProposal,
                    Service::kGateway}) {
    WaitServing(s, absl::Seconds(60));
  }
}

Cluster::~Cluster() {
  for (auto& [service, process] : processes_) {
    if (process.child != nullptr) process.child->Signal(SIGTERM);
  }
  // Ten seconds to drain and exit; then ~ChildProcess kills what is left.
  for (auto& [service, process] : processes_) {
    if (process.child != nullptr) process.child->Wait(absl::Seconds(10));
    process.child.reset();
  }
  if (!::testing::Test::HasFailure()) {
    std::string command = "rm -rf " + dir_;
    (void)std::system(command.c_str());
  }
}

std::vector<std::string> Cluster::Args(Service s) const {
  const Process& p = processes_.at(s);
  std::vector<std::string> args = {
      absl::StrCat("--listen=127.0.0.1:", p.port),
      absl::StrCat("--jwt_key_file=", TestKeyFile(dir_)),
      absl::StrCat("--jwt_issuer=", kTestIssuer),
      absl::StrCat("--jwt_audience=", kTestAudience),
      "--drain=0s",
      "--shutdown_grace=2s",
      absl::StrCat("--test_clock_file=", ClockFile(dir_)),
  };
  if (s != Service::kGateway) {
    const common::db::PoolOptions& db = databases_.at(s)->options();
    args.push_back(absl::StrCat("--db_host=", db.host));
    args.push_back(absl::StrCat("--db_port=", db.port));
    args.push_back(
        absl::StrCat("--db_user=", databases_.at(s)->ServingOptions().user));
    args.push_back(absl::StrCat("--db_name=", db.database));
    args.push_back(absl::StrCat("--db_password_file=", ServingPasswordFile(s)));
    args.push_back(absl::StrCat("--page_token_key_file=", dir_, "/page.key"));
    args.push_back("--migrate=false");
  }
  if (s != Service::kPartner) {
    args.push_back(absl::StrCat("--partner_addr=", Address(Service::kPartner)));
  }
  if (s == Service::kGateway || s == Service::kProposal) {
    args.push_back(absl::StrCat("--project_addr=", Address(Service::kProject)));
  }
  if (s == Service::kGateway || s == Service::kProject) {
    args.push_back(
        absl::StrCat("--proposal_addr=", Address(Service::kProposal)));
  }
  if (s == Service::kGateway) {
    args.push_back(
        absl::StrCat("--service_token_file=", dir_, "/gateway.token"));
  }
  args.insert(args.end(), p.extra.begin(), p.extra.end());
  return args;
}

void Cluster::MigrateAll() {
  std::map<Service, std::unique_ptr<ChildProcess>> steps;
  for (auto& [s, database] : databases_) {
    const common::db::PoolOptions& db = database->options();
    std::vector<std::string> args = {
        "--migrate_only",
        absl::StrCat("--db_host=", db.host),
        absl::StrCat("--db_port=", db.port),
        absl::StrCat("--db_user=", db.user),
        absl::StrCat("--db_name=", db.database),
        absl::StrCat("--db_password_file=", MigratingPasswordFile(s)),
        absl::StrCat("--db_serving_role=", kServingRole),
        absl::StrCat("--jwt_key_file=", TestKeyFile(dir_)),
        absl::StrCat("--page_token_key_file=", dir_, "/page.key"),
    };
    steps[s] = std::make_unique<ChildProcess>(
        ChildProcess::Binary(processes_[s].name), args, LogPath(s));
    ASSERT_TRUE(steps[s]->Start()) << "cannot start " << processes_[s].name;
  }
  for (auto& [s, step] : steps) {
    int status = 0;
    ASSERT_TRUE(step->Wait(absl::Seconds(120), &status))
        << processes_[s].name << " --migrate_only did not finish";
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << processes_[s].name << " --migrate_only failed:\n"
        << LogTail(s);
  }
}

void Cluster::Start(Service s) {
  Process& p = processes_[s];
  // ChildProcess gives the service an empty environment (the test's may
  // carry KYODO_* variables for other tools): only its flags count.
  p.child = std::make_unique<ChildProcess>(ChildProcess::Binary(p.name),
                                           Args(s), LogPath(s));
  ASSERT_TRUE(p.child->Start()) << "cannot start " << p.name;
}

void Cluster::WaitServing(Service s, absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(Channel(s));
  const absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    // Over TLS, waiting keeps the channel polled while it connects: the
    // handshake needs several round trips, which a call failing at once
    // (the channel in TRANSIENT_FAILURE) does not drive.
    if (credentials_.contains(s)) context.set_wait_for_ready(true);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(HealthName(s));
    grpc::health::v1::HealthCheckResponse response;
    if (stub->Check(&context, request, &response).ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return;
    }
    if (!processes_[s].child->Running()) {
      FAIL() << processes_[s].name << " exited:\n" << LogTail(s);
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  FAIL() << processes_[s].name << " not SERVING after " << timeout << ":\n"
         << LogTail(s);
}

std::string Cluster::Address(Service s) const {
  return absl::StrCat("127.0.0.1:", processes_.at(s).port);
}

std::shared_ptr<grpc::Channel> Cluster::Channel(Service s) const {
  auto credentials = credentials_.find(s);
  return common::grpc_client::NewChannel(
      Address(s),
      credentials == credentials_.end() ? nullptr : credentials->second);
}

void Cluster::SetCredentials(
    Service s, std::shared_ptr<grpc::ChannelCredentials> credentials) {
  if (credentials == nullptr) {
    credentials_.erase(s);
  } else {
    credentials_[s] = std::move(credentials);
  }
}

void Cluster::Kill(Service s) {
  // ~ChildProcess kills it (SIGKILL) and reaps it.
  processes_[s].child.reset();
}

void Cluster::Restart(Service s) {
  Kill(s);
  Start(s);
  WaitServing(s, absl::Seconds(60));
}

bool Cluster::Running(Service s) const {
  const ChildProcess* child = processes_.at(s).child.get();
  return child != nullptr && child->pid() > 0 && kill(child->pid(), 0) == 0;
}

pid_t Cluster::Pid(Service s) const {
  const ChildProcess* child = processes_.at(s).child.get();
  return child == nullptr ? 0 : child->pid();
}

const TestDatabase& Cluster::Database(Service s) const {
  return *databases_.at(s);
}

void Cluster::SetExtraFlags(Service s, std::vector<std::string> flags) {
  processes_[s].extra = std::move(flags);
}

std::string Cluster::MigratingPasswordFile(Service s) const {
  return own_server_.contains(s)
             ? absl::StrCat(dir_, "/", processes_.at(s).name,
                            ".db_migrate.password")
             : dir_ + "/db_migrate.password";
}

std::string Cluster::ServingPasswordFile(Service s) const {
  return own_server_.contains(s)
             ? absl::StrCat(dir_, "/", processes_.at(s).name, ".db.password")
             : dir_ + "/db.password";
}

void Cluster::AdvanceClock(absl::Duration by) {
  clock_offset_ += by;
  // Replaced by rename, so that a service never reads half a file.
  const std::string path = ClockFile(dir_);
  WriteFile(path + ".new", absl::FormatDuration(clock_offset_));
  ASSERT_EQ(std::rename((path + ".new").c_str(), path.c_str()), 0)
      << "cannot write " << path;
}

std::string Cluster::LogPath(Service s) const {
  return absl::StrCat(dir_, "/", processes_.at(s).name, ".log");
}

int Cluster::LoggedPort(Service s, const std::string& msg) {
  Process& p = processes_.at(s);
  const int port = p.child == nullptr
                       ? 0
                       : p.child->WaitForLoggedPort(msg, absl::Seconds(30));
  EXPECT_NE(port, 0) << p.name << " logged no port for \"" << msg << "\":\n"
                     << LogTail(s);
  return port;
}

std::string Cluster::LogTail(Service s, int lines) const {
  return FileTail(LogPath(s), lines);
}

}  // namespace kyodo::testing
