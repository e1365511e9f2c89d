// Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/<target>/
// (or the folder given as the only argument): small meaningful inputs from
// which the fuzzer starts — filters over every allow-listed field, page
// tokens made by the codec, real JWTs of each role, resource names and one
// valid serialized request of every request type. Run it again when the
// seeds should change; the files are committed.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/token.h"
#include "common/paging/filter.h"
#include "common/paging/page_token.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "kyodo/gateway/v1/gateway.pb.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "partner-service/store/agreement_store.h"
#include "partner-service/store/network_store.h"
#include "partner-service/store/partner_store.h"
#include "project-service/store/project_store.h"
#include "proposal-service/store/call_store.h"
#include "proposal-service/store/programme_store.h"
#include "proposal-service/store/proposal_store.h"
#include "tests/fuzz/harness.h"

namespace kyodo::fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
namespace pav1 = partner::v1;
namespace prv1 = project::v1;
namespace pv1 = proposal::v1;

std::string root;

void Write(const std::string& target, const std::string& name,
           const std::string& content) {
  const std::string dir = absl::StrCat(root, "/", target);
  mkdir(dir.c_str(), 0755);
  std::ofstream(absl::StrCat(dir, "/", name), std::ios::binary) << content;
}

std::string Byte(int b) { return std::string(1, static_cast<char>(b)); }

// A value each filter field accepts.
std::string ValueFor(const common::paging::FilterField& f) {
  using common::paging::FilterType;
  switch (f.type) {
    case FilterType::kEnum:
      return f.enum_type != nullptr ? f.enum_type->value(1)->name() : "ASAO";
    case FilterType::kInt:
      return "2025";
    case FilterType::kTimestamp:
      return "2026-04-01T00:00:00+09:00";
    case FilterType::kBool:
      return "true";
    default:
      break;
  }
  if (f.convert) {
    for (const char* v :
         {"partners/abc123", "programmes/p1", "agreements/a1", "ASAO",
          "programmes/p1/calls/c1/proposals/x1", "projects/pr1"}) {
      if (f.convert(v).ok()) return absl::StrCat("\"", v, "\"");
    }
  }
  return "\"森の \\\"会\\\" 100%_\"";
}

void Filters() {
  const std::vector<const std::vector<common::paging::FilterField>*> lists = {
      &partner::store::PartnerFilterFields(),
      &partner::store::AgreementFilterFields(),
      &partner::store::NetworkFilterFields(),
      &project::store::ProjectFilterFields(),
      &proposal::store::ProgrammeFilterFields(),
      &proposal::store::CallFilterFields(),
      &proposal::store::ProposalFilterFields()};
  for (size_t i = 0; i < lists.size(); ++i) {
    std::string all;
    for (const auto& f : *lists[i]) {
      const std::string op =
          f.type == common::paging::FilterType::kString ? ":" : "=";
      const std::string term = absl::StrCat(f.name, " ", op, " ", ValueFor(f));
      Write("filter", absl::StrCat(i, "_", f.name), Byte(i) + term);
      absl::StrAppend(&all, all.empty() ? "" : " AND ", term);
    }
    Write("filter", absl::StrCat(i, "_all"), Byte(i) + all);
  }
}

void PageTokens() {
  common::paging::PageTokenCodec codec(kFuzzPageKey);
  const std::vector<std::pair<std::string, common::paging::PageCursor>> seeds =
      {{"ListPartners|kind = CIVIC_GROUP|0|", {50, ""}},
       {"ListProposals|programmes/-/calls/-|ward = ASAO|0", {1234567, ""}},
       {"SearchPartners||0|かわさき", {7, "かわさき"}},
       {"ListAuditEvents|partners/abc123", {1, ""}}};
  int n = 0;
  for (const auto& [query, cursor] : seeds) {
    Write(
        "page_token", absl::StrCat("token_", n++),
        absl::StrCat(codec.Encode(query, cursor), std::string(1, '\0'), query));
  }
}

void Tokens() {
  using common::auth::Principal;
  using common::auth::Role;
  common::auth::MintOptions options;
  options.issuer = kFuzzIssuer;
  options.audience = kFuzzAudience;
  options.key = kFuzzJwtKey;
  options.now = TokenTime() - absl::Minutes(1);
  options.lifetime = absl::Hours(1);
  const std::map<std::string, Principal> principals = {
      {"admin", {"admin-1", Role::kAdmin}},
      {"ward_staff", {"staff-1", Role::kWardStaff, type::v1::ASAO}},
      {"reviewer", {"member-1", Role::kReviewer, {}, "", "member-1"}},
      {"applicant", {"applicant-1", Role::kApplicant, {}, "partners/abc123"}},
      {"viewer", {"viewer-1", Role::kViewer}}};
  for (const auto& [role, principal] : principals) {
    const std::string token = *common::auth::MintToken(principal, options);
    Write("jwt", absl::StrCat("verify_", role), Byte(0) + token);
    Write("jwt", absl::StrCat("header_", role), Byte(1) + "Bearer " + token);
  }
  const std::string claims =
      R"({"sub":"s","role":"ward_staff","ward":"ASAO","iss":"kyodo-fuzz",)"
      R"("aud":["x","kyodo"],"exp":1775003600,"nbf":1774990000.5})";
  Write("jwt", "signed_claims", Byte(2) + claims);
  Write("jwt", "signed_header_claims",
        Byte(3) + R"({"alg":"HS256","typ":"JWT","kid":"k"})" + "\n" + claims);
  Write("jwt", "alg_none", Byte(3) + R"({"alg":"none"})" + "\n" + claims);
}

void Names() {
  const std::vector<std::string> names = {
      "partners/abc123",
      "agreements/a1",
      "networks/n1",
      "projects/pr1",
      "programmes/p1",
      "programmes/p1/calls/c1",
      "programmes/p1/calls/c1/proposals/x1",
      "programmes/p1/calls/c1/reviewers/r1",
      "programmes/p1/calls/c1/proposals/x1/reviews/r1"};
  for (size_t i = 0; i < names.size(); ++i) {
    Write("names", absl::StrCat("name_", i), Byte(i) + names[i]);
  }
  Write("names", "own_pattern",
        Byte(0x80) + "a/*/b/*" + std::string(1, '\0') + "a/x-1/b/2y");
}

// Fills every string field that names something with a plausible value.
void Plausible(Message* m, int depth = 0) {
  if (depth > 3) return;
  const auto* d = m->GetDescriptor();
  const auto* r = m->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) continue;
    if (f->type() == FieldDescriptor::TYPE_STRING && !r->HasField(*m, f)) {
      const std::string& n = f->name();
      if (n == "request_id")
        r->SetString(m, f, "123e4567-e89b-12d3-a456-426614174000");
      if (n == "etag") r->SetString(m, f, "W/\"1\"");
      if (n == "name" || n == "parent" || n == "reviewer" || n == "proposal") {
        r->SetString(m, f, "programmes/p1/calls/c1/proposals/x1");
      }
      if (n == "resource") r->SetString(m, f, "partners/abc123");
      if (n == "filter") r->SetString(m, f, "ward = ASAO");
    }
  }
}

std::map<std::string, std::string> ValidRequests() {
  std::map<std::string, std::string> out;
  {
    pav1::CreatePartnerRequest r;
    auto* p = r.mutable_partner();
    p->set_kind(pav1::CIVIC_GROUP);
    p->set_display_name("NPO法人かわさき創造プロジェクト");
    p->set_name_kana("かわさきそうぞうぷろじぇくと");
    p->set_ward(type::v1::ASAO);
    p->set_corporate_number("7010001008844");
    p->set_website_uri("https://example.jp/");
    auto* c = p->add_contacts();
    c->set_person_name("川崎 花子");
    c->set_email("hanako@example.jp");
    c->set_phone("044-200-2111");
    out["CreatePartnerRequest"] = r.SerializeAsString();
  }
  {
    pav1::UpdatePartnerRequest r;
    r.mutable_partner()->set_name("partners/abc123");
    r.mutable_partner()->set_address("川崎市麻生区万福寺1-5-1");
    r.mutable_update_mask()->add_paths("address");
    out["UpdatePartnerRequest"] = r.SerializeAsString();
  }
  {
    pav1::CreateAgreementRequest r;
    auto* a = r.mutable_agreement();
    a->set_display_name("包括協定");
    a->set_kind(pav1::Agreement::COMPREHENSIVE);
    a->add_parties("partners/a1");
    a->add_parties("partners/b2");
    a->mutable_sign_date()->set_year(2013);
    a->mutable_sign_date()->set_month(4);
    a->mutable_end_date()->set_year(2030);
    a->mutable_end_date()->set_month(3);
    a->mutable_end_date()->set_day(31);
    out["CreateAgreementRequest"] = r.SerializeAsString();
  }
  {
    pav1::CreateNetworkRequest r;
    r.mutable_network()->set_display_name("多摩区3大学協議会");
    r.mutable_network()->add_members("partners/a1");
    r.mutable_network()->set_convening_unit("partners/tama");
    out["CreateNetworkRequest"] = r.SerializeAsString();
  }
  {
    prv1::CreateProjectRequest r;
    auto* p = r.mutable_project();
    p->set_title("みやまえ文化魂2014");
    p->set_issue("地域文化の担い手不足");
    p->set_programme(prv1::COOPERATIVE_PROJECT);
    p->set_fiscal_year(2014);
    auto* lead = p->add_participants();
    lead->set_partner("partners/civic");
    lead->set_role(prv1::Participant::LEAD);
    lead->set_partner_kind("CIVIC_GROUP");
    auto* city = p->add_participants();
    city->set_partner("partners/city");
    city->set_role(prv1::Participant::CITY);
    city->set_partner_kind("CITY_UNIT");
    city->set_ward(type::v1::MIYAMAE);
    for (int i = 0; i < 2; ++i) {
      auto* c = p->add_contributions();
      c->set_form(prv1::CONSIGNMENT);
      c->set_from_partner("partners/city");
      c->set_to_partner("partners/civic");
      c->set_amount_yen(1835000);
    }
    for (int principle = 1; principle <= 6; ++principle) {
      auto* n = p->add_principles();
      n->set_principle(static_cast<prv1::Principle>(principle));
      n->set_note("確認済み");
    }
    auto* o = p->add_outcomes();
    o->set_name("来場者");
    o->set_value(600);
    o->set_unit("人");
    o->set_approximate(true);
    out["CreateProjectRequest"] = r.SerializeAsString();
  }
  {
    prv1::ReviewProjectRequest r;
    r.set_name("projects/pr1");
    r.set_review_text("成果の振り返り");
    auto* o = r.add_outcomes();
    o->set_name("参加団体");
    o->set_value(9);
    o->set_unit("団体");
    out["ReviewProjectRequest"] = r.SerializeAsString();
  }
  {
    pv1::CreateProgrammeRequest r;
    auto* p = r.mutable_programme();
    p->set_display_name("麻生区市民提案型事業");
    p->set_ward(type::v1::ASAO);
    p->set_kind(pv1::Programme::WARD_CITIZEN_PROPOSAL);
    p->set_consigning_unit("partners/asao");
    p->add_eligible_partner_kinds(pav1::CIVIC_GROUP);
    auto* cap = p->add_amount_caps();
    cap->set_continuation_year(1);
    cap->set_max_amount_yen(700000);
    p->set_max_continuation_years(3);
    out["CreateProgrammeRequest"] = r.SerializeAsString();
  }
  {
    pv1::CreateCallRequest r;
    r.set_parent("programmes/p1");
    auto* c = r.mutable_call();
    c->set_display_name("令和8年度 公募");
    c->set_fiscal_year(2026);
    c->mutable_submission_start_time()->set_seconds(1775000000);
    c->mutable_submission_end_time()->set_seconds(1776000000);
    c->set_budget_yen(900000);
    c->set_max_adoptions(2);
    for (int w : {3, 2, 1}) {
      auto* k = c->add_criteria();
      k->set_display_name("地域課題との関連性");
      k->set_weight(w);
      k->set_max_score(5);
    }
    c->set_pass_mark(60);
    c->set_min_reviews(2);
    c->add_tie_break()->set_key(pv1::TieBreak::HIGHER_CRITERION_SCORE);
    out["CreateCallRequest"] = r.SerializeAsString();
  }
  {
    pv1::CreateProposalRequest r;
    r.set_parent("programmes/p1/calls/c1");
    auto* p = r.mutable_proposal();
    p->set_applicant("partners/a1");
    p->add_co_applicants("partners/b2");
    p->set_title("地域づくり");
    p->set_issue("地域のつながりの希薄化");
    p->set_plan("交流行事と見守り活動");
    p->set_requested_amount_yen(400000);
    out["CreateProposalRequest"] = r.SerializeAsString();
  }
  {
    pv1::ScreenProposalRequest r;
    r.set_name("programmes/p1/calls/c1/proposals/x1");
    auto* f = r.mutable_facts();
    f->set_applicant_exists(true);
    f->set_applicant_active(true);
    f->set_applicant_kind(pav1::CIVIC_GROUP);
    f->set_applicant_ward(type::v1::TAMA);
    f->set_continuation_year(4);
    out["ScreenProposalRequest"] = r.SerializeAsString();
  }
  {
    pv1::SubmitReviewRequest r;
    r.set_parent("programmes/p1/calls/c1/proposals/x1");
    for (int s : {5, 4, 40}) r.mutable_review()->add_scores(s);
    r.mutable_review()->set_comment("よい");
    out["SubmitReviewRequest"] = r.SerializeAsString();
  }
  {
    pv1::UpdateCallRequest r;
    r.mutable_call()->set_name("programmes/p1/calls/c1");
    r.mutable_call()->set_display_name("新しい名前");
    r.mutable_update_mask()->add_paths("display_name");
    out["UpdateCallRequest"] = r.SerializeAsString();
  }
  return out;
}

void Requests() {
  const auto& types = RequestTypes();
  const auto valid = ValidRequests();
  for (size_t i = 0; i < types.size(); ++i) {
    std::string body;
    auto it = valid.find(types[i]->name());
    if (it != valid.end()) {
      body = it->second;
    } else {
      std::unique_ptr<Message> m(
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(types[i])
              ->New());
      Plausible(m.get());
      body = m->SerializeAsString();
    }
    const uint16_t tag = RequestTag(*types[i]);
    Write("request", absl::StrCat(types[i]->full_name()),
          Byte(tag >> 8) + Byte(tag & 0xff) + body);
  }
}

}  // namespace
}  // namespace kyodo::fuzz

int main(int argc, char** argv) {
  kyodo::fuzz::root =
      argc > 1 ? argv[1] : KYODO_SOURCE_DIR "/tests/fuzz/corpus";
  mkdir(kyodo::fuzz::root.c_str(), 0755);
  kyodo::fuzz::Filters();
  kyodo::fuzz::PageTokens();
  kyodo::fuzz::Tokens();
  kyodo::fuzz::Names();
  kyodo::fuzz::Requests();
  std::printf("corpus written to %s\n", kyodo::fuzz::root.c_str());
  return 0;
}
