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
