// The configuration every kyodo service reads at start-up (flags or KYODO_*
// environment variables, see common/config/config.h), validated in one place.
//
// Flags (environment variable in brackets):
//   --listen [KYODO_LISTEN]                 address:port to serve on
//   --db_host, --db_port, --db_user, --db_name
//   --db_password_file                      file holding the DB password
//   --db_tls_ca_file                        TLS to MariaDB, verified
//   --db_tls_cert_file, --db_tls_key_file   client certificate to MariaDB
//   --db_serving_role                       role granted the serving
//                                           privileges after migrating
//   --db_pool_size, --db_pool_max_wait, --db_pool_max_waiters
//   --jwt_issuer, --jwt_audience, --jwt_algorithms (HS256, RS256, ES256)
//   --jwt_jwks_file, --jwt_jwks_recheck     the identity provider's public keys
//   --jwt_key_file                          HS256 secret (local development)
//   --jwt_cache_size                        verified tokens remembered
//   --jwt_production                        refuse HS256 and shared secrets
//   --jwt_role_claim, --jwt_ward_claim, --jwt_partner_claim,
//   --jwt_reviewer_claim                    the claims' names
//   --page_token_key_file                   secret sealing page tokens
//   --migrate (default true), --migrate_only
//   --reflection                            gRPC reflection (development)
//   --drain, --shutdown_grace               graceful stop timings
//   --max_connection_age, --max_connection_age_grace   close old client
//                                           connections (load balancing)
//   --default_deadline                      for calls that bring none
//   --max_threads, --max_message_bytes
//   --log_level
//   --metrics_listen                        Prometheus /metrics address
//   --tls_cert_file, --tls_key_file         serve TLS
//   --tls_client_ca_file                    require client certificates (mTLS)
//   --downstream_ca_file                    TLS to other kyodo services
//   --downstream_cert_file, --downstream_key_file   client certificate
#ifndef KYODO_COMMON_SERVER_SERVICE_CONFIG_H_
#define KYODO_COMMON_SERVER_SERVICE_CONFIG_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/token.h"
#include "common/db/pool.h"

namespace kyodo::common::server {

struct ServiceConfig {
  std::string listen;
  db::PoolOptions db;
  std::string db_serving_role;  // "" = grant nothing after migrating
  auth::VerifierOptions auth;
  std::string page_token_key;
  bool migrate = true;
  bool migrate_only = false;
  bool reflection = false;
  absl::Duration drain;
  absl::Duration shutdown_grace;
  absl::Duration default_deadline;
  absl::Duration max_connection_age;  // zero = never
  absl::Duration max_connection_age_grace;
  int max_threads = 0;
  int max_message_bytes = 0;
  std::string metrics_listen;  // "" = no metrics endpoint
  std::string tls_cert_file;   // "" = plaintext
  std::string tls_key_file;
  std::string tls_client_ca_file;  // "" = no client certificates
  std::string downstream_ca_file;  // "" = plaintext to other services
  std::string downstream_cert_file;
  std::string downstream_key_file;
};

// Reads and validates the flags; on any problem prints what is wrong and
// exits with status 2 (config::Fail). `default_database` and
// `default_listen` are the service's own defaults; a service without a
// database (the gateway) passes "" and needs no database or page-token
// settings.
ServiceConfig LoadServiceConfig(absl::string_view service,
                                absl::string_view default_database,
                                absl::string_view default_listen);

}  // namespace kyodo::common::server

#endif  // KYODO_COMMON_SERVER_SERVICE_CONFIG_H_
