// soak_driver: mixed traffic through the gateway for a while (reads of every
// kind, partner writes, composed views), counting answers by status code.
// Used by tests/reliability/soak.sh, which watches the services' memory and
// open files meanwhile.
//
//   soak_driver --addr=127.0.0.1:50050 --jwt_key_file=F --seconds=600
//   --threads=4
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/token.h"
#include "common/config/config.h"
#include "common/grpc/downstream.h"
#include "kyodo/gateway/v1/gateway.grpc.pb.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"

ABSL_FLAG(std::string, addr, "127.0.0.1:50050", "the gateway");
// The stack's HS256 key and token issuer: the services' own --jwt_key_file
// and --jwt_issuer (same defaults), defined once in the program by
// common/server/service_config.cc. A second definition here was a duplicate
// symbol that only the ASan build linked with mold showed.
ABSL_DECLARE_FLAG(std::string, jwt_key_file);
ABSL_DECLARE_FLAG(std::string, jwt_issuer);
ABSL_FLAG(int, seconds, 600, "how long to run");
ABSL_FLAG(int, threads, 4, "concurrent callers");

namespace {

namespace pv1 = kyodo::partner::v1;
namespace prv1 = kyodo::project::v1;
namespace gv1 = kyodo::gateway::v1;
namespace ppv1 = kyodo::proposal::v1;

std::string Token(kyodo::common::auth::Role role) {
  auto key = kyodo::common::config::ReadSecretFile(
      "--jwt_key_file", absl::GetFlag(FLAGS_jwt_key_file));
  if (!key.ok()) kyodo::common::config::Fail(key.status().message());
  kyodo::common::auth::MintOptions options;
  options.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  options.audience = "kyodo";
  options.key = *key;
  options.lifetime = absl::Hours(24);
  kyodo::common::auth::Principal p;
  p.subject = "soak";
  p.role = role;
  return *kyodo::common::auth::MintToken(p, options);
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

class Counts {
 public:
  void Add(const grpc::Status& status) {
    std::lock_guard<std::mutex> lock(mu_);
    ++by_code_[status.error_code()];
  }
  void Print() {
    std::lock_guard<std::mutex> lock(mu_);
    std::printf("{");
    bool first = true;
    for (const auto& [code, count] : by_code_) {
      std::printf("%s\"%d\": %ld", first ? "" : ", ", static_cast<int>(code),
                  count);
      first = false;
    }
    std::printf("}\n");
  }
  int64_t Failures() {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t n = 0;
    for (const auto& [code, count] : by_code_) {
      if (code != grpc::StatusCode::OK) n += count;
    }
    return n;
  }

 private:
  std::mutex mu_;
  std::map<grpc::StatusCode, int64_t> by_code_;
};

void Worker(int id, absl::Time until, const std::string& admin,
            const std::string& viewer, Counts& counts) {
  auto channel =
      kyodo::common::grpc_client::NewChannel(absl::GetFlag(FLAGS_addr));
  auto partners = pv1::PartnerService::NewStub(channel);
  auto projects = prv1::ProjectService::NewStub(channel);
  auto proposals = ppv1::ProposalService::NewStub(channel);
  auto gateway = gv1::Gateway::NewStub(channel);
  std::mt19937 rng(id);
  std::vector<std::string> partner_names, project_names;
  {
    pv1::ListPartnersRequest request;
    request.set_page_size(100);
    pv1::ListPartnersResponse page;
    counts.Add(partners->ListPartners(Context(viewer).get(), request, &page));
    for (const auto& p : page.partners()) partner_names.push_back(p.name());
    prv1::ListProjectsRequest projects_request;
    prv1::ListProjectsResponse projects_page;
    counts.Add(projects->ListProjects(Context(viewer).get(), projects_request,
                                      &projects_page));
    for (const auto& p : projects_page.projects())
      project_names.push_back(p.name());
  }
  if (partner_names.empty() || project_names.empty()) return;
  for (int64_t i = 0; absl::Now() < until; ++i) {
    const std::string& partner = partner_names[rng() % partner_names.size()];
    switch (rng() % 8) {
      case 0: {
        pv1::SearchPartnersRequest r;
        r.set_query("だいがく");
        pv1::SearchPartnersResponse out;
        counts.Add(partners->SearchPartners(Context(viewer).get(), r, &out));
        break;
      }
      case 1: {
        gv1::GetPartnerProfileRequest r;
        r.set_name(partner);
        gv1::PartnerProfile out;
        counts.Add(gateway->GetPartnerProfile(Context(viewer).get(), r, &out));
        break;
      }
      case 2: {
        gv1::GetProjectDossierRequest r;
        r.set_name(project_names[rng() % project_names.size()]);
        gv1::ProjectDossier out;
        counts.Add(gateway->GetProjectDossier(Context(viewer).get(), r, &out));
        break;
      }
      case 3: {
        // A write: a partner made and edited, audited each time.
        pv1::CreatePartnerRequest r;
        r.mutable_partner()->set_kind(pv1::CIVIC_GROUP);
        r.mutable_partner()->set_display_name(
            absl::StrCat("耐久試験の会 ", id, "-", i));
        pv1::Partner created;
        grpc::Status s =
            partners->CreatePartner(Context(admin).get(), r, &created);
        counts.Add(s);
        if (s.ok()) {
          pv1::UpdatePartnerRequest u;
          u.mutable_partner()->set_name(created.name());
          u.mutable_partner()->set_etag(created.etag());
          u.mutable_partner()->set_description("更新");
          pv1::Partner updated;
          counts.Add(
              partners->UpdatePartner(Context(admin).get(), u, &updated));
        }
        break;
      }
      case 4: {
        gv1::GetWardDashboardRequest r;
        r.set_ward(kyodo::type::v1::ASAO);
        r.set_fiscal_year(2025);
        gv1::WardDashboard out;
        counts.Add(gateway->GetWardDashboard(Context(admin).get(), r, &out));
        break;
      }
      case 5: {
        ppv1::ListProposalsRequest r;
        r.set_parent("programmes/-/calls/-");
        ppv1::ListProposalsResponse out;
        counts.Add(proposals->ListProposals(Context(viewer).get(), r, &out));
        break;
      }
      default: {
        pv1::GetPartnerRequest r;
        r.set_name(partner);
        pv1::Partner out;
        counts.Add(partners->GetPartner(Context(viewer).get(), r, &out));
        break;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  kyodo::common::config::ParseFlagsAndEnvironment(argc, argv, "soak_driver");
  const std::string admin = Token(kyodo::common::auth::Role::kAdmin);
  const std::string viewer = Token(kyodo::common::auth::Role::kViewer);
  const absl::Time until =
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  Counts counts;
  std::vector<std::thread> threads;
  for (int t = 0; t < absl::GetFlag(FLAGS_threads); ++t) {
    threads.emplace_back(Worker, t, until, admin, viewer, std::ref(counts));
  }
  for (auto& t : threads) t.join();
  counts.Print();
  return counts.Failures() == 0 ? 0 : 1;
}
