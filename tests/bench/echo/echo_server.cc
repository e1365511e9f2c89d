// kyodo-echo-server: the gRPC floor of the benchmarks. Serves
// kyodo.bench.v1.EchoService/Echo through the same ServiceHost as every
// kyodo service (sync server, ResourceQuota of --max_threads, health), but
// with no token check, no log line and no database: what is left is gRPC
// and the machine.
//
//   kyodo-echo-server --listen=127.0.0.1:50059   (runs until SIGTERM)
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/server/host.h"
#include "kyodo/bench/v1/echo.grpc.pb.h"

// The services' own --listen and --max_threads, defined once in the
// program by common/server/service_config.cc (part of the server library
// linked here): a second definition of either is a duplicate symbol, which
// GNU ld happened not to see and mold does.
ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(int, max_threads);

namespace {

class EchoServiceImpl final : public kyodo::bench::v1::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext*,
                    const kyodo::bench::v1::EchoMessage* request,
                    kyodo::bench::v1::EchoMessage* response) override {
    *response = *request;
    return grpc::Status::OK;
  }
};

}  // namespace

int main(int argc, char** argv) {
  kyodo::common::server::BlockTerminationSignals();
  absl::ParseCommandLine(argc, argv);
  kyodo::common::server::HostOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  if (options.listen.empty()) options.listen = "127.0.0.1:50059";
  options.max_threads = absl::GetFlag(FLAGS_max_threads);
  options.drain = absl::ZeroDuration();
  options.grace = absl::Seconds(1);
  EchoServiceImpl echo;
  auto host = kyodo::common::server::ServiceHost::Start(options, {&echo});
  if (!host.ok()) return 1;
  (*host)->Serve();
  return 0;
}
