// proposal-service: programmes, calls, proposals, reviews and the decision.
#include "absl/flags/flag.h"
#include "common/documents/flags.h"
#include "common/events/flags.h"
#include "common/grpc/downstream.h"
#include "common/server/bootstrap.h"
#include "common/status/macros.h"
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
  // The notifier follows the feed and mails the committee's members
  // (notifier/): nothing else.
  spec.notifier_methods = kyodo::proposal::NotifierMethods();
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
    server::BuiltService built;
    built.keep_alive = records;
    KYODO_ASSIGN_OR_RETURN(kyodo::common::events::Feed * feed,
                           kyodo::common::events::FeedFromFlags(env, built));
    KYODO_ASSIGN_OR_RETURN(
        const kyodo::common::documents::Documents* documents,
        kyodo::common::documents::DocumentsFromFlags(env, built));
    built.services.push_back(
        std::make_unique<kyodo::proposal::ProposalServiceImpl>(
            kyodo::proposal::ServiceDeps{env.pool, env.rpc, env.pages,
                                         records.get(), feed, documents}));
    return built;
  };
  return server::RunService(argc, argv, spec);
}
