// The security matrix: every method of every kyodo service (listed from the
// service descriptors, so a new method fails this test until it has a row),
// called by every kind of caller, through the gateway and straight to the
// service, against the real processes.
//
// Expectations are docs/API.md's permission table and the rules each service
// documents (partner-service/service.h, project-service/service.h,
// proposal-service/service.h and access.h, the protos), written out below
// one row per method (and per situation where ownership or state decides),
// one letter per caller in the order of the header:
//   A  allowed: anything but PERMISSION_DENIED / UNAUTHENTICATED, and not
//      NOT_FOUND either, since every request names a real seeded record
//      (mutations send a stale etag where they take one, so an allowed
//      change stops at ABORTED and the world stays as seeded);
//   D  PERMISSION_DENIED;
//   H  NOT_FOUND where the rules hide a record from a caller who may
//      otherwise read its siblings (DRAFT calls; a draft proposal to the
//      call's reviewers), so that its existence cannot be probed.
// Without a token, or with a bad one, every method is UNAUTHENTICATED.
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/token.h"
#include "gtest/gtest.h"
#include "kyodo/gateway/v1/gateway.pb.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "tests/security/world.h"
#include "tests/testing/auth.h"

namespace kyodo::security {
namespace {

namespace pav1 = partner::v1;
namespace prv1 = project::v1;
namespace pv1 = proposal::v1;
namespace gv1 = gateway::v1;
using google::protobuf::Message;
using MessagePtr = std::shared_ptr<const Message>;

struct Row {
  std::string method;    // "PartnerService.GetPartner"
  std::string scenario;  // what the request names
  MessagePtr request;
  std::string expect;  // one of A D H per Who
  // The record the request names is readable by every caller (a call that
  // is not a DRAFT), so answering NOT_FOUND when it is missing tells a
  // denied caller nothing GetCall would not.
  bool public_record = false;
};

template <typename T>
MessagePtr Req(std::function<void(T&)> fill) {
  auto m = std::make_shared<T>();
  fill(*m);
  return m;
}

// ------------------------------------------------------------------ rows
//                                                  admin      reviewer
//                                                  applicant   viewer | staff_A
//                                                  | rev_X    | app_X     | | |
//                                                  staff_B| |        | | |
std::vector<Row> PartnerRows(const World& w) {
  using namespace pav1;
  return {
      {"PartnerService.GetPartner", "civic_a",
       Req<GetPartnerRequest>([&](auto& r) { r.set_name(w.civic_a); }),
       "AAAAAAAA"},
      {"PartnerService.ListPartners", "all",
       Req<ListPartnersRequest>([&](auto& r) { r.set_filter("ward = ASAO"); }),
       "AAAAAAAA"},
      {"PartnerService.CreatePartner", "a civic group",
       Req<CreatePartnerRequest>([&](auto& r) {
         r.mutable_partner()->set_kind(CIVIC_GROUP);
         r.mutable_partner()->set_display_name("新百合ヶ丘まちづくりの会");
         r.mutable_partner()->set_ward(type::v1::ASAO);
       }),
       "AAADDDDD"},
      // Applicants edit their own record's descriptive fields (docs/API.md).
      {"PartnerService.UpdatePartner", "civic_a address (applicant's own)",
       Req<UpdatePartnerRequest>([&](auto& r) {
         r.mutable_partner()->set_name(w.civic_a);
         r.mutable_partner()->set_address("川崎市麻生区百合丘1-1");
         r.mutable_partner()->set_etag(kStaleEtag);
         r.mutable_update_mask()->add_paths("address");
       }),
       "AAADDADD"},
      // partner-service/service.h: deleting and undeleting is for admins.
      {"PartnerService.DeletePartner", "civic_a",
       Req<DeletePartnerRequest>([&](auto& r) {
         r.set_name(w.civic_a);
         r.set_etag(kStaleEtag);
       }),
       "ADDDDDDD"},
      {"PartnerService.UndeletePartner", "civic_a",
       Req<UndeletePartnerRequest>([&](auto& r) {
         r.set_name(w.civic_a);
         r.set_etag(kStaleEtag);
       }),
       "ADDDDDDD"},
      {"PartnerService.DeactivatePartner", "civic_a",
       Req<DeactivatePartnerRequest>([&](auto& r) {
         r.set_name(w.civic_a);
         r.set_etag(kStaleEtag);
       }),
       "AAADDDDD"},
      {"PartnerService.ActivatePartner", "civic_a",
       Req<ActivatePartnerRequest>([&](auto& r) {
         r.set_name(w.civic_a);
         r.set_etag(kStaleEtag);
       }),
       "AAADDDDD"},
      {"PartnerService.SearchPartners", "みまもり",
       Req<SearchPartnersRequest>([&](auto& r) { r.set_query("みまもり"); }),
       "AAAAAAAA"},
      {"PartnerService.BatchGetPartners", "civic_a, civic_b",
       Req<BatchGetPartnersRequest>([&](auto& r) {
         r.add_names(w.civic_a);
         r.add_names(w.civic_b);
       }),
       "AAAAAAAA"},
      {"PartnerService.GetAgreement", "agreement",
       Req<GetAgreementRequest>([&](auto& r) { r.set_name(w.agreement); }),
       "AAAAAAAA"},
      {"PartnerService.ListAgreements", "all",
       Req<ListAgreementsRequest>([&](auto&) {}), "AAAAAAAA"},
      // Agreements are written by admins.
      {"PartnerService.CreateAgreement", "civic_b + city_a",
       Req<CreateAgreementRequest>([&](auto& r) {
         r.mutable_agreement()->set_display_name("防災に関する協定");
         r.mutable_agreement()->set_kind(Agreement::THEME);
         r.mutable_agreement()->add_parties(w.civic_b);
         r.mutable_agreement()->add_parties(w.city_a);
       }),
       "ADDDDDDD"},
      {"PartnerService.UpdateAgreement", "agreement",
       Req<UpdateAgreementRequest>([&](auto& r) {
         r.mutable_agreement()->set_name(w.agreement);
         r.mutable_agreement()->set_description("見直し");
         r.mutable_agreement()->set_etag(kStaleEtag);
         r.mutable_update_mask()->add_paths("description");
       }),
       "ADDDDDDD"},
      {"PartnerService.DeleteAgreement", "agreement",
       Req<DeleteAgreementRequest>([&](auto& r) {
         r.set_name(w.agreement);
         r.set_etag(kStaleEtag);
       }),
       "ADDDDDDD"},
      // An agreement's documents: staff and its parties read them (the
      // agreement itself is public, so a missing one is NOT_FOUND to all);
      // admins change them.
      {"PartnerService.ListDocuments", "agreement (civic_a's)",
       Req<type::v1::ListDocumentsRequest>(
           [&](auto& r) { r.set_parent(w.agreement); }),
       "AAADDADD", true},
      {"PartnerService.GetDocument", "of the agreement",
       Req<type::v1::GetDocumentRequest>(
           [&](auto& r) { r.set_name(w.document_agreement); }),
       "AAADDADD", true},
      {"PartnerService.DownloadDocument", "of the agreement",
       Req<type::v1::DownloadDocumentRequest>(
           [&](auto& r) { r.set_name(w.document_agreement); }),
       "AAADDADD", true},
      {"PartnerService.UploadDocument", "to the agreement",
       Req<type::v1::UploadDocumentRequest>([&](auto& r) {
         r.mutable_upload()->set_parent(w.agreement);
         r.mutable_upload()->set_kind(type::v1::BYLAWS);
         r.mutable_upload()->set_file_name("規約.pdf");
       }),
       "ADDDDDDD", true},
      {"PartnerService.DeleteDocument", "of the agreement",
       Req<type::v1::DeleteDocumentRequest>([&](auto& r) {
         r.set_name(w.document_agreement);
         r.set_etag(kStaleEtag);
       }),
       "ADDDDDDD", true},
      {"PartnerService.GetNetwork", "network",
       Req<GetNetworkRequest>([&](auto& r) { r.set_name(w.network); }),
       "AAAAAAAA"},
      {"PartnerService.ListNetworks", "all",
       Req<ListNetworksRequest>([&](auto&) {}), "AAAAAAAA"},
      // Networks: admins and the staff of the convening unit's ward.
      {"PartnerService.CreateNetwork", "convened by city_a (ward A)",
       Req<CreateNetworkRequest>([&](auto& r) {
         r.mutable_network()->set_display_name("麻生区子育てネットワーク");
         r.mutable_network()->set_convening_unit(w.city_a);
         r.mutable_network()->add_members(w.civic_b);
       }),
       "AADDDDDD"},
      {"PartnerService.UpdateNetwork", "network of ward A",
       Req<UpdateNetworkRequest>([&](auto& r) {
         r.mutable_network()->set_name(w.network);
         r.mutable_network()->set_description("年4回開催");
         r.mutable_network()->set_etag(kStaleEtag);
         r.mutable_update_mask()->add_paths("description");
       }),
       "AADDDDDD"},
      {"PartnerService.DeleteNetwork", "network of ward A",
       Req<DeleteNetworkRequest>([&](auto& r) {
         r.set_name(w.network);
         r.set_etag(kStaleEtag);
       }),
       "AADDDDDD"},
      // Audit trails: admins and the staff of the ward that owns the record.
      {"PartnerService.ListAuditEvents", "civic_a (ward A)",
       Req<type::v1::ListAuditEventsRequest>(
           [&](auto& r) { r.set_resource(w.civic_a); }),
       "AADDDDDD"},
      {"PartnerService.ListAuditEvents", "agreement (no ward)",
       Req<type::v1::ListAuditEventsRequest>(
           [&](auto& r) { r.set_resource(w.agreement); }),
       "ADDDDDDD"},
      // The change feed of partners: every reader of partners reads it (the
      // contacts as GetPartner shows them: see
      // ConfidentialFieldsOnlyReachThoseWhoMaySeeThem).
      {"PartnerService.ListEvents", "the whole feed",
       Req<pav1::ListEventsRequest>([&](auto& r) { r.set_page_size(500); }),
       "AAAAAAAA"},
      {"PartnerService.WatchEvents", "a bad cursor",
       Req<pav1::WatchEventsRequest>([&](auto& r) { r.set_after("x"); }),
       "AAAAAAAA"},
  };
}

std::vector<Row> ProjectRows(const World& w) {
  using namespace prv1;
  // project-service/service.h: everyone reads; admins and the staff of the
  // project's ward (its CITY_UNIT participants) write.
  std::vector<Row> rows = {
      // A project's documents: every reader of projects lists them and
      // reads the public ones; the others (this one) staff and the
      // project's participants, to whom a hidden one does not exist;
      // the staff of its wards and its participants change them.
      {"ProjectService.ListDocuments", "ward-A project",
       Req<type::v1::ListDocumentsRequest>(
           [&](auto& r) { r.set_parent(w.project); }),
       "AAAAAAAA"},
      {"ProjectService.GetDocument", "not public, of the ward-A project",
       Req<type::v1::GetDocumentRequest>(
           [&](auto& r) { r.set_name(w.document_project); }),
       "AAAHHAHH"},
      {"ProjectService.DownloadDocument", "not public, of the ward-A project",
       Req<type::v1::DownloadDocumentRequest>(
           [&](auto& r) { r.set_name(w.document_project); }),
       "AAAHHAHH"},
      {"ProjectService.UploadDocument", "to the ward-A project",
       Req<type::v1::UploadDocumentRequest>([&](auto& r) {
         r.mutable_upload()->set_parent(w.project);
         r.mutable_upload()->set_kind(type::v1::REPORT);
         r.mutable_upload()->set_file_name("実績報告書.pdf");
       }),
       "AADDDADD"},
      {"ProjectService.DeleteDocument", "not public, of the ward-A project",
       Req<type::v1::DeleteDocumentRequest>([&](auto& r) {
         r.set_name(w.document_project);
         r.set_etag(kStaleEtag);
       }),
       "AADHHAHH"},
      {"ProjectService.GetProject", "ward-A project",
       Req<GetProjectRequest>([&](auto& r) { r.set_name(w.project); }),
       "AAAAAAAA"},
      {"ProjectService.ListProjects", "ward A",
       Req<ListProjectsRequest>([&](auto& r) { r.set_filter("ward = ASAO"); }),
       "AAAAAAAA"},
      {"ProjectService.SummarizeProjects", "ward A",
       Req<SummarizeProjectsRequest>(
           [&](auto& r) { r.set_filter("ward = ASAO"); }),
       "AAAAAAAA"},
      {"ProjectService.CreateProject", "civic_a + city_a (ward A)",
       Req<CreateProjectRequest>([&](auto& r) {
         Project* p = r.mutable_project();
         p->set_title("百合丘子ども食堂");
         p->set_issue("子どもの孤食");
         p->set_programme(OTHER_PROGRAMME);
         p->set_fiscal_year(2026);
         auto* lead = p->add_participants();
         lead->set_partner(w.civic_a);
         lead->set_role(Participant::LEAD);
         auto* city = p->add_participants();
         city->set_partner(w.city_a);
         city->set_role(Participant::CITY);
       }),
       "AADDDDDD"},
      {"ProjectService.UpdateProject", "ward-A project title",
       Req<UpdateProjectRequest>([&](auto& r) {
         r.mutable_project()->set_name(w.project);
         r.mutable_project()->set_title("百合丘見守り事業(改)");
         r.mutable_project()->set_etag(kStaleEtag);
         r.mutable_update_mask()->add_paths("title");
       }),
       "AADDDDDD"},
      {"ProjectService.ReviewProject", "ward-A project",
       Req<ReviewProjectRequest>([&](auto& r) {
         r.set_name(w.project);
         r.set_etag(kStaleEtag);
         r.set_review_text("成果を確認した");
         auto* o = r.add_outcomes();
         o->set_name("見守り世帯");
         o->set_value(40);
         o->set_unit("世帯");
       }),
       "AADDDDDD"},
      {"ProjectService.CancelProject", "ward-A project",
       Req<CancelProjectRequest>([&](auto& r) {
         r.set_name(w.project);
         r.set_etag(kStaleEtag);
         r.set_reason("中止");
       }),
       "AADDDDDD"},
      {"ProjectService.ListAuditEvents", "ward-A project",
       Req<type::v1::ListAuditEventsRequest>(
           [&](auto& r) { r.set_resource(w.project); }),
       "AADDDDDD"},
      // The change feed of projects: every reader of projects reads it.
      {"ProjectService.ListEvents", "the whole feed",
       Req<prv1::ListEventsRequest>([&](auto& r) { r.set_page_size(500); }),
       "AAAAAAAA"},
      {"ProjectService.WatchEvents", "a bad cursor",
       Req<prv1::WatchEventsRequest>([&](auto& r) { r.set_after("x"); }),
       "AAAAAAAA"},
  };
  auto by_name = [&](const char* method, auto tag) {
    using T = decltype(tag);
    rows.push_back({absl::StrCat("ProjectService.", method), "ward-A project",
                    Req<T>([&](auto& r) {
                      r.set_name(w.project);
                      r.set_etag(kStaleEtag);
                    }),
                    "AADDDDDD"});
  };
  by_name("DeleteProject", DeleteProjectRequest());
  by_name("StartProject", StartProjectRequest());
  by_name("CompleteProject", CompleteProjectRequest());
  return rows;
}

std::vector<Row> ProposalRows(const World& w) {
  using namespace pv1;
  std::vector<Row> rows = {
      // Programmes: read by everyone; written by admins and ward staff of
      // the programme's ward.
      {"ProposalService.GetProgramme", "programme of ward A",
       Req<GetProgrammeRequest>([&](auto& r) { r.set_name(w.programme); }),
       "AAAAAAAA"},
      {"ProposalService.ListProgrammes", "all",
       Req<ListProgrammesRequest>([&](auto&) {}), "AAAAAAAA"},
      {"ProposalService.CreateProgramme", "ward A",
       Req<CreateProgrammeRequest>([&](auto& r) {
         Programme* p = r.mutable_programme();
         p->set_display_name("麻生区町内会事業提案制度");
         p->set_ward(type::v1::ASAO);
         p->set_kind(Programme::NEIGHBOURHOOD_ASSOCIATION_PROPOSAL);
         p->set_consigning_unit(w.city_a);
         p->add_eligible_partner_kinds(partner::v1::NEIGHBOURHOOD_ASSOCIATION);
       }),
       "AADDDDDD"},
      {"ProposalService.UpdateProgramme", "programme of ward A",
       Req<UpdateProgrammeRequest>([&](auto& r) {
         r.mutable_programme()->set_name(w.programme);
         r.mutable_programme()->set_description("要綱改正");
         r.mutable_programme()->set_etag(kStaleEtag);
         r.mutable_update_mask()->add_paths("description");
       }),
       "AADDDDDD"},
      {"ProposalService.DeleteProgramme", "programme of ward A",
       Req<DeleteProgrammeRequest>([&](auto& r) {
         r.set_name(w.programme);
         r.set_etag(kStaleEtag);
       }),
       "AADDDDDD"},
      // Calls: everyone reads those announced; DRAFT calls do not exist for
      // callers other than admins and ward staff.
      {"ProposalService.GetCall", "UNDER_REVIEW call",
       Req<GetCallRequest>([&](auto& r) { r.set_name(w.call_review); }),
       "AAAAAAAA"},
      {"ProposalService.GetCall", "DRAFT call",
       Req<GetCallRequest>([&](auto& r) { r.set_name(w.call_draft); }),
       "AAAHHHHH"},
      {"ProposalService.ListCalls", "programme of ward A",
       Req<ListCallsRequest>([&](auto& r) { r.set_parent(w.programme); }),
       "AAAAAAAA"},
      {"ProposalService.CreateCall", "in the ward-A programme",
       Req<CreateCallRequest>([&](auto& r) {
         r.set_parent(w.programme);
         Call* c = r.mutable_call();
         c->set_display_name("令和9年度 公募");
         c->set_fiscal_year(2027);
         c->mutable_submission_start_time()->set_seconds(1830000000);
         c->mutable_submission_end_time()->set_seconds(1831000000);
         c->set_budget_yen(500000);
         auto* k = c->add_criteria();
         k->set_display_name("実現可能性");
         k->set_weight(1);
         k->set_max_score(5);
         c->set_min_reviews(1);
       }),
       "AADDDDDD"},
      {"ProposalService.UpdateCall", "UNDER_REVIEW call",
       Req<UpdateCallRequest>([&](auto& r) {
         r.mutable_call()->set_name(w.call_review);
         r.mutable_call()->set_description("説明");
         r.mutable_call()->set_etag(kStaleEtag);
         r.mutable_update_mask()->add_paths("description");
       }),
       "AADDDDDD"},
      {"ProposalService.PreviewDecision", "UNDER_REVIEW call",
       Req<PreviewDecisionRequest>([&](auto& r) { r.set_name(w.call_review); }),
       "AADDDDDD"},
      // Decisions: staff read them once made, the committee too, everyone
      // once published.
      {"ProposalService.GetDecision", "DECIDED call",
       Req<GetDecisionRequest>([&](auto& r) { r.set_name(w.call_decided); }),
       "AAAADDDD", true},
      {"ProposalService.GetDecision", "PUBLISHED call",
       Req<GetDecisionRequest>([&](auto& r) { r.set_name(w.call_published); }),
       "AAAAAAAA"},
      {"ProposalService.GetDecision", "UNDER_REVIEW call (not decided)",
       Req<GetDecisionRequest>([&](auto& r) { r.set_name(w.call_review); }),
       "AAADDDDD", true},
      // The committee: read by staff and its members; appointed by managers.
      {"ProposalService.GetReviewer", "member of the UNDER_REVIEW call",
       Req<GetReviewerRequest>([&](auto& r) { r.set_name(w.member_review); }),
       "AAAADDDD"},
      {"ProposalService.ListReviewers", "UNDER_REVIEW call",
       Req<ListReviewersRequest>([&](auto& r) { r.set_parent(w.call_review); }),
       "AAAADDDD"},
      {"ProposalService.CreateReviewer", "OPEN call",
       Req<CreateReviewerRequest>([&](auto& r) {
         r.set_parent(w.call_open);
         r.mutable_reviewer()->set_display_name("審査委員(追加)");
         r.mutable_reviewer()->set_principal("rev-new");
       }),
       "AADDDDDD"},
      {"ProposalService.UpdateReviewer", "member of the OPEN call",
       Req<UpdateReviewerRequest>([&](auto& r) {
         r.mutable_reviewer()->set_name(w.member_open);
         r.mutable_reviewer()->set_display_name("審査委員長");
         r.mutable_reviewer()->set_etag(kStaleEtag);
         r.mutable_update_mask()->add_paths("display_name");
       }),
       "AADDDDDD"},
      {"ProposalService.DeleteReviewer", "member of the OPEN call",
       Req<DeleteReviewerRequest>([&](auto& r) {
         r.set_name(w.member_open);
         r.set_etag(kStaleEtag);
       }),
       "AADDDDDD"},
      // A member declares its own conflicts (or the managers for it).
      {"ProposalService.DeclareConflict", "rev-a's seat, submitted proposal",
       Req<DeclareConflictRequest>([&](auto& r) {
         r.set_reviewer(w.member_open);
         r.set_proposal(w.proposal_submitted);
         r.set_note("知人が所属");
       }),
       "AADADDDD"},
      // Proposals: staff read all, the applicant its own, the committee the
      // submitted ones of its call, everyone those of published calls.
      {"ProposalService.GetProposal", "ELIGIBLE, UNDER_REVIEW call",
       Req<GetProposalRequest>([&](auto& r) { r.set_name(w.proposal_review); }),
       "AAAADADD"},
      {"ProposalService.GetProposal", "DRAFT in the OPEN call",
       Req<GetProposalRequest>([&](auto& r) { r.set_name(w.proposal_draft); }),
       "AAAHDADD"},
      {"ProposalService.GetProposal", "PUBLISHED call",
       Req<GetProposalRequest>(
           [&](auto& r) { r.set_name(w.proposal_published); }),
       "AAAAAAAA"},
      {"ProposalService.ListProposals", "UNDER_REVIEW call",
       Req<ListProposalsRequest>([&](auto& r) { r.set_parent(w.call_review); }),
       "AAAADAAD"},
      {"ProposalService.ListProposals", "every call",
       Req<ListProposalsRequest>(
           [&](auto& r) { r.set_parent("programmes/-/calls/-"); }),
       "AAAAAAAA"},
      // Counts what ListProposals would list, with the same refusals.
      {"ProposalService.SummarizeProposals", "UNDER_REVIEW call",
       Req<SummarizeProposalsRequest>(
           [&](auto& r) { r.set_parent(w.call_review); }),
       "AAAADAAD"},
      {"ProposalService.SummarizeProposals", "every call",
       Req<SummarizeProposalsRequest>(
           [&](auto& r) { r.set_parent("programmes/-/calls/-"); }),
       "AAAAAAAA"},
      {"ProposalService.CreateProposal", "civic_a in the OPEN call",
       Req<CreateProposalRequest>([&](auto& r) {
         r.set_parent(w.call_open);
         Proposal* p = r.mutable_proposal();
         p->set_applicant(w.civic_a);
         p->set_title("防災訓練");
         p->set_issue("防災意識");
         p->set_requested_amount_yen(50000);
       }),
       "AADDDADD"},
      {"ProposalService.UpdateProposal", "civic_a's DRAFT",
       Req<UpdateProposalRequest>([&](auto& r) {
         r.mutable_proposal()->set_name(w.proposal_draft);
         r.mutable_proposal()->set_plan("月1回の見守り");
         r.mutable_proposal()->set_etag(kStaleEtag);
         r.mutable_update_mask()->add_paths("plan");
       }),
       "AADDDADD"},
      {"ProposalService.WithdrawProposal", "civic_a's SUBMITTED",
       Req<WithdrawProposalRequest>([&](auto& r) {
         r.set_name(w.proposal_submitted);
         r.set_etag(kStaleEtag);
       }),
       "AADDDADD"},
      // Return for correction: the programme's managers.
      {"ProposalService.ReturnProposal", "civic_a's SUBMITTED",
       Req<ReturnProposalRequest>([&](auto& r) {
         r.set_name(w.proposal_submitted);
         r.set_note("収支予算書の内訳を記入してください");
         r.mutable_deadline()->set_seconds(
             absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 7)));
         r.set_etag(kStaleEtag);
       }),
       "AADDDDDD"},
      // Screening and the project link: the programme's managers.
      {"ProposalService.ScreenProposal", "civic_a's DRAFT",
       Req<ScreenProposalRequest>([&](auto& r) {
         r.set_name(w.proposal_draft);
         r.mutable_facts()->set_applicant_exists(true);
         r.mutable_facts()->set_continuation_year(1);
       }),
       "AADDDDDD"},
      {"ProposalService.LinkProject", "civic_a's DRAFT",
       Req<LinkProjectRequest>([&](auto& r) {
         r.set_name(w.proposal_draft);
         r.set_project(w.project);
       }),
       "AADDDDDD"},
      // Reviews: admins and ward staff (any ward: "read all") read all,
      // each member its own.
      {"ProposalService.GetReview", "rev-a's review",
       Req<GetReviewRequest>([&](auto& r) { r.set_name(w.review); }),
       "AAAADDDD"},
      {"ProposalService.ListReviews", "ELIGIBLE proposal under review",
       Req<ListReviewsRequest>(
           [&](auto& r) { r.set_parent(w.proposal_review); }),
       "AAAADDDD"},
      // Who scored what, never a score: staff and the committee.
      {"ProposalService.ListReviewProgress", "UNDER_REVIEW call",
       Req<ListReviewProgressRequest>(
           [&](auto& r) { r.set_parent(w.call_review); }),
       "AAAADDDD"},
      // Written by the member itself; a paper sheet (`reviewer` set) by the
      // programme's managers only (proposal_service.proto).
      {"ProposalService.SubmitReview", "as the caller itself",
       Req<SubmitReviewRequest>([&](auto& r) {
         r.set_parent(w.proposal_review);
         r.mutable_review()->add_scores(3);
         r.mutable_review()->set_etag(kStaleEtag);
       }),
       "DDDADDDD"},
      {"ProposalService.SubmitReview", "paper sheet of rev-a's seat",
       Req<SubmitReviewRequest>([&](auto& r) {
         r.set_parent(w.proposal_review);
         r.set_reviewer(w.member_review);
         r.mutable_review()->add_scores(3);
         r.mutable_review()->set_etag(kStaleEtag);
       }),
       "AADDDDDD"},
      {"ProposalService.ListAuditEvents", "programme of ward A",
       Req<type::v1::ListAuditEventsRequest>(
           [&](auto& r) { r.set_resource(w.programme); }),
       "AADDDDDD"},
      // The change feed: every role reads it, each event as its reader may
      // see the resource (tests/proposal-service/events_test.cc).
      {"ProposalService.ListEvents", "the whole feed",
       Req<ListEventsRequest>([&](auto& r) { r.set_page_size(500); }),
       "AAAAAAAA"},
      // A stream lasts until its deadline: a cursor that is not one ends it
      // at once, past the role check (which refuses the screener).
      {"ProposalService.WatchEvents", "a bad cursor",
       Req<WatchEventsRequest>([&](auto& r) { r.set_after("x"); }), "AAAAAAAA"},
      // A proposal's documents follow the proposal: its applicant, staff
      // and (once submitted) the call's committee read them, to whom a
      // draft does not exist; its applicant and the call's managers change
      // them while it is a draft (an allowed upload of no content stops
      // at DOCUMENT_EMPTY, an allowed change of a submitted one at
      // DOCUMENTS_FROZEN).
      {"ProposalService.ListDocuments", "civic_a's DRAFT",
       Req<type::v1::ListDocumentsRequest>(
           [&](auto& r) { r.set_parent(w.proposal_draft); }),
       "AAAHDADD"},
      {"ProposalService.GetDocument", "of civic_a's DRAFT",
       Req<type::v1::GetDocumentRequest>(
           [&](auto& r) { r.set_name(w.document_draft); }),
       "AAAHDADD"},
      {"ProposalService.DownloadDocument", "of civic_a's DRAFT",
       Req<type::v1::DownloadDocumentRequest>(
           [&](auto& r) { r.set_name(w.document_draft); }),
       "AAAHDADD"},
      {"ProposalService.UploadDocument", "to civic_a's DRAFT",
       Req<type::v1::UploadDocumentRequest>([&](auto& r) {
         r.mutable_upload()->set_parent(w.proposal_draft);
         r.mutable_upload()->set_kind(type::v1::BUDGET);
         r.mutable_upload()->set_file_name("収支予算書.pdf");
       }),
       "AADHDADD"},
      {"ProposalService.DeleteDocument", "of civic_a's DRAFT",
       Req<type::v1::DeleteDocumentRequest>([&](auto& r) {
         r.set_name(w.document_draft);
         r.set_etag(kStaleEtag);
       }),
       "AADHDADD"},
      {"ProposalService.ListDocuments", "civic_a's ELIGIBLE under review",
       Req<type::v1::ListDocumentsRequest>(
           [&](auto& r) { r.set_parent(w.proposal_review); }),
       "AAAADADD"},
      {"ProposalService.DownloadDocument", "of civic_a's ELIGIBLE",
       Req<type::v1::DownloadDocumentRequest>(
           [&](auto& r) { r.set_name(w.document_review); }),
       "AAAADADD"},
      {"ProposalService.UploadDocument", "to civic_a's ELIGIBLE (frozen)",
       Req<type::v1::UploadDocumentRequest>([&](auto& r) {
         r.mutable_upload()->set_parent(w.proposal_review);
         r.mutable_upload()->set_kind(type::v1::BUDGET);
         r.mutable_upload()->set_file_name("収支予算書.pdf");
       }),
       "AADDDADD"},
  };
  // Transitions and deletes of a call, by its managers.
  auto call_change = [&](const char* method, auto tag, const std::string& call,
                         const char* what) {
    using T = decltype(tag);
    rows.push_back({absl::StrCat("ProposalService.", method), what,
                    Req<T>([&](auto& r) {
                      r.set_name(call);
                      r.set_etag(kStaleEtag);
                    }),
                    "AADDDDDD"});
  };
  call_change("DeleteCall", DeleteCallRequest(), w.call_draft, "DRAFT call");
  call_change("OpenCall", OpenCallRequest(), w.call_draft, "DRAFT call");
  call_change("CloseCall", CloseCallRequest(), w.call_open, "OPEN call");
  call_change("StartReview", StartReviewRequest(), w.call_review,
              "UNDER_REVIEW call");
  call_change("DecideCall", DecideCallRequest(), w.call_review,
              "UNDER_REVIEW call");
  call_change("AdvanceStage", AdvanceStageRequest(), w.call_review,
              "UNDER_REVIEW call");
  // The dry run reads the stage's results: the same managers only.
  rows.push_back({"ProposalService.AdvanceStage",
                  "UNDER_REVIEW call, validate_only",
                  Req<AdvanceStageRequest>([&](auto& r) {
                    r.set_name(w.call_review);
                    r.set_validate_only(true);
                  }),
                  "AADDDDDD"});
  call_change("PublishResults", PublishResultsRequest(), w.call_decided,
              "DECIDED call");
  // The applicant's own changes (and the managers').
  auto own_change = [&](const char* method, auto tag) {
    using T = decltype(tag);
    rows.push_back({absl::StrCat("ProposalService.", method), "civic_a's DRAFT",
                    Req<T>([&](auto& r) {
                      r.set_name(w.proposal_draft);
                      r.set_etag(kStaleEtag);
                    }),
                    "AADDDADD"});
  };
  own_change("DeleteProposal", DeleteProposalRequest());
  own_change("SubmitProposal", SubmitProposalRequest());
  return rows;
}

std::vector<Row> GatewayRows(const World& w) {
  using namespace gv1;
  return {
      // Submits with the caller's rights (applicant or managers).
      {"Gateway.SubmitProposal", "civic_a's DRAFT",
       Req<SubmitProposalRequest>([&](auto& r) {
         r.set_name(w.proposal_draft);
         r.set_etag(kStaleEtag);
       }),
       "AADDDADD"},
      // Decides: the programme's managers.
      {"Gateway.FinalizeCall", "OPEN call (not decidable)",
       Req<FinalizeCallRequest>([&](auto& r) { r.set_name(w.call_open); }),
       "AADDDDDD"},
      // Publishes (and makes the projects): the programme's managers.
      {"Gateway.PublishResults", "OPEN call (not decided)",
       Req<PublishResultsRequest>([&](auto& r) { r.set_name(w.call_open); }),
       "AADDDDDD"},
      {"Gateway.GetProjectDossier", "ward-A project",
       Req<GetProjectDossierRequest>([&](auto& r) { r.set_name(w.project); }),
       "AAAAAAAA"},
      {"Gateway.GetPartnerProfile", "civic_a",
       Req<GetPartnerProfileRequest>([&](auto& r) { r.set_name(w.civic_a); }),
       "AAAAAAAA"},
      {"Gateway.GetWardDashboard", "ward A",
       Req<GetWardDashboardRequest>([&](auto& r) {
         r.set_ward(type::v1::ASAO);
         r.set_fiscal_year(2026);
       }),
       "AAAAAAAA"},
      // Open data: viewers too.
      {"Gateway.ExportOpenData", "results as CSV",
       Req<ExportOpenDataRequest>([&](auto& r) {
         r.set_format(ExportOpenDataRequest::CSV);
         r.set_dataset(ExportOpenDataRequest::RESULTS);
       }),
       "AAAAAAAA"},
  };
}

std::vector<Row> AllRows(const World& w) {
  std::vector<Row> rows;
  for (auto part :
       {PartnerRows(w), ProjectRows(w), ProposalRows(w), GatewayRows(w)}) {
    rows.insert(rows.end(), part.begin(), part.end());
  }
  return rows;
}

std::string ShortName(const google::protobuf::MethodDescriptor* m) {
  return absl::StrCat(m->service()->name(), ".", m->name());
}

bool Matches(char expect, grpc::StatusCode code) {
  switch (expect) {
    case 'D':
      return code == grpc::StatusCode::PERMISSION_DENIED;
    case 'H':
      return code == grpc::StatusCode::NOT_FOUND;
    case 'A':
      return code != grpc::StatusCode::PERMISSION_DENIED &&
             code != grpc::StatusCode::UNAUTHENTICATED &&
             code != grpc::StatusCode::NOT_FOUND &&
             code != grpc::StatusCode::UNIMPLEMENTED &&
             code != grpc::StatusCode::INTERNAL &&
             code != grpc::StatusCode::UNKNOWN &&
             code != grpc::StatusCode::UNAVAILABLE &&
             code != grpc::StatusCode::DEADLINE_EXCEEDED;
  }
  return false;
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    default:
      return "OTHER";
  }
}

// The request of `row` with the record it names replaced by one that does
// not exist (same collection, same parents), or nullptr when it names none:
// a caller denied the real record must not learn from the answer whether
// the record exists (docs/API.md: PERMISSION_DENIED is checked before
// existence).
MessagePtr Probe(const Row& row) {
  std::shared_ptr<Message> m(row.request->New());
  m->CopyFrom(*row.request);
  auto replace = [](Message* message, const char* field_name) {
    const auto* f = message->GetDescriptor()->FindFieldByName(field_name);
    if (f == nullptr || f->is_repeated() ||
        f->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      return false;
    }
    const std::string value = message->GetReflection()->GetString(*message, f);
    const size_t slash = value.rfind('/');
    if (value.empty() || slash == std::string::npos ||
        value.substr(0, slash) == "programmes/-/calls") {
      return false;
    }
    message->GetReflection()->SetString(
        message, f, value.substr(0, slash + 1) + "zzzzzzzzzzzz");
    return true;
  };
  for (const char* field : {"name", "reviewer", "resource", "parent"}) {
    if (replace(m.get(), field)) return m;
  }
  // Update requests name the record inside it.
  const auto* d = m->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
        !f->is_repeated() && m->GetReflection()->HasField(*m, f) &&
        replace(m->GetReflection()->MutableMessage(m.get(), f), "name")) {
      return m;
    }
  }
  return nullptr;
}

class SecurityMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<testing::Cluster>("secmatrix");
  }
  std::unique_ptr<testing::Cluster> cluster_;
};

// Every method, without a token and with bad ones, through the gateway and
// straight to its service: UNAUTHENTICATED (a service is never open because
// the gateway was bypassed).
TEST_F(SecurityMatrixTest, EveryMethodRefusesMissingAndBadTokens) {
  common::auth::MintOptions wrong_key;
  wrong_key.issuer = testing::kTestIssuer;
  wrong_key.audience = testing::kTestAudience;
  wrong_key.key = "another-signing-key-0123456789abcdef";
  common::auth::Principal admin{"intruder", common::auth::Role::kAdmin};
  common::auth::MintOptions wrong_issuer = wrong_key;
  wrong_issuer.key = testing::kTestJwtKey;
  wrong_issuer.issuer = "someone-else";
  common::auth::MintOptions wrong_audience = wrong_issuer;
  wrong_audience.issuer = testing::kTestIssuer;
  wrong_audience.audience = "another-system";
  // Unsigned ("alg": "none") with claims that would otherwise pass.
  const std::string unsigned_token = absl::StrCat(
      absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})"), ".",
      absl::WebSafeBase64Escape(absl::StrCat(
          R"({"sub":"intruder","role":"admin","iss":")", testing::kTestIssuer,
          R"(","aud":")", testing::kTestAudience, R"(","exp":)",
          absl::ToUnixSeconds(absl::Now() + absl::Hours(1)), "}")),
      ".");
  const std::map<std::string, std::string> tokens = {
      {"none", ""},
      {"garbage", "not-a-token"},
      {"wrong key", *common::auth::MintToken(admin, wrong_key)},
      {"wrong issuer", *common::auth::MintToken(admin, wrong_issuer)},
      {"wrong audience", *common::auth::MintToken(admin, wrong_audience)},
      {"alg none", unsigned_token},
      {"expired", testing::TokenFor(admin, absl::Seconds(-120))},
  };
  int calls = 0;
  for (const auto* method : AllMethods()) {
    const auto request = NewRequest(method);
    std::vector<testing::Service> routes = {testing::Service::kGateway};
    if (ServiceOf(method) != testing::Service::kGateway)
      routes.push_back(ServiceOf(method));
    for (testing::Service route : routes) {
      for (const auto& [label, token] : tokens) {
        const Outcome out =
            Invoke(cluster_->Channel(route), method, *request, token);
        EXPECT_EQ(out.status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << ShortName(method) << " with token " << label
            << (route == testing::Service::kGateway ? " via the gateway"
                                                    : " direct")
            << ": " << CodeName(out.status.error_code()) << " "
            << out.status.error_message();
        ++calls;
      }
    }
  }
  EXPECT_GT(calls, 500);
}

// The gateway's own screening credential (role screener): every method of
// every service, through the gateway and direct, refuses it before looking
// at the request, but ProposalService.ScreenProposal and the reads it
// gathers the facts with (PartnerService.GetPartner, ProjectService.GetProject
// and ListProjects).
TEST_F(SecurityMatrixTest, ScreenerTokenCanOnlyScreen) {
  const std::string screener =
      testing::TokenFor({"gateway", common::auth::Role::kScreener});
  int calls = 0;
  for (const auto* method : AllMethods()) {
    const auto request = NewRequest(method);
    std::vector<testing::Service> routes = {testing::Service::kGateway};
    if (ServiceOf(method) != testing::Service::kGateway)
      routes.push_back(ServiceOf(method));
    const std::string name = ShortName(method);
    const bool screening = name == "ProposalService.ScreenProposal" ||
                           name == "PartnerService.GetPartner" ||
                           name == "ProjectService.GetProject" ||
                           name == "ProjectService.ListProjects";
    for (testing::Service route : routes) {
      const Outcome out =
          Invoke(cluster_->Channel(route), method, *request, screener);
      const grpc::StatusCode code = out.status.error_code();
      if (screening) {
        EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED)
            << out.status.error_message();
        EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED);
      } else {
        EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED)
            << ShortName(method)
            << (route == testing::Service::kGateway ? " via the gateway"
                                                    : " direct")
            << ": " << CodeName(code) << " " << out.status.error_message();
      }
      ++calls;
    }
  }
  EXPECT_GT(calls, 60);
}

// The notifier's credential (role notifier, notifier/): every method of
// every service, through the gateway and direct, refuses it before looking
// at the request, but the reads the notifier makes: proposal-service's feed
// (ListEvents, WatchEvents), GetCall and ListReviewers, and
// partner-service's GetPartner.
TEST_F(SecurityMatrixTest, NotifierTokenCanOnlyReadWhatItMails) {
  const std::string notifier =
      testing::TokenFor({"notifier", common::auth::Role::kNotifier});
  const std::set<std::string> allowed = {
      "ProposalService.ListEvents", "ProposalService.WatchEvents",
      "ProposalService.GetCall", "ProposalService.ListReviewers",
      "PartnerService.GetPartner"};
  int calls = 0;
  std::set<std::string> seen;
  for (const auto* method : AllMethods()) {
    const auto request = NewRequest(method);
    // A stream with a bad cursor ends at once (past the role check) rather
    // than at the deadline.
    if (const auto* after = request->GetDescriptor()->FindFieldByName("after");
        after != nullptr && method->server_streaming()) {
      request->GetReflection()->SetString(request.get(), after, "x");
    }
    std::vector<testing::Service> routes = {testing::Service::kGateway};
    if (ServiceOf(method) != testing::Service::kGateway)
      routes.push_back(ServiceOf(method));
    const std::string name = ShortName(method);
    for (testing::Service route : routes) {
      const Outcome out =
          Invoke(cluster_->Channel(route), method, *request, notifier);
      const grpc::StatusCode code = out.status.error_code();
      if (allowed.count(name)) {
        seen.insert(name);
        EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED)
            << name << ": " << out.status.error_message();
        EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED) << name;
      } else {
        EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED)
            << name
            << (route == testing::Service::kGateway ? " via the gateway"
                                                    : " direct")
            << ": " << CodeName(code) << " " << out.status.error_message();
      }
      ++calls;
    }
  }
  EXPECT_EQ(seen, allowed);
  EXPECT_GT(calls, 60);
}

// Every method and caller as docs/API.md and the services' documented rules
// say.
TEST_F(SecurityMatrixTest, EveryMethodAndCallerAsDocumented) {
  World world;
  ASSERT_NO_FATAL_FAILURE(Seed(*cluster_, &world));
  const std::vector<Row> rows = AllRows(world);

  // The table covers every method and names only real ones.
  std::set<std::string> methods, covered;
  std::map<std::string, const google::protobuf::MethodDescriptor*> by_name;
  for (const auto* m : AllMethods()) {
    methods.insert(ShortName(m));
    by_name[ShortName(m)] = m;
  }
  for (const Row& row : rows) {
    EXPECT_TRUE(methods.count(row.method)) << "no such method: " << row.method;
    EXPECT_EQ(row.expect.size(), static_cast<size_t>(kWhoCount)) << row.method;
    covered.insert(row.method);
  }
  for (const std::string& m : methods) {
    EXPECT_TRUE(covered.count(m)) << m << " has no row in the security matrix";
  }

  std::ostringstream table;
  int cells = 0, allowed = 0, denied = 0, hidden = 0, mismatches = 0;
  table << "method | situation | route";
  for (int who = 0; who < kWhoCount; ++who) table << " | " << WhoName(Who(who));
  table << "\n";
  for (const Row& row : rows) {
    auto it = by_name.find(row.method);
    if (it == by_name.end()) continue;
    const auto* method = it->second;
    std::vector<testing::Service> routes = {testing::Service::kGateway};
    if (ServiceOf(method) != testing::Service::kGateway)
      routes.push_back(ServiceOf(method));
    for (testing::Service route : routes) {
      const bool via_gateway = route == testing::Service::kGateway;
      table << row.method << " | " << row.scenario << " | "
            << (via_gateway ? "gateway" : "direct");
      for (int who = 0; who < kWhoCount; ++who) {
        const char expect = row.expect[who];
        const Outcome out = Invoke(cluster_->Channel(route), method,
                                   *row.request, world.token(Who(who)));
        const grpc::StatusCode code = out.status.error_code();
        const bool ok = Matches(expect, code);
        table << " | " << expect << (ok ? "" : "!") << " " << CodeName(code);
        if (via_gateway) {
          ++cells;
          allowed += expect == 'A';
          denied += expect == 'D';
          hidden += expect == 'H';
        }
        if (!ok) {
          ++mismatches;
          ADD_FAILURE() << row.method << " (" << row.scenario << ") as "
                        << WhoName(Who(who))
                        << (via_gateway ? " via the gateway" : " direct")
                        << ": expected "
                        << (expect == 'A'   ? "allowed"
                            : expect == 'D' ? "PERMISSION_DENIED"
                                            : "NOT_FOUND")
                        << ", got " << CodeName(code) << ": "
                        << out.status.error_message();
        }
      }
      table << "\n";
    }
  }
  std::printf(
      "security matrix: %zu methods, %zu rows, %d method x caller cells "
      "(%d allowed, %d denied, %d hidden), %d mismatches\n%s",
      methods.size(), rows.size(), cells, allowed, denied, hidden, mismatches,
      table.str().c_str());

  // Probing: the same requests naming records that do not exist. Callers
  // denied above stay denied (ward staff, who read every record of the
  // services, may be told NOT_FOUND instead: the services document it).
  int probes = 0;
  for (const Row& row : rows) {
    auto it = by_name.find(row.method);
    if (it == by_name.end() || row.expect.find('D') == std::string::npos)
      continue;
    const MessagePtr probe = Probe(row);
    if (probe == nullptr) continue;
    for (int who = 0; who < kWhoCount; ++who) {
      if (row.expect[who] != 'D') continue;
      const Outcome out = Invoke(cluster_->Channel(testing::Service::kGateway),
                                 it->second, *probe, world.token(Who(who)));
      const grpc::StatusCode code = out.status.error_code();
      const bool staff = who == kStaffA || who == kStaffB;
      const bool ok =
          code == grpc::StatusCode::PERMISSION_DENIED ||
          ((staff || row.public_record) && code == grpc::StatusCode::NOT_FOUND);
      ++probes;
      if (!ok) {
        ADD_FAILURE() << row.method << " (" << row.scenario
                      << ", record missing) as " << WhoName(Who(who))
                      << ": expected PERMISSION_DENIED as for the "
                      << "real record, got " << CodeName(code) << ": "
                      << out.status.error_message();
      }
    }
  }
  std::printf("probes with missing records: %d\n", probes);
}

// What an allowed read shows: partners' personal contacts only to admins,
// ward staff and the partner itself (on every path that returns a partner);
// of a published proposal, viewers and other applicants see the public
// fields only (access.h), and never a reviewer's scores.
TEST_F(SecurityMatrixTest, ConfidentialFieldsOnlyReachThoseWhoMaySeeThem) {
  World world;
  ASSERT_NO_FATAL_FAILURE(Seed(*cluster_, &world));
  auto gateway = cluster_->Channel(testing::Service::kGateway);
  // Any one of the contact's fields counts (each is redacted on its own).
  auto shows_contacts = [&](const Outcome& out) {
    for (const std::string& r : out.responses) {
      for (const char* marker :
           {kContactPerson, kContactEmail, kContactPhone}) {
        if (r.find(marker) != std::string::npos) return true;
      }
    }
    return false;
  };
  std::map<std::string,
           std::pair<const google::protobuf::MethodDescriptor*, MessagePtr>>
      reads;
  std::map<std::string, const google::protobuf::MethodDescriptor*> by_name;
  for (const auto* m : AllMethods()) by_name[ShortName(m)] = m;
  reads["GetPartner"] = {by_name["PartnerService.GetPartner"],
                         Req<pav1::GetPartnerRequest>(
                             [&](auto& r) { r.set_name(world.civic_a); })};
  reads["PartnerService.ListEvents"] = {
      by_name["PartnerService.ListEvents"],
      Req<pav1::ListEventsRequest>([&](auto& r) {
        r.set_resource(world.civic_a);
        r.set_page_size(500);
      })};
  reads["ListPartners"] = {by_name["PartnerService.ListPartners"],
                           Req<pav1::ListPartnersRequest>([&](auto&) {})};
  reads["SearchPartners"] = {by_name["PartnerService.SearchPartners"],
                             Req<pav1::SearchPartnersRequest>(
                                 [&](auto& r) { r.set_query("みまもり"); })};
  reads["BatchGetPartners"] = {by_name["PartnerService.BatchGetPartners"],
                               Req<pav1::BatchGetPartnersRequest>([&](auto& r) {
                                 r.add_names(world.civic_a);
                               })};
  reads["GetPartnerProfile"] = {
      by_name["Gateway.GetPartnerProfile"],
      Req<gv1::GetPartnerProfileRequest>(
          [&](auto& r) { r.set_name(world.civic_a); })};
  reads["GetProjectDossier"] = {
      by_name["Gateway.GetProjectDossier"],
      Req<gv1::GetProjectDossierRequest>(
          [&](auto& r) { r.set_name(world.project); })};
  reads["ExportOpenData"] = {
      by_name["Gateway.ExportOpenData"],
      Req<gv1::ExportOpenDataRequest>([&](auto& r) {
        r.set_format(gv1::ExportOpenDataRequest::JSON_LINES);
        r.set_dataset(gv1::ExportOpenDataRequest::RESULTS);
      })};
  for (int who = 0; who < kWhoCount; ++who) {
    const bool may =
        who == kAdmin || who == kStaffA || who == kStaffB || who == kApplicant;
    for (const auto& [label, read] : reads) {
      const Outcome out =
          Invoke(gateway, read.first, *read.second, world.token(Who(who)));
      ASSERT_TRUE(out.status.ok()) << label << " as " << WhoName(Who(who))
                                   << ": " << out.status.error_message();
      const bool expected = may && label != "ExportOpenData";
      EXPECT_EQ(shows_contacts(out), expected)
          << label << " as " << WhoName(Who(who))
          << (expected ? " hides the contacts" : " shows the contacts");
    }
  }
  // The published proposal: public fields for everyone but staff, the
  // applicant and (its call's) committee.
  auto proposals = pv1::ProposalService::NewStub(gateway);
  for (int who = 0; who < kWhoCount; ++who) {
    pv1::GetProposalRequest get;
    get.set_name(world.proposal_published);
    pv1::Proposal p;
    grpc::Status s = proposals->GetProposal(
        testing::Context(world.token(Who(who))).get(), get, &p);
    ASSERT_TRUE(s.ok()) << WhoName(Who(who)) << ": " << s.error_message();
    const bool full = who == kAdmin || who == kStaffA || who == kStaffB ||
                      who == kApplicant || who == kReviewer;
    EXPECT_EQ(!p.issue().empty(), full) << WhoName(Who(who)) << " issue";
    EXPECT_EQ(!p.plan().empty(), full) << WhoName(Who(who)) << " plan";
    EXPECT_EQ(p.has_screening(), full) << WhoName(Who(who)) << " screening";
    EXPECT_TRUE(p.has_result()) << WhoName(Who(who));
    EXPECT_FALSE(p.result().score().empty()) << WhoName(Who(who));
  }
}

}  // namespace
}  // namespace kyodo::security
