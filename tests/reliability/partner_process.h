// Test support for the reliability scenarios: partner-service as a process
// on a given MariaDB (possibly behind a fault proxy), with metrics on, and
// small clients for its health and /metrics.
#ifndef KYODO_TESTS_RELIABILITY_PARTNER_PROCESS_H_
#define KYODO_TESTS_RELIABILITY_PARTNER_PROCESS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "tests/testing/process.h"

namespace kyodo::reliability {

// The process runs and migrates as one account: the migrating one of the
// test server (these scenarios are about faults, not privileges).
struct DbTarget {
  int port = 0;
  std::string password_file;
  std::string database;
  std::string user = "kyodo_migrate";
};

class PartnerProcess {
 public:
  PartnerProcess(const DbTarget& db, std::vector<std::string> extra_flags);
  ~PartnerProcess();

  bool Start();
  // Waits until health says SERVING (the ports it bound known first).
  bool WaitServing(absl::Duration timeout);
  std::string address() const;
  int metrics_port() const { return metrics_port_; }
  testing::ChildProcess& process() { return *process_; }
  std::unique_ptr<partner::v1::PartnerService::Stub> NewStub() const;
  std::shared_ptr<grpc::Channel> NewChannel() const;

  // The value of the sample of metric `name` whose labels include every
  // pair of `labels` (in any order), from /metrics; -1 when there is none.
  double Metric(const std::string& name,
                const std::map<std::string, std::string>& labels) const;

 private:
  std::string dir_;
  int port_ = 0;
  int metrics_port_ = 0;
  std::unique_ptr<testing::ChildProcess> process_;
};

// Creates `count` partners (admin token); returns their names.
std::vector<std::string> SeedPartners(partner::v1::PartnerService::Stub* stub,
                                      int count);

// One finished call, for timelines.
struct CallRecord {
  absl::Time start;
  absl::Time end;
  grpc::StatusCode code;
};

}  // namespace kyodo::reliability

#endif  // KYODO_TESTS_RELIABILITY_PARTNER_PROCESS_H_
