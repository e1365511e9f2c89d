// Fixture of the partner-service tests: the real service over gRPC on a
// loopback port, on a fresh schema of the test MariaDB.
#ifndef KYODO_TESTS_PARTNER_SERVICE_PARTNER_FIXTURE_H_
#define KYODO_TESTS_PARTNER_SERVICE_PARTNER_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "common/server/database.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "partner-service/service.h"
#include "partner_migrations.h"
#include "tests/testing/auth.h"
#include "tests/testing/database.h"
#include "tests/testing/service.h"
#include "tests/testing/status.h"

namespace kyodo::partner {

class PartnerServiceTest : public ::testing::Test {
 protected:
  PartnerServiceTest()
      : db_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    db_.Migrate({common::server::CommonMigrations(), KyodoPartnerMigrations()});
    service_ = std::make_unique<kyodo::testing::TestService>(
        db_, "kyodo.partner", [](const kyodo::testing::ServiceEnv& env) {
          return std::make_unique<PartnerServiceImpl>(
              ServiceDeps{env.pool, env.rpc, env.pages, env.clock});
        });
    stub_ = kyodo::partner::v1::PartnerService::NewStub(service_->NewChannel());
  }

  static kyodo::partner::v1::Partner NewPartner(v1::PartnerKind kind,
                                                const std::string& display_name,
                                                const std::string& kana = "") {
    kyodo::partner::v1::Partner p;
    p.set_kind(kind);
    p.set_display_name(display_name);
    if (!kana.empty()) p.set_name_kana(kana);
    return p;
  }

  grpc::Status Create(const kyodo::partner::v1::Partner& partner,
                      kyodo::partner::v1::Partner* out,
                      const std::string& token = kyodo::testing::AdminToken(),
                      const std::string& request_id = "") {
    v1::CreatePartnerRequest request;
    *request.mutable_partner() = partner;
    if (!request_id.empty()) request.set_request_id(request_id);
    return stub_->CreatePartner(kyodo::testing::Context(token).get(), request,
                                out);
  }

  // Creates `partner` and fails the test if that does not work.
  kyodo::partner::v1::Partner CreateOk(
      const kyodo::partner::v1::Partner& partner) {
    kyodo::partner::v1::Partner out;
    grpc::Status status = Create(partner, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  grpc::Status Get(const std::string& name, kyodo::partner::v1::Partner* out,
                   const std::string& token = kyodo::testing::AdminToken()) {
    v1::GetPartnerRequest request;
    request.set_name(name);
    return stub_->GetPartner(kyodo::testing::Context(token).get(), request,
                             out);
  }

  int CountRows(const std::string& table) {
    return std::stoi(db_.QueryValue("SELECT COUNT(*) FROM " + table));
  }

  kyodo::testing::TestDatabase db_;
  std::unique_ptr<kyodo::testing::TestService> service_;
  std::unique_ptr<kyodo::partner::v1::PartnerService::Stub> stub_;
};

}  // namespace kyodo::partner

#endif  // KYODO_TESTS_PARTNER_SERVICE_PARTNER_FIXTURE_H_
