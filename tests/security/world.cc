#include "tests/security/world.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/store/doc.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "kyodo/gateway/v1/gateway.grpc.pb.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/documents.h"

namespace kyodo::security {
namespace {

namespace pav1 = partner::v1;
namespace prv1 = project::v1;
namespace pv1 = proposal::v1;
using testing::Context;

// Asserts a call made in Seed; `what` says which.
#define SEED_OK(what, call)                                                   \
  do {                                                                        \
    const grpc::Status seed_status = (call);                                  \
    ASSERT_TRUE(seed_status.ok()) << what << ": " << seed_status.error_code() \
                                  << " " << seed_status.error_message();      \
  } while (0)

struct Stubs {
  std::unique_ptr<pav1::PartnerService::Stub> partners;
  std::unique_ptr<prv1::ProjectService::Stub> projects;
  std::unique_ptr<pv1::ProposalService::Stub> proposals;
};

void Partner(Stubs& s, const std::string& admin, pav1::PartnerKind kind,
             const std::string& display_name, type::v1::Ward ward,
             bool contacts, std::string* name) {
  pav1::CreatePartnerRequest request;
  pav1::Partner* p = request.mutable_partner();
  p->set_kind(kind);
  p->set_display_name(display_name);
  p->set_ward(ward);
  if (contacts) {
    pav1::Contact* c = p->add_contacts();
    c->set_person_name(kContactPerson);
    c->set_email(kContactEmail);
    c->set_phone(kContactPhone);
  }
  pav1::Partner out;
  SEED_OK(display_name,
          s.partners->CreatePartner(Context(admin).get(), request, &out));
  *name = out.name();
}

// A call of `w.programme` in window [start, end] from now, with rev-a (or
// `principal`) as its only committee member.
void NewCall(Stubs& s, const World& w, const std::string& label,
             absl::Duration start, absl::Duration end,
             const std::string& principal, std::string* call,
             std::string* member) {
  const std::string& admin = w.token(kAdmin);
  pv1::CreateCallRequest create;
  create.set_parent(w.programme);
  pv1::Call* c = create.mutable_call();
  c->set_display_name(absl::StrCat("令和8年度 ", label));
  c->set_fiscal_year(2026);
  *c->mutable_submission_start_time() =
      common::store::ToTimestamp(absl::Now() + start);
  *c->mutable_submission_end_time() =
      common::store::ToTimestamp(absl::Now() + end);
  c->set_budget_yen(1000000);
  auto* criterion = c->add_criteria();
  criterion->set_display_name("地域課題との関連性");
  criterion->set_weight(1);
  criterion->set_max_score(5);
  c->set_pass_mark(0);
  c->set_min_reviews(1);
  pv1::Call created;
  SEED_OK(label,
          s.proposals->CreateCall(Context(admin).get(), create, &created));
  *call = created.name();
  pv1::CreateReviewerRequest add;
  add.set_parent(*call);
  add.mutable_reviewer()->set_display_name(
      absl::StrCat("審査委員 ", principal));
  add.mutable_reviewer()->set_principal(principal);
  pv1::Reviewer reviewer;
  SEED_OK(label,
          s.proposals->CreateReviewer(Context(admin).get(), add, &reviewer));
  if (member != nullptr) *member = reviewer.name();
}

void Open(Stubs& s, const std::string& admin, const std::string& call) {
  pv1::OpenCallRequest open;
  open.set_name(call);
  pv1::Call out;
  SEED_OK("open " + call,
          s.proposals->OpenCall(Context(admin).get(), open, &out));
}

void Draft(Stubs& s, const World& w, const std::string& call,
           std::string* proposal) {
  pv1::CreateProposalRequest create;
  create.set_parent(call);
  pv1::Proposal* p = create.mutable_proposal();
  p->set_applicant(w.civic_a);
  p->set_title("地域の見守り活動");
  p->set_issue("地域のつながりの希薄化");
  p->set_plan("交流行事と見守り");
  p->set_requested_amount_yen(100000);
  pv1::Proposal out;
  SEED_OK("draft in " + call,
          s.proposals->CreateProposal(Context(w.token(kApplicant)).get(),
                                      create, &out));
  *proposal = out.name();
}

// A 企画書 of civic_a attached to `proposal` through the gateway: a PDF of
// 300 KiB in pieces of 64 KiB, so the gateway relays a stream of requests.
void Attach(Stubs& s, const World& w, const std::string& proposal,
            std::string* document) {
  type::v1::Document out;
  SEED_OK("document of " + proposal,
          testing::UploadDocument(
              *s.proposals, w.token(kApplicant),
              testing::Upload(proposal, type::v1::PLAN, "企画書.pdf"),
              testing::PdfOfSize(300 << 10), &out));
  *document = out.name();
}

// A call that went through its window in the past, up to `until`
// (UNDER_REVIEW, DECIDED or PUBLISHED), with one eligible proposal of
// civic_a reviewed by rev-a.
void PastCall(Stubs& s, const World& w, const std::string& label,
              pv1::Call::State until, std::string* call, std::string* member,
              std::string* proposal, std::string* review,
              std::string* document = nullptr) {
  const std::string& admin = w.token(kAdmin);
  ASSERT_NO_FATAL_FAILURE(NewCall(s, w, label, absl::Hours(-3), absl::Hours(-2),
                                  "rev-a", call, member));
  ASSERT_NO_FATAL_FAILURE(Open(s, admin, *call));
  ASSERT_NO_FATAL_FAILURE(Draft(s, w, *call, proposal));
  if (document != nullptr) {
    ASSERT_NO_FATAL_FAILURE(Attach(s, w, *proposal, document));
  }
  // Received on paper inside the window.
  pv1::SubmitProposalRequest submit;
  submit.set_name(*proposal);
  *submit.mutable_received_time() =
      common::store::ToTimestamp(absl::Now() - absl::Minutes(150));
  pv1::Proposal p;
  SEED_OK(label, s.proposals->SubmitProposal(Context(admin).get(), submit, &p));
  pv1::ScreenProposalRequest screen;
  screen.set_name(*proposal);
  pv1::EligibilityFacts* facts = screen.mutable_facts();
  facts->set_applicant_exists(true);
  facts->set_applicant_active(true);
  facts->set_applicant_kind(pav1::CIVIC_GROUP);
  facts->set_applicant_ward(type::v1::ASAO);
  facts->set_continuation_year(1);
  SEED_OK(label, s.proposals->ScreenProposal(Context(admin).get(), screen, &p));
  ASSERT_EQ(p.state(), pv1::Proposal::ELIGIBLE) << p.DebugString();
  pv1::Call c;
  pv1::CloseCallRequest close;
  close.set_name(*call);
  SEED_OK(label, s.proposals->CloseCall(Context(admin).get(), close, &c));
  pv1::StartReviewRequest start;
  start.set_name(*call);
  SEED_OK(label, s.proposals->StartReview(Context(admin).get(), start, &c));
  pv1::SubmitReviewRequest write;
  write.set_parent(*proposal);
  write.mutable_review()->add_scores(4);
  write.mutable_review()->set_comment("地域性が高い");
  pv1::Review r;
  SEED_OK(label, s.proposals->SubmitReview(Context(w.token(kReviewer)).get(),
                                           write, &r));
  if (review != nullptr) *review = r.name();
  if (until == pv1::Call::UNDER_REVIEW) return;
  pv1::DecideCallRequest decide;
  decide.set_name(*call);
  pv1::Decision decision;
  SEED_OK(label,
          s.proposals->DecideCall(Context(admin).get(), decide, &decision));
  if (until == pv1::Call::DECIDED) return;
  pv1::PublishResultsRequest publish;
  publish.set_name(*call);
  SEED_OK(label,
          s.proposals->PublishResults(Context(admin).get(), publish, &c));
}

void SeedRecords(Stubs& s, World* w) {
  const std::string& admin = w->token(kAdmin);
  {
    pav1::CreateAgreementRequest r;
    r.mutable_agreement()->set_display_name("地域見守りに関する協定");
    r.mutable_agreement()->set_kind(pav1::Agreement::THEME);
    r.mutable_agreement()->add_parties(w->civic_a);
    r.mutable_agreement()->add_parties(w->city_a);
    pav1::Agreement out;
    SEED_OK("agreement",
            s.partners->CreateAgreement(Context(admin).get(), r, &out));
    w->agreement = out.name();
    type::v1::Document document;
    SEED_OK("agreement's document",
            testing::UploadDocument(
                *s.partners, admin,
                testing::Upload(w->agreement, type::v1::OTHER, "協定書.pdf"),
                testing::PdfOfSize(2000), &document));
    w->document_agreement = document.name();
  }
  {
    pav1::CreateNetworkRequest r;
    r.mutable_network()->set_display_name("麻生区見守りネットワーク");
    r.mutable_network()->set_convening_unit(w->city_a);
    r.mutable_network()->add_members(w->civic_a);
    pav1::Network out;
    SEED_OK("network",
            s.partners->CreateNetwork(Context(admin).get(), r, &out));
    w->network = out.name();
  }
  {
    prv1::CreateProjectRequest r;
    prv1::Project* p = r.mutable_project();
    p->set_title("百合丘見守り事業");
    p->set_issue("高齢者の孤立");
    p->set_programme(prv1::OTHER_PROGRAMME);
    p->set_fiscal_year(2025);
    auto* lead = p->add_participants();
    lead->set_partner(w->civic_a);
    lead->set_role(prv1::Participant::LEAD);
    auto* city = p->add_participants();
    city->set_partner(w->city_a);
    city->set_role(prv1::Participant::CITY);
    prv1::Project out;
    SEED_OK("project",
            s.projects->CreateProject(Context(admin).get(), r, &out));
    w->project = out.name();
    type::v1::Document document;
    SEED_OK("project's document",
            testing::UploadDocument(
                *s.projects, admin,
                testing::Upload(w->project, type::v1::REPORT, "収支決算書.pdf"),
                testing::PdfOfSize(2000), &document));
    w->document_project = document.name();
  }
  {
    pv1::CreateProgrammeRequest r;
    pv1::Programme* p = r.mutable_programme();
    p->set_display_name("麻生区市民提案型事業");
    p->set_ward(type::v1::ASAO);
    p->set_kind(pv1::Programme::WARD_CITIZEN_PROPOSAL);
    p->set_consigning_unit(w->city_a);
    p->add_eligible_partner_kinds(pav1::CIVIC_GROUP);
    auto* cap = p->add_amount_caps();
    cap->set_continuation_year(1);
    cap->set_max_amount_yen(700000);
    p->set_max_continuation_years(3);
    pv1::Programme out;
    SEED_OK("programme",
            s.proposals->CreateProgramme(Context(admin).get(), r, &out));
    w->programme = out.name();
  }
  ASSERT_NO_FATAL_FAILURE(NewCall(s, *w, "公募(受付中)", absl::Hours(-1),
                                  absl::Hours(24 * 30), "rev-a", &w->call_open,
                                  &w->member_open));
  ASSERT_NO_FATAL_FAILURE(Open(s, admin, w->call_open));
  ASSERT_NO_FATAL_FAILURE(Draft(s, *w, w->call_open, &w->proposal_draft));
  ASSERT_NO_FATAL_FAILURE(Attach(s, *w, w->proposal_draft, &w->document_draft));
  ASSERT_NO_FATAL_FAILURE(Draft(s, *w, w->call_open, &w->proposal_submitted));
  {
    pv1::SubmitProposalRequest submit;
    submit.set_name(w->proposal_submitted);
    pv1::Proposal p;
    SEED_OK("submit", s.proposals->SubmitProposal(
                          Context(w->token(kApplicant)).get(), submit, &p));
  }
  ASSERT_NO_FATAL_FAILURE(NewCall(s, *w, "公募(別の審査会)", absl::Hours(-1),
                                  absl::Hours(24 * 30), "rev-x", &w->call_other,
                                  nullptr));
  ASSERT_NO_FATAL_FAILURE(Open(s, admin, w->call_other));
  ASSERT_NO_FATAL_FAILURE(NewCall(s, *w, "公募(準備中)", absl::Hours(24),
                                  absl::Hours(48), "rev-a", &w->call_draft,
                                  nullptr));
  ASSERT_NO_FATAL_FAILURE(PastCall(
      s, *w, "公募(審査中)", pv1::Call::UNDER_REVIEW, &w->call_review,
      &w->member_review, &w->proposal_review, &w->review, &w->document_review));
  std::string unused;
  ASSERT_NO_FATAL_FAILURE(PastCall(s, *w, "公募(決定済)", pv1::Call::DECIDED,
                                   &w->call_decided, &unused,
                                   &w->proposal_decided, nullptr));
  ASSERT_NO_FATAL_FAILURE(PastCall(s, *w, "公募(公表済)", pv1::Call::PUBLISHED,
                                   &w->call_published, &unused,
                                   &w->proposal_published, nullptr));
}

}  // namespace

const char* WhoName(Who who) {
  switch (who) {
    case kAdmin:
      return "admin";
    case kStaffA:
      return "staff_A";
    case kStaffB:
      return "staff_B";
    case kReviewer:
      return "reviewer";
    case kReviewerOther:
      return "reviewer_X";
    case kApplicant:
      return "applicant";
    case kApplicantOther:
      return "applicant_X";
    case kViewer:
      return "viewer";
    case kWhoCount:
      break;
  }
  return "?";
}

void Seed(const testing::Cluster& cluster, World* w) {
  auto channel = cluster.Channel(testing::Service::kGateway);
  Stubs s{pav1::PartnerService::NewStub(channel),
          prv1::ProjectService::NewStub(channel),
          pv1::ProposalService::NewStub(channel)};
  w->tokens[kAdmin] = testing::AdminToken("sec-admin");
  w->tokens[kStaffA] = testing::WardStaffToken(type::v1::ASAO, "staff-asao");
  w->tokens[kStaffB] = testing::WardStaffToken(type::v1::TAMA, "staff-tama");
  w->tokens[kReviewer] = testing::ReviewerToken("rev-a", "rev-a");
  w->tokens[kReviewerOther] = testing::ReviewerToken("rev-x", "rev-x");
  w->tokens[kViewer] = testing::ViewerToken("viewer-1");
  // Applicant tokens name partners, so they come once those exist.
  ASSERT_NO_FATAL_FAILURE(Partner(s, w->tokens[kAdmin], pav1::CITY_UNIT,
                                  "麻生区役所地域振興課", type::v1::ASAO, false,
                                  &w->city_a));
  ASSERT_NO_FATAL_FAILURE(Partner(s, w->tokens[kAdmin], pav1::CITY_UNIT,
                                  "多摩区役所地域振興課", type::v1::TAMA, false,
                                  &w->city_b));
  ASSERT_NO_FATAL_FAILURE(Partner(s, w->tokens[kAdmin], pav1::CIVIC_GROUP,
                                  "百合丘みまもり隊", type::v1::ASAO, true,
                                  &w->civic_a));
  ASSERT_NO_FATAL_FAILURE(Partner(s, w->tokens[kAdmin], pav1::CIVIC_GROUP,
                                  "王禅寺ふれあいの会", type::v1::ASAO, false,
                                  &w->civic_b));
  w->tokens[kApplicant] = testing::ApplicantToken(w->civic_a, "app-a");
  w->tokens[kApplicantOther] = testing::ApplicantToken(w->civic_b, "app-b");
  ASSERT_NO_FATAL_FAILURE(SeedRecords(s, w));
}

std::vector<const google::protobuf::MethodDescriptor*> AllMethods() {
  // Linking the generated files puts their services in the generated pool.
  (void)pav1::Partner::descriptor();
  (void)prv1::Project::descriptor();
  (void)pv1::Proposal::descriptor();
  (void)gateway::v1::SubmitProposalRequest::descriptor();
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const char* name :
       {"kyodo.partner.v1.PartnerService", "kyodo.project.v1.ProjectService",
        "kyodo.proposal.v1.ProposalService", "kyodo.gateway.v1.Gateway"}) {
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    EXPECT_NE(service, nullptr) << name;
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i)
      methods.push_back(service->method(i));
  }
  return methods;
}

testing::Service ServiceOf(const google::protobuf::MethodDescriptor* method) {
  const std::string& service = method->service()->full_name();
  if (service == "kyodo.partner.v1.PartnerService")
    return testing::Service::kPartner;
  if (service == "kyodo.project.v1.ProjectService")
    return testing::Service::kProject;
  if (service == "kyodo.proposal.v1.ProposalService")
    return testing::Service::kProposal;
  return testing::Service::kGateway;
}

std::unique_ptr<google::protobuf::Message> NewRequest(
    const google::protobuf::MethodDescriptor* method) {
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method->input_type())
          ->New());
}

Outcome Invoke(const std::shared_ptr<grpc::Channel>& channel,
               const google::protobuf::MethodDescriptor* method,
               const google::protobuf::Message& request,
               const std::string& token, absl::Duration deadline) {
  Outcome outcome;
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  grpc::CompletionQueue cq;
  const std::string path =
      absl::StrCat("/", method->service()->full_name(), "/", method->name());
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, path, &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](int id) {
    EXPECT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(tag, reinterpret_cast<void*>(static_cast<intptr_t>(id)));
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  if (step(1)) {
    const std::string bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, reinterpret_cast<void*>(2));
    if (step(2)) {
      call->WritesDone(reinterpret_cast<void*>(3));
      step(3);
    }
    while (true) {
      grpc::ByteBuffer response;
      call->Read(&response, reinterpret_cast<void*>(4));
      if (!step(4)) break;
      std::vector<grpc::Slice> slices;
      (void)response.Dump(&slices);
      std::string data;
      for (const grpc::Slice& s : slices) {
        data.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
      outcome.responses.push_back(std::move(data));
    }
  }
  call->Finish(&outcome.status, reinterpret_cast<void*>(5));
  step(5);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return outcome;
}

}  // namespace kyodo::security
