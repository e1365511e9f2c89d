// Tokens and partners' personal contact fields never reach a log: the four
// services run as processes at log level debug, each writing its log to a
// file of the Cluster's folder; the test creates, updates and reads
// partners with distinctive contacts through every path that returns them,
// makes calls fail every way it can (bad and expired tokens, refused,
// invalid, stale, replayed and downstream-failing requests, a service
// down), then searches every log for each token, each token's signature and
// each contact value, in the raw lines and in their decoded JSON strings.
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/token.h"
#include "gtest/gtest.h"
#include "kyodo/gateway/v1/gateway.grpc.pb.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/security/world.h"
#include "tests/testing/auth.h"

namespace kyodo::security {
namespace {

namespace pav1 = partner::v1;
namespace prv1 = project::v1;
namespace gv1 = gateway::v1;
using testing::Context;
using testing::Service;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Every string in a JSON value, decoded.
void Strings(const nlohmann::json& value, std::vector<std::string>* out) {
  if (value.is_string()) {
    out->push_back(value.get<std::string>());
  } else if (value.is_structured()) {
    for (const auto& item : value) Strings(item, out);
    if (value.is_object()) {
      for (auto it = value.begin(); it != value.end(); ++it)
        out->push_back(it.key());
    }
  }
}

pav1::Contact MakeContact(const std::string& person, const std::string& email,
                          const std::string& phone) {
  pav1::Contact c;
  c.set_person_name(person);
  c.set_email(email);
  c.set_phone(phone);
  return c;
}

TEST(SecurityLogTest, NoTokenAndNoContactValueReachesAnyLog) {
  testing::Cluster cluster("seclog");
  for (Service s : {Service::kPartner, Service::kProject, Service::kProposal,
                    Service::kGateway}) {
    cluster.SetExtraFlags(s, {"--log_level=debug"});
    cluster.Restart(s);
  }
  World world;
  ASSERT_NO_FATAL_FAILURE(Seed(cluster, &world));

  std::set<std::string> secrets = {kContactPerson, kContactEmail,
                                   kContactPhone};
  std::set<std::string> tokens(world.tokens.begin(), world.tokens.end());
  tokens.insert(
      ReadFile(testing::TestKeyFile(cluster.log_dir())));  // the key itself
  tokens.insert(ReadFile(cluster.log_dir() + "/gateway.token"));
  tokens.insert(ReadFile(cluster.log_dir() + "/db.password"));
  tokens.insert(ReadFile(cluster.log_dir() + "/page.key"));
  auto token = [&](std::string t) {
    tokens.insert(t);
    return t;
  };
  auto contact = [&](const std::string& person, const std::string& email,
                     const std::string& phone) {
    for (const std::string& v : {person, email, phone}) {
      if (!v.empty()) secrets.insert(v);
    }
    return MakeContact(person, email, phone);
  };

  auto gateway = cluster.Channel(Service::kGateway);
  auto partners = pav1::PartnerService::NewStub(gateway);
  auto direct =
      pav1::PartnerService::NewStub(cluster.Channel(Service::kPartner));
  auto projects = prv1::ProjectService::NewStub(gateway);
  auto views = gv1::Gateway::NewStub(gateway);
  const std::string admin = world.token(kAdmin);

  // Create with contacts, then update them (admin, staff and the applicant
  // itself), through the gateway and directly.
  pav1::Partner second;
  {
    pav1::CreatePartnerRequest r;
    r.mutable_partner()->set_kind(pav1::NEIGHBOURHOOD_ASSOCIATION);
    r.mutable_partner()->set_display_name("細山町会");
    r.mutable_partner()->set_ward(type::v1::ASAO);
    *r.mutable_partner()->add_contacts() =
        contact("機密 太郎 WJK", "taro.wjk.private@example.jp", "044-911-7734");
    r.set_request_id(testing::NewRequestId());
    ASSERT_TRUE(partners->CreatePartner(Context(admin).get(), r, &second).ok());
    // The same request id with another body: REQUEST_ID_REUSED.
    *r.mutable_partner()->mutable_contacts(0) =
        contact("再送 次郎 PLM", "jiro.plm.private@example.jp", "044-911-7735");
    pav1::Partner again;
    EXPECT_EQ(
        partners->CreatePartner(Context(admin).get(), r, &again).error_code(),
        grpc::StatusCode::INVALID_ARGUMENT);
  }
  int n = 0;
  for (const std::string& who :
       {world.token(kAdmin), world.token(kStaffA), world.token(kApplicant)}) {
    pav1::UpdatePartnerRequest r;
    r.mutable_partner()->set_name(world.civic_a);
    *r.mutable_partner()->add_contacts() =
        contact(absl::StrCat("更新 三郎 RTY", n),
                absl::StrCat("saburo", n, ".rty@example.jp"),
                absl::StrCat("080-5512-90", 10 + n));
    r.mutable_update_mask()->add_paths("contacts");
    pav1::Partner out;
    auto& stub = n % 2 == 0 ? partners : direct;
    grpc::Status s = stub->UpdatePartner(Context(who).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    ++n;
  }
  // Refused, stale, invalid and too long contacts.
  for (const auto& [who, etag, c] :
       std::vector<std::tuple<std::string, std::string, pav1::Contact>>{
           {world.token(kViewer), "",
            contact("拒否 四郎 UIO", "shiro.uio@example.jp", "")},
           {world.token(kApplicantOther), "",
            contact("他人 五郎 ASD", "", "070-1122-3344")},
           {admin, kStaleEtag,
            contact("古い 六郎 FGH", "rokuro.fgh@example.jp", "")},
           {admin, "", contact("", "not-an-email-VBN-secret", "")},
           {admin, "",
            contact("", "", "0901234567890123456789012345678901234567890")},
           {admin, "", contact(std::string("壊れた\xff\xfe文字 ZZQ"), "", "")},
       }) {
    pav1::UpdatePartnerRequest r;
    r.mutable_partner()->set_name(world.civic_a);
    r.mutable_partner()->set_etag(etag);
    *r.mutable_partner()->add_contacts() = c;
    r.mutable_update_mask()->add_paths("contacts");
    pav1::Partner out;
    EXPECT_FALSE(partners->UpdatePartner(Context(who).get(), r, &out).ok());
  }
  // Every read that returns partners, by every caller.
  for (const std::string& who : world.tokens) {
    pav1::GetPartnerRequest get;
    get.set_name(world.civic_a);
    pav1::Partner p;
    (void)partners->GetPartner(Context(who).get(), get, &p);
    pav1::ListPartnersRequest list;
    pav1::ListPartnersResponse listed;
    (void)partners->ListPartners(Context(who).get(), list, &listed);
    pav1::SearchPartnersRequest search;
    search.set_query("みまもり");
    pav1::SearchPartnersResponse found;
    (void)direct->SearchPartners(Context(who).get(), search, &found);
    pav1::BatchGetPartnersRequest batch;
    batch.add_names(world.civic_a);
    batch.add_names(second.name());
    pav1::BatchGetPartnersResponse got;
    (void)partners->BatchGetPartners(Context(who).get(), batch, &got);
    gv1::GetPartnerProfileRequest profile;
    profile.set_name(world.civic_a);
    gv1::PartnerProfile shown;
    (void)views->GetPartnerProfile(Context(who).get(), profile, &shown);
    gv1::GetProjectDossierRequest dossier;
    dossier.set_name(world.project);
    gv1::ProjectDossier d;
    (void)views->GetProjectDossier(Context(who).get(), dossier, &d);
  }
  // Bad tokens of every kind, through the gateway and directly.
  common::auth::MintOptions wrong_key;
  wrong_key.issuer = testing::kTestIssuer;
  wrong_key.audience = testing::kTestAudience;
  wrong_key.key = "another-signing-key-0123456789abcdef";
  const common::auth::Principal intruder{"intruder",
                                         common::auth::Role::kAdmin};
  for (const std::string& bad :
       {token("garbage.TOKEN-QWE.notasignature"),
        token(*common::auth::MintToken(intruder, wrong_key)),
        token(testing::TokenFor(intruder, absl::Seconds(-300))),
        token(testing::ApplicantToken("not-a-partner-name"))}) {
    pav1::GetPartnerRequest get;
    get.set_name(world.civic_a);
    pav1::Partner p;
    EXPECT_EQ(partners->GetPartner(Context(bad).get(), get, &p).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(direct->GetPartner(Context(bad).get(), get, &p).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    grpc::ClientContext raw;  // not even "Bearer"
    raw.AddMetadata("authorization", bad);
    EXPECT_EQ(partners->GetPartner(&raw, get, &p).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  // A failure downstream of project-service (a participant that does not
  // exist), and one with partner-service down.
  {
    prv1::CreateProjectRequest r;
    r.mutable_project()->set_title("存在しない参加者");
    r.mutable_project()->set_issue("課題");
    r.mutable_project()->set_programme(prv1::OTHER_PROGRAMME);
    r.mutable_project()->set_fiscal_year(2026);
    auto* a = r.mutable_project()->add_participants();
    a->set_partner("partners/doesnotexist");
    a->set_role(prv1::Participant::LEAD);
    auto* b = r.mutable_project()->add_participants();
    b->set_partner(world.civic_a);
    b->set_role(prv1::Participant::PARTNER);
    prv1::Project out;
    EXPECT_FALSE(projects->CreateProject(Context(admin).get(), r, &out).ok());
  }
  cluster.Kill(Service::kPartner);
  {
    gv1::GetPartnerProfileRequest profile;
    profile.set_name(world.civic_a);
    gv1::PartnerProfile shown;
    EXPECT_FALSE(views
                     ->GetPartnerProfile(Context(admin, absl::Seconds(3)).get(),
                                         profile, &shown)
                     .ok());
    pav1::GetPartnerRequest get;
    get.set_name(world.civic_a);
    pav1::Partner p;
    EXPECT_FALSE(
        partners->GetPartner(Context(admin, absl::Seconds(3)).get(), get, &p)
            .ok());
    gv1::GetProjectDossierRequest dossier;
    dossier.set_name(world.project);
    gv1::ProjectDossier d;
    EXPECT_FALSE(views
                     ->GetProjectDossier(Context(admin, absl::Seconds(3)).get(),
                                         dossier, &d)
                     .ok());
  }

  // The needles: each token, its signature, each contact value.
  std::set<std::string> needles = secrets;
  for (const std::string& t : tokens) {
    if (t.empty()) continue;
    needles.insert(t);
    const std::vector<std::string> parts = absl::StrSplit(t, '.');
    if (parts.size() == 3 && parts[2].size() >= 16) needles.insert(parts[2]);
  }
  int lines = 0;
  std::string all_logs;
  for (const char* name :
       {"partner-service", "project-service", "proposal-service", "gateway"}) {
    const std::string path = absl::StrCat(cluster.log_dir(), "/", name, ".log");
    const std::string log = ReadFile(path);
    EXPECT_FALSE(log.empty()) << path;
    all_logs += log;
    for (absl::string_view line :
         absl::StrSplit(log, '\n', absl::SkipEmpty())) {
      ++lines;
      std::vector<std::string> texts = {std::string(line)};
      const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
      if (!parsed.is_discarded()) Strings(parsed, &texts);
      for (const std::string& text : texts) {
        for (const std::string& needle : needles) {
          EXPECT_EQ(text.find(needle), std::string::npos)
              << name << " logged a secret (" << needle.substr(0, 12)
              << "...): " << line;
        }
      }
    }
  }
  // The logs were captured and say who did what (so the search means
  // something): the call lines name methods and subjects.
  EXPECT_NE(all_logs.find("\"UpdatePartner\""), std::string::npos);
  EXPECT_NE(all_logs.find("staff-asao"), std::string::npos);
  EXPECT_NE(all_logs.find("UNAUTHENTICATED"), std::string::npos);
  std::printf(
      "%d log lines searched for %zu tokens/signatures and contact values\n",
      lines, needles.size());
  EXPECT_GT(lines, 100);
}

}  // namespace
}  // namespace kyodo::security
