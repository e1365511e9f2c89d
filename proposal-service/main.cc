// proposal-service: programmes, calls, proposals, reviews and the decision.
#include "common/server/bootstrap.h"
#include "proposal-service/service.h"
#include "proposal_migrations.h"

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
  // The gateway screens a submitted proposal with a credential of its own
  // that can do nothing else (docs/OPERATIONS.md, "Sign-in").
  spec.screener_methods = {"ScreenProposal"};
  spec.make = [](const server::ServiceEnv& env)
      -> absl::StatusOr<server::BuiltService> {
    server::BuiltService built;
    built.services.push_back(
        std::make_unique<kyodo::proposal::ProposalServiceImpl>(
            kyodo::proposal::ServiceDeps{env.pool, env.rpc, env.pages}));
    return built;
  };
  return server::RunService(argc, argv, spec);
}
