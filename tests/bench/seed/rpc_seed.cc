// The RPC part of kyodo-bench-seed (see seed.h).
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/store/doc.h"
#include "kyodo/gateway/v1/gateway.grpc.pb.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "tests/bench/seed/seed.h"

namespace kyodo::bench {
namespace {

namespace gw = kyodo::gateway::v1;
namespace pa = kyodo::partner::v1;
namespace pr = kyodo::project::v1;
namespace po = kyodo::proposal::v1;
using kyodo::type::v1::Ward;

constexpr int kWards = 7;  // KAWASAKI (1) .. ASAO (7)
constexpr int kThreads = 4;

class Rpc {
 public:
  explicit Rpc(const SeedOptions& o)
      : token_(o.token),
        gateway_(gw::Gateway::NewStub(o.channel)),
        partners_(pa::PartnerService::NewStub(o.channel)),
        projects_(pr::ProjectService::NewStub(o.channel)),
        proposals_(po::ProposalService::NewStub(o.channel)) {}

  // Calls stub->method(request) with the token and a deadline.
  // `token` replaces the admin's.
  template <typename Stub, typename Req, typename Resp>
  absl::StatusOr<Resp> Call(Stub* stub,
                            grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                         const Req&, Resp*),
                            const Req& request, const char* what,
                            const std::string& token = "") {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    context.AddMetadata("authorization",
                        "Bearer " + (token.empty() ? token_ : token));
    Resp response;
    grpc::Status s = (stub->*method)(&context, request, &response);
    if (!s.ok()) {
      return absl::InternalError(absl::StrCat(what, ": ", s.error_message()));
    }
    return response;
  }

  gw::Gateway::Stub* gateway() { return gateway_.get(); }
  pa::PartnerService::Stub* partners() { return partners_.get(); }
  pr::ProjectService::Stub* projects() { return projects_.get(); }
  po::ProposalService::Stub* proposals() { return proposals_.get(); }

 private:
  std::string token_;
  std::unique_ptr<gw::Gateway::Stub> gateway_;
  std::unique_ptr<pa::PartnerService::Stub> partners_;
  std::unique_ptr<pr::ProjectService::Stub> projects_;
  std::unique_ptr<po::ProposalService::Stub> proposals_;
};

// Runs fn(0..n-1) on kThreads threads; the first error wins.
absl::Status ParallelFor(int n, const std::function<absl::Status(int)>& fn) {
  std::atomic<int> next{0};
  std::mutex mu;
  absl::Status first;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        absl::Status s = fn(i);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first.ok()) first = s;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return first;
}

absl::Status WriteLines(const std::string& path,
                        const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const std::string& line : lines) out << line << "\n";
  out.close();
  return out ? absl::OkStatus() : absl::InternalError("cannot write " + path);
}

std::string NameRequest(const std::string& name) {
  return absl::StrCat("{\"name\": \"", name, "\"}");
}

struct Partners {
  std::vector<std::string> city_unit;           // by ward - 1
  std::vector<std::vector<std::string>> civic;  // by ward - 1
  std::vector<std::string> all;
};

absl::StatusOr<Partners> MakePartners(Rpc& rpc, int per_ward) {
  Partners out;
  out.city_unit.resize(kWards);
  out.civic.resize(kWards, std::vector<std::string>(per_ward - 1));
  std::mutex mu;
  absl::Status s = ParallelFor(kWards * per_ward, [&](int i) -> absl::Status {
    const int w = i / per_ward;
    const int k = i % per_ward;
    pa::CreatePartnerRequest request;
    pa::Partner* p = request.mutable_partner();
    p->set_ward(static_cast<Ward>(w + 1));
    if (k == 0) {
      p->set_kind(pa::CITY_UNIT);
      p->set_display_name(absl::StrCat(kyodo::type::v1::Ward_Name(p->ward()),
                                       " 区役所地域振興課"));
    } else {
      p->set_kind(pa::CIVIC_GROUP);
      p->set_display_name(absl::StrCat("ベンチマーク市民活動団体 ", w, "-", k));
      p->set_name_kana(absl::StrCat("べんちまーくしみんかつどうだんたい"));
      p->set_legal_form("任意団体");
      p->set_description("地域の見守りと交流の場づくりに取り組む団体");
    }
    absl::StatusOr<pa::Partner> made =
        rpc.Call(rpc.partners(), &pa::PartnerService::Stub::CreatePartner,
                 request, "partner");
    if (!made.ok()) return made.status();
    std::lock_guard<std::mutex> lock(mu);
    (k == 0 ? out.city_unit[w] : out.civic[w][k - 1]) = made->name();
    out.all.push_back(made->name());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

pr::Project ProjectOf(const Partners& partners, int w, int n) {
  pr::Project p;
  p.set_title(absl::StrCat("地域の居場所づくり事業 ", w + 1, "-", n));
  p.set_issue("地域住民のつながりの希薄化と、高齢者の孤立の防止");
  p.set_activities(
      "空き店舗を活用した交流拠点を週三回開き、見守り活動、多世代の交流行事、"
      "健康講座を実施する。区役所は広報と関係機関との調整を担う。");
  p.set_programme(pr::WARD_CITIZEN_PROPOSAL);
  p.set_fiscal_year(2020 + n % 6);
  const auto& civic = partners.civic[w];
  auto* lead = p.add_participants();
  lead->set_partner(civic[n % civic.size()]);
  lead->set_role(pr::Participant::LEAD);
  lead->set_responsibilities("企画、運営、参加者の募集");
  auto* city = p.add_participants();
  city->set_partner(partners.city_unit[w]);
  city->set_role(pr::Participant::CITY);
  city->set_responsibilities("委託契約、広報");
  auto* money = p.add_contributions();
  money->set_form(pr::CONSIGNMENT);
  money->set_amount_yen(300000 + 10000 * (n % 50));
  money->set_from_partner(city->partner());
  money->set_to_partner(lead->partner());
  return p;
}

// PLANNED, ACTIVE, COMPLETED or CANCELLED, by `state` 0..3.
absl::Status MakeTemplate(Rpc& rpc, const Partners& partners, int w, int n,
                          int state) {
  pr::CreateProjectRequest create;
  *create.mutable_project() = ProjectOf(partners, w, n);
  auto made = rpc.Call(rpc.projects(), &pr::ProjectService::Stub::CreateProject,
                       create, "project");
  if (!made.ok()) return made.status();
  if (state == 3) {
    pr::CancelProjectRequest cancel;
    cancel.set_name(made->name());
    cancel.set_reason("会場が確保できなかったため");
    return rpc
        .Call(rpc.projects(), &pr::ProjectService::Stub::CancelProject, cancel,
              "cancel")
        .status();
  }
  if (state >= 1) {
    pr::StartProjectRequest start;
    start.set_name(made->name());
    auto s = rpc.Call(rpc.projects(), &pr::ProjectService::Stub::StartProject,
                      start, "start");
    if (!s.ok()) return s.status();
  }
  if (state == 2) {
    pr::CompleteProjectRequest complete;
    complete.set_name(made->name());
    return rpc
        .Call(rpc.projects(), &pr::ProjectService::Stub::CompleteProject,
              complete, "complete")
        .status();
  }
  return absl::OkStatus();
}

// An OPEN ASAO call whose window is open for the next 12 hours.
absl::StatusOr<std::string> MakeCall(Rpc& rpc, const Partners& partners) {
  po::CreateProgrammeRequest programme;
  auto* p = programme.mutable_programme();
  p->set_display_name("ベンチマーク市民提案型事業");
  p->set_ward(kyodo::type::v1::ASAO);
  p->set_kind(po::Programme::WARD_CITIZEN_PROPOSAL);
  p->set_consigning_unit(partners.city_unit[kWards - 1]);
  p->add_eligible_partner_kinds(pa::CIVIC_GROUP);
  auto made =
      rpc.Call(rpc.proposals(), &po::ProposalService::Stub::CreateProgramme,
               programme, "programme");
  if (!made.ok()) return made.status();
  po::CreateCallRequest call;
  call.set_parent(made->name());
  po::Call* c = call.mutable_call();
  c->set_display_name("ベンチマーク公募");
  c->set_fiscal_year(2026);
  *c->mutable_submission_start_time() =
      common::store::ToTimestamp(absl::Now() - absl::Minutes(10));
  *c->mutable_submission_end_time() =
      common::store::ToTimestamp(absl::Now() + absl::Hours(12));
  c->set_budget_yen(100000000);
  c->set_pass_mark(60);
  c->set_min_reviews(2);
  for (int i = 0; i < 3; ++i) {
    auto* k = c->add_criteria();
    k->set_display_name(absl::StrCat("基準", i + 1));
    k->set_weight(1 + i);
    k->set_max_score(5);
  }
  auto created = rpc.Call(rpc.proposals(),
                          &po::ProposalService::Stub::CreateCall, call, "call");
  if (!created.ok()) return created.status();
  po::OpenCallRequest open;
  open.set_name(created->name());
  auto opened = rpc.Call(rpc.proposals(), &po::ProposalService::Stub::OpenCall,
                         open, "open");
  if (!opened.ok()) return opened.status();
  return created->name();
}

absl::StatusOr<std::vector<std::string>> MakeDrafts(Rpc& rpc,
                                                    const Partners& partners,
                                                    const std::string& call,
                                                    int count) {
  std::vector<std::string> names(count);
  // Spread over the civic groups of every ward: an applicant holds at most
  // 20 drafts in one call (proposal-service, TOO_MANY_DRAFTS).
  absl::Status s = ParallelFor(count, [&](int i) -> absl::Status {
    po::CreateProposalRequest request;
    request.set_parent(call);
    po::Proposal* p = request.mutable_proposal();
    const auto& civic = partners.civic[i % kWards];
    p->set_applicant(civic[(i / kWards) % civic.size()]);
    p->set_title(absl::StrCat("地域の交流拠点づくり ", i));
    p->set_issue("地域のつながりの希薄化");
    p->set_plan("交流行事と見守り活動を月二回行う");
    p->set_requested_amount_yen(200000 + 1000 * (i % 300));
    auto made =
        rpc.Call(rpc.proposals(), &po::ProposalService::Stub::CreateProposal,
                 request, "proposal");
    if (!made.ok()) return made.status();
    names[i] = made->name();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return names;
}

// The dossier's projects, made as a ward makes them: an ASAO call whose
// window has passed, `count` proposals received on paper (each by one of
// the ward's civic groups with another as co-applicant: three parties),
// screened, scored by one member, decided and published, which makes one
// consignment project from each adopted proposal (a project's source must
// be an adopted proposal). Returns the projects' names.
absl::StatusOr<std::vector<std::string>> MakeAdoptedProjects(
    Rpc& rpc, const Partners& partners, const std::string& reviewer_token,
    int count) {
  const int w = kWards - 1;  // ASAO
  po::CreateProgrammeRequest programme;
  auto* p = programme.mutable_programme();
  p->set_display_name("ベンチマーク市民提案型事業（採択済み）");
  p->set_ward(kyodo::type::v1::ASAO);
  p->set_kind(po::Programme::WARD_CITIZEN_PROPOSAL);
  p->set_consigning_unit(partners.city_unit[w]);
  p->add_eligible_partner_kinds(pa::CIVIC_GROUP);
  auto made =
      rpc.Call(rpc.proposals(), &po::ProposalService::Stub::CreateProgramme,
               programme, "adopted programme");
  if (!made.ok()) return made.status();
  const absl::Time now = absl::Now();
  po::CreateCallRequest create;
  create.set_parent(made->name());
  po::Call* c = create.mutable_call();
  c->set_display_name("ベンチマーク公募（審査済み）");
  c->set_fiscal_year(2025);
  *c->mutable_submission_start_time() =
      common::store::ToTimestamp(now - absl::Hours(3));
  *c->mutable_submission_end_time() =
      common::store::ToTimestamp(now - absl::Hours(2));
  c->set_budget_yen(1000000000);
  c->set_pass_mark(60);
  c->set_min_reviews(1);
  for (int i = 0; i < 3; ++i) {
    auto* k = c->add_criteria();
    k->set_display_name(absl::StrCat("基準", i + 1));
    k->set_weight(1 + i);
    k->set_max_score(5);
  }
  auto call = rpc.Call(rpc.proposals(), &po::ProposalService::Stub::CreateCall,
                       create, "adopted call");
  if (!call.ok()) return call.status();
  po::CreateReviewerRequest member;
  member.set_parent(call->name());
  member.mutable_reviewer()->set_display_name("ベンチマーク審査委員");
  member.mutable_reviewer()->set_principal("bench-member");
  if (auto r =
          rpc.Call(rpc.proposals(), &po::ProposalService::Stub::CreateReviewer,
                   member, "member");
      !r.ok()) {
    return r.status();
  }
  po::OpenCallRequest open;
  open.set_name(call->name());
  if (auto r = rpc.Call(rpc.proposals(), &po::ProposalService::Stub::OpenCall,
                        open, "open adopted call");
      !r.ok()) {
    return r.status();
  }
  const auto& civic = partners.civic[w];
  std::vector<std::string> proposals(count);
  absl::Status s = ParallelFor(count, [&](int i) -> absl::Status {
    po::CreateProposalRequest draft;
    draft.set_parent(call->name());
    po::Proposal* x = draft.mutable_proposal();
    x->set_applicant(civic[i % civic.size()]);
    x->add_co_applicants(civic[(i + 7) % civic.size()]);
    x->set_title(absl::StrCat("地域の居場所づくり事業 ", i));
    x->set_issue("地域住民のつながりの希薄化");
    x->set_plan("空き店舗で交流拠点を週三回開く");
    x->set_requested_amount_yen(300000 + 10000 * (i % 50));
    auto drafted =
        rpc.Call(rpc.proposals(), &po::ProposalService::Stub::CreateProposal,
                 draft, "paper proposal");
    if (!drafted.ok()) return drafted.status();
    po::SubmitProposalRequest submit;
    submit.set_name(drafted->name());
    *submit.mutable_received_time() =
        common::store::ToTimestamp(now - absl::Minutes(150));
    auto submitted =
        rpc.Call(rpc.proposals(), &po::ProposalService::Stub::SubmitProposal,
                 submit, "paper submission");
    if (!submitted.ok()) return submitted.status();
    po::ScreenProposalRequest screen;
    screen.set_name(drafted->name());
    auto screened =
        rpc.Call(rpc.proposals(), &po::ProposalService::Stub::ScreenProposal,
                 screen, "screening");
    if (!screened.ok()) return screened.status();
    if (screened->state() != po::Proposal::ELIGIBLE) {
      return absl::FailedPreconditionError(
          absl::StrCat(drafted->name(), " was screened ineligible: ",
                       screened->screening().ShortDebugString()));
    }
    proposals[i] = drafted->name();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  po::CloseCallRequest close;
  close.set_name(call->name());
  if (auto r = rpc.Call(rpc.proposals(), &po::ProposalService::Stub::CloseCall,
                        close, "close");
      !r.ok()) {
    return r.status();
  }
  po::StartReviewRequest start;
  start.set_name(call->name());
  if (auto r =
          rpc.Call(rpc.proposals(), &po::ProposalService::Stub::StartReview,
                   start, "start review");
      !r.ok()) {
    return r.status();
  }
  s = ParallelFor(count, [&](int i) -> absl::Status {
    po::SubmitReviewRequest review;
    review.set_parent(proposals[i]);
    for (int k = 0; k < 3; ++k) review.mutable_review()->add_scores(5);
    return rpc
        .Call(rpc.proposals(), &po::ProposalService::Stub::SubmitReview, review,
              "review", reviewer_token)
        .status();
  });
  if (!s.ok()) return s;
  gw::FinalizeCallRequest finalize;
  finalize.set_name(call->name());
  if (auto r = rpc.Call(rpc.gateway(), &gw::Gateway::Stub::FinalizeCall,
                        finalize, "finalize");
      !r.ok()) {
    return r.status();
  }
  gw::PublishResultsRequest publish;
  publish.set_name(call->name());
  auto published = rpc.Call(rpc.gateway(), &gw::Gateway::Stub::PublishResults,
                            publish, "publish");
  if (!published.ok()) return published.status();
  std::vector<std::string> projects;
  projects.reserve(published->projects_size());
  for (const auto& f : published->projects()) projects.push_back(f.project());
  if (static_cast<int>(projects.size()) != count) {
    return absl::FailedPreconditionError(absl::StrCat(
        "published ", projects.size(), " projects of ", count, " proposals"));
  }
  return projects;
}

}  // namespace

absl::Status SeedThroughRpc(const SeedOptions& o) {
  Rpc rpc(o);
  const absl::Time start = absl::Now();
  absl::StatusOr<Partners> partners = MakePartners(rpc, o.partners_per_ward);
  if (!partners.ok()) return partners.status();
  std::vector<std::string> lines;
  for (const std::string& name : partners->all)
    lines.push_back(NameRequest(name));
  if (auto s = WriteLines(o.out_dir + "/getpartner.jsonl", lines); !s.ok())
    return s;

  const int per = o.templates_per_ward_state;
  if (absl::Status s = ParallelFor(kWards * 4 * per,
                                   [&](int i) {
                                     return MakeTemplate(rpc, *partners,
                                                         i / (4 * per), i,
                                                         (i / per) % 4);
                                   });
      !s.ok()) {
    return s;
  }

  absl::StatusOr<std::string> call = MakeCall(rpc, *partners);
  if (!call.ok()) return call.status();
  auto dossiers =
      MakeAdoptedProjects(rpc, *partners, o.reviewer_token, o.dossier_projects);
  if (!dossiers.ok()) return dossiers.status();
  lines.clear();
  for (const std::string& name : *dossiers) lines.push_back(NameRequest(name));
  if (auto s = WriteLines(o.out_dir + "/getproject.jsonl", lines); !s.ok())
    return s;

  auto drafts = MakeDrafts(rpc, *partners, *call, o.drafts);
  if (!drafts.ok()) return drafts.status();
  lines.clear();
  for (const std::string& name : *drafts) lines.push_back(NameRequest(name));
  if (auto s = WriteLines(o.out_dir + "/submit.jsonl", lines); !s.ok())
    return s;
  std::fprintf(
      stderr,
      "seeded through the RPCs in %.1f s: %zu partners, %d template projects, "
      "%d dossier projects (each with a source proposal), %d drafts\n",
      absl::ToDoubleSeconds(absl::Now() - start), partners->all.size(),
      kWards * 4 * per, o.dossier_projects, o.drafts);
  return absl::OkStatus();
}

}  // namespace kyodo::bench
