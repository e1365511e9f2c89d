// Each service's schema on a database server of its own (docs/OPERATIONS.md,
// "The database in production": the three schemas share no table). Three
// MariaDB servers (deploy/local/mariadb.sh, tests/testing/private_mariadb.h),
// one per service; a whole round runs through the gateway across them: past
// rounds and their projects, screening (partner-service and project-service
// asked by proposal-service), reviews, the decision, publication (the
// projects made in project-service) and the dossier (all three read). Each
// schema is on its service's server and on no other.
#include <array>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/round_fixture.h"
#include "tests/testing/auth.h"
#include "tests/testing/private_mariadb.h"

namespace kyodo::integration {
namespace {

using testing::Context;
using testing::Service;

constexpr std::array<Service, 3> kServices = {
    Service::kPartner, Service::kProject, Service::kProposal};

// The three servers, started before the cluster (a base class, so they are
// made first and go last).
class ThreeServers {
 protected:
  ThreeServers() {
    for (auto& server : servers_) {
      server = std::make_unique<testing::PrivateMariaDb>();
      started_ = server->Start() && started_;
    }
  }
  testing::ClusterOptions Options() const {
    testing::ClusterOptions options;
    if (!started_) return options;  // the test fails on started_ below
    for (size_t i = 0; i < kServices.size(); ++i) {
      options.database_servers[kServices[i]] = {servers_[i]->Options(),
                                                servers_[i]->ServingOptions()};
    }
    return options;
  }
  std::array<std::unique_ptr<testing::PrivateMariaDb>, 3> servers_;
  bool started_ = true;
};

class SeparateServersTest : protected ThreeServers, public RoundTest {
 protected:
  SeparateServersTest() : RoundTest(Options()) {}

  // Whether the server of service `on` holds schema `name`.
  bool Holds(int on, const std::string& name) const {
    testing::TestDatabase probe("probe", servers_[on]->Options(),
                                servers_[on]->ServingOptions());
    return probe.QueryValue(absl::StrCat(
               "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE "
               "SCHEMA_NAME = '",
               name, "'")) == "1";
  }
};

TEST_F(SeparateServersTest, WholeRoundWithEachSchemaOnItsOwnServer) {
  ASSERT_TRUE(started_) << "a MariaDB server did not start";
  // Each service's schema lives on its own server, and only there.
  for (size_t owner = 0; owner < kServices.size(); ++owner) {
    const testing::TestDatabase& db = cluster_->Database(kServices[owner]);
    EXPECT_EQ(db.options().port, servers_[owner]->port());
    for (size_t on = 0; on < kServices.size(); ++on) {
      EXPECT_EQ(Holds(on, db.name()), on == owner)
          << db.name() << " on server " << on;
    }
  }

  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(PrepareDecidableCall());
  gv1::FinalizeCallResponse finalized;
  grpc::Status status = FinalizeAsStaff(call_, &finalized);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(finalized.decision().adopted_count(), 2);
  gv1::PublishResultsResponse published;
  status = PublishAsStaff(call_, &published);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(published.projects_size(), 2);

  // The dossier: the project (project-service), its parties
  // (partner-service) and its proposal's result (proposal-service).
  gv1::GetProjectDossierRequest dossier_request;
  dossier_request.set_name(published.projects(0).project());
  gv1::ProjectDossier dossier;
  status = gateway_->GetProjectDossier(Context(testing::ViewerToken()).get(),
                                       dossier_request, &dossier);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(dossier.project().source_proposal(), proposal_of_["umikaze"]);
  ASSERT_EQ(dossier.parties_size(), 2);
  EXPECT_EQ(dossier.parties(0).display_name(), "海風の森をMAZUつくる会");
  EXPECT_EQ(dossier.result().reason(), pv1::ProposalResult::ADOPTED);

  // What was written is on each service's own server: the past rounds' and
  // this round's projects, the proposals, the partners.
  EXPECT_EQ(cluster_->Database(Service::kProject)
                .QueryValue("SELECT COUNT(*) FROM projects"),
            std::to_string(history_.size() + 2));
  EXPECT_NE(cluster_->Database(Service::kProposal)
                .QueryValue("SELECT COUNT(*) FROM proposals"),
            "0");
  EXPECT_NE(cluster_->Database(Service::kPartner)
                .QueryValue("SELECT COUNT(*) FROM partners"),
            "0");
}

}  // namespace
}  // namespace kyodo::integration
