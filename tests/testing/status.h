// Test support: reading the AIP-193 details of a grpc::Status.
#ifndef KYODO_TESTS_TESTING_STATUS_H_
#define KYODO_TESTS_TESTING_STATUS_H_

#include <string>

#include "grpcpp/support/status.h"

namespace kyodo::testing {

// The ErrorInfo reason, or "" when there is none.
std::string Reason(const grpc::Status& status);
// The ErrorInfo domain, or "".
std::string Domain(const grpc::Status& status);
// The field of the first BadRequest violation, or "".
std::string BadField(const grpc::Status& status);

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_STATUS_H_
