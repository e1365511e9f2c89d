// Fixture of the whole-suite tests: the four services as processes on the
// test MariaDB (tests/testing/cluster.h), the paper's partners loaded through
// the gateway, and the steps of a selection round as helpers.
//
// The round: 川崎区's citizen-proposal programme (eligible: civic groups and
// business associations; caps 700,000 then 500,000 yen; 3 years at most),
// a FY2026 call with budget 500,000 yen, criteria weights 2 and 1 (max 5),
// pass mark 50, two reviews each, and six proposals from the example
// partners:
//   海風の森をMAZUつくる会      362,100  eligible            -> ADOPTED (1st)
//   ひまわり～ノーマワールドの会～  75,000  eligible, one member
//                                        conflicted          -> ADOPTED (2nd)
//   文化魂2014                  150,000  eligible            ->
//   BUDGET_EXHAUSTED NPO法人かわさき創造プロジェクト 800,000  over the year-1
//   cap  -> INELIGIBLE 富士通株式会社               300,000  a company ->
//   INELIGIBLE 多摩区商店街連合会           200,000  funded 2023-2025 (three
//                                        past rounds of the programme):
//                                        4th year > 3        -> INELIGIBLE
#ifndef KYODO_TESTS_INTEGRATION_ROUND_FIXTURE_H_
#define KYODO_TESTS_INTEGRATION_ROUND_FIXTURE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kyodo/gateway/v1/gateway.grpc.pb.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "tests/testing/cluster.h"

namespace kyodo::integration {

namespace pv1 = proposal::v1;
namespace prv1 = project::v1;
namespace gv1 = gateway::v1;

class RoundTest : public ::testing::Test {
 protected:
  RoundTest();
  // The same over a cluster started with `options` (e.g. a database server
  // per service).
  explicit RoundTest(testing::ClusterOptions options);

  // Tokens.
  static std::string Staff();  // 川崎区 ward staff
  std::string Applicant(const std::string& ref) const;
  static std::string Reviewer(int i);  // "member-1".."member-3"

  // The name of the partner an example-data ref created.
  const std::string& Partner(const std::string& ref) const {
    return refs_.at(ref);
  }

  // Steps of the round, each asserting success.
  void CreateProgrammeAndHistory();
  // A call of `year` under the programme whose window has passed, with one
  // proposal of `ref` received on paper, screened, reviewed, decided and
  // finalised into its consignment project (named in `*project`); the
  // proposal `continues` the project named, if any.
  void PastRound(int year, const std::string& ref, int64_t amount,
                 const std::string& continues = "",
                 std::string* project = nullptr);
  // `shape`, if given, changes the call before it is created (e.g. adds a
  // review stage).
  void CreateOpenCall(const std::function<void(pv1::Call*)>& shape = nullptr);
  // Gateway.FinalizeCall of `call` as the ward's staff: the decision (in
  // `out`).
  grpc::Status FinalizeAsStaff(const std::string& call,
                               gv1::FinalizeCallResponse* out);
  // Gateway.PublishResults of `call` as the ward's staff: publication, then
  // the consignment projects (in `out`).
  grpc::Status PublishAsStaff(const std::string& call,
                              gv1::PublishResultsResponse* out);
  // Drafts and submits (through the gateway) one proposal per applicant ref.
  void SubmitAll();
  void CloseAndStartReview();
  void ReviewAll();
  // Everything up to a call ready for the decision.
  void PrepareDecidableCall();

  // Projects in project-service made from `proposal`.
  int ProjectsOf(const std::string& proposal) const;

  std::unique_ptr<testing::Cluster> cluster_;
  std::unique_ptr<gv1::Gateway::Stub> gateway_;
  // The three services' stubs, all on the gateway's address.
  std::unique_ptr<partner::v1::PartnerService::Stub> partners_;
  std::unique_ptr<prv1::ProjectService::Stub> projects_;
  std::unique_ptr<pv1::ProposalService::Stub> proposals_;
  std::map<std::string, std::string> refs_;
  std::string programme_;
  std::string call_;
  absl::Time window_end_;  // of call_, by the services' clock
  std::map<std::string, std::string> proposal_of_;  // applicant ref -> name
  std::map<int, std::string> reviewer_of_;          // member -> name
  // The consignment projects of the past rounds, FY2023 to FY2025.
  std::vector<std::string> history_;
};

}  // namespace kyodo::integration

#endif  // KYODO_TESTS_INTEGRATION_ROUND_FIXTURE_H_
