// proposal-service: programmes, calls, proposals, reviews and the decision.
#include "absl/flags/flag.h"
#include "common/events/companion.h"
#include "common/grpc/downstream.h"
#include "common/server/bootstrap.h"
#include "proposal-service/clients/records_client.h"
#include "proposal-service/service.h"
#include "proposal-service/store/lookup_tables.h"
#include "proposal_migrations.h"

ABSL_FLAG(std::string, partner_addr, "127.0.0.1:50051",
          "address of partner-service, asked for the parties' records when "
          "a proposal is screened");
ABSL_FLAG(std::string, project_addr, "127.0.0.1:50052",
          "address of project-service, asked for earlier projects when a "
          "proposal is screened");
ABSL_FLAG(absl::Duration, records_budget, absl::Seconds(2),
          "longest one call to partner- or project-service may take (within "
          "the caller's deadline)");

ABSL_FLAG(absl::Duration, event_poll_interval, absl::Milliseconds(500),
          "how often a WatchEvents stream looks for events that other "
          "replicas wrote (this replica's own reach it at once)");
ABSL_FLAG(absl::Duration, max_watch_time, absl::Minutes(30),
          "longest one WatchEvents stream lasts; it then ends OK and the "
          "caller resumes from its last cursor");
ABSL_FLAG(int, max_watches, 16,
          "most WatchEvents streams served at once (each holds one of "
          "--max_threads)");
ABSL_FLAG(absl::Duration, event_retention, absl::Hours(24 * 90),
          "how long the change feed keeps an event");
ABSL_FLAG(absl::Duration, event_retention_period, absl::Minutes(10),
          "how often events older than --event_retention are deleted");

int main(int argc, char** argv) {
  namespace server = kyodo::common::server;
  server::ServiceSpec spec;
  spec.name = "proposal-service";
  spec.usage =
      "proposal-service: programmes, calls, proposals, reviews and the "
      "decision";
  spec.database = "kyodo_proposal";
  spec.listen = "127.0.0.1:50053";
  spec.domain = "kyodo.proposal";
  spec.health_name = "kyodo.proposal.v1.ProposalService";
  spec.tracks = {KyodoProposalMigrations()};
  // The enums' lookup tables must name each value as this build does
  // (proposal-service/schema/003_typed_scores_results.sql): until they do, the
  // service stays NOT_SERVING and logs what differs.
  spec.schema_check = kyodo::proposal::store::CheckLookupTables;
  // The gateway screens a submitted proposal with a credential of its own
  // that can do nothing else (docs/OPERATIONS.md, "Sign-in").
  spec.screener_methods = {"ScreenProposal"};
  spec.make = [](const server::ServiceEnv& env)
      -> absl::StatusOr<server::BuiltService> {
    const std::string partners = absl::GetFlag(FLAGS_partner_addr);
    const std::string projects = absl::GetFlag(FLAGS_project_addr);
    const absl::Duration budget = absl::GetFlag(FLAGS_records_budget);
    if (partners.empty() || projects.empty()) {
      return absl::InvalidArgumentError(
          "--partner_addr and --project_addr are required");
    }
    if (budget <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("--records_budget must be positive");
    }
    // The other services being down does not keep this one from starting;
    // screening answers UNAVAILABLE until they are back.
    auto records = std::make_shared<kyodo::proposal::RecordsClient>(
        kyodo::common::grpc_client::NewChannel(
            partners, env.downstream_credentials, 0, /*health_checked=*/true),
        kyodo::common::grpc_client::NewChannel(
            projects, env.downstream_credentials, 0, /*health_checked=*/true),
        budget);
    namespace events = kyodo::common::events;
    events::FeedOptions feed_options;
    feed_options.poll_interval = absl::GetFlag(FLAGS_event_poll_interval);
    feed_options.max_watch_time = absl::GetFlag(FLAGS_max_watch_time);
    feed_options.max_watches = absl::GetFlag(FLAGS_max_watches);
    events::RetentionOptions retention;
    retention.keep = absl::GetFlag(FLAGS_event_retention);
    retention.period = absl::GetFlag(FLAGS_event_retention_period);
    if (feed_options.poll_interval <= absl::ZeroDuration() ||
        feed_options.max_watch_time <= absl::ZeroDuration() ||
        retention.keep <= absl::ZeroDuration() ||
        retention.period <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          "--event_poll_interval, --max_watch_time, --event_retention and "
          "--event_retention_period must be positive");
    }
    if (feed_options.max_watches < 0 ||
        feed_options.max_watches >= env.config->max_threads) {
      return absl::InvalidArgumentError(
          "--max_watches must be at least 0 and below --max_threads");
    }
    auto feed = std::make_shared<events::Feed>(feed_options);
    server::BuiltService built;
    built.services.push_back(
        std::make_unique<kyodo::proposal::ProposalServiceImpl>(
            kyodo::proposal::ServiceDeps{env.pool, env.rpc, env.pages,
                                         records.get(), feed.get()}));
    built.companions.push_back(std::make_shared<events::FeedCompanion>(
        feed.get(), env.pool, env.clock, retention));
    built.keep_alive = std::make_shared<
        std::pair<std::shared_ptr<void>, std::shared_ptr<void>>>(records, feed);
    return built;
  };
  return server::RunService(argc, argv, spec);
}
