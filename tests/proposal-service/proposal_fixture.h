// Fixture of the proposal-service tests: the real service over gRPC on a
// loopback port, on a fresh schema of the test MariaDB, with a fake clock;
// and the steps of a call's life as helpers, so that each test reads as the
// rule it checks.
//
// The standard call: 麻生区's citizen-proposal programme (caps 700,000 then
// 500,000 yen, 3 years, one proposal per applicant); a call with a window
// from kOpens (inclusive) to kCloses (exclusive), budget 1,500,000 yen,
// three criteria (weights 3, 2, 1; max 5, 5, 10), pass mark 40, two
// reviews per proposal. The clock starts before the window.
#ifndef KYODO_TESTS_PROPOSAL_SERVICE_PROPOSAL_FIXTURE_H_
#define KYODO_TESTS_PROPOSAL_SERVICE_PROPOSAL_FIXTURE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/documents/flags.h"
#include "common/server/database.h"
#include "common/store/doc.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "proposal-service/service.h"
#include "proposal_migrations.h"
#include "tests/proposal-service/fake_records.h"
#include "tests/testing/auth.h"
#include "tests/testing/database.h"
#include "tests/testing/service.h"
#include "tests/testing/status.h"

namespace kyodo::proposal {

// The ErrorInfo metadata value `key` of a status, or "".
inline std::string Metadata(const grpc::Status& status,
                            const std::string& key) {
  google::rpc::Status details;
  details.ParseFromString(status.error_details());
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) {
      auto it = info.metadata().find(key);
      return it == info.metadata().end() ? "" : it->second;
    }
  }
  return "";
}

// The rules a proposal's screening failed, in its order.
inline std::vector<std::string> Rules(const v1::Proposal& p) {
  std::vector<std::string> rules;
  for (const auto& f : p.screening().failures()) rules.push_back(f.rule());
  return rules;
}

// The last segment of a resource name: the row id of its table.
inline std::string Id(const std::string& name) {
  return name.substr(name.rfind('/') + 1);
}

inline absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

class ProposalServiceTest : public ::testing::Test {
 protected:
  static inline const absl::Time kOpens = Utc(2026, 6, 10);
  static inline const absl::Time kCloses = Utc(2026, 7, 10);
  static constexpr kyodo::type::v1::Ward kWard = kyodo::type::v1::ASAO;

  // `limits`: the documents' limits (common/documents/documents.h), when
  // not the defaults.
  explicit ProposalServiceTest(
      std::optional<common::documents::Limits> limits = std::nullopt)
      : db_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    db_.Migrate(
        {common::server::CommonMigrations(), KyodoProposalMigrations()});
    service_ = std::make_unique<kyodo::testing::TestService>(
        db_, "kyodo.proposal",
        [this, limits](const kyodo::testing::ServiceEnv& env) {
          ServiceDeps deps{env.pool, env.rpc, env.pages, &records_};
          if (limits.has_value()) {
            documents_ = common::documents::DefaultDocuments(
                env.pool, env.pages, *limits);
            deps.documents = documents_.get();
          }
          return std::make_unique<ProposalServiceImpl>(deps);
        });
    stub_ =
        kyodo::proposal::v1::ProposalService::NewStub(service_->NewChannel());
  }

  // Serves the service on `db` from now on (e.g. a schema as an older
  // release left it, in a migration test), with this fixture's fakes.
  void ServeOn(const kyodo::testing::TestDatabase& db) {
    service_ = std::make_unique<kyodo::testing::TestService>(
        db, "kyodo.proposal", [this](const kyodo::testing::ServiceEnv& env) {
          return std::make_unique<ProposalServiceImpl>(
              ServiceDeps{env.pool, env.rpc, env.pages, &records_});
        });
    stub_ =
        kyodo::proposal::v1::ProposalService::NewStub(service_->NewChannel());
  }

  common::FakeClock& clock() { return service_->clock(); }
  static std::string Staff() {
    return kyodo::testing::WardStaffToken(kWard, "asao-staff");
  }
  static std::string Applicant(const std::string& partner) {
    return kyodo::testing::ApplicantToken(partner, partner);
  }

  static kyodo::proposal::v1::Programme CitizenProgramme() {
    kyodo::proposal::v1::Programme p;
    p.set_display_name("麻生区市民提案型事業");
    p.set_ward(kWard);
    p.set_kind(kyodo::proposal::v1::Programme::WARD_CITIZEN_PROPOSAL);
    p.set_consigning_unit("partners/asaochiiki");
    p.add_eligible_partner_kinds(kyodo::partner::v1::CIVIC_GROUP);
    p.add_eligible_partner_kinds(kyodo::partner::v1::NEIGHBOURHOOD_ASSOCIATION);
    auto* first = p.add_amount_caps();
    first->set_continuation_year(1);
    first->set_max_amount_yen(700000);
    auto* later = p.add_amount_caps();
    later->set_continuation_year(2);
    later->set_max_amount_yen(500000);
    p.set_max_continuation_years(3);
    p.set_one_proposal_per_applicant(true);
    return p;
  }

  static kyodo::proposal::v1::Call StandardCall() {
    kyodo::proposal::v1::Call c;
    c.set_display_name("令和8年度 麻生区市民提案型事業 公募");
    c.set_fiscal_year(2026);
    *c.mutable_submission_start_time() = common::store::ToTimestamp(kOpens);
    *c.mutable_submission_end_time() = common::store::ToTimestamp(kCloses);
    c.set_budget_yen(1500000);
    c.set_max_adoptions(5);
    const struct {
      const char* name;
      int64_t weight, max;
    } criteria[] = {{"地域課題との関連性", 3, 5},
                    {"実現可能性", 2, 5},
                    {"協働の効果", 1, 10}};
    for (const auto& k : criteria) {
      auto* criterion = c.add_criteria();
      criterion->set_display_name(k.name);
      criterion->set_weight(k.weight);
      criterion->set_max_score(k.max);
    }
    c.set_pass_mark(40);
    c.set_min_reviews(2);
    return c;
  }

  kyodo::proposal::v1::Programme CreateProgramme(
      const kyodo::proposal::v1::Programme& p = CitizenProgramme()) {
    v1::CreateProgrammeRequest request;
    *request.mutable_programme() = p;
    kyodo::proposal::v1::Programme out;
    grpc::Status status = stub_->CreateProgramme(
        kyodo::testing::Context(Staff()).get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  kyodo::proposal::v1::Call CreateCall(
      const std::string& programme,
      const kyodo::proposal::v1::Call& c = StandardCall()) {
    v1::CreateCallRequest request;
    request.set_parent(programme);
    *request.mutable_call() = c;
    kyodo::proposal::v1::Call out;
    grpc::Status status = stub_->CreateCall(
        kyodo::testing::Context(Staff()).get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // A transition of a call by the ward's staff.
  template <typename Request>
  grpc::Status Transition(
      grpc::Status (kyodo::proposal::v1::ProposalService::Stub::*method)(
          grpc::ClientContext*, const Request&, kyodo::proposal::v1::Call*),
      const std::string& name, kyodo::proposal::v1::Call* out = nullptr,
      const std::string& token = Staff()) {
    Request request;
    request.set_name(name);
    kyodo::proposal::v1::Call ignored;
    return (stub_.get()->*method)(kyodo::testing::Context(token).get(), request,
                                  out ? out : &ignored);
  }
  grpc::Status Open(const std::string& call) {
    return Transition(&kyodo::proposal::v1::ProposalService::Stub::OpenCall,
                      call);
  }
  grpc::Status Close(const std::string& call) {
    return Transition(&kyodo::proposal::v1::ProposalService::Stub::CloseCall,
                      call);
  }
  grpc::Status StartReview(const std::string& call) {
    return Transition(&kyodo::proposal::v1::ProposalService::Stub::StartReview,
                      call);
  }
  grpc::Status Publish(const std::string& call) {
    return Transition(
        &kyodo::proposal::v1::ProposalService::Stub::PublishResults, call);
  }

  // A programme and an OPEN call, the clock inside the window.
  kyodo::proposal::v1::Call OpenStandardCall() {
    const kyodo::proposal::v1::Programme p = CreateProgramme();
    const kyodo::proposal::v1::Call c = CreateCall(p.name());
    EXPECT_TRUE(Open(c.name()).ok());
    clock().Set(kOpens + absl::Hours(1));
    return c;
  }

  grpc::Status CreateDraft(const std::string& call,
                           const std::string& applicant,
                           const std::string& title, int64_t amount,
                           kyodo::proposal::v1::Proposal* out,
                           const std::string& token = "") {
    v1::CreateProposalRequest request;
    request.set_parent(call);
    kyodo::proposal::v1::Proposal* p = request.mutable_proposal();
    p->set_applicant(applicant);
    p->set_title(title);
    p->set_issue("地域の課題: " + title);
    p->set_plan("取組内容の計画");
    p->set_requested_amount_yen(amount);
    return stub_->CreateProposal(
        kyodo::testing::Context(token.empty() ? Applicant(applicant) : token)
            .get(),
        request, out);
  }

  grpc::Status Submit(const std::string& proposal, const std::string& token,
                      kyodo::proposal::v1::Proposal* out = nullptr) {
    v1::SubmitProposalRequest request;
    request.set_name(proposal);
    kyodo::proposal::v1::Proposal ignored;
    return stub_->SubmitProposal(kyodo::testing::Context(token).get(), request,
                                 out ? out : &ignored);
  }

  static v1::EligibilityFacts GoodFacts(int32_t year = 1) {
    v1::EligibilityFacts f;
    f.set_applicant_exists(true);
    f.set_applicant_active(true);
    f.set_applicant_kind(kyodo::partner::v1::CIVIC_GROUP);
    f.set_applicant_ward(kWard);
    f.set_continuation_year(year);
    return f;
  }

  // Makes the records (partner-service's applicant record, project-service's
  // earlier projects) say what `facts` say about `proposal`'s applicant, so
  // that the service gathers exactly these facts. Returns the staff's
  // correction of the project the proposal continues, if one is needed: the
  // fixture's proposals declare none, so for year 2 the staff name the
  // project of the year before, and for year 1 they take back such a
  // correction (ScreenProposalRequest.continues).
  std::optional<std::string> RecordFacts(const std::string& proposal,
                                         const v1::EligibilityFacts& facts) {
    kyodo::proposal::v1::Proposal p;
    if (!GetProposal(proposal, Staff(), &p).ok()) return std::nullopt;
    if (!facts.applicant_exists()) {
      records_.SetPartner(p.applicant(), std::nullopt);
    } else {
      kyodo::partner::v1::Partner partner;
      partner.set_kind(facts.applicant_kind());
      partner.set_state(facts.applicant_active()
                            ? kyodo::partner::v1::Partner::ACTIVE
                            : kyodo::partner::v1::Partner::INACTIVE);
      if (facts.has_applicant_ward()) partner.set_ward(facts.applicant_ward());
      records_.SetPartner(p.applicant(), partner);
    }
    const std::string call_name =
        p.name().substr(0, p.name().find("/proposals/"));
    const std::string programme =
        call_name.substr(0, call_name.find("/calls/"));
    v1::GetCallRequest get;
    get.set_name(call_name);
    kyodo::proposal::v1::Call c;
    if (!stub_->GetCall(kyodo::testing::Context(Staff()).get(), get, &c).ok())
      return std::nullopt;
    const std::string history = HistoryPrefix(p.applicant());
    records_.RemoveProjects(history);
    // The continuation year follows the chain of projects the proposal
    // `continues`, each link's earlier proposal read from the service's own
    // store. The history made here is one project (the year before) made
    // from a proposal the store does not hold: the chain ends there, so the
    // records reach year 2 at most.
    if (facts.continuation_year() > 2) {
      ADD_FAILURE() << "the fake records reach continuation year 2 at most "
                       "(tests/integration covers longer chains)";
    }
    for (int back = 1; back < facts.continuation_year(); ++back) {
      kyodo::project::v1::Project project;
      const int year = c.fiscal_year() - back;
      project.set_name(absl::StrCat(history, year));
      project.set_source_proposal(
          absl::StrCat(programme, "/calls/history/proposals/h", year));
      project.set_start_fiscal_year(year);
      project.set_state(kyodo::project::v1::Project::COMPLETED);
      auto* lead = project.add_participants();
      lead->set_partner(p.applicant());
      lead->set_role(kyodo::project::v1::Participant::LEAD);
      records_.AddProject(project);
    }
    if (facts.continuation_year() >= 2) {
      return absl::StrCat(history, c.fiscal_year() - 1);
    }
    if (p.continues().rfind(history, 0) == 0) return std::string();
    return std::nullopt;
  }

  // The fake records' project of `applicant` in `fiscal_year` (RecordFacts).
  static std::string HistoryPrefix(const std::string& applicant) {
    return absl::StrCat("projects/history-",
                        applicant.substr(applicant.rfind('/') + 1), "-");
  }

  // Screens `proposal` as staff, after making the records say `facts`
  // (with the correction of `continues` RecordFacts asks for).
  grpc::Status Screen(const std::string& proposal,
                      const v1::EligibilityFacts& facts,
                      kyodo::proposal::v1::Proposal* out = nullptr) {
    const std::optional<std::string> continues = RecordFacts(proposal, facts);
    v1::ScreenProposalRequest request;
    request.set_name(proposal);
    *request.mutable_facts() = facts;
    if (continues.has_value()) request.set_continues(*continues);
    kyodo::proposal::v1::Proposal ignored;
    return stub_->ScreenProposal(kyodo::testing::Context(Staff()).get(),
                                 request, out ? out : &ignored);
  }

  // A draft by `applicant`, submitted by it and screened ELIGIBLE.
  kyodo::proposal::v1::Proposal EligibleProposal(const std::string& call,
                                                 const std::string& applicant,
                                                 const std::string& title,
                                                 int64_t amount) {
    kyodo::proposal::v1::Proposal p;
    grpc::Status status = CreateDraft(call, applicant, title, amount, &p);
    EXPECT_TRUE(status.ok()) << status.error_message();
    status = Submit(p.name(), Applicant(applicant));
    EXPECT_TRUE(status.ok()) << status.error_message();
    status = Screen(p.name(), GoodFacts(), &p);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return p;
  }

  kyodo::proposal::v1::Reviewer AddReviewer(
      const std::string& call, const std::string& principal,
      const std::vector<std::string>& affiliations = {}) {
    v1::CreateReviewerRequest request;
    request.set_parent(call);
    request.mutable_reviewer()->set_display_name("委員 " + principal);
    request.mutable_reviewer()->set_principal(principal);
    for (const auto& a : affiliations)
      request.mutable_reviewer()->add_affiliations(a);
    kyodo::proposal::v1::Reviewer out;
    grpc::Status status = stub_->CreateReviewer(
        kyodo::testing::Context(Staff()).get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  grpc::Status SubmitReview(const std::string& proposal,
                            const std::string& principal,
                            const std::vector<int64_t>& scores,
                            kyodo::proposal::v1::Review* out = nullptr) {
    v1::SubmitReviewRequest request;
    request.set_parent(proposal);
    for (int64_t s : scores) request.mutable_review()->add_scores(s);
    request.mutable_review()->set_comment("講評");
    kyodo::proposal::v1::Review ignored;
    return stub_->SubmitReview(
        kyodo::testing::Context(
            kyodo::testing::ReviewerToken(principal, principal))
            .get(),
        request, out ? out : &ignored);
  }

  // Adds two members to `call`, starts its review, has both give
  // `proposal` full marks and decides: the proposal is adopted. Call it
  // under ASSERT_NO_FATAL_FAILURE.
  void DecideAdopted(const std::string& call, const std::string& proposal) {
    AddReviewer(call, "iin-1");
    AddReviewer(call, "iin-2");
    ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(call));
    ASSERT_TRUE(SubmitReview(proposal, "iin-1", {5, 5, 10}).ok());
    ASSERT_TRUE(SubmitReview(proposal, "iin-2", {5, 5, 10}).ok());
    kyodo::proposal::v1::Decision decision;
    const grpc::Status status = Decide(call, &decision);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(decision.results(0).reason(),
              kyodo::proposal::v1::ProposalResult::ADOPTED);
  }

  // A standard call whose window opens after the standard one's closes (a
  // later call, or an additional one, 追加募集).
  static kyodo::proposal::v1::Call LaterCall(int32_t fiscal_year) {
    kyodo::proposal::v1::Call c = StandardCall();
    c.set_fiscal_year(fiscal_year);
    *c.mutable_submission_start_time() =
        common::store::ToTimestamp(kCloses + absl::Hours(2));
    *c.mutable_submission_end_time() =
        common::store::ToTimestamp(kCloses + absl::Hours(24 * 30));
    return c;
  }

  // Closes the call (clock past the window) and starts the review.
  void CloseAndStartReview(const std::string& call) {
    clock().Set(kCloses + absl::Hours(1));
    grpc::Status status = Close(call);
    ASSERT_TRUE(status.ok()) << status.error_message();
    status = StartReview(call);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Decide(const std::string& call,
                      kyodo::proposal::v1::Decision* out,
                      const std::string& request_id = "") {
    v1::DecideCallRequest request;
    request.set_name(call);
    if (!request_id.empty()) request.set_request_id(request_id);
    return stub_->DecideCall(kyodo::testing::Context(Staff()).get(), request,
                             out);
  }

  grpc::Status GetProposal(const std::string& name, const std::string& token,
                           kyodo::proposal::v1::Proposal* out) {
    v1::GetProposalRequest request;
    request.set_name(name);
    return stub_->GetProposal(kyodo::testing::Context(token).get(), request,
                              out);
  }

  int CountRows(const std::string& sql) {
    return std::stoi(db_.QueryValue(sql));
  }

  FakeRecords records_;  // before the service, which uses it
  std::shared_ptr<const common::documents::Documents> documents_;  // likewise
  kyodo::testing::TestDatabase db_;
  std::unique_ptr<kyodo::testing::TestService> service_;
  std::unique_ptr<kyodo::proposal::v1::ProposalService::Stub> stub_;
};

}  // namespace kyodo::proposal

#endif  // KYODO_TESTS_PROPOSAL_SERVICE_PROPOSAL_FIXTURE_H_
