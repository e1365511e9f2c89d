#include "tests/testing/auth.h"

#include <cstdlib>
#include <random>

#include "absl/time/clock.h"

namespace kyodo::testing {

using common::auth::Principal;
using common::auth::Role;

common::auth::VerifierOptions TestVerifierOptions() {
  common::auth::VerifierOptions options;
  options.issuer = kTestIssuer;
  options.audience = kTestAudience;
  options.algorithms = {"HS256"};
  options.key = kTestJwtKey;
  return options;
}

std::string TokenFor(const Principal& principal, absl::Duration lifetime) {
  common::auth::MintOptions options;
  options.issuer = kTestIssuer;
  options.audience = kTestAudience;
  options.key = kTestJwtKey;
  options.lifetime = lifetime;
  auto token = common::auth::MintToken(principal, options);
  if (!token.ok()) std::abort();
  return *token;
}

std::string AdminToken(const std::string& subject) {
  return TokenFor({subject, Role::kAdmin});
}

std::string WardStaffToken(kyodo::type::v1::Ward ward,
                           const std::string& subject) {
  Principal p{subject, Role::kWardStaff};
  p.ward = ward;
  return TokenFor(p);
}

std::string ApplicantToken(const std::string& partner_name,
                           const std::string& subject) {
  Principal p{subject, Role::kApplicant};
  p.partner = partner_name;
  return TokenFor(p);
}

std::string ReviewerToken(const std::string& reviewer,
                          const std::string& subject) {
  Principal p{subject, Role::kReviewer};
  p.reviewer = reviewer;
  return TokenFor(p);
}

std::string ViewerToken(const std::string& subject) {
  return TokenFor({subject, Role::kViewer});
}

std::string NewRequestId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<int> hex(0, 15);
  std::string id = "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx";
  for (char& c : id) {
    if (c == 'x') c = "0123456789abcdef"[hex(rng)];
  }
  return id;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token,
                                             absl::Duration deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  return context;
}

}  // namespace kyodo::testing
