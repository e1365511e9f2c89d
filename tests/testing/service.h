// Test support: a kyodo service running in this process on a loopback port,
// over a test schema (as the serving database account), with a fake clock
// and the test token key.
#ifndef KYODO_TESTS_TESTING_SERVICE_H_
#define KYODO_TESTS_TESTING_SERVICE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/db/pool.h"
#include "common/paging/page_token.h"
#include "common/server/host.h"
#include "common/server/rpc.h"
#include "common/time/clock.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "tests/testing/database.h"

namespace kyodo::testing {

// What a service under test is built from.
struct ServiceEnv {
  common::db::ConnectionPool* pool = nullptr;
  const common::server::RpcRunner* rpc = nullptr;
  const common::paging::PageTokenCodec* pages = nullptr;
  common::FakeClock* clock = nullptr;
};

using ServiceFactory =
    std::function<std::unique_ptr<grpc::Service>(const ServiceEnv&)>;

class TestService {
 public:
  // Starts the service that `make` builds; `domain` is its ErrorInfo domain.
  TestService(const TestDatabase& db, const std::string& domain,
              ServiceFactory make, int pool_size = 16);
  ~TestService();

  std::string address() const;
  std::shared_ptr<grpc::Channel> NewChannel() const;
  common::FakeClock& clock() { return clock_; }
  common::db::ConnectionPool& pool() { return *pool_; }
  // The service's RpcRunner, e.g. to give a service credential its methods
  // as the service's main does (set before calling them).
  common::server::RpcRunner& rpc() { return *rpc_; }
  // Stops serving (idempotent); the port is then closed.
  void Stop();

 private:
  common::FakeClock clock_;
  std::unique_ptr<common::auth::TokenVerifier> verifier_;
  std::unique_ptr<common::db::ConnectionPool> pool_;
  std::unique_ptr<common::paging::PageTokenCodec> pages_;
  std::unique_ptr<common::server::RpcRunner> rpc_;
  std::unique_ptr<grpc::Service> service_;
  std::unique_ptr<common::server::ServiceHost> host_;
};

// The page token key test services use.
inline constexpr char kTestPageKey[] = "kyodo-test-page-token-key";

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_SERVICE_H_
