#include "tests/testing/service.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/testing/auth.h"

namespace kyodo::testing {

TestService::TestService(const TestDatabase& db, const std::string& domain,
                         ServiceFactory make, int pool_size)
    : clock_(absl::FromCivil(absl::CivilSecond(2026, 6, 1, 10, 0, 0),
                             absl::UTCTimeZone())) {
  auto verifier = common::auth::TokenVerifier::Create(TestVerifierOptions());
  if (!verifier.ok()) std::abort();
  verifier_ = *std::move(verifier);
  // As the services run: the serving account (DML only, the audit trail
  // append-only), on a schema the test migrated with the migrating one.
  pool_ = db.NewServingPool(pool_size);
  pages_ =
      std::make_unique<common::paging::PageTokenCodec>(kTestPageKey, clock_);
  rpc_ = std::make_unique<common::server::RpcRunner>(
      domain, verifier_.get(), &clock_, absl::Seconds(30));
  service_ = make(ServiceEnv{pool_.get(), rpc_.get(), pages_.get(), &clock_});
  common::server::HostOptions options;
  options.listen = "127.0.0.1:0";
  options.drain = absl::ZeroDuration();
  options.grace = absl::Seconds(5);
  auto host = common::server::ServiceHost::Start(options, {service_.get()});
  if (!host.ok()) std::abort();
  host_ = *std::move(host);
}

TestService::~TestService() { Stop(); }

void TestService::Stop() {
  if (host_ != nullptr) host_->Stop();
}

std::string TestService::address() const {
  return absl::StrCat("127.0.0.1:", host_->port());
}

std::shared_ptr<grpc::Channel> TestService::NewChannel() const {
  return grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
}

}  // namespace kyodo::testing
