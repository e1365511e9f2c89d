// partner-service: config -> pool -> migrations -> service -> serve.
#include <cstdlib>

#include "common/config/config.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "common/paging/page_token.h"
#include "common/server/database.h"
#include "common/server/host.h"
#include "common/server/rpc.h"
#include "common/server/service_config.h"
#include "partner-service/service.h"
#include "partner_migrations.h"

int main(int argc, char** argv) {
  namespace common = kyodo::common;
  common::server::BlockTerminationSignals();
  common::config::ParseFlagsAndEnvironment(
      argc, argv, "partner-service: partners, agreements and networks");
  const common::server::ServiceConfig config = common::server::LoadServiceConfig(
      "partner-service", "kyodo_partner", "127.0.0.1:50051");

  const std::vector<common::db::MigrationTrack> tracks = {
      common::server::CommonMigrations(), KyodoPartnerMigrations()};
  if (config.migrate || config.migrate_only) {
    absl::Status migrated =
        common::server::MigrateAtStart(config.db, tracks, absl::Seconds(60));
    if (config.migrate_only) return migrated.ok() ? 0 : 1;
    // A dirty schema keeps the service up but NOT_SERVING, for operators to
    // see; any other failure ends the process.
    if (!migrated.ok() &&
        migrated.code() != absl::StatusCode::kFailedPrecondition) {
      return 1;
    }
  }

  auto pool = common::db::ConnectionPool::Create(config.db);
  if (!pool.ok()) common::config::Fail(pool.status().message());
  auto verifier = common::auth::TokenVerifier::Create(config.auth);
  if (!verifier.ok()) common::config::Fail(verifier.status().message());
  const common::paging::PageTokenCodec pages(config.page_token_key);
  const common::server::RpcRunner rpc("kyodo.partner", verifier->get(),
                                      &common::Clock::Real(),
                                      config.default_deadline);
  kyodo::partner::PartnerServiceImpl service(
      {pool->get(), &rpc, &pages, &common::Clock::Real()});

  common::server::HostOptions options;
  options.listen = config.listen;
  options.reflection = config.reflection;
  options.drain = config.drain;
  options.grace = config.shutdown_grace;
  options.max_threads = config.max_threads;
  options.max_message_bytes = config.max_message_bytes;
  options.health_names = {"kyodo.partner.v1.PartnerService"};
  options.readiness = common::server::DatabaseReadiness(pool->get(), tracks);
  auto host = common::server::ServiceHost::Start(options, {&service});
  if (!host.ok()) {
    common::log::Error("cannot start", {{"error", host.status().message()}});
    return 1;
  }
  (*host)->Serve();
  return 0;
}
