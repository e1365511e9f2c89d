// A whole selection round through the gateway, with all four services as
// processes on the real MariaDB: programme, call, six proposals (one of an
// ineligible kind, one over the cap, one past its continuation years, one
// with a conflicted member), reviews, preview, finalize (the decision),
// publish (and the consignment projects); then the
// dossier, the profile, the dashboard and the export show exactly that.
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "tests/integration/round_fixture.h"
#include "tests/testing/auth.h"
#include "tests/testing/status.h"

namespace kyodo::integration {
namespace {

using testing::Context;
using testing::Reason;
using testing::Service;
using testing::ViewerToken;

std::set<std::string> FailedRules(const pv1::Proposal& p) {
  std::set<std::string> rules;
  for (const auto& f : p.screening().failures()) rules.insert(f.rule());
  return rules;
}

std::string Export(gv1::Gateway::Stub* gateway,
                   gv1::ExportOpenDataRequest::Dataset dataset,
                   gv1::ExportOpenDataRequest::Format format) {
  gv1::ExportOpenDataRequest request;
  request.set_dataset(dataset);
  request.set_format(format);
  auto context = Context(ViewerToken());
  auto reader = gateway->ExportOpenData(context.get(), request);
  std::string data;
  gv1::ExportChunk chunk;
  while (reader->Read(&chunk)) data += chunk.data();
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  return data;
}

TEST_F(RoundTest, WholeRoundThroughTheGateway) {
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
  ASSERT_NO_FATAL_FAILURE(SubmitAll());

  // Screening: every failed rule, with the facts used.
  std::map<std::string, pv1::Proposal> screened;
  for (const auto& [ref, name] : proposal_of_) {
    pv1::GetProposalRequest get;
    get.set_name(name);
    ASSERT_TRUE(
        proposals_->GetProposal(Context(Staff()).get(), get, &screened[ref])
            .ok());
  }
  EXPECT_EQ(screened["umikaze"].state(), pv1::Proposal::ELIGIBLE);
  EXPECT_EQ(screened["himawari"].state(), pv1::Proposal::ELIGIBLE);
  EXPECT_EQ(screened["bunkadamashii"].state(), pv1::Proposal::ELIGIBLE);
  EXPECT_EQ(FailedRules(screened["sozo"]),
            std::set<std::string>{"AMOUNT_OVER_CAP"});
  EXPECT_EQ(FailedRules(screened["fujitsu"]),
            std::set<std::string>{"KIND_NOT_ELIGIBLE"});
  EXPECT_EQ(FailedRules(screened["tama-shotengai"]),
            std::set<std::string>{"CONTINUATION_YEARS_EXCEEDED"});
  EXPECT_EQ(screened["tama-shotengai"].screening().facts().continuation_year(),
            4);
  EXPECT_EQ(screened["umikaze"].screening().facts().continuation_year(), 1);
  EXPECT_EQ(screened["fujitsu"].screening().facts().applicant_kind(),
            partner::v1::COMPANY);

  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview());
  // A conflicted member cannot review.
  pv1::SubmitReviewRequest conflicted;
  conflicted.set_parent(proposal_of_["himawari"]);
  conflicted.mutable_review()->add_scores(5);
  conflicted.mutable_review()->add_scores(5);
  pv1::Review review;
  grpc::Status status =
      proposals_->SubmitReview(Context(Reviewer(1)).get(), conflicted, &review);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "REVIEWER_CONFLICTED");
  ASSERT_NO_FATAL_FAILURE(ReviewAll());

  // Preview: the real budget, then a what-if one; nothing is written.
  pv1::PreviewDecisionRequest preview;
  preview.set_name(call_);
  pv1::Decision dry;
  ASSERT_TRUE(
      proposals_->PreviewDecision(Context(Staff()).get(), preview, &dry).ok());
  EXPECT_EQ(dry.adopted_count(), 2);
  preview.set_budget_yen(700000);
  ASSERT_TRUE(
      proposals_->PreviewDecision(Context(Staff()).get(), preview, &dry).ok());
  EXPECT_EQ(dry.adopted_count(), 3);
  pv1::GetCallRequest get_call;
  get_call.set_name(call_);
  pv1::Call call;
  ASSERT_TRUE(
      proposals_->GetCall(Context(Staff()).get(), get_call, &call).ok());
  EXPECT_EQ(call.state(), pv1::Call::UNDER_REVIEW);

  // Finalize: the decision; no project before publication.
  gv1::FinalizeCallRequest finalize;
  finalize.set_name(call_);
  gv1::FinalizeCallResponse finalized;
  status = gateway_->FinalizeCall(Context(Staff()).get(), finalize, &finalized);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, pv1::ProposalResult> results;
  for (const auto& r : finalized.decision().results())
    results[r.proposal()] = r;
  const auto& first = results[proposal_of_["umikaze"]];
  EXPECT_EQ(first.rank(), 1);
  EXPECT_EQ(first.score(), "93.3333");
  EXPECT_EQ(first.reason(), pv1::ProposalResult::ADOPTED);
  EXPECT_EQ(results[proposal_of_["himawari"]].rank(), 2);
  EXPECT_EQ(results[proposal_of_["himawari"]].score(), "83.3333");
  EXPECT_EQ(results[proposal_of_["himawari"]].reviews(), 2);
  EXPECT_EQ(results[proposal_of_["bunkadamashii"]].reason(),
            pv1::ProposalResult::BUDGET_EXHAUSTED);
  for (const char* ref : {"sozo", "fujitsu", "tama-shotengai"}) {
    EXPECT_EQ(results[proposal_of_[ref]].reason(),
              pv1::ProposalResult::INELIGIBLE)
        << ref;
  }
  EXPECT_EQ(finalized.decision().remaining_budget_yen(),
            500000 - 362100 - 75000);
  EXPECT_EQ(finalized.projects_size(), 0);
  EXPECT_EQ(ProjectsOf(proposal_of_["umikaze"]), 0);

  // Publish: one consignment project per adopted proposal, linked.
  gv1::PublishResultsResponse published;
  status = PublishAsStaff(call_, &published);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(published.call().state(), pv1::Call::PUBLISHED);
  ASSERT_EQ(published.projects_size(), 2);
  for (const auto& p : published.projects()) {
    EXPECT_TRUE(p.created_now());
    EXPECT_EQ(ProjectsOf(p.proposal()), 1);
  }
  // Again, and FinalizeCall on the published call: nothing new.
  gv1::PublishResultsResponse again;
  ASSERT_TRUE(PublishAsStaff(call_, &again).ok());
  ASSERT_EQ(again.projects_size(), 2);
  EXPECT_FALSE(again.projects(0).created_now());
  EXPECT_EQ(again.projects(0).project(), published.projects(0).project());
  gv1::FinalizeCallResponse refinalized;
  ASSERT_TRUE(
      gateway_->FinalizeCall(Context(Staff()).get(), finalize, &refinalized)
          .ok());
  ASSERT_EQ(refinalized.projects_size(), 2);
  EXPECT_FALSE(refinalized.projects(1).created_now());
  EXPECT_EQ(refinalized.projects(1).project(), published.projects(1).project());

  // The dossier of the first project: parties, proposal, published result.
  const std::string project = published.projects(0).project();
  gv1::GetProjectDossierRequest dossier_request;
  dossier_request.set_name(project);
  gv1::ProjectDossier dossier;
  status = gateway_->GetProjectDossier(Context(ViewerToken()).get(),
                                       dossier_request, &dossier);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(dossier.project().source_proposal(), proposal_of_["umikaze"]);
  ASSERT_EQ(dossier.parties_size(), 2);
  EXPECT_EQ(dossier.parties(0).display_name(), "海風の森をMAZUつくる会");
  EXPECT_EQ(dossier.parties(1).display_name(), "川崎区役所企画課");
  EXPECT_EQ(dossier.project().contributions(0).amount_yen(), 362100);
  EXPECT_EQ(dossier.result().rank(), 1);
  EXPECT_EQ(dossier.result().reason(), pv1::ProposalResult::ADOPTED);

  // The applicant's profile shows the proposal and its project.
  gv1::GetPartnerProfileRequest profile_request;
  profile_request.set_name(Partner("umikaze"));
  gv1::PartnerProfile profile;
  ASSERT_TRUE(gateway_
                  ->GetPartnerProfile(Context(ViewerToken()).get(),
                                      profile_request, &profile)
                  .ok());
  ASSERT_EQ(profile.proposals_size(), 1);
  EXPECT_EQ(profile.proposals(0).state(), pv1::Proposal::ADOPTED);
  bool has_project = false;
  for (const auto& p : profile.projects()) has_project |= p.name() == project;
  EXPECT_TRUE(has_project);

  // The ward's dashboard for the year.
  gv1::GetWardDashboardRequest dashboard_request;
  dashboard_request.set_ward(type::v1::KAWASAKI);
  dashboard_request.set_fiscal_year(2026);
  gv1::WardDashboard dashboard;
  ASSERT_TRUE(gateway_
                  ->GetWardDashboard(Context(Staff()).get(), dashboard_request,
                                     &dashboard)
                  .ok());
  std::map<std::string, int> by_state;
  for (const auto& s : dashboard.proposals_by_state())
    by_state[s.state()] = s.count();
  EXPECT_EQ(by_state,
            (std::map<std::string, int>{
                {"ADOPTED", 2}, {"NOT_ADOPTED", 1}, {"INELIGIBLE", 3}}));
  EXPECT_EQ(dashboard.committed_yen(), 362100 + 75000);
  EXPECT_EQ(dashboard.open_calls_size(), 0);

  // The export: published results, as CSV for Excel and as JSON lines; the
  // ranked proposals only (the three ineligible ones are not named).
  const std::string csv =
      Export(gateway_.get(), gv1::ExportOpenDataRequest::RESULTS,
             gv1::ExportOpenDataRequest::CSV);
  ASSERT_TRUE(absl::StartsWith(csv, "\xEF\xBB\xBF"));
  // The earlier rounds of CreateProgrammeAndHistory are published too: keep
  // the header and this call's rows.
  const std::vector<std::string> all =
      absl::StrSplit(csv.substr(3), "\r\n", absl::SkipEmpty());
  ASSERT_FALSE(all.empty());
  std::vector<std::string> lines = {all[0]};
  for (size_t i = 1; i < all.size(); ++i) {
    if (absl::StartsWith(all[i], call_)) lines.push_back(all[i]);
  }
  ASSERT_EQ(lines.size(), 4u);  // header + 3
  EXPECT_TRUE(absl::StartsWith(lines[1], call_)) << lines[1];
  EXPECT_NE(
      lines[1].find(",海風の森をMAZUつくる会,1,93.3333,ADOPTED,362100,362100"),
      std::string::npos)
      << lines[1];
  const std::string jsonl =
      Export(gateway_.get(), gv1::ExportOpenDataRequest::RESULTS,
             gv1::ExportOpenDataRequest::JSON_LINES);
  std::map<std::string, std::string> reason_by_applicant;
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    auto json = nlohmann::json::parse(line);
    if (json["call"] != call_) continue;
    reason_by_applicant[json["applicant_name"]] = json["result"];
  }
  EXPECT_EQ(reason_by_applicant["文化魂2014"], "BUDGET_EXHAUSTED");
  EXPECT_EQ(reason_by_applicant.count("富士通株式会社"), 0u);
  EXPECT_EQ(reason_by_applicant.size(), 3u);

  // Projects appear in the open data once started.
  std::string projects_csv =
      Export(gateway_.get(), gv1::ExportOpenDataRequest::PROJECTS,
             gv1::ExportOpenDataRequest::CSV);
  EXPECT_EQ(projects_csv.find(project), std::string::npos);
  prv1::StartProjectRequest start;
  start.set_name(project);
  prv1::Project started;
  ASSERT_TRUE(
      projects_->StartProject(Context(Staff()).get(), start, &started).ok());
  projects_csv = Export(gateway_.get(), gv1::ExportOpenDataRequest::PROJECTS,
                        gv1::ExportOpenDataRequest::CSV);
  EXPECT_NE(projects_csv.find(project), std::string::npos);
}

// 減額採択 through the gateway: the committee adopts the first proposal for
// less, the next in rank order then fits, the consignment project carries
// the reduced amount, and the ruling's reason is published with the result.
TEST_F(RoundTest, ReducedAdoptionThroughTheGatewayFundsTheNextInRank) {
  ASSERT_NO_FATAL_FAILURE(PrepareDecidableCall());
  constexpr char kReason[] = "備品購入費は対象外のため減額";
  gv1::FinalizeCallRequest finalize;
  finalize.set_name(call_);
  pv1::CommitteeRuling* ruling = finalize.add_rulings();
  ruling->set_proposal(proposal_of_["umikaze"]);
  ruling->set_action(pv1::CommitteeRuling::REDUCE);
  ruling->set_adopted_amount_yen(250000);
  ruling->set_reason(kReason);
  gv1::FinalizeCallResponse finalized;
  grpc::Status status =
      gateway_->FinalizeCall(Context(Staff()).get(), finalize, &finalized);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, pv1::ProposalResult> results;
  for (const auto& r : finalized.decision().results())
    results[r.proposal()] = r;
  const auto& first = results[proposal_of_["umikaze"]];
  EXPECT_EQ(first.adopted_amount_yen(), 250000);
  EXPECT_EQ(first.recommended_amount_yen(), 362100);
  EXPECT_EQ(first.ruling().reason(), kReason);
  // 500,000 - 250,000 - 75,000 leaves 175,000: 文化魂2014 (150,000) fits.
  const auto& third = results[proposal_of_["bunkadamashii"]];
  EXPECT_EQ(third.reason(), pv1::ProposalResult::ADOPTED);
  EXPECT_EQ(third.recommended_reason(), pv1::ProposalResult::BUDGET_EXHAUSTED);
  EXPECT_EQ(finalized.decision().adopted_count(), 3);
  EXPECT_EQ(finalized.decision().recommended_adopted_count(), 2);

  // Again with the same rulings: the same decision; with others: refused,
  // never silently answered with the first.
  gv1::FinalizeCallResponse again;
  ASSERT_TRUE(
      gateway_->FinalizeCall(Context(Staff()).get(), finalize, &again).ok());
  EXPECT_EQ(again.decision().SerializeAsString(),
            finalized.decision().SerializeAsString());
  ruling->set_adopted_amount_yen(200000);
  status = gateway_->FinalizeCall(Context(Staff()).get(), finalize, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ALREADY_DECIDED");

  // Published: three consignment projects, the first for the reduced yen.
  gv1::PublishResultsResponse published;
  status = PublishAsStaff(call_, &published);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(published.projects_size(), 3);
  gv1::GetProjectDossierRequest dossier_request;
  for (const auto& p : published.projects()) {
    if (p.proposal() == proposal_of_["umikaze"]) {
      EXPECT_EQ(p.adopted_amount_yen(), 250000);
      dossier_request.set_name(p.project());
    }
  }
  gv1::ProjectDossier dossier;
  status = gateway_->GetProjectDossier(Context(ViewerToken()).get(),
                                       dossier_request, &dossier);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(dossier.project().contributions(0).amount_yen(), 250000);
  EXPECT_EQ(dossier.result().ruling().reason(), kReason);
  EXPECT_EQ(dossier.result().recommended_amount_yen(), 362100);
}

// The programme's wider conflicts with the real partner-service: a network
// made for the test (文化魂2014 and 海風の森) makes a member affiliated with
// one conflicted with the other's proposal; a member from 川崎区役所企画課 is
// related to 川崎区役所 and the units under it (the city-unit tree, read
// with partner-service's own filters).
TEST_F(RoundTest, ProgrammeConflictsFollowRealNetworksAndTheUnitTree) {
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  pv1::UpdateProgrammeRequest flags;
  flags.mutable_programme()->set_name(programme_);
  flags.mutable_programme()->set_network_conflicts(true);
  flags.mutable_programme()->set_city_unit_conflicts(true);
  flags.mutable_update_mask()->add_paths("network_conflicts");
  flags.mutable_update_mask()->add_paths("city_unit_conflicts");
  pv1::Programme programme;
  grpc::Status status =
      proposals_->UpdateProgramme(Context(Staff()).get(), flags, &programme);
  ASSERT_TRUE(status.ok()) << status.error_message();
  partner::v1::CreateNetworkRequest network;
  network.mutable_network()->set_display_name("川崎区文化と緑の協議会");
  network.mutable_network()->set_convening_unit(Partner("kawasaki-ward"));
  network.mutable_network()->add_members(Partner("bunkadamashii"));
  network.mutable_network()->add_members(Partner("umikaze"));
  partner::v1::Network made;
  status = partners_->CreateNetwork(Context(testing::AdminToken()).get(),
                                    network, &made);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
  ASSERT_NO_FATAL_FAILURE(SubmitAll());

  auto affiliate = [&](int member, const std::string& ref) {
    pv1::UpdateReviewerRequest update;
    update.mutable_reviewer()->set_name(reviewer_of_[member]);
    update.mutable_reviewer()->add_affiliations(Partner(ref));
    update.mutable_update_mask()->add_paths("affiliations");
    pv1::Reviewer out;
    const grpc::Status s =
        proposals_->UpdateReviewer(Context(Staff()).get(), update, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  };
  const pv1::Reviewer cultural = affiliate(3, "bunkadamashii");
  bool network_conflict = false;
  for (const auto& c : cultural.conflicts()) {
    network_conflict =
        network_conflict || (c.proposal() == proposal_of_["umikaze"] &&
                             c.source() == pv1::Reviewer::Conflict::NETWORK &&
                             absl::StrContains(c.note(), made.name()));
  }
  EXPECT_TRUE(network_conflict) << cultural.DebugString();

  const pv1::Reviewer officer = affiliate(2, "kawasaki-kikaku");
  std::set<std::string> related;
  for (const auto& r : officer.related_parties()) {
    if (r.source() == pv1::Reviewer::Conflict::CITY_UNIT) {
      EXPECT_EQ(r.via(), Partner("kawasaki-ward"));
      related.insert(r.partner());
    }
  }
  EXPECT_TRUE(related.contains(Partner("kawasaki-ward")))
      << officer.DebugString();
  EXPECT_FALSE(related.contains(Partner("city")));
  EXPECT_FALSE(related.contains(Partner("kawasaki-kikaku")));

  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview());
  pv1::SubmitReviewRequest review;
  review.set_parent(proposal_of_["umikaze"]);
  review.mutable_review()->add_scores(5);
  review.mutable_review()->add_scores(5);
  pv1::Review written;
  status =
      proposals_->SubmitReview(Context(Reviewer(3)).get(), review, &written);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "REVIEWER_CONFLICTED");
  status =
      proposals_->SubmitReview(Context(Reviewer(2)).get(), review, &written);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// ProposalService.SummarizeProposals counts, for each caller, exactly what
// ListProposals lists to that caller, under the state it reads there, before
// and after publication: the dashboard's figures never tell more than the
// lists do.
TEST_F(RoundTest, SummariesCountWhatEachCallerMayList) {
  ASSERT_NO_FATAL_FAILURE(PrepareDecidableCall());
  gv1::FinalizeCallResponse finalized;
  ASSERT_TRUE(FinalizeAsStaff(call_, &finalized).ok());

  using Counts = std::map<std::string, std::pair<int64_t, int64_t>>;
  auto summarize = [&](const std::string& token, const std::string& parent,
                       const std::string& filter, grpc::Status* status) {
    pv1::SummarizeProposalsRequest request;
    request.set_parent(parent);
    request.set_filter(filter);
    pv1::ProposalSummary summary;
    *status =
        proposals_->SummarizeProposals(Context(token).get(), request, &summary);
    Counts counts;
    for (const auto& total : summary.states()) {
      counts[pv1::Proposal::State_Name(total.state())] = {
          total.count(), total.requested_yen()};
    }
    return counts;
  };
  auto add_up = [&](const std::string& token, const std::string& parent,
                    const std::string& filter, grpc::Status* status) {
    Counts counts;
    pv1::ListProposalsRequest request;
    request.set_parent(parent);
    request.set_filter(filter);
    request.set_page_size(2);  // several pages
    do {
      pv1::ListProposalsResponse page;
      *status = proposals_->ListProposals(Context(token).get(), request, &page);
      if (!status->ok()) return counts;
      for (const auto& p : page.proposals()) {
        auto& [count, yen] = counts[pv1::Proposal::State_Name(p.state())];
        ++count;
        yen += p.requested_amount_yen();
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return counts;
  };
  const std::vector<std::pair<std::string, std::string>> callers = {
      {"staff", Staff()},
      {"viewer", ViewerToken()},
      {"umikaze", Applicant("umikaze")},
      {"himawari", Applicant("himawari")},
      {"member-1", Reviewer(1)},
      {"no seat", testing::ReviewerToken("stranger", "stranger")}};
  auto compare = [&](const char* when) {
    for (const auto& [who, token] : callers) {
      for (const std::string& parent :
           {call_, std::string("programmes/-/calls/-")}) {
        for (const std::string filter :
             {"", "state = ADOPTED", "state = ELIGIBLE",
              "ward = KAWASAKI AND fiscal_year = 2026"}) {
          grpc::Status listed, summarized;
          const Counts expected = add_up(token, parent, filter, &listed);
          const Counts got = summarize(token, parent, filter, &summarized);
          EXPECT_EQ(summarized.error_code(), listed.error_code())
              << when << " " << who << " " << parent << " " << filter;
          EXPECT_EQ(got, expected)
              << when << " " << who << " " << parent << " " << filter;
        }
      }
    }
  };
  compare("decided");
  grpc::Status status;
  // Staff see the outcome; the adopted applicant does not, yet.
  EXPECT_GT(summarize(Staff(), call_, "", &status).count("ADOPTED"), 0u);
  for (const char* ref : {"umikaze", "himawari"}) {
    const Counts own = summarize(Applicant(ref), call_, "", &status);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(own.count("ADOPTED") + own.count("NOT_ADOPTED"), 0u) << ref;
    EXPECT_GT(own.count("ELIGIBLE"), 0u) << ref;
  }
  gv1::PublishResultsResponse published;
  ASSERT_TRUE(PublishAsStaff(call_, &published).ok());
  compare("published");
  EXPECT_GT(summarize(ViewerToken(), call_, "", &status).count("ADOPTED"), 0u);
}

}  // namespace
}  // namespace kyodo::integration
