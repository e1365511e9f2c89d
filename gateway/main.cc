// gateway: the one entry point of kyodo (composed workflows + forwarding).
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/config/config.h"
#include "common/grpc/downstream.h"
#include "common/oauth/client.h"
#include "common/server/bootstrap.h"
#include "gateway/http/console.h"
#include "gateway/http/server.h"
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
          "use. Its first contents also key the request ids of the "
          "gateway's own steps");
ABSL_FLAG(absl::Duration, downstream_budget, absl::Seconds(5),
          "longest a single downstream call may take (never beyond the "
          "caller's deadline)");
ABSL_FLAG(absl::Duration, export_deadline, absl::Minutes(10),
          "longest an open-data export (ExportOpenData) may stream, in place "
          "of --default_deadline; a caller's shorter deadline still applies. "
          "Connections closed for their age let it finish: "
          "--max_connection_age_grace is raised to it");
ABSL_FLAG(int, max_fanout_calls, 256,
          "downstream calls the composed views (dossier, profile, dashboard) "
          "may have in flight at once; a view that would exceed it fails "
          "fast with RESOURCE_EXHAUSTED (docs/OPERATIONS.md)");
ABSL_FLAG(int, dossier_hints_mib, 4,
          "memory (MiB) for the links (parties, source proposal) of the "
          "projects GetProjectDossier read, so that it fetches them in the "
          "project's own round; 0 = fetch them after the project, always "
          "(docs/OPERATIONS.md)");

ABSL_FLAG(std::string, http_listen, "",
          "address of the HTTP/JSON (Connect) entry, e.g. 127.0.0.1:50054; "
          "empty = none (docs/HTTP.md)");
ABSL_FLAG(int64_t, http_max_body_bytes, 4 << 20,
          "largest HTTP request body (larger: 413)");
ABSL_FLAG(int64_t, http_max_header_bytes, 32 << 10,
          "memory for one HTTP request's line and headers (larger: 431)");
ABSL_FLAG(int, http_max_connections, 256,
          "HTTP connections served at once (a thread each)");
ABSL_FLAG(absl::Duration, http_idle_timeout, absl::Seconds(60),
          "an idle keep-alive HTTP connection is closed after this");
ABSL_FLAG(std::string, http_cors_origins, "",
          "comma-separated origins browsers may call from "
          "(https://console.example.jp); none by default");
ABSL_FLAG(std::string, http_tls_cert_file, "",
          "PEM certificate chain: serve HTTPS (with --http_tls_key_file)");
ABSL_FLAG(std::string, http_tls_key_file, "", "PEM private key for HTTPS");
ABSL_FLAG(std::string, http_console_dir, "",
          "the built web console (web/build.sh) to serve at / of the HTTP "
          "entry; empty = none (docs/CONSOLE.md)");
ABSL_FLAG(std::string, http_console_oidc_issuer, "",
          "the OpenID provider the console signs in with");
ABSL_FLAG(std::string, http_console_oidc_client_id, "kyodo-console",
          "the console's client id at that provider");
// The public surface (/public/v1/: published results for readers who never
// sign in) calls the services with a credential of its own, of role viewer.
ABSL_FLAG(std::string, http_public_client_secret_file, "",
          "file holding the client secret of --http_public_client_id at "
          "--service_token_endpoint: the gateway gets the public surface's "
          "viewer credential there (client credentials grant) and renews it "
          "before it expires; empty (and no --http_public_token_file) = no "
          "public surface (docs/HTTP.md)");
ABSL_FLAG(std::string, http_public_client_id, "kyodo-public",
          "the public surface's client id at --service_token_endpoint");
ABSL_FLAG(std::string, http_public_token_file, "",
          "instead of --http_public_client_secret_file: a file holding a "
          "viewer token that something else renews; read at each use");

namespace {

namespace common = kyodo::common;
namespace gw = kyodo::gateway;

// Everything the gateway's handlers and proxy use, kept alive together.
struct Parts {
  std::unique_ptr<gw::PartnerClient> partners;
  std::unique_ptr<gw::ProjectClient> projects;
  std::unique_ptr<gw::ProposalClient> proposals;
  std::unique_ptr<gw::FanOutLimit> fan_out;
  std::unique_ptr<gw::DossierHints> dossier_hints;
  std::unique_ptr<gw::Proxy> proxy;
  std::set<std::string> proxy_services;
  std::shared_ptr<common::oauth::ServiceCredential> credential;
};

// The public surface's token (role viewer), or null when it is not served:
// read from --http_public_token_file at every request, or obtained with the
// client credentials of --http_public_client_secret_file and renewed before
// it expires. Either way a token without the viewer role is refused.
absl::StatusOr<std::function<absl::StatusOr<std::string>()>> PublicToken(
    const common::server::ServiceEnv& env) {
  const std::string secret_file =
      absl::GetFlag(FLAGS_http_public_client_secret_file);
  const std::string token_file = absl::GetFlag(FLAGS_http_public_token_file);
  const std::string role_claim = env.config->auth.claims.role;
  if (!secret_file.empty() && !token_file.empty()) {
    return absl::InvalidArgumentError(
        "give --http_public_client_secret_file or --http_public_token_file, "
        "not both");
  }
  if (!token_file.empty()) {
    auto first =
        common::config::ReadSecretFile("--http_public_token_file", token_file);
    if (!first.ok()) return first.status();
    if (absl::Status s = gw::http::CheckViewerToken(*first, role_claim);
        !s.ok())
      return s;
    return [token_file, role_claim]() -> absl::StatusOr<std::string> {
      auto token = common::config::ReadSecretFile("--http_public_token_file",
                                                  token_file);
      if (!token.ok()) return token.status();
      if (absl::Status s = gw::http::CheckViewerToken(*token, role_claim);
          !s.ok())
        return s;
      return token;
    };
  }
  if (secret_file.empty()) return nullptr;
  const std::string endpoint = absl::GetFlag(FLAGS_service_token_endpoint);
  if (endpoint.empty()) {
    return absl::InvalidArgumentError(
        "--http_public_client_secret_file needs --service_token_endpoint "
        "(or give --http_public_token_file)");
  }
  auto secret = common::config::ReadSecretFile(
      "--http_public_client_secret_file", secret_file);
  if (!secret.ok()) return secret.status();
  common::oauth::ClientCredentials grant;
  grant.endpoint = endpoint;
  grant.client_id = absl::GetFlag(FLAGS_http_public_client_id);
  grant.client_secret = *secret;
  grant.scope = absl::GetFlag(FLAGS_service_token_scope);
  grant.resource = absl::GetFlag(FLAGS_service_token_resource);
  // Fetched at the first public request, then renewed before it expires
  // (common/oauth/client.h); a token without the viewer role is refused.
  auto credential = std::make_shared<common::oauth::ServiceCredential>(
      [grant, role_claim](
          absl::Time now) -> absl::StatusOr<common::oauth::IssuedToken> {
        auto issued = common::oauth::RequestClientCredentials(grant, now);
        if (!issued.ok()) return issued.status();
        if (absl::Status s =
                gw::http::CheckViewerToken(issued->token, role_claim);
            !s.ok())
          return s;
        return issued;
      },
      env.clock);
  return [credential] { return credential->Token(); };
}

// The HTTP entry, in this process: it calls the gateway's own gRPC server
// in-process, so every method served over gRPC (the gateway's and the
// forwarded ones) is served over HTTP with the same checks, and it starts,
// drains and stops with it. docs/HTTP.md says why it is not a process of
// its own.
absl::StatusOr<std::shared_ptr<gw::http::HttpServer>> MakeHttp(
    const common::server::ServiceEnv& env,
    const std::set<std::string>& forwarded) {
  const common::server::ServiceConfig& config = *env.config;
  gw::http::HttpOptions o;
  o.listen = absl::GetFlag(FLAGS_http_listen);
  o.services = forwarded;
  o.services.insert(gw::v1::Gateway::service_full_name());
  o.max_body_bytes = absl::GetFlag(FLAGS_http_max_body_bytes);
  o.max_header_bytes = absl::GetFlag(FLAGS_http_max_header_bytes);
  o.max_connections = absl::GetFlag(FLAGS_http_max_connections);
  o.idle_timeout = absl::GetFlag(FLAGS_http_idle_timeout);
  o.handler.default_timeout = config.default_deadline;
  o.handler.export_timeout = absl::GetFlag(FLAGS_export_deadline);
  for (absl::string_view origin :
       absl::StrSplit(absl::GetFlag(FLAGS_http_cors_origins), ',',
                      absl::SkipWhitespace())) {
    o.handler.cors_origins.insert(std::string(origin));
  }
  o.tls_cert_file = absl::GetFlag(FLAGS_http_tls_cert_file);
  o.tls_key_file = absl::GetFlag(FLAGS_http_tls_key_file);
  if (!absl::GetFlag(FLAGS_http_console_dir).empty()) {
    auto console = gw::http::Console::Load(
        {.dir = absl::GetFlag(FLAGS_http_console_dir),
         .oidc_issuer = absl::GetFlag(FLAGS_http_console_oidc_issuer),
         .oidc_client_id = absl::GetFlag(FLAGS_http_console_oidc_client_id)});
    if (!console.ok()) return console.status();
    o.handler.console = *std::move(console);
  }
  auto public_token = PublicToken(env);
  if (!public_token.ok()) return public_token.status();
  o.handler.public_token = *std::move(public_token);
  if (o.max_body_bytes < 1024 || o.max_header_bytes < 4096 ||
      o.max_connections < 1) {
    return absl::InvalidArgumentError(
        "--http_max_body_bytes >= 1024, --http_max_header_bytes >= 4096 and "
        "--http_max_connections >= 1");
  }
  auto server = gw::http::HttpServer::Create(std::move(o));
  if (!server.ok()) return server.status();
  return std::shared_ptr<gw::http::HttpServer>(*std::move(server));
}

absl::StatusOr<common::server::BuiltService> Make(
    const common::server::ServiceEnv& env) {
  common::oauth::ServiceTokenOptions token_options;
  token_options.endpoint = absl::GetFlag(FLAGS_service_token_endpoint);
  token_options.client_id = absl::GetFlag(FLAGS_service_client_id);
  token_options.secret_file = absl::GetFlag(FLAGS_service_client_secret_file);
  token_options.token_file = absl::GetFlag(FLAGS_service_token_file);
  token_options.scope = absl::GetFlag(FLAGS_service_token_scope);
  token_options.resource = absl::GetFlag(FLAGS_service_token_resource);
  const int max_fanout_calls = absl::GetFlag(FLAGS_max_fanout_calls);
  if (max_fanout_calls < gw::kWidestFanOut) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_fanout_calls must be at least ", gw::kWidestFanOut,
                     " (the calls of one partner profile)"));
  }
  auto own = common::oauth::MakeServiceToken(token_options, env.clock);
  if (!own.ok()) return own.status();
  gw::ProposalClient::ServiceToken service_token = own->token;
  std::shared_ptr<common::oauth::ServiceCredential> credential =
      own->credential;
  // The key of the request ids of the gateway's own steps (StepRequestId):
  // a secret no caller knows and that stays the same while the gateway's
  // credential is renewed, so a retried step keeps its id.
  const std::string step_key = own->key;
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
                                           kMaxDownstreamMessageBytes,
                                           /*health_checked=*/true);
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
  parts->fan_out = std::make_unique<gw::FanOutLimit>(max_fanout_calls);
  const int dossier_hints_mib = absl::GetFlag(FLAGS_dossier_hints_mib);
  if (dossier_hints_mib < 0 || dossier_hints_mib > 1024) {
    return absl::InvalidArgumentError(
        "--dossier_hints_mib must be between 0 and 1024");
  }
  if (dossier_hints_mib > 0) {
    parts->dossier_hints = std::make_unique<gw::DossierHints>(
        static_cast<std::size_t>(dossier_hints_mib) << 20);
  }
  const absl::Duration export_deadline = absl::GetFlag(FLAGS_export_deadline);
  if (export_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--export_deadline must be > 0");
  }
  std::map<std::string, std::shared_ptr<grpc::Channel>> routes = {
      {"kyodo.partner.v1.PartnerService", partner},
      {"kyodo.project.v1.ProjectService", project},
      {"kyodo.proposal.v1.ProposalService", proposal}};
  for (const auto& [service, unused] : routes)
    parts->proxy_services.insert(service);
  parts->proxy = std::make_unique<gw::Proxy>(
      std::move(routes), env.config->default_deadline, env.rpc->observer());
  common::server::BuiltService built;
  built.services.push_back(std::make_unique<gw::GatewayServiceImpl>(
      gw::GatewayDeps{parts->partners.get(), parts->projects.get(),
                      parts->proposals.get(), env.clock, step_key,
                      parts->fan_out.get(), export_deadline,
                      parts->dossier_hints.get()},
      env.rpc));
  gw::Proxy* proxy = parts->proxy.get();
  // An export on a connection closed for its age may run to its deadline
  // (this argument, set after the host's, replaces its grace).
  const absl::Duration grace =
      std::max(env.config->max_connection_age_grace, export_deadline);
  built.configure = [proxy, grace](grpc::ServerBuilder& builder) {
    builder.RegisterCallbackGenericService(proxy);
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
        static_cast<int>(
            std::min<int64_t>(absl::ToInt64Milliseconds(grace), INT32_MAX)));
  };
  built.keep_alive = parts;
  if (!absl::GetFlag(FLAGS_http_listen).empty()) {
    auto http = MakeHttp(env, parts->proxy_services);
    if (!http.ok()) return http.status();
    built.companions.push_back(*std::move(http));
  }
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
