// Issue 13, item 1: nothing of a selection outcome reaches anyone but staff
// and the committee before the ward publishes it, through any read path.
//
// The round of round_fixture.h (one proposal withdrawn besides) is taken to
// UNDER_REVIEW; then every read method of every service, listed from the
// service descriptors (so a new one cannot be forgotten), is called with
// requests naming the round's records, through the gateway and straight to
// its service, as a viewer, as another applicant and as the applicant whose
// proposal will be adopted. The call is decided (Gateway.FinalizeCall) and
// the walk repeated: every answer must be byte for byte what the same caller
// read before the decision (timestamps and etags included), except the
// call's own state (DECIDED is public; the outcome is not). Then the results
// are published (Gateway.PublishResults) and the outcome must show.
//
// Item 10: the open data, and every public read, leave out the withdrawn
// (and the ineligible) proposals and never name their applicants.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/store/doc.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "tests/integration/round_fixture.h"
#include "tests/security/world.h"
#include "tests/testing/auth.h"
#include "tests/testing/status.h"

namespace kyodo::integration {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using testing::Context;
using testing::Service;

// A read: Get*, List*, Search*, BatchGet*, Export*, Preview*, Summarize*,
// Download*.
bool IsRead(const MethodDescriptor* method) {
  for (const char* prefix : {"Get", "List", "Search", "BatchGet", "Export",
                             "Preview", "Summarize", "Download"}) {
    if (absl::StartsWith(method->name(), prefix)) return true;
  }
  return false;
}

// Clears what may change at the decision without telling the outcome: a
// call's own state and bookkeeping (every caller may see that a call is
// DECIDED), and page tokens.
void Normalise(Message* m) {
  const auto* d = m->GetDescriptor();
  const auto* r = m->GetReflection();
  if (d->full_name() == "kyodo.proposal.v1.Call") {
    for (const char* field : {"state", "decide_time", "update_time", "etag"})
      r->ClearField(m, d->FindFieldByName(field));
  }
  if (const FieldDescriptor* token = d->FindFieldByName("next_page_token")) {
    r->ClearField(m, token);
  }
  // ListEvents' next cursor moves past every new event, those the caller
  // may not read too (it tells that something happened, as GetCall's state
  // does, never what).
  if (d->full_name() == "kyodo.proposal.v1.ListEventsResponse") {
    r->ClearField(m, d->FindFieldByName("next_cursor"));
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(*m, f); ++j)
        Normalise(r->MutableRepeatedMessage(m, f, j));
    } else if (r->HasField(*m, f)) {
      Normalise(r->MutableMessage(m, f));
    }
  }
}

// One call's answer as text: the status, then each response normalised.
std::string Answer(const MethodDescriptor* method,
                   const security::Outcome& outcome) {
  std::string text = absl::StrCat(outcome.status.error_code(), " ",
                                  outcome.status.error_message(), "\n");
  for (const std::string& bytes : outcome.responses) {
    if (method->server_streaming()) {  // the export, a download: raw bytes
      absl::StrAppend(&text, bytes);
      continue;
    }
    std::unique_ptr<Message> response(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->output_type())
            ->New());
    if (!response->ParseFromString(bytes)) {
      absl::StrAppend(&text, "<unparsable>");
      continue;
    }
    Normalise(response.get());
    std::string printed;
    google::protobuf::TextFormat::Printer printer;
    printer.SetUseUtf8StringEscaping(true);
    printer.PrintToString(*response, &printed);
    absl::StrAppend(&text, printed);
  }
  return text;
}

class SecrecyTest : public RoundTest {
 protected:
  struct Caller {
    std::string label;
    std::string token;
  };

  // Everything up to UNDER_REVIEW with all reviews in, the proposal of
  // かわさき創造プロジェクト (ineligible) withdrawn before the review.
  void PrepareRound() {
    ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
    ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
    ASSERT_NO_FATAL_FAILURE(SubmitAll());
    pv1::WithdrawProposalRequest withdraw;
    withdraw.set_name(proposal_of_["sozo"]);
    pv1::Proposal withdrawn;
    grpc::Status status = proposals_->WithdrawProposal(
        Context(Applicant("sozo")).get(), withdraw, &withdrawn);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(withdrawn.state(), pv1::Proposal::WITHDRAWN);
    ASSERT_NO_FATAL_FAILURE(CloseAndStartReview());
    ASSERT_NO_FATAL_FAILURE(ReviewAll());
  }

  std::vector<Caller> Callers() const {
    return {{"viewer", testing::ViewerToken("citizen")},
            {"other applicant (not adopted)", Applicant("bunkadamashii")},
            {"the applicant (adopted)", Applicant("umikaze")},
            // The notifier (notifier/) reads as every applicant does.
            {"the notifier",
             testing::TokenFor({"notifier", common::auth::Role::kNotifier})}};
  }

  // Requests (text format) for each read method, naming the round's
  // records: whatever the caller may or may not read of them.
  std::map<std::string, std::vector<std::string>> Requests() const {
    auto q = [](const std::string& s) { return absl::StrCat("\"", s, "\""); };
    // Filters are text inside a text-format string: inner quotes escaped.
    auto fq = [](const std::string& s) {
      return absl::StrCat("\\\"", s, "\\\"");
    };
    std::map<std::string, std::vector<std::string>> r;
    const std::string umikaze = Partner("umikaze");
    const std::vector<std::string> partners = {
        umikaze, Partner("bunkadamashii"), Partner("himawari"),
        Partner("sozo")};
    // partner-service
    for (const auto& p : partners) {
      r["PartnerService.GetPartner"].push_back(absl::StrCat("name: ", q(p)));
      r["PartnerService.ListAuditEvents"].push_back(
          absl::StrCat("resource: ", q(p)));
      r["PartnerService.ListAgreements"].push_back(
          absl::StrCat("page_size: 500 filter: \"party = ", fq(p), "\""));
      r["PartnerService.ListNetworks"].push_back(
          absl::StrCat("page_size: 500 filter: \"member = ", fq(p), "\""));
    }
    r["PartnerService.ListPartners"] = {"page_size: 500"};
    r["PartnerService.SearchPartners"] = {"query: \"会\" page_size: 500",
                                          "query: \"海風\" page_size: 500"};
    r["PartnerService.BatchGetPartners"] = {
        absl::StrCat("names: ", q(partners[0]), " names: ", q(partners[1]))};
    r["PartnerService.GetAgreement"] = {
        absl::StrCat("name: ", q(Partner("agreement-keio")))};
    r["PartnerService.ListAgreements"].push_back("page_size: 500");
    r["PartnerService.GetNetwork"] = {
        absl::StrCat("name: ", q(Partner("network-tama3")))};
    r["PartnerService.ListNetworks"].push_back("page_size: 500");

    // project-service: the consignment projects would be the leak.
    std::vector<std::string> project_filters = {
        "",
        absl::StrCat("source_programme = ", fq(programme_)),
        absl::StrCat("lead = ", fq(umikaze)),
        absl::StrCat("participant = ", fq(umikaze)),
        "ward = KAWASAKI",
        "fiscal_year = 2026",
        "state = PLANNED",
        "programme = WARD_CITIZEN_PROPOSAL",
        "update_time > \\\"2000-01-01T00:00:00Z\\\""};
    for (const auto& [ref, proposal] : proposal_of_) {
      project_filters.push_back(
          absl::StrCat("source_proposal = ", fq(proposal)));
    }
    for (const auto& f : project_filters) {
      r["ProjectService.ListProjects"].push_back(
          absl::StrCat("page_size: 500 filter: \"", f, "\""));
      r["ProjectService.ListProjects"].push_back(absl::StrCat(
          "page_size: 500 show_deleted: true filter: \"", f, "\""));
      r["ProjectService.SummarizeProjects"].push_back(
          absl::StrCat("filter: \"", f, "\""));
    }
    for (const auto& project : history_projects_) {
      r["ProjectService.GetProject"].push_back(
          absl::StrCat("name: ", q(project)));
      r["ProjectService.ListAuditEvents"].push_back(
          absl::StrCat("resource: ", q(project)));
      r["Gateway.GetProjectDossier"].push_back(
          absl::StrCat("name: ", q(project)));
    }
    // A project name that would exist if one were made now is unknowable;
    // a made-up one must stay NOT_FOUND.
    r["ProjectService.GetProject"].push_back("name: \"projects/nosuch\"");
    r["ProjectService.ListEvents"] = {"page_size: 500"};
    // Documents: the round attaches none (tests/security covers who reads
    // them); these answers must not change at the decision either.
    for (const auto& project : history_projects_) {
      r["ProjectService.ListDocuments"].push_back(
          absl::StrCat("parent: ", q(project), " page_size: 500"));
      for (const char* method : {"GetDocument", "DownloadDocument"}) {
        r[absl::StrCat("ProjectService.", method)].push_back(absl::StrCat(
            "name: ", q(absl::StrCat(project, "/documents/nosuch"))));
      }
    }
    r["PartnerService.ListDocuments"] = {
        "parent: \"agreements/nosuch\" page_size: 500"};
    r["PartnerService.GetDocument"] = {
        "name: \"agreements/nosuch/documents/nosuch\""};
    r["PartnerService.DownloadDocument"] = r["PartnerService.GetDocument"];
    r["PartnerService.ListEvents"] = {"page_size: 500"};

    // proposal-service
    r["ProposalService.GetProgramme"] = {absl::StrCat("name: ", q(programme_))};
    r["ProposalService.ListProgrammes"] = {"page_size: 500"};
    r["ProposalService.GetCall"] = {absl::StrCat("name: ", q(call_))};
    r["ProposalService.ListCalls"] = {
        "parent: \"programmes/-\" page_size: 500",
        absl::StrCat("parent: ", q(programme_), " page_size: 500")};
    r["ProposalService.PreviewDecision"] = {absl::StrCat("name: ", q(call_))};
    r["ProposalService.GetDecision"] = {absl::StrCat("name: ", q(call_))};
    r["ProposalService.ListReviewers"] = {
        absl::StrCat("parent: ", q(call_), " page_size: 500")};
    r["ProposalService.ListReviewProgress"] = {
        absl::StrCat("parent: ", q(call_), " page_size: 500")};
    for (const auto& [i, reviewer] : reviewer_of_) {
      r["ProposalService.GetReviewer"].push_back(
          absl::StrCat("name: ", q(reviewer)));
    }
    r["ProposalService.ListAuditEvents"] = {
        absl::StrCat("resource: ", q(call_)),
        absl::StrCat("resource: ", q(programme_))};
    // The change feed. WatchEvents serves the same events through the same
    // code (ReadBatch in proposal-service/event_handlers.cc), as a stream
    // that lasts until its deadline: the walk reads them with ListEvents.
    r["ProposalService.ListEvents"] = {
        "page_size: 500",
        absl::StrCat("resource: ", q(call_), " page_size: 500"),
        "types: CALL_DECIDED types: PROPOSAL_RESULT_PUBLISHED page_size: 500"};
    for (const auto& [ref, proposal] : proposal_of_) {
      r["ProposalService.GetProposal"].push_back(
          absl::StrCat("name: ", q(proposal)));
      r["ProposalService.ListReviews"].push_back(
          absl::StrCat("parent: ", q(proposal), " page_size: 500"));
      r["ProposalService.ListAuditEvents"].push_back(
          absl::StrCat("resource: ", q(proposal)));
      r["ProposalService.ListEvents"].push_back(
          absl::StrCat("resource: ", q(proposal), " page_size: 500"));
      // Documents: the round attaches none; the answers (empty lists,
      // NOT_FOUND or PERMISSION_DENIED) must not change at the decision.
      r["ProposalService.ListDocuments"].push_back(
          absl::StrCat("parent: ", q(proposal), " page_size: 500"));
      for (const char* method : {"GetDocument", "DownloadDocument"}) {
        r[absl::StrCat("ProposalService.", method)].push_back(absl::StrCat(
            "name: ", q(absl::StrCat(proposal, "/documents/nosuch"))));
      }
      for (const auto& [i, reviewer] : reviewer_of_) {
        r["ProposalService.GetReview"].push_back(absl::StrCat(
            "name: ",
            q(absl::StrCat(proposal, "/reviews/",
                           reviewer.substr(reviewer.rfind('/') + 1)))));
      }
    }
    std::vector<std::string> proposal_filters = {
        "",
        "state = ADOPTED",
        "state = NOT_ADOPTED",
        "state = ELIGIBLE",
        "state != ELIGIBLE",
        absl::StrCat("applicant = ", fq(umikaze)),
        "ward = KAWASAKI AND fiscal_year = 2026",
        "update_time > \\\"2000-01-01T00:00:00Z\\\""};
    for (const auto& parent : {call_, absl::StrCat(programme_, "/calls/-"),
                               std::string("programmes/-/calls/-")}) {
      for (const auto& f : proposal_filters) {
        r["ProposalService.ListProposals"].push_back(absl::StrCat(
            "parent: ", q(parent), " page_size: 500 filter: \"", f, "\""));
        r["ProposalService.SummarizeProposals"].push_back(
            absl::StrCat("parent: ", q(parent), " filter: \"", f, "\""));
      }
    }

    // The gateway's views and the export.
    for (const auto& p : partners) {
      r["Gateway.GetPartnerProfile"].push_back(absl::StrCat("name: ", q(p)));
    }
    r["Gateway.GetWardDashboard"] = {"ward: KAWASAKI fiscal_year: 2026",
                                     "ward: KAWASAKI"};
    for (const char* dataset : {"RESULTS", "PROJECTS"}) {
      for (const char* format : {"CSV", "JSON_LINES"}) {
        r["Gateway.ExportOpenData"].push_back(
            absl::StrCat("dataset: ", dataset, " format: ", format));
      }
    }
    return r;
  }

  // Every read method as `token`, through the gateway and straight to its
  // service: "route method request" -> answer.
  std::map<std::string, std::string> Walk(const std::string& token) {
    std::map<std::string, std::string> answers;
    const auto requests = Requests();
    std::set<std::string> walked;
    for (const MethodDescriptor* method : security::AllMethods()) {
      if (!IsRead(method)) continue;
      const std::string key =
          absl::StrCat(method->service()->name(), ".", method->name());
      auto it = requests.find(key);
      if (it == requests.end()) {
        ADD_FAILURE() << key << " is a read method the walk does not call";
        continue;
      }
      walked.insert(key);
      std::vector<Service> routes = {Service::kGateway};
      if (security::ServiceOf(method) != Service::kGateway)
        routes.push_back(security::ServiceOf(method));
      for (const std::string& text : it->second) {
        std::unique_ptr<Message> request = security::NewRequest(method);
        if (!google::protobuf::TextFormat::ParseFromString(text,
                                                           request.get())) {
          ADD_FAILURE() << key << ": bad request text " << text;
          continue;
        }
        for (Service route : routes) {
          // A read: retried while the (busy) machine gives UNAVAILABLE.
          security::Outcome outcome;
          for (int attempt = 0; attempt < 5; ++attempt) {
            outcome = security::Invoke(cluster_->Channel(route), method,
                                       *request, token);
            if (outcome.status.error_code() != grpc::StatusCode::UNAVAILABLE)
              break;
          }
          answers[absl::StrCat(
              route == Service::kGateway ? "gateway " : "direct ", key, " {",
              text, "}")] = Answer(method, outcome);
        }
      }
    }
    for (const auto& [key, unused] : requests) {
      EXPECT_TRUE(walked.contains(key))
          << key << " is in the walk but no such read method exists";
    }
    return answers;
  }

  // Walks the ward's projects once (the round's history projects).
  void FindHistoryProjects() {
    prv1::ListProjectsRequest list;
    list.set_page_size(500);
    list.set_filter(absl::StrCat("lead = \"", Partner("tama-shotengai"), "\""));
    prv1::ListProjectsResponse page;
    ASSERT_TRUE(
        projects_->ListProjects(Context(Staff()).get(), list, &page).ok());
    for (const auto& p : page.projects()) history_projects_.push_back(p.name());
    ASSERT_EQ(history_projects_.size(), 3u);
  }

  std::string ExportText(gv1::ExportOpenDataRequest::Dataset dataset,
                         const std::string& token) {
    gv1::ExportOpenDataRequest request;
    request.set_dataset(dataset);
    request.set_format(gv1::ExportOpenDataRequest::JSON_LINES);
    auto context = Context(token);
    auto reader = gateway_->ExportOpenData(context.get(), request);
    std::string data;
    gv1::ExportChunk chunk;
    while (reader->Read(&chunk)) data += chunk.data();
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return data;
  }

  // Another OPEN call of the programme (FY2027), its window open an hour.
  std::string OpenNextCall() {
    pv1::CreateCallRequest request;
    request.set_parent(programme_);
    pv1::Call* c = request.mutable_call();
    c->set_display_name("令和9年度 川崎区市民提案型事業 公募");
    c->set_fiscal_year(2027);
    const absl::Time now = cluster_->Now();
    *c->mutable_submission_start_time() =
        common::store::ToTimestamp(now - absl::Minutes(1));
    *c->mutable_submission_end_time() =
        common::store::ToTimestamp(now + absl::Hours(1));
    c->set_budget_yen(500000);
    auto* criterion = c->add_criteria();
    criterion->set_display_name("地域課題との関連性");
    criterion->set_weight(1);
    criterion->set_max_score(5);
    c->set_min_reviews(1);
    pv1::Call created;
    grpc::Status status =
        proposals_->CreateCall(Context(Staff()).get(), request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) return "";
    pv1::OpenCallRequest open;
    open.set_name(created.name());
    status = proposals_->OpenCall(Context(Staff()).get(), open, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return status.ok() ? created.name() : "";
  }

  // A proposal of `ref` in `call`, submitted through the gateway, as the
  // applicant reads it after screening.
  pv1::Proposal SubmitTo(const std::string& call, const std::string& ref) {
    pv1::CreateProposalRequest draft;
    draft.set_parent(call);
    pv1::Proposal* p = draft.mutable_proposal();
    p->set_applicant(Partner(ref));
    p->set_title("次年度の提案");
    p->set_issue("地域の課題");
    p->set_requested_amount_yen(100000);
    pv1::Proposal created;
    grpc::Status status = proposals_->CreateProposal(
        Context(Applicant(ref)).get(), draft, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    gv1::SubmitProposalRequest submit;
    submit.set_name(created.name());
    submit.set_request_id(testing::NewRequestId());
    gv1::SubmitProposalResponse submitted;
    status = gateway_->SubmitProposal(Context(Applicant(ref)).get(), submit,
                                      &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return submitted.proposal();
  }

  std::vector<std::string> history_projects_;
};

TEST_F(SecrecyTest, NothingOfTheOutcomeBeforePublicationThroughAnyReadPath) {
  ASSERT_NO_FATAL_FAILURE(PrepareRound());
  ASSERT_NO_FATAL_FAILURE(FindHistoryProjects());

  std::map<std::string, std::map<std::string, std::string>> before;
  for (const Caller& caller : Callers())
    before[caller.label] = Walk(caller.token);
  // The walk reads something: the applicant's own proposal, with its etag.
  pv1::GetProposalRequest get;
  get.set_name(proposal_of_["umikaze"]);
  pv1::Proposal own_before;
  ASSERT_TRUE(
      proposals_
          ->GetProposal(Context(Applicant("umikaze")).get(), get, &own_before)
          .ok());
  ASSERT_FALSE(own_before.etag().empty());

  // The decision.
  gv1::FinalizeCallResponse finalized;
  grpc::Status status = FinalizeAsStaff(call_, &finalized);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, pv1::ProposalResult> results;
  for (const auto& r : finalized.decision().results())
    results[r.proposal()] = r;
  ASSERT_EQ(results[proposal_of_["umikaze"]].reason(),
            pv1::ProposalResult::ADOPTED);
  ASSERT_EQ(results[proposal_of_["bunkadamashii"]].reason(),
            pv1::ProposalResult::BUDGET_EXHAUSTED);
  // Staff read the outcome at once; no project exists yet anywhere.
  pv1::Proposal staff_view;
  ASSERT_TRUE(
      proposals_->GetProposal(Context(Staff()).get(), get, &staff_view).ok());
  EXPECT_EQ(staff_view.state(), pv1::Proposal::ADOPTED);
  EXPECT_EQ(finalized.projects_size(), 0);
  EXPECT_EQ(ProjectsOf(proposal_of_["umikaze"]), 0);
  // proposal-service itself refuses a link before publication.
  pv1::LinkProjectRequest link;
  link.set_name(proposal_of_["umikaze"]);
  link.set_project("projects/early");
  pv1::Proposal linked;
  status = proposals_->LinkProject(Context(Staff()).get(), link, &linked);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(testing::Reason(status), "RESULTS_NOT_PUBLISHED");

  for (const Caller& caller : Callers()) {
    const std::map<std::string, std::string> after = Walk(caller.token);
    ASSERT_EQ(after.size(), before[caller.label].size()) << caller.label;
    int differing = 0;
    for (const auto& [key, answer] : after) {
      const std::string& was = before[caller.label][key];
      if (answer == was) continue;
      ++differing;
      ADD_FAILURE() << caller.label << " reads something new after the "
                    << "decision, before publication: " << key
                    << "\n-- before:\n"
                    << was << "\n-- after:\n"
                    << answer;
    }
    EXPECT_EQ(differing, 0) << caller.label << " of " << after.size();
  }

  // The applicant applies to the programme's next call meanwhile: its
  // screening (which it reads) does not count the unpublished adoption.
  const std::string next_call = OpenNextCall();
  ASSERT_FALSE(next_call.empty());
  pv1::Proposal screened = SubmitTo(next_call, "umikaze");
  EXPECT_EQ(screened.screening().applicant_adoptions_in_programme(), 0)
      << screened.DebugString();

  // Publication: the outcome shows.
  gv1::PublishResultsResponse published;
  status = PublishAsStaff(call_, &published);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(published.projects_size(), 2);
  pv1::Proposal own_after;
  ASSERT_TRUE(
      proposals_
          ->GetProposal(Context(Applicant("umikaze")).get(), get, &own_after)
          .ok());
  EXPECT_EQ(own_after.state(), pv1::Proposal::ADOPTED);
  EXPECT_EQ(own_after.result().rank(), 1);
  EXPECT_EQ(own_after.project(), published.projects(0).project());
  EXPECT_NE(own_after.etag(), own_before.etag());
  prv1::ListProjectsRequest list;
  list.set_filter(absl::StrCat("source_programme = \"", programme_, "\""));
  prv1::ListProjectsResponse page;
  ASSERT_TRUE(projects_
                  ->ListProjects(Context(testing::ViewerToken("citizen")).get(),
                                 list, &page)
                  .ok());
  EXPECT_EQ(page.projects_size(), 2 + 3);  // the two new, the three earlier
  std::map<std::string, std::string> after_publication =
      Walk(testing::ViewerToken("citizen"));
  int differing = 0;
  for (const auto& [key, answer] : after_publication)
    differing += answer != before["viewer"][key];
  EXPECT_GT(differing, 10)
      << "publication changed almost nothing a viewer reads";
  const std::string open_data =
      ExportText(gv1::ExportOpenDataRequest::RESULTS, Staff());
  EXPECT_NE(open_data.find("海風の森をMAZUつくる会"), std::string::npos)
      << open_data;
}

TEST_F(SecrecyTest, OpenDataAndPublicReadsNeverNameWithdrawnApplicants) {
  ASSERT_NO_FATAL_FAILURE(PrepareRound());
  gv1::FinalizeCallResponse finalized;
  ASSERT_TRUE(FinalizeAsStaff(call_, &finalized).ok());
  gv1::PublishResultsResponse published;
  ASSERT_TRUE(PublishAsStaff(call_, &published).ok());
  const std::string withdrawn = Partner("sozo");      // withdrew
  const std::string ineligible = Partner("fujitsu");  // a company
  const std::string not_adopted = Partner("bunkadamashii");

  // The export is the same for every caller, staff included.
  for (const std::string& token :
       {testing::ViewerToken("citizen"), Staff(), testing::AdminToken()}) {
    const std::string results =
        ExportText(gv1::ExportOpenDataRequest::RESULTS, token);
    EXPECT_EQ(results.find(withdrawn), std::string::npos) << results;
    EXPECT_EQ(results.find("かわさき創造プロジェクト"), std::string::npos)
        << results;
    EXPECT_EQ(results.find(proposal_of_["sozo"]), std::string::npos);
    EXPECT_EQ(results.find(ineligible), std::string::npos) << results;
    EXPECT_EQ(results.find("WITHDRAWN"), std::string::npos);
    EXPECT_EQ(results.find("INELIGIBLE"), std::string::npos);
    // The ranked ones are there: adopted and not adopted.
    EXPECT_NE(results.find(not_adopted), std::string::npos) << results;
    EXPECT_NE(results.find(Partner("umikaze")), std::string::npos);
  }

  // The public reads of the published call leave them out too.
  const std::string viewer = testing::ViewerToken("citizen");
  pv1::GetDecisionRequest decision_request;
  decision_request.set_name(call_);
  pv1::Decision decision;
  ASSERT_TRUE(
      proposals_
          ->GetDecision(Context(viewer).get(), decision_request, &decision)
          .ok());
  std::set<std::string> named;
  for (const auto& r : decision.results()) named.insert(r.applicant());
  EXPECT_EQ(named.count(withdrawn), 0u);
  EXPECT_EQ(named.count(ineligible), 0u);
  EXPECT_EQ(named.count(not_adopted), 1u);
  pv1::ListProposalsRequest list;
  list.set_parent(call_);
  pv1::ListProposalsResponse page;
  ASSERT_TRUE(
      proposals_->ListProposals(Context(viewer).get(), list, &page).ok());
  std::set<std::string> listed;
  for (const auto& p : page.proposals()) listed.insert(p.applicant());
  EXPECT_EQ(listed.count(withdrawn), 0u);
  EXPECT_EQ(listed.count(ineligible), 0u);
  EXPECT_EQ(listed.size(), 3u);
  pv1::GetProposalRequest get;
  get.set_name(proposal_of_["sozo"]);
  pv1::Proposal p;
  EXPECT_EQ(
      proposals_->GetProposal(Context(viewer).get(), get, &p).error_code(),
      grpc::StatusCode::NOT_FOUND);
  // Its applicant still reads its own withdrawn proposal.
  ASSERT_TRUE(
      proposals_->GetProposal(Context(Applicant("sozo")).get(), get, &p).ok());
  EXPECT_EQ(p.state(), pv1::Proposal::WITHDRAWN);
}

}  // namespace
}  // namespace kyodo::integration
