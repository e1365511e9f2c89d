// notifier: mails applicants and committee members what concerns them,
// following proposal-service's change feed (notifier/notifier.h;
// docs/OPERATIONS.md, "Mail"). Shaped as the services are
// (common/server/bootstrap.h): its own database, migrations, health,
// metrics and drain; its gRPC server serves health only.
#include <atomic>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "common/grpc/downstream.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/oauth/client.h"
#include "common/server/bootstrap.h"
#include "common/text/text.h"
#include "notifier/notifier.h"
#include "notifier_migrations.h"

ABSL_FLAG(std::string, proposal_addr, "127.0.0.1:50053",
          "proposal-service, whose change feed the notifier follows");
ABSL_FLAG(std::string, partner_addr, "127.0.0.1:50051",
          "partner-service, where the applicants' contacts are");
ABSL_FLAG(std::string, service_token_endpoint, "",
          "OAuth token endpoint of the identity provider: the notifier gets "
          "its credential (role notifier) there with the client credentials "
          "grant and renews it before it expires");
ABSL_FLAG(std::string, service_client_id, "kyodo-notifier",
          "the notifier's client id at --service_token_endpoint");
ABSL_FLAG(std::string, service_client_secret_file, "",
          "file holding the notifier's client secret");
ABSL_FLAG(std::string, service_token_scope, "kyodo",
          "scope asked for at --service_token_endpoint");
ABSL_FLAG(std::string, service_token_resource, "",
          "resource indicator (RFC 8707) asked for, if the provider needs one");
ABSL_FLAG(std::string, service_token_file, "",
          "instead of --service_token_endpoint: a file holding a token of "
          "role notifier that something else renews; read at each use");
ABSL_FLAG(std::string, smtp_url, "",
          "the mail server: smtp://host:587 (STARTTLS when offered; always "
          "with --smtp_require_tls) or smtps://host:465");
ABSL_FLAG(std::string, smtp_user, "", "SMTP user name; empty for none");
ABSL_FLAG(std::string, smtp_password_file, "",
          "file holding the SMTP password (with --smtp_user)");
ABSL_FLAG(bool, smtp_require_tls, false,
          "refuse to send unless the connection is encrypted (STARTTLS)");
ABSL_FLAG(std::string, smtp_ca_file, "",
          "PEM file of the authorities that sign the mail server's "
          "certificate; empty for the system's");
ABSL_FLAG(absl::Duration, smtp_timeout, absl::Seconds(20),
          "longest one mail's SMTP exchange may take");
ABSL_FLAG(std::string, mail_dry_run_dir, "",
          "without --smtp_url: write each mail to this folder as <n>.eml "
          "(a dry run: the local launcher, compose without a mail server); "
          "ignored when --smtp_url is given");
ABSL_FLAG(std::string, mail_from, "",
          "the sender address of every mail (required)");
ABSL_FLAG(std::string, mail_from_name, "川崎市 協働推進",
          "the sender's display name");
ABSL_FLAG(std::string, console_url, "",
          "the web console's address, linked in each mail; empty for none");
ABSL_FLAG(absl::Duration, mail_retry_base, absl::Minutes(1),
          "wait before the second attempt of a mail the server did not take; "
          "doubled at each further attempt");
ABSL_FLAG(absl::Duration, mail_retry_max, absl::Hours(1),
          "longest wait between two attempts");
ABSL_FLAG(int, mail_max_attempts, 8, "attempts before a mail is FAILED");
ABSL_FLAG(absl::Duration, mail_poll_interval, absl::Seconds(5),
          "how often mails due for a retry are looked for");
ABSL_FLAG(absl::Duration, mail_retention, absl::Hours(24 * 90),
          "sent and failed mails are deleted this long after they were made");
ABSL_FLAG(std::string, feed_start, "now",
          "where a notifier with no recorded position starts: now (the "
          "events after its first start) or oldest (every event kept)");

namespace {

namespace server = kyodo::common::server;
namespace nt = kyodo::notifier;

absl::StatusOr<nt::NotifierOptions> Options() {
  nt::NotifierOptions o;
  o.from.address = absl::GetFlag(FLAGS_mail_from);
  o.from.name = absl::GetFlag(FLAGS_mail_from_name);
  if (!kyodo::common::IsMailAddress(o.from.address)) {
    return absl::InvalidArgumentError(
        "--mail_from must be a mail address kyodo can send from");
  }
  if (!kyodo::common::IsValidUtf8(o.from.name)) {
    return absl::InvalidArgumentError("--mail_from_name is not UTF-8");
  }
  o.console_url = absl::GetFlag(FLAGS_console_url);
  o.retry_base = absl::GetFlag(FLAGS_mail_retry_base);
  o.retry_max = absl::GetFlag(FLAGS_mail_retry_max);
  o.max_attempts = absl::GetFlag(FLAGS_mail_max_attempts);
  o.poll = absl::GetFlag(FLAGS_mail_poll_interval);
  o.retention = absl::GetFlag(FLAGS_mail_retention);
  if (o.retry_base <= absl::ZeroDuration() || o.retry_max < o.retry_base) {
    return absl::InvalidArgumentError(
        "--mail_retry_base must be positive and at most --mail_retry_max");
  }
  if (o.max_attempts < 1) {
    return absl::InvalidArgumentError("--mail_max_attempts must be at least 1");
  }
  if (o.poll <= absl::ZeroDuration() || o.retention <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--mail_poll_interval and --mail_retention must be positive");
  }
  const std::string start = absl::GetFlag(FLAGS_feed_start);
  if (start != "now" && start != "oldest") {
    return absl::InvalidArgumentError("--feed_start must be now or oldest");
  }
  o.start_at_oldest = start == "oldest";
  return o;
}

absl::StatusOr<std::unique_ptr<nt::Transport>> MakeTransport() {
  const std::string dir = absl::GetFlag(FLAGS_mail_dry_run_dir);
  const std::string url = absl::GetFlag(FLAGS_smtp_url);
  if (dir.empty() && url.empty()) {
    return absl::InvalidArgumentError(
        "give --smtp_url, or --mail_dry_run_dir to write mails to a folder");
  }
  if (url.empty()) {
    kyodo::common::log::Warning(
        "notifier: dry run, no mail is sent; each is written to a file",
        {{"dir", dir}});
    auto folder = nt::FolderTransport::Create(dir);
    if (!folder.ok()) return folder.status();
    return std::unique_ptr<nt::Transport>(*std::move(folder));
  }
  if (!absl::StartsWith(url, "smtp://") && !absl::StartsWith(url, "smtps://")) {
    return absl::InvalidArgumentError(
        "--smtp_url must start with smtp:// or smtps://");
  }
  nt::SmtpOptions smtp;
  smtp.url = url;
  smtp.user = absl::GetFlag(FLAGS_smtp_user);
  smtp.require_tls = absl::GetFlag(FLAGS_smtp_require_tls);
  smtp.ca_file = absl::GetFlag(FLAGS_smtp_ca_file);
  smtp.timeout = absl::GetFlag(FLAGS_smtp_timeout);
  if (!smtp.user.empty()) {
    auto password = kyodo::common::config::ReadSecretFile(
        "--smtp_password_file", absl::GetFlag(FLAGS_smtp_password_file));
    if (!password.ok()) return password.status();
    smtp.password = *password;
  }
  return std::unique_ptr<nt::Transport>(
      std::make_unique<nt::SmtpTransport>(std::move(smtp)));
}

// What the notifier keeps alive beside its companion.
struct Parts {
  std::unique_ptr<nt::Transport> transport;
  std::unique_ptr<nt::MailStore> store;
  std::unique_ptr<nt::GrpcDirectory> directory;
  kyodo::common::oauth::ServiceToken token;
};

absl::StatusOr<server::BuiltService> Make(
    const server::ServiceEnv& env,
    std::shared_ptr<std::atomic<bool>> following) {
  auto options = Options();
  if (!options.ok()) return options.status();
  auto parts = std::make_shared<Parts>();
  auto transport = MakeTransport();
  if (!transport.ok()) return transport.status();
  parts->transport = *std::move(transport);
  kyodo::common::oauth::ServiceTokenOptions token;
  token.endpoint = absl::GetFlag(FLAGS_service_token_endpoint);
  token.client_id = absl::GetFlag(FLAGS_service_client_id);
  token.secret_file = absl::GetFlag(FLAGS_service_client_secret_file);
  token.token_file = absl::GetFlag(FLAGS_service_token_file);
  token.scope = absl::GetFlag(FLAGS_service_token_scope);
  token.resource = absl::GetFlag(FLAGS_service_token_resource);
  auto own = kyodo::common::oauth::MakeServiceToken(token, env.clock);
  if (!own.ok()) return own.status();
  parts->token = *std::move(own);
  const std::string proposals = absl::GetFlag(FLAGS_proposal_addr);
  const std::string partners = absl::GetFlag(FLAGS_partner_addr);
  if (proposals.empty() || partners.empty()) {
    return absl::InvalidArgumentError(
        "--proposal_addr and --partner_addr are required");
  }
  parts->directory = std::make_unique<nt::GrpcDirectory>(
      kyodo::common::grpc_client::NewChannel(
          proposals, env.downstream_credentials, 0, /*health_checked=*/true),
      kyodo::common::grpc_client::NewChannel(
          partners, env.downstream_credentials, 0, /*health_checked=*/true),
      parts->token.token, options->timeout);
  parts->store = std::make_unique<nt::MailStore>(env.pool, nt::kProposalFeed);
  if (env.metrics != nullptr) {
    env.metrics->DeclareMailOutcomes({"sent", "retry", "failed", "uncertain"});
    options->observe = [m = env.metrics](absl::string_view outcome) {
      m->ObserveMail(outcome);
    };
  }
  server::BuiltService built;
  built.keep_alive = parts;
  built.companions.push_back(std::make_shared<nt::NotifierCompanion>(
      std::make_unique<nt::Notifier>(parts->store.get(), parts->directory.get(),
                                     parts->transport.get(), env.clock,
                                     *std::move(options)),
      parts->directory.get(), std::move(following)));
  return built;
}

}  // namespace

int main(int argc, char** argv) {
  server::ServiceSpec spec;
  spec.name = "notifier";
  spec.usage =
      "notifier: mails applicants and committee members, following "
      "proposal-service's change feed";
  spec.database = "kyodo_notifier";
  spec.listen = "127.0.0.1:50058";
  spec.domain = "kyodo.notifier";
  spec.health_name = "kyodo.notifier.Notifier";
  spec.tracks = {KyodoNotifierMigrations()};
  // Serving once it knows where it follows the feed from (its first start
  // records "now"): what happens after that is mailed. Not while it is
  // stuck on an error that will not pass by itself (NotifierCompanion).
  auto following = std::make_shared<std::atomic<bool>>(true);
  spec.schema_check = [following](kyodo::common::db::Session& s) {
    if (!*following) {
      return absl::FailedPreconditionError(
          "the notifier cannot follow proposal-service's feed (see its log)");
    }
    return nt::CheckPositionRecorded(s, nt::kProposalFeed);
  };
  spec.make = [following](const server::ServiceEnv& env) {
    return Make(env, following);
  };
  return server::RunService(argc, argv, spec);
}
