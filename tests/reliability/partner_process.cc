#include "tests/reliability/partner_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/grpc/downstream.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/auth.h"
#include "tests/testing/private_mariadb.h"

namespace kyodo::reliability {
namespace {

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path);
  out << content;
}

// GET /metrics over a plain socket (the exposer speaks HTTP/1.1).
std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return "";
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
  send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[8192];
  for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;)
    response.append(buffer, n);
  close(fd);
  return response;
}

}  // namespace

PartnerProcess::PartnerProcess(const DbTarget& db,
                               std::vector<std::string> extra) {
  char pattern[] = "/tmp/kyodo-partner-process.XXXXXX";
  dir_ = mkdtemp(pattern);
  WriteFile(dir_ + "/jwt.key", testing::kTestJwtKey);
  WriteFile(dir_ + "/page.key", "kyodo-reliability-page-token-key");
  // Port 0: the ports it bound are read from its log (WaitServing).
  std::vector<std::string> args = {
      "--listen=127.0.0.1:0",
      "--metrics_listen=127.0.0.1:0",
      "--db_host=127.0.0.1",
      absl::StrCat("--db_port=", db.port),
      absl::StrCat("--db_user=", db.user),
      absl::StrCat("--db_password_file=", db.password_file),
      absl::StrCat("--db_name=", db.database),
      absl::StrCat("--jwt_key_file=", dir_, "/jwt.key"),
      absl::StrCat("--jwt_issuer=", testing::kTestIssuer),
      absl::StrCat("--jwt_audience=", testing::kTestAudience),
      absl::StrCat("--page_token_key_file=", dir_, "/page.key"),
  };
  args.insert(args.end(), extra.begin(), extra.end());
  process_ = std::make_unique<testing::ChildProcess>(
      testing::ChildProcess::Binary("partner-service"), args,
      dir_ + "/partner.log");
}

PartnerProcess::~PartnerProcess() {
  process_.reset();
  if (!::testing::Test::HasFailure()) {
    std::string command = "rm -rf " + dir_;
    (void)std::system(command.c_str());
  }
}

bool PartnerProcess::Start() { return process_->Start(); }

std::string PartnerProcess::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::shared_ptr<grpc::Channel> PartnerProcess::NewChannel() const {
  return common::grpc_client::NewChannel(address());
}

std::unique_ptr<partner::v1::PartnerService::Stub> PartnerProcess::NewStub()
    const {
  return partner::v1::PartnerService::NewStub(NewChannel());
}

bool PartnerProcess::WaitServing(absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  // "serving metrics" comes before "serving" (common/server/bootstrap.cc).
  port_ = process_->WaitForLoggedPort("serving", timeout);
  metrics_port_ = process_->WaitForLoggedPort("serving metrics", timeout);
  if (port_ == 0 || metrics_port_ == 0) {
    ADD_FAILURE() << "partner-service logged no ports:\n"
                  << process_->LogTail();
    return false;
  }
  auto health = grpc::health::v1::Health::NewStub(NewChannel());
  while (absl::Now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    if (health->Check(&context, request, &response).ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return true;
    }
    if (!process_->Running()) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ADD_FAILURE() << "partner-service not serving:\n" << process_->LogTail();
  return false;
}

double PartnerProcess::Metric(
    const std::string& name,
    const std::map<std::string, std::string>& labels) const {
  const std::string body = HttpGet(metrics_port_, "/metrics");
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    if (!absl::StartsWith(line, name + "{")) continue;
    bool all = true;
    for (const auto& [key, value] : labels) {
      all &= line.find(absl::StrCat(key, "=\"", value, "\"")) !=
             absl::string_view::npos;
    }
    const size_t space = line.rfind(' ');
    double sample = 0;
    if (all && space != absl::string_view::npos &&
        absl::SimpleAtod(line.substr(space + 1), &sample)) {
      return sample;
    }
  }
  return -1;
}

std::vector<std::string> SeedPartners(partner::v1::PartnerService::Stub* stub,
                                      int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    partner::v1::CreatePartnerRequest request;
    request.mutable_partner()->set_kind(partner::v1::CIVIC_GROUP);
    request.mutable_partner()->set_display_name(
        absl::StrCat("信頼性試験の会", i));
    partner::v1::Partner out;
    grpc::Status status = stub->CreatePartner(
        testing::Context(testing::AdminToken()).get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    names.push_back(out.name());
  }
  return names;
}

}  // namespace kyodo::reliability
