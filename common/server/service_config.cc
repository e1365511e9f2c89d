#include "common/server/service_config.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/config/config.h"
#include "common/db/migrate.h"
#include "common/log/log.h"

ABSL_FLAG(std::string, listen, "", "address:port to serve gRPC on");
ABSL_FLAG(std::string, db_host, "127.0.0.1", "MariaDB host");
ABSL_FLAG(int, db_port, 3306, "MariaDB port");
ABSL_FLAG(std::string, db_user, "kyodo", "MariaDB user");
ABSL_FLAG(std::string, db_password_file, "",
          "file holding the MariaDB password");
ABSL_FLAG(std::string, db_name, "", "database (schema) of this service");
ABSL_FLAG(std::string, db_tls_ca_file, "",
          "connect to MariaDB over TLS, verifying its certificate (chain and "
          "host name) against this CA (PEM); a server without TLS is refused");
ABSL_FLAG(std::string, db_tls_cert_file, "",
          "client certificate (PEM) presented to MariaDB; needs "
          "--db_tls_ca_file");
ABSL_FLAG(std::string, db_tls_key_file, "",
          "private key of --db_tls_cert_file");
ABSL_FLAG(std::string, db_serving_role, "",
          "with --migrate_only (or --migrate): after migrating, grant this "
          "MariaDB role what serving needs on every table of the schema "
          "(SELECT, INSERT, UPDATE, DELETE; only SELECT and INSERT on the "
          "audit trail; only SELECT on schema_migrations); empty = grant "
          "nothing (docs/OPERATIONS.md, \"Database accounts\")");
ABSL_FLAG(int, db_pool_size, 16, "most database sessions held at once");
ABSL_FLAG(int, db_pool_max_waiters, 64,
          "most calls waiting for a session before new ones are refused");
ABSL_FLAG(absl::Duration, db_pool_max_wait, absl::Seconds(2),
          "longest wait for a database session");
ABSL_FLAG(absl::Duration, db_lock_wait_timeout, absl::Seconds(5),
          "innodb_lock_wait_timeout of each session");
ABSL_FLAG(std::string, jwt_issuer, "kyodo-local",
          "accepted token issuer(s), comma separated");
ABSL_FLAG(std::string, jwt_audience, "kyodo", "expected token audience");
ABSL_FLAG(std::string, jwt_algorithms, "",
          "accepted token algorithms, comma separated (HS256, RS256, ES256); "
          "empty = HS256 with --jwt_key_file, RS256 and ES256 with "
          "--jwt_jwks_file");
ABSL_FLAG(std::string, jwt_key_file, "",
          "file holding the HS256 shared secret (local development only)");
ABSL_FLAG(std::string, jwt_jwks_file, "",
          "JWKS file of the identity provider's public keys (RS256, ES256), "
          "re-read when it changes");
ABSL_FLAG(absl::Duration, jwt_jwks_recheck, absl::Seconds(5),
          "how often the JWKS file is checked for a change (0 = every call)");
ABSL_FLAG(int, jwt_cache_size, 4096,
          "verified tokens remembered until they expire, so that a token "
          "sent on every call is checked once (0 = none)");
ABSL_FLAG(bool, jwt_production, false,
          "production mode: refuse HS256 tokens and any shared secret");
ABSL_FLAG(std::string, jwt_role_claim, "role", "token claim naming the role");
ABSL_FLAG(std::string, jwt_ward_claim, "ward",
          "token claim naming a ward_staff token's ward");
ABSL_FLAG(std::string, jwt_partner_claim, "partner",
          "token claim naming an applicant token's partner record");
ABSL_FLAG(std::string, jwt_reviewer_claim, "reviewer",
          "token claim naming a reviewer token's reviewer identity");
ABSL_FLAG(std::string, page_token_key_file, "",
          "file holding the secret that seals page tokens (shared by all "
          "replicas)");
ABSL_FLAG(bool, migrate, true, "apply pending schema migrations at start");
ABSL_FLAG(bool, migrate_only, false,
          "apply pending migrations and exit (for a migration job)");
ABSL_FLAG(bool, reflection, false, "serve gRPC reflection (development)");
ABSL_FLAG(absl::Duration, drain, absl::Seconds(5),
          "on SIGTERM, how long to report NOT_SERVING before refusing calls");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "on SIGTERM, how long in-flight calls may finish");
// Client-side load balancing (docs/OPERATIONS.md, "Scale out"): clients
// resolve every replica of a service and spread calls over them, but learn
// of a new replica only when they resolve the name again, which gRPC does
// when a connection closes. A connection is closed (GOAWAY, calls in flight
// finish within the grace) once it reaches this age, so a replica added by
// the autoscaler gets its share within about this long.
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(5),
          "close a client connection once it is this old, so clients "
          "resolve the service again and find new replicas; 0 = never");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Seconds(30),
          "how long calls on a connection closed for its age may finish");
ABSL_FLAG(absl::Duration, default_deadline, absl::Seconds(30),
          "deadline of calls that bring none");
ABSL_FLAG(int, max_threads, 64, "most threads serving calls at once");
ABSL_FLAG(int, max_message_bytes, 4 << 20, "largest request accepted");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");
ABSL_FLAG(std::string, metrics_listen, "",
          "address:port serving Prometheus /metrics; empty = none");
ABSL_FLAG(std::string, tls_cert_file, "",
          "serve TLS with this certificate (PEM)");
ABSL_FLAG(std::string, tls_key_file, "",
          "private key of --tls_cert_file (PEM)");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "require client certificates signed by this CA (mutual TLS)");
ABSL_FLAG(std::string, downstream_ca_file, "",
          "call other kyodo services over TLS, trusting this CA");
ABSL_FLAG(std::string, downstream_cert_file, "",
          "client certificate presented to other kyodo services (mTLS)");
ABSL_FLAG(std::string, downstream_key_file, "",
          "private key of --downstream_cert_file");

namespace kyodo::common::server {
namespace {

std::string Secret(absl::string_view flag, const std::string& path) {
  absl::StatusOr<std::string> secret = config::ReadSecretFile(flag, path);
  if (!secret.ok()) config::Fail(secret.status().message());
  return *secret;
}

void Require(bool ok, absl::string_view message) {
  if (!ok) config::Fail(message);
}

// A file the process must be able to read: named in the error when not.
void RequireReadable(absl::string_view flag, const std::string& path) {
  if (path.empty()) return;
  std::ifstream in(path);
  Require(in.good(), absl::StrCat(flag, ": cannot read ", path));
}

}  // namespace

ServiceConfig LoadServiceConfig(absl::string_view service,
                                absl::string_view default_database,
                                absl::string_view default_listen) {
  log::SetService(service);
  log::Level level;
  Require(log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level),
          "--log_level must be debug, info, warning or error");
  log::SetMinLevel(level);

  ServiceConfig c;
  c.listen = absl::GetFlag(FLAGS_listen);
  if (c.listen.empty()) c.listen = std::string(default_listen);
  Require(c.listen.find(':') != std::string::npos,
          "--listen must be address:port, e.g. 127.0.0.1:50051");

  const bool uses_database = !default_database.empty();
  c.db.host = absl::GetFlag(FLAGS_db_host);
  c.db.port = absl::GetFlag(FLAGS_db_port);
  c.db.user = absl::GetFlag(FLAGS_db_user);
  c.db.database = absl::GetFlag(FLAGS_db_name);
  if (c.db.database.empty()) c.db.database = std::string(default_database);
  if (uses_database) {
    c.db.password =
        Secret("--db_password_file", absl::GetFlag(FLAGS_db_password_file));
  }
  c.db.tls_ca_file = absl::GetFlag(FLAGS_db_tls_ca_file);
  c.db.tls_cert_file = absl::GetFlag(FLAGS_db_tls_cert_file);
  c.db.tls_key_file = absl::GetFlag(FLAGS_db_tls_key_file);
  Require(c.db.tls_cert_file.empty() == c.db.tls_key_file.empty(),
          "--db_tls_cert_file and --db_tls_key_file go together");
  Require(c.db.tls_cert_file.empty() || !c.db.tls_ca_file.empty(),
          "--db_tls_cert_file needs --db_tls_ca_file");
  if (uses_database) {
    RequireReadable("--db_tls_ca_file", c.db.tls_ca_file);
    RequireReadable("--db_tls_cert_file", c.db.tls_cert_file);
    RequireReadable("--db_tls_key_file", c.db.tls_key_file);
  }
  c.db_serving_role = absl::GetFlag(FLAGS_db_serving_role);
  Require(db::ValidRoleName(c.db_serving_role),
          "--db_serving_role must be empty or lowercase letters, digits and "
          "_ (at most 64)");
  c.db.max_size = absl::GetFlag(FLAGS_db_pool_size);
  c.db.max_waiters = absl::GetFlag(FLAGS_db_pool_max_waiters);
  c.db.max_wait = absl::GetFlag(FLAGS_db_pool_max_wait);
  c.db.lock_wait_timeout = absl::GetFlag(FLAGS_db_lock_wait_timeout);
  Require(c.db.port > 0 && c.db.port < 65536, "--db_port must be 1..65535");
  Require(c.db.max_size >= 1 && c.db.max_size <= 512,
          "--db_pool_size must be 1..512");
  Require(c.db.max_waiters >= 0, "--db_pool_max_waiters must be >= 0");
  Require(c.db.max_wait > absl::ZeroDuration(),
          "--db_pool_max_wait must be > 0");

  c.auth.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  c.auth.audience = absl::GetFlag(FLAGS_jwt_audience);
  c.auth.algorithms = absl::StrSplit(absl::GetFlag(FLAGS_jwt_algorithms), ',',
                                     absl::SkipEmpty());
  if (!absl::GetFlag(FLAGS_jwt_key_file).empty()) {
    c.auth.key = Secret("--jwt_key_file", absl::GetFlag(FLAGS_jwt_key_file));
  }
  c.auth.jwks_file = absl::GetFlag(FLAGS_jwt_jwks_file);
  c.auth.jwks_recheck = absl::GetFlag(FLAGS_jwt_jwks_recheck);
  c.auth.token_cache_size = absl::GetFlag(FLAGS_jwt_cache_size);
  c.auth.production = absl::GetFlag(FLAGS_jwt_production);
  c.auth.claims.role = absl::GetFlag(FLAGS_jwt_role_claim);
  c.auth.claims.ward = absl::GetFlag(FLAGS_jwt_ward_claim);
  c.auth.claims.partner = absl::GetFlag(FLAGS_jwt_partner_claim);
  c.auth.claims.reviewer = absl::GetFlag(FLAGS_jwt_reviewer_claim);
  Require(!c.auth.key.empty() || !c.auth.jwks_file.empty(),
          "give --jwt_jwks_file (the identity provider's public keys) or, "
          "for local development, --jwt_key_file");
  Require(c.auth.jwks_recheck >= absl::ZeroDuration(),
          "--jwt_jwks_recheck must not be negative");
  Require(!c.auth.claims.role.empty() && !c.auth.claims.ward.empty() &&
              !c.auth.claims.partner.empty() && !c.auth.claims.reviewer.empty(),
          "--jwt_*_claim names must not be empty");
  if (uses_database) {
    c.page_token_key = Secret("--page_token_key_file",
                              absl::GetFlag(FLAGS_page_token_key_file));
    Require(c.page_token_key.size() >= 16,
            "--page_token_key_file must hold at least 16 bytes");
  }

  c.migrate = absl::GetFlag(FLAGS_migrate);
  c.migrate_only = absl::GetFlag(FLAGS_migrate_only);
  c.reflection = absl::GetFlag(FLAGS_reflection);
  c.drain = absl::GetFlag(FLAGS_drain);
  c.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  c.default_deadline = absl::GetFlag(FLAGS_default_deadline);
  c.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  c.max_connection_age_grace = absl::GetFlag(FLAGS_max_connection_age_grace);
  Require(c.max_connection_age >= absl::ZeroDuration() &&
              c.max_connection_age_grace >= absl::ZeroDuration(),
          "--max_connection_age and --max_connection_age_grace must not be "
          "negative");
  c.max_threads = absl::GetFlag(FLAGS_max_threads);
  c.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  Require(c.drain >= absl::ZeroDuration(), "--drain must not be negative");
  Require(c.shutdown_grace >= absl::ZeroDuration(),
          "--shutdown_grace must not be negative");
  Require(c.default_deadline > absl::ZeroDuration(),
          "--default_deadline must be > 0");
  Require(c.max_threads >= 4, "--max_threads must be at least 4");
  Require(c.max_message_bytes >= 1024, "--max_message_bytes must be >= 1024");
  c.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  c.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  c.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  c.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  c.downstream_ca_file = absl::GetFlag(FLAGS_downstream_ca_file);
  c.downstream_cert_file = absl::GetFlag(FLAGS_downstream_cert_file);
  c.downstream_key_file = absl::GetFlag(FLAGS_downstream_key_file);
  Require(c.tls_cert_file.empty() == c.tls_key_file.empty(),
          "--tls_cert_file and --tls_key_file go together");
  Require(c.tls_client_ca_file.empty() || !c.tls_cert_file.empty(),
          "--tls_client_ca_file needs --tls_cert_file and --tls_key_file");
  Require(c.downstream_cert_file.empty() == c.downstream_key_file.empty(),
          "--downstream_cert_file and --downstream_key_file go together");
  Require(c.downstream_cert_file.empty() || !c.downstream_ca_file.empty(),
          "--downstream_cert_file needs --downstream_ca_file");
  return c;
}

}  // namespace kyodo::common::server
