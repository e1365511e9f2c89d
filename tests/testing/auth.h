// Test support: tokens for every role, signed with the key test services
// verify against, and client contexts carrying them.
#ifndef KYODO_TESTS_TESTING_AUTH_H_
#define KYODO_TESTS_TESTING_AUTH_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/auth/token.h"
#include "grpcpp/client_context.h"
#include "kyodo/type/v1/ward.pb.h"

namespace kyodo::testing {

inline constexpr char kTestIssuer[] = "kyodo-test";
inline constexpr char kTestAudience[] = "kyodo";
inline constexpr char kTestJwtKey[] = "kyodo-test-signing-key-0123456789abcdef";

// The verifier options test services use.
common::auth::VerifierOptions TestVerifierOptions();

std::string TokenFor(const common::auth::Principal& principal,
                     absl::Duration lifetime = absl::Hours(1));
std::string AdminToken(const std::string& subject = "admin-1");
std::string WardStaffToken(kyodo::type::v1::Ward ward,
                           const std::string& subject = "staff-1");
std::string ApplicantToken(const std::string& partner_name,
                           const std::string& subject = "applicant-1");
std::string ReviewerToken(const std::string& reviewer,
                          const std::string& subject = "reviewer-1");
std::string ViewerToken(const std::string& subject = "viewer-1");

// A fresh random request id (UUID v4 form).
std::string NewRequestId();

// A context with `token` as bearer (none when empty) and a deadline.
std::unique_ptr<grpc::ClientContext> Context(
    const std::string& token, absl::Duration deadline = absl::Seconds(20));

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_AUTH_H_
