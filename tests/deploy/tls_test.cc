// TLS as operators turn it on, with real processes and a throwaway CA made
// by the openssl command line (make_test_ca.sh): the gateway serves TLS,
// the three services require client certificates (mTLS), and the gateway
// and project-service call them with the client certificate.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/downstream.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "kyodo/gateway/v1/gateway.grpc.pb.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/cluster.h"

namespace kyodo::deploy {
namespace {

using testing::Cluster;
using testing::ClusterOptions;
using testing::Service;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The certificates of one test, in a folder of its own.
class Certificates {
 public:
  Certificates() {
    char pattern[] = "/tmp/kyodo-tls.XXXXXX";
    dir_ = mkdtemp(pattern);
    const std::string command =
        absl::StrCat(KYODO_SOURCE_DIR, "/tests/deploy/make_test_ca.sh ", dir_);
    made_ = std::system(command.c_str()) == 0;
  }
  ~Certificates() { (void)std::system(("rm -rf " + dir_).c_str()); }

  bool made() const { return made_; }
  std::string File(const std::string& name) const { return dir_ + "/" + name; }

  // A client trusting `ca` ("ca" or "other-ca"), presenting `cert` (a
  // basename such as "client", or "" for none).
  std::shared_ptr<grpc::ChannelCredentials> Client(
      const std::string& ca, const std::string& cert) const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = Read(File(ca + ".pem"));
    if (!cert.empty()) {
      options.pem_cert_chain = Read(File(cert + ".pem"));
      options.pem_private_key = Read(File(cert + ".key"));
    }
    return grpc::SslCredentials(options);
  }

  std::vector<std::string> ServeTls(bool require_client_certificates) const {
    std::vector<std::string> flags = {"--tls_cert_file=" + File("server.pem"),
                                      "--tls_key_file=" + File("server.key")};
    if (require_client_certificates) {
      flags.push_back("--tls_client_ca_file=" + File("ca.pem"));
    }
    return flags;
  }
  std::vector<std::string> CallWithTls(bool with_certificate) const {
    std::vector<std::string> flags = {"--downstream_ca_file=" + File("ca.pem")};
    if (with_certificate) {
      flags.push_back("--downstream_cert_file=" + File("client.pem"));
      flags.push_back("--downstream_key_file=" + File("client.key"));
    }
    return flags;
  }

 private:
  std::string dir_;
  bool made_ = false;
};

std::vector<std::string> Join(std::vector<std::string> a,
                              const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The production shape: gateway TLS for apps, mTLS between the gateway
// (and project-service) and the services.
class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(certs_.made()) << "make_test_ca.sh failed";
    ClusterOptions options;
    for (Service s : {Service::kPartner, Service::kProposal}) {
      options.extra_flags[s] = certs_.ServeTls(true);
      options.credentials[s] = certs_.Client("ca", "client");
    }
    options.extra_flags[Service::kProject] =
        Join(certs_.ServeTls(true), certs_.CallWithTls(true));
    options.credentials[Service::kProject] = certs_.Client("ca", "client");
    options.extra_flags[Service::kGateway] = GatewayFlags(true);
    options.credentials[Service::kGateway] = certs_.Client("ca", "");
    cluster_ = std::make_unique<Cluster>("tls", std::move(options));
  }

  std::vector<std::string> GatewayFlags(bool client_certificate) const {
    return Join(certs_.ServeTls(false), certs_.CallWithTls(client_certificate));
  }

  // A partner made through the gateway, then its profile, which the gateway
  // assembles from all three services.
  grpc::Status CreateAndProfile(const std::shared_ptr<grpc::Channel>& gateway,
                                gateway::v1::PartnerProfile* profile) {
    auto partners = partner::v1::PartnerService::NewStub(gateway);
    partner::v1::CreatePartnerRequest create;
    create.mutable_partner()->set_kind(partner::v1::NEIGHBOURHOOD_ASSOCIATION);
    create.mutable_partner()->set_display_name("百合丘第一町会");
    create.mutable_partner()->set_name_kana("ゆりがおかだいいちちょうかい");
    create.mutable_partner()->set_ward(type::v1::ASAO);
    partner::v1::Partner created;
    grpc::Status status = partners->CreatePartner(
        testing::Context(testing::AdminToken()).get(), create, &created);
    if (!status.ok()) return status;
    gateway::v1::GetPartnerProfileRequest get;
    get.set_name(created.name());
    return gateway::v1::Gateway::NewStub(gateway)->GetPartnerProfile(
        testing::Context(testing::AdminToken()).get(), get, profile);
  }

  // A health check with `credentials` (overall status "").
  grpc::Status Health(Service s,
                      std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto stub =
        grpc::health::v1::Health::NewStub(common::grpc_client::NewChannel(
            cluster_->Address(s), std::move(credentials)));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    return stub->Check(testing::Context("", absl::Seconds(5)).get(), request,
                       &response);
  }

  Certificates certs_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(TlsTest, GatewayServesTlsAndReachesEveryServiceOverMutualTls) {
  gateway::v1::PartnerProfile profile;
  grpc::Status status =
      CreateAndProfile(cluster_->Channel(Service::kGateway), &profile);
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n"
                           << cluster_->LogTail(Service::kGateway);
  EXPECT_EQ(profile.partner().display_name(), "百合丘第一町会");
  // Each service answered its part of the profile over mTLS.
  for (const auto& [s, method] : std::vector<std::pair<Service, std::string>>{
           {Service::kPartner, "GetPartner"},
           {Service::kProject, "ListProjects"},
           {Service::kProposal, "ListProposals"}}) {
    EXPECT_NE(cluster_->LogTail(s, 50).find(
                  absl::StrCat("\"method\":\"", method, "\",\"code\":\"OK\"")),
              std::string::npos)
        << method << "\n"
        << cluster_->LogTail(s);
  }
}

TEST_F(TlsTest, GatewayRefusesPlaintextAndClientsOfAnotherCa) {
  EXPECT_TRUE(Health(Service::kGateway, certs_.Client("ca", "")).ok());
  EXPECT_EQ(Health(Service::kGateway, grpc::InsecureChannelCredentials())
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(
      Health(Service::kGateway, certs_.Client("other-ca", "")).error_code(),
      grpc::StatusCode::UNAVAILABLE);
  gateway::v1::PartnerProfile profile;
  EXPECT_EQ(CreateAndProfile(common::grpc_client::NewChannel(
                                 cluster_->Address(Service::kGateway)),
                             &profile)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, ServiceWithMutualTlsRefusesClientsWithoutItsCaCertificate) {
  for (Service s : {Service::kPartner, Service::kProject, Service::kProposal}) {
    EXPECT_TRUE(Health(s, certs_.Client("ca", "client")).ok());
    EXPECT_EQ(Health(s, certs_.Client("ca", "")).error_code(),
              grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(Health(s, certs_.Client("ca", "other-client")).error_code(),
              grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(Health(s, grpc::InsecureChannelCredentials()).error_code(),
              grpc::StatusCode::UNAVAILABLE);
  }
  // A call with a token, not only health: refused without the certificate.
  auto partners =
      partner::v1::PartnerService::NewStub(common::grpc_client::NewChannel(
          cluster_->Address(Service::kPartner), certs_.Client("ca", "")));
  partner::v1::ListPartnersRequest list;
  partner::v1::ListPartnersResponse listed;
  EXPECT_EQ(partners
                ->ListPartners(testing::Context(testing::AdminToken()).get(),
                               list, &listed)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, GatewayReconnectsOverMutualTlsAfterAServiceRestarts) {
  gateway::v1::PartnerProfile profile;
  // Before the restart: the gateway reaches partner-service at all, on the
  // first call. (Once in CI, on a loaded machine, this call failed within
  // 1.4 s: every channel then gave a connection attempt only 100 ms, less
  // than a TLS handshake may take there; tests/common/grpc/downstream_test.cc
  // pins the fix.)
  const grpc::Status first =
      CreateAndProfile(cluster_->Channel(Service::kGateway), &profile);
  ASSERT_TRUE(first.ok()) << first.error_code() << " " << first.error_message()
                          << "\n"
                          << cluster_->LogTail(Service::kGateway);
  cluster_->Restart(Service::kPartner);
  // The gateway's channel to partner-service reconnects (a new TLS
  // handshake) within a few calls.
  const absl::Time start = absl::Now();
  grpc::Status status;
  while (absl::Now() - start < absl::Seconds(20)) {
    status = CreateAndProfile(cluster_->Channel(Service::kGateway), &profile);
    if (status.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, GatewayWithoutClientCertificateCannotReachMutualTlsServices) {
  cluster_->SetExtraFlags(Service::kGateway, GatewayFlags(false));
  cluster_->Restart(Service::kGateway);
  gateway::v1::PartnerProfile profile;
  EXPECT_EQ(CreateAndProfile(cluster_->Channel(Service::kGateway), &profile)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // For the missing certificate, not for any outage: partner-service is up
  // for a client that has one, and it refused the gateway's handshake for
  // want of one (gRPC logs the TLS library's reason).
  EXPECT_TRUE(Health(Service::kPartner, certs_.Client("ca", "client")).ok());
  EXPECT_NE(cluster_->LogTail(Service::kPartner, 200)
                .find("peer did not return a certificate"),
            std::string::npos)
      << cluster_->LogTail(Service::kPartner);
}

}  // namespace
}  // namespace kyodo::deploy
