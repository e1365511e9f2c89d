// The main() of every kyodo service, in one place:
//   flags and environment -> metrics endpoint -> migrations (or exit after
//   them with --migrate_only) -> pool -> token verifier -> page tokens ->
//   the service's own objects -> TLS -> health and readiness -> serve until
//   SIGTERM, then drain and stop.
// A service's main only says what is particular to it (ServiceSpec).
#ifndef KYODO_COMMON_SERVER_BOOTSTRAP_H_
#define KYODO_COMMON_SERVER_BOOTSTRAP_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/migrate.h"
#include "common/db/pool.h"
#include "common/paging/page_token.h"
#include "common/server/database.h"
#include "common/server/host.h"
#include "common/server/rpc.h"
#include "common/server/service_config.h"
#include "common/time/clock.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server_builder.h"

namespace kyodo::common::metrics {
class Metrics;  // common/metrics/metrics.h
}  // namespace kyodo::common::metrics

namespace kyodo::common::server {

// What a service's objects are built from.
struct ServiceEnv {
  const ServiceConfig* config = nullptr;
  db::ConnectionPool* pool = nullptr;  // null for a service without database
  const RpcRunner* rpc = nullptr;
  const paging::PageTokenCodec* pages = nullptr;
  const Clock* clock = nullptr;
  // Credentials for channels to other kyodo services (plaintext when null).
  std::shared_ptr<grpc::ChannelCredentials> downstream_credentials;
  // The metrics endpoint (null without --metrics_listen); lives longer
  // than what the service builds.
  metrics::Metrics* metrics = nullptr;
};

// What a service built: the gRPC services to register, anything else that
// must live as long as the server, and extra builder settings.
struct BuiltService {
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::shared_ptr<void> keep_alive;
  std::function<void(grpc::ServerBuilder&)> configure;
  // Served beside the gRPC server and stopped with it (host.h).
  std::vector<std::shared_ptr<Companion>> companions;
};

struct ServiceSpec {
  std::string name;         // "partner-service"
  std::string usage;        // one line for --help
  std::string database;     // default schema; "" for a service without one
  std::string listen;       // default address
  std::string domain;       // ErrorInfo domain, "kyodo.partner"
  std::string health_name;  // "kyodo.partner.v1.PartnerService"
  std::vector<db::MigrationTrack> tracks;  // applied after `common`
  // The only methods a `screener` token may call (RpcRunner); none if empty.
  std::set<std::string> screener_methods;
  // The only methods a `notifier` token may call; none if empty.
  std::set<std::string> notifier_methods;
  std::function<absl::StatusOr<BuiltService>(const ServiceEnv&)> make;
  // Checked with the schema for readiness (DatabaseReadiness): the service
  // stays NOT_SERVING while it fails, as while its migrations are pending.
  SchemaCheck schema_check;
};

// Runs the service to the end; returns the process exit code.
int RunService(int argc, char** argv, const ServiceSpec& spec);

}  // namespace kyodo::common::server

#endif  // KYODO_COMMON_SERVER_BOOTSTRAP_H_
