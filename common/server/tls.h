// TLS for kyodo's gRPC servers and channels, from PEM files.
#ifndef KYODO_COMMON_SERVER_TLS_H_
#define KYODO_COMMON_SERVER_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace kyodo::common::server {

// TLS with `cert_file` and `key_file`; with `client_ca_file`, mutual TLS:
// a client must present a certificate signed by that CA. FAILED_PRECONDITION
// naming the file when one cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerTls(
    const std::string& cert_file, const std::string& key_file,
    const std::string& client_ca_file);

// A channel that trusts `ca_file` and, with `cert_file` and `key_file`,
// presents that client certificate.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelTls(
    const std::string& ca_file, const std::string& cert_file,
    const std::string& key_file);

}  // namespace kyodo::common::server

#endif  // KYODO_COMMON_SERVER_TLS_H_
