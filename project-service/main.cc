// project-service: collaboration projects, their parties, outcomes and review.
#include "absl/flags/flag.h"
#include "common/documents/flags.h"
#include "common/events/flags.h"
#include "common/grpc/downstream.h"
#include "common/server/bootstrap.h"
#include "common/status/macros.h"
#include "project-service/clients/partner_client.h"
#include "project-service/service.h"
#include "project-service/store/lookup_tables.h"
#include "project_migrations.h"

ABSL_FLAG(std::string, partner_addr, "127.0.0.1:50051",
          "address of partner-service, asked about every project's parties");
ABSL_FLAG(std::string, proposal_addr, "127.0.0.1:50053",
          "address of proposal-service, asked about a project's "
          "source_proposal");
ABSL_FLAG(absl::Duration, partner_budget, absl::Seconds(2),
          "longest one call to partner- or proposal-service may take (within "
          "the caller's "
          "deadline)");

int main(int argc, char** argv) {
  namespace server = kyodo::common::server;
  server::ServiceSpec spec;
  spec.name = "project-service";
  spec.usage =
      "project-service: collaboration projects, their parties, outcomes and "
      "review";
  spec.database = "kyodo_project";
  spec.listen = "127.0.0.1:50052";
  spec.domain = "kyodo.project";
  spec.health_name = "kyodo.project.v1.ProjectService";
  // The gateway's screening credential (role screener) may read what
  // proposal-service's ScreenProposal gathers with it, and nothing else
  // (docs/OPERATIONS.md, "Sign-in").
  spec.screener_methods = {"GetProject", "ListProjects"};
  spec.tracks = {KyodoProjectMigrations()};
  // The enums' lookup tables must name each value as this build does
  // (project-service/schema/003_typed_contributions.sql): until they do, the
  // service stays NOT_SERVING and logs what differs.
  spec.schema_check = kyodo::project::store::CheckLookupTables;
  spec.make = [](const server::ServiceEnv& env)
      -> absl::StatusOr<server::BuiltService> {
    const std::string address = absl::GetFlag(FLAGS_partner_addr);
    const absl::Duration budget = absl::GetFlag(FLAGS_partner_budget);
    if (address.empty())
      return absl::InvalidArgumentError("--partner_addr is required");
    if (budget <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("--partner_budget must be positive");
    }
    // Partner-service being down does not keep this service from starting or
    // from serving reads; creations and party changes answer UNAVAILABLE.
    auto partners = std::make_shared<kyodo::project::PartnerClient>(
        kyodo::common::grpc_client::NewChannel(
            address, env.downstream_credentials, 0, /*health_checked=*/true),
        budget);
    const std::string proposal_address = absl::GetFlag(FLAGS_proposal_addr);
    if (proposal_address.empty())
      return absl::InvalidArgumentError("--proposal_addr is required");
    auto proposals = std::make_shared<kyodo::project::ProposalClient>(
        kyodo::common::grpc_client::NewChannel(proposal_address,
                                               env.downstream_credentials, 0,
                                               /*health_checked=*/true),
        budget);
    server::BuiltService built;
    built.keep_alive = std::make_shared<
        std::pair<std::shared_ptr<kyodo::project::PartnerClient>,
                  std::shared_ptr<kyodo::project::ProposalClient>>>(partners,
                                                                    proposals);
    KYODO_ASSIGN_OR_RETURN(kyodo::common::events::Feed * feed,
                           kyodo::common::events::FeedFromFlags(env, built));
    KYODO_ASSIGN_OR_RETURN(
        const kyodo::common::documents::Documents* documents,
        kyodo::common::documents::DocumentsFromFlags(env, built));
    built.services.push_back(
        std::make_unique<kyodo::project::ProjectServiceImpl>(
            kyodo::project::ServiceDeps{env.pool, env.rpc, env.pages,
                                        partners.get(), proposals.get(), feed,
                                        documents}));
    return built;
  };
  return server::RunService(argc, argv, spec);
}
