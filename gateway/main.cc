// gateway: the one entry point of kyodo (composed workflows + forwarding).
#include "absl/flags/flag.h"
#include "common/config/config.h"
#include "common/grpc/downstream.h"
#include "common/oauth/client.h"
#include "common/server/bootstrap.h"
#include "gateway/proxy.h"
#include "gateway/service.h"

ABSL_FLAG(std::string, partner_addr, "127.0.0.1:50051", "partner-service");
ABSL_FLAG(std::string, project_addr, "127.0.0.1:50052", "project-service");
ABSL_FLAG(std::string, proposal_addr, "127.0.0.1:50053", "proposal-service");
// The gateway acts with the caller's token, except for screening a proposal
// an applicant submitted: that it does with a short-lived credential of its
// own, of role `screener`, which every service refuses for anything else.
ABSL_FLAG(std::string, service_token_endpoint, "",
          "OAuth token endpoint of the identity provider: the gateway gets its "
          "screening credential there (client credentials grant) and renews "
          "it before it expires");
ABSL_FLAG(std::string, service_client_id, "kyodo-gateway",
          "the gateway's client id at --service_token_endpoint");
ABSL_FLAG(std::string, service_client_secret_file, "",
          "file holding the gateway's client secret");
ABSL_FLAG(std::string, service_token_scope, "kyodo",
          "scope asked for at --service_token_endpoint");
ABSL_FLAG(std::string, service_token_resource, "",
          "resource indicator (RFC 8707) asked for, if the provider needs one");
ABSL_FLAG(std::string, service_token_file, "",
          "instead of --service_token_endpoint: a file holding a screening "
          "token (role screener) that something else renews; read at each "
          "use");
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
  std::shared_ptr<common::oauth::ServiceCredential> credential;
};

absl::StatusOr<common::server::BuiltService> Make(
    const common::server::ServiceEnv& env) {
  const std::string endpoint = absl::GetFlag(FLAGS_service_token_endpoint);
  const std::string token_file = absl::GetFlag(FLAGS_service_token_file);
  if (endpoint.empty() == token_file.empty()) {
    return absl::InvalidArgumentError(
        "give --service_token_endpoint (with --service_client_secret_file) "
        "or, for local development, --service_token_file");
  }
  gw::ProposalClient::ServiceToken service_token;
  std::shared_ptr<common::oauth::ServiceCredential> credential;
  if (!endpoint.empty()) {
    auto secret = common::config::ReadSecretFile(
        "--service_client_secret_file",
        absl::GetFlag(FLAGS_service_client_secret_file));
    if (!secret.ok()) return secret.status();
    common::oauth::ClientCredentials grant;
    grant.endpoint = endpoint;
    grant.client_id = absl::GetFlag(FLAGS_service_client_id);
    grant.client_secret = *secret;
    grant.scope = absl::GetFlag(FLAGS_service_token_scope);
    grant.resource = absl::GetFlag(FLAGS_service_token_resource);
    credential = std::make_shared<common::oauth::ServiceCredential>(
        [grant](absl::Time now) {
          return common::oauth::RequestClientCredentials(grant, now);
        },
        env.clock);
    service_token = [credential] { return credential->Token(); };
  } else {
    auto first =
        common::config::ReadSecretFile("--service_token_file", token_file);
    if (!first.ok()) return first.status();
    service_token = [token_file] {
      return common::config::ReadSecretFile("--service_token_file", token_file);
    };
  }
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
  auto channel = [&](const std::string& address) {
    return common::grpc_client::NewChannel(address, env.downstream_credentials);
  };
  auto partner = channel(absl::GetFlag(FLAGS_partner_addr));
  auto project = channel(absl::GetFlag(FLAGS_project_addr));
  auto proposal = channel(absl::GetFlag(FLAGS_proposal_addr));
  auto parts = std::make_shared<Parts>();
  parts->credential = credential;
  parts->partners = std::make_unique<gw::PartnerClient>(
      partner, named(reads, "partner-service"));
  parts->projects = std::make_unique<gw::ProjectClient>(
      project, named(reads, "project-service"),
      named(writes, "project-service"));
  parts->proposals = std::make_unique<gw::ProposalClient>(
      proposal, named(reads, "proposal-service"),
      named(writes, "proposal-service"), service_token);
  parts->proxy = std::make_unique<gw::Proxy>(
      std::map<std::string, std::shared_ptr<grpc::Channel>>{
          {"kyodo.partner.v1.PartnerService", partner},
          {"kyodo.project.v1.ProjectService", project},
          {"kyodo.proposal.v1.ProposalService", proposal}},
      env.config->default_deadline);
  common::server::BuiltService built;
  built.services.push_back(std::make_unique<gw::GatewayServiceImpl>(
      gw::GatewayDeps{parts->partners.get(), parts->projects.get(),
                      parts->proposals.get(), env.clock},
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
