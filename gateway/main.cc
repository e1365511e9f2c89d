// gateway: config -> downstream channels -> composed service + proxy -> serve.
#include "absl/flags/flag.h"
#include "common/config/config.h"
#include "common/grpc/downstream.h"
#include "common/log/log.h"
#include "common/server/host.h"
#include "common/server/rpc.h"
#include "common/server/service_config.h"
#include "gateway/proxy.h"
#include "gateway/service.h"

ABSL_FLAG(std::string, partner_addr, "127.0.0.1:50051", "partner-service");
ABSL_FLAG(std::string, project_addr, "127.0.0.1:50052", "project-service");
ABSL_FLAG(std::string, proposal_addr, "127.0.0.1:50053", "proposal-service");
ABSL_FLAG(std::string, service_token_file, "",
          "file holding the gateway's own token (role admin), for the steps it "
          "takes on its own authority, such as screening a submitted proposal");
ABSL_FLAG(absl::Duration, downstream_budget, absl::Seconds(5),
          "longest a single downstream call may take (never beyond the "
          "caller's deadline)");

int main(int argc, char** argv) {
  namespace common = kyodo::common;
  using kyodo::gateway::GatewayDeps;
  common::server::BlockTerminationSignals();
  common::config::ParseFlagsAndEnvironment(
      argc, argv, "gateway: the one entry point of kyodo");
  const common::server::ServiceConfig config =
      common::server::LoadServiceConfig("gateway", "", "127.0.0.1:50050");
  auto service_token = common::config::ReadSecretFile(
      "--service_token_file", absl::GetFlag(FLAGS_service_token_file));
  if (!service_token.ok()) common::config::Fail(service_token.status().message());

  common::grpc_client::DownstreamOptions reads;
  reads.budget = absl::GetFlag(FLAGS_downstream_budget);
  reads.retry_unavailable = true;
  common::grpc_client::DownstreamOptions writes = reads;
  writes.retry_unavailable = false;
  auto partner = common::grpc_client::NewChannel(absl::GetFlag(FLAGS_partner_addr));
  auto project = common::grpc_client::NewChannel(absl::GetFlag(FLAGS_project_addr));
  auto proposal = common::grpc_client::NewChannel(absl::GetFlag(FLAGS_proposal_addr));
  auto named = [](common::grpc_client::DownstreamOptions o, const char* service) {
    o.service = service;
    return o;
  };
  kyodo::gateway::PartnerClient partners(partner, named(reads, "partner-service"));
  kyodo::gateway::ProjectClient projects(project, named(reads, "project-service"),
                                         named(writes, "project-service"));
  kyodo::gateway::ProposalClient proposals(proposal, named(reads, "proposal-service"),
                                           named(writes, "proposal-service"),
                                           *service_token);

  auto verifier = common::auth::TokenVerifier::Create(config.auth);
  if (!verifier.ok()) common::config::Fail(verifier.status().message());
  const common::server::RpcRunner rpc("kyodo.gateway", verifier->get(),
                                      &common::Clock::Real(),
                                      config.default_deadline);
  kyodo::gateway::GatewayServiceImpl service(
      GatewayDeps{&partners, &projects, &proposals, &common::Clock::Real()}, &rpc);
  kyodo::gateway::Proxy proxy({{"kyodo.partner.v1.PartnerService", partner},
                               {"kyodo.project.v1.ProjectService", project},
                               {"kyodo.proposal.v1.ProposalService", proposal}},
                              config.default_deadline);

  common::server::HostOptions options;
  options.listen = config.listen;
  options.reflection = config.reflection;
  options.drain = config.drain;
  options.grace = config.shutdown_grace;
  options.max_threads = config.max_threads;
  options.max_message_bytes = config.max_message_bytes;
  options.health_names = {"kyodo.gateway.v1.Gateway"};
  options.configure = [&](grpc::ServerBuilder& builder) {
    builder.RegisterCallbackGenericService(&proxy);
  };
  auto host = common::server::ServiceHost::Start(options, {&service});
  if (!host.ok()) {
    common::log::Error("cannot start", {{"error", host.status().message()}});
    return 1;
  }
  (*host)->Serve();
  return 0;
}
