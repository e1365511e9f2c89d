// gateway: the one entry point of kyodo (composed workflows + forwarding).
#include "absl/flags/flag.h"
#include "common/config/config.h"
#include "common/grpc/downstream.h"
#include "common/server/bootstrap.h"
#include "gateway/proxy.h"
#include "gateway/service.h"

ABSL_FLAG(std::string, partner_addr, "127.0.0.1:50051", "partner-service");
ABSL_FLAG(std::string, project_addr, "127.0.0.1:50052", "project-service");
ABSL_FLAG(std::string, proposal_addr, "127.0.0.1:50053", "proposal-service");
ABSL_FLAG(std::string, service_token_file, "",
          "file holding the gateway's own token (role admin), for the steps it "
          "takes on its own authority, such as screening a submitted proposal; "
          "also the key of the request ids of its own steps");
ABSL_FLAG(absl::Duration, downstream_budget, absl::Seconds(5),
          "longest a single downstream call may take (never beyond the "
          "caller's deadline)");

namespace {

namespace common = kyodo::common;
namespace gw = kyodo::gateway;

// Everything the gateway's handlers and proxy use, kept alive together.
struct Parts {
  std::unique_ptr<gw::PartnerClient> partners;
  std::unique_ptr<gw::ProjectClient> projects;
  std::unique_ptr<gw::ProposalClient> proposals;
  std::unique_ptr<gw::Proxy> proxy;
};

absl::StatusOr<common::server::BuiltService> Make(
    const common::server::ServiceEnv& env) {
  auto token = common::config::ReadSecretFile(
      "--service_token_file", absl::GetFlag(FLAGS_service_token_file));
  if (!token.ok()) return token.status();
  common::grpc_client::DownstreamOptions reads;
  reads.budget = absl::GetFlag(FLAGS_downstream_budget);
  reads.retry_unavailable = true;
  common::grpc_client::DownstreamOptions writes = reads;
  writes.retry_unavailable = false;
  auto named = [](common::grpc_client::DownstreamOptions o,
                  const char* service) {
    o.service = service;
    return o;
  };
  // The composed views and the export page through whole documents. The
  // protos bound a proposal at about 40 KB and a project at about 450 KB
  // (their max_bytes and max_items), so a page of 500 proposals can reach
  // 20 MB and one of 100 projects 45 MB: beyond gRPC's default 4 MiB, large
  // drafts would make the ward staff's dashboard fail with
  // RESOURCE_EXHAUSTED (issue 13). The clients' page sizes
  // (gateway/clients/) and this limit are chosen together.
  constexpr int kMaxDownstreamMessageBytes = 64 << 20;
  auto channel = [&](const std::string& address) {
    return common::grpc_client::NewChannel(address, env.downstream_credentials,
                                           kMaxDownstreamMessageBytes);
  };
  auto partner = channel(absl::GetFlag(FLAGS_partner_addr));
  auto project = channel(absl::GetFlag(FLAGS_project_addr));
  auto proposal = channel(absl::GetFlag(FLAGS_proposal_addr));
  auto parts = std::make_shared<Parts>();
  parts->partners = std::make_unique<gw::PartnerClient>(
      partner, named(reads, "partner-service"));
  parts->projects = std::make_unique<gw::ProjectClient>(
      project, named(reads, "project-service"),
      named(writes, "project-service"));
  parts->proposals = std::make_unique<gw::ProposalClient>(
      proposal, named(reads, "proposal-service"),
      named(writes, "proposal-service"), *token);
  parts->proxy = std::make_unique<gw::Proxy>(
      std::map<std::string, std::shared_ptr<grpc::Channel>>{
          {"kyodo.partner.v1.PartnerService", partner},
          {"kyodo.project.v1.ProjectService", project},
          {"kyodo.proposal.v1.ProposalService", proposal}},
      env.config->default_deadline);
  common::server::BuiltService built;
  built.services.push_back(std::make_unique<gw::GatewayServiceImpl>(
      gw::GatewayDeps{parts->partners.get(), parts->projects.get(),
                      parts->proposals.get(), env.clock, *token},
      env.rpc));
  gw::Proxy* proxy = parts->proxy.get();
  built.configure = [proxy](grpc::ServerBuilder& builder) {
    builder.RegisterCallbackGenericService(proxy);
  };
  built.keep_alive = parts;
  return built;
}

}  // namespace

int main(int argc, char** argv) {
  common::server::ServiceSpec spec;
  spec.name = "gateway";
  spec.usage = "gateway: the one entry point of kyodo";
  spec.listen = "127.0.0.1:50050";
  spec.domain = "kyodo.gateway";
  spec.health_name = "kyodo.gateway.v1.Gateway";
  spec.make = Make;
  return common::server::RunService(argc, argv, spec);
}
