#include "tests/fuzz/harness.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/auth/token.h"
#include "common/paging/filter.h"
#include "common/paging/page_token.h"
#include "common/resource/names.h"
#include "common/resource/update_mask.h"
#include "common/text/text.h"
#include "common/validate/request.h"
#include "gateway/domain/open_data.h"
#include "kyodo/gateway/v1/gateway.pb.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "nlohmann/json.hpp"
#include "partner-service/domain/rules.h"
#include "partner-service/store/agreement_store.h"
#include "partner-service/store/network_store.h"
#include "partner-service/store/partner_store.h"
#include "project-service/domain/rules.h"
#include "project-service/store/project_store.h"
#include "proposal-service/domain/continuation.h"
#include "proposal-service/domain/rules.h"
#include "proposal-service/domain/screening.h"
#include "proposal-service/store/call_store.h"
#include "proposal-service/store/programme_store.h"
#include "proposal-service/store/proposal_store.h"

namespace kyodo::fuzz {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::Message;
namespace pav1 = partner::v1;
namespace prv1 = project::v1;
namespace pv1 = proposal::v1;

absl::string_view View(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// The status codes an input check may answer with; anything else (INTERNAL,
// UNKNOWN...) reaching a caller from bad input is a bug.
void CheckInputError(const absl::Status& status, const char* what) {
  Check(status.ok() || status.code() == absl::StatusCode::kInvalidArgument ||
            status.code() == absl::StatusCode::kFailedPrecondition,
        what);
}

// ---------------------------------------------------------------- filter

const std::vector<const std::vector<common::paging::FilterField>*>&
FilterLists() {
  static const auto* lists =
      new std::vector<const std::vector<common::paging::FilterField>*>{
          &partner::store::PartnerFilterFields(),
          &partner::store::AgreementFilterFields(),
          &partner::store::NetworkFilterFields(),
          &project::store::ProjectFilterFields(),
          &proposal::store::ProgrammeFilterFields(),
          &proposal::store::CallFilterFields(),
          &proposal::store::ProposalFilterFields(),
      };
  return *lists;
}

void CheckFilter(absl::string_view text,
                 const std::vector<common::paging::FilterField>& fields) {
  absl::StatusOr<common::paging::SqlFilter> parsed =
      common::paging::ParseFilter(text, fields);
  if (!parsed.ok()) {
    Check(parsed.status().code() == absl::StatusCode::kInvalidArgument,
          "ParseFilter failed with a code other than INVALID_ARGUMENT");
    return;
  }
  // Values are bound, never spliced: one parameter per placeholder, and the
  // SQL is made of allow-listed text only (no statement separator).
  const size_t placeholders =
      std::count(parsed->sql.begin(), parsed->sql.end(), '?');
  Check(placeholders == parsed->params.size(),
        "ParseFilter: placeholders and parameters differ");
  Check(parsed->sql.find(';') == std::string::npos,
        "ParseFilter: ';' in the SQL");
  // Stronger: the SQL is a sequence of the fragments the allow-list can
  // make (common/paging/filter.cc), so no byte of a value is in it.
  std::vector<std::string> fragments;
  for (const common::paging::FilterField& f : fields) {
    if (f.type == common::paging::FilterType::kMember) {
      fragments.push_back(absl::StrCat(" AND ", f.member_sql));
      fragments.push_back(absl::StrCat(" AND NOT ", f.member_sql));
      continue;
    }
    fragments.push_back(
        absl::StrCat(" AND ", f.column, " LIKE ? ESCAPE '\\\\'"));
    fragments.push_back(absl::StrCat(" AND NOT (", f.column, " <=> ?)"));
    for (const char* op : {"=", "<", ">"}) {
      fragments.push_back(absl::StrCat(" AND ", f.column, " ", op, " ?"));
    }
  }
  const std::string& sql = parsed->sql;
  std::vector<bool> reachable(sql.size() + 1, false);
  reachable[0] = true;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (!reachable[i]) continue;
    for (const std::string& f : fragments) {
      if (sql.compare(i, f.size(), f) == 0) reachable[i + f.size()] = true;
    }
  }
  Check(reachable[sql.size()],
        "ParseFilter: SQL text that no allow-listed fragment makes");
}

// -------------------------------------------------------------- page token

const common::paging::PageTokenCodec& Codec() {
  static const auto* codec = new common::paging::PageTokenCodec(kFuzzPageKey);
  return *codec;
}

// -------------------------------------------------------------------- jwt

// The public JWKS of an RSA key made for the run.
std::string RsaJwks() {
  auto jwk = common::auth::NewPrivateJwk("RS256", "fuzz-rsa");
  Check(jwk.ok(), "NewPrivateJwk");
  auto jwks = common::auth::JwksOf({*jwk});
  Check(jwks.ok(), "JwksOf");
  return *jwks;
}

struct Verifiers {
  std::unique_ptr<common::auth::TokenVerifier> hs;
  std::unique_ptr<common::auth::TokenVerifier> rs;
  std::string rs_key;
};

const Verifiers& GetVerifiers() {
  static const Verifiers* verifiers = [] {
    auto* v = new Verifiers;
    common::auth::VerifierOptions hs;
    hs.issuer = kFuzzIssuer;
    hs.audience = kFuzzAudience;
    hs.key = kFuzzJwtKey;
    hs.algorithms = {"HS256", "HS512"};
    v->hs = *common::auth::TokenVerifier::Create(hs);
    common::auth::VerifierOptions rs = hs;
    v->rs_key = RsaJwks();
    rs.key = "";
    rs.jwks = v->rs_key;
    rs.algorithms = {"RS256"};
    v->rs = *common::auth::TokenVerifier::Create(rs);
    return v;
  }();
  return *verifiers;
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
       &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string SignHs256(absl::string_view header, absl::string_view payload,
                      absl::string_view key) {
  const std::string input = absl::StrCat(absl::WebSafeBase64Escape(header), ".",
                                         absl::WebSafeBase64Escape(payload));
  return absl::StrCat(input, ".",
                      absl::WebSafeBase64Escape(HmacSha256(key, input)));
}

void CheckPrincipalResult(
    const absl::StatusOr<common::auth::Principal>& result) {
  using common::auth::Role;
  if (!result.ok()) {
    Check(result.status().code() == absl::StatusCode::kUnauthenticated,
          "token verification failed with a code other than UNAUTHENTICATED");
    return;
  }
  const common::auth::Principal& p = *result;
  Check(!p.subject.empty(), "verified token without a subject");
  if (p.role == Role::kWardStaff) {
    Check(p.ward != type::v1::WARD_UNSPECIFIED, "ward_staff without a ward");
  }
  if (p.role == Role::kApplicant) {
    Check(absl::StartsWith(p.partner, "partners/"),
          "applicant without partner");
  }
  if (p.role == Role::kReviewer) {
    Check(!p.reviewer.empty(), "reviewer without a reviewer claim");
  }
}

// --------------------------------------------------------------- requests

// A call with three criteria, for the score checks.
pv1::Call ReviewedCall() {
  pv1::Call c;
  c.set_name("programmes/p1/calls/c1");
  c.set_state(pv1::Call::UNDER_REVIEW);
  for (int max : {5, 10, 100}) {
    auto* criterion = c.add_criteria();
    criterion->set_display_name("基準");
    criterion->set_weight(1);
    criterion->set_max_score(max);
  }
  return c;
}

pv1::Programme SomeProgramme() {
  pv1::Programme p;
  p.set_name("programmes/p1");
  p.set_ward(type::v1::ASAO);
  p.set_kind(pv1::Programme::WARD_CITIZEN_PROPOSAL);
  p.add_eligible_partner_kinds(pav1::CIVIC_GROUP);
  p.set_same_ward_required(true);
  auto* cap = p.add_amount_caps();
  cap->set_continuation_year(1);
  cap->set_max_amount_yen(700000);
  p.set_max_continuation_years(3);
  p.set_one_proposal_per_applicant(true);
  p.set_lifetime_adoption_limit(5);
  return p;
}

absl::flat_hash_set<std::string> FieldNames(const Message& m) {
  absl::flat_hash_set<std::string> names;
  const Descriptor* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) names.insert(d->field(i)->name());
  return names;
}

// An update: the mask resolved against every field of the resource, applied
// to an empty one (what a handler does before its rules).
template <typename Resource>
std::optional<Resource> Patched(const google::protobuf::FieldMask& mask,
                                const Resource& patch) {
  auto fields = common::ResolveUpdateMask(mask, patch, FieldNames(patch));
  CheckInputError(fields.status(), "ResolveUpdateMask");
  if (!fields.ok()) return std::nullopt;
  Resource after;
  common::ApplyFields(patch, *fields, &after);
  return after;
}

void CheckJsonLine(const std::string& line) {
  Check(!line.empty() && line.back() == '\n', "JSON line without newline");
  Check(line.find('\n') == line.size() - 1, "JSON line with a raw newline");
  const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  Check(!parsed.is_discarded() && parsed.is_object(), "JSON line not JSON");
}

void CheckCsvLine(const std::string& line) {
  Check(line.size() >= 2 && line.substr(line.size() - 2) == "\r\n",
        "CSV line without CRLF");
  // Quotes balance: every quoted cell is closed.
  Check(std::count(line.begin(), line.end(), '"') % 2 == 0,
        "CSV line with an unbalanced quote");
}

void PartnerRules(const Message& m) {
  namespace domain = partner::domain;
  if (auto* r = dynamic_cast<const pav1::CreatePartnerRequest*>(&m)) {
    CheckInputError(domain::ValidatePartner(r->partner(), "partner"),
                    "ValidatePartner");
    (void)domain::IsValidCorporateNumber(r->partner().corporate_number());
    // A parent chain made of the request's own names: never loops forever.
    const std::string id = r->partner().name();
    const std::string parent = r->partner().parent();
    CheckInputError(domain::CheckNoParentCycle(
                        id, parent,
                        [&](absl::string_view x)
                            -> absl::StatusOr<std::optional<std::string>> {
                          if (x == parent)
                            return std::optional<std::string>(id);
                          return std::optional<std::string>();
                        }),
                    "CheckNoParentCycle");
  } else if (auto* r = dynamic_cast<const pav1::UpdatePartnerRequest*>(&m)) {
    if (auto p = Patched(r->update_mask(), r->partner())) {
      CheckInputError(domain::ValidatePartner(*p, "partner"),
                      "ValidatePartner");
    }
  } else if (auto* r = dynamic_cast<const pav1::CreateAgreementRequest*>(&m)) {
    CheckInputError(domain::ValidateAgreement(r->agreement(), "agreement"),
                    "ValidateAgreement");
    if (domain::ValidateAgreement(r->agreement(), "agreement").ok()) {
      (void)domain::AgreementState(r->agreement(), absl::CivilDay(2026, 4, 1));
    }
  } else if (auto* r = dynamic_cast<const pav1::UpdateAgreementRequest*>(&m)) {
    if (auto a = Patched(r->update_mask(), r->agreement())) {
      CheckInputError(domain::ValidateAgreement(*a, "agreement"),
                      "ValidateAgreement");
    }
  } else if (auto* r = dynamic_cast<const pav1::CreateNetworkRequest*>(&m)) {
    CheckInputError(domain::ValidateNetwork(r->network(), "network"),
                    "ValidateNetwork");
  } else if (auto* r = dynamic_cast<const pav1::UpdateNetworkRequest*>(&m)) {
    if (auto n = Patched(r->update_mask(), r->network())) {
      CheckInputError(domain::ValidateNetwork(*n, "network"),
                      "ValidateNetwork");
    }
  } else if (auto* r = dynamic_cast<const pav1::SearchPartnersRequest*>(&m)) {
    CheckInputError(common::SearchKey(r->query()).status(), "SearchKey");
  }
}

// Every pure rule of a project, in the order the handlers run them.
void ProjectLifecycle(prv1::Project p) {
  namespace domain = project::domain;
  domain::Normalise(p);
  if (!domain::ValidateProject(p, "project").ok()) {
    CheckInputError(domain::ValidateProject(p, "project"), "ValidateProject");
    return;
  }
  CheckInputError(domain::CheckParticipantCount(p), "CheckParticipantCount");
  // The partner records partner-service would answer, made from the
  // participants' own (output) fields.
  domain::PartnersByName partners;
  for (const auto& part : p.participants()) {
    pav1::Partner record;
    record.set_name(part.partner());
    record.set_display_name(part.display_name().empty() ? "名"
                                                        : part.display_name());
    pav1::PartnerKind kind = pav1::CIVIC_GROUP;
    pav1::PartnerKind_Parse(part.partner_kind(), &kind);
    record.set_kind(kind);
    if (part.has_ward()) record.set_ward(part.ward());
    record.set_state(pav1::Partner::ACTIVE);
    partners[part.partner()] = record;
  }
  if (!domain::ApplyPartners(partners, p).ok()) return;
  domain::Derive(p);
  // As CreateProject stores it.
  p.set_state(prv1::Project::PLANNED);
  (void)domain::StartFiscalYear(p);
  CheckInputError(domain::CheckCooperativeParties(p),
                  "CheckCooperativeParties");
  CheckInputError(domain::CheckPatternParties(p), "CheckPatternParties");
  CheckInputError(domain::CheckPrinciples(p), "CheckPrinciples");
  CheckInputError(domain::CheckRules(p), "CheckRules");
  CheckInputError(domain::CheckEditable(p), "CheckEditable");
  // What the open data shows of it, started.
  prv1::Project started = p;
  if (domain::Start(started).ok()) {
    CheckCsvLine(
        gateway::domain::CsvLine(gateway::domain::ProjectCells(started)));
    CheckJsonLine(gateway::domain::ProjectJsonLine(started));
    (void)gateway::domain::IsPublishedProject(started);
    if (domain::Complete(started).ok()) {
      domain::ReviewInput review;
      review.text = "振り返り";
      review.reviewed_by = "fuzz";
      CheckInputError(domain::Review(started, review), "Review");
    }
  }
  prv1::Project cancelled = p;
  CheckInputError(domain::Cancel(cancelled, "理由"), "Cancel");
  google::protobuf::Timestamp now;
  now.set_seconds(1775000000);
  CheckInputError(domain::Delete(cancelled, now), "Delete");
}

void ProjectRules(const Message& m) {
  namespace domain = project::domain;
  if (auto* r = dynamic_cast<const prv1::CreateProjectRequest*>(&m)) {
    ProjectLifecycle(r->project());
    CheckInputError(domain::ValidateParticipants(r->project(), "project"),
                    "ValidateParticipants");
  } else if (auto* r = dynamic_cast<const prv1::UpdateProjectRequest*>(&m)) {
    if (auto p = Patched(r->update_mask(), r->project())) ProjectLifecycle(*p);
  } else if (auto* r = dynamic_cast<const prv1::ReviewProjectRequest*>(&m)) {
    CheckInputError(domain::ValidateReview(r->review_text(), r->outcomes()),
                    "ValidateReview");
    CheckInputError(domain::ValidateOutcomes(r->outcomes(), "outcomes"),
                    "ValidateOutcomes");
  } else if (auto* r = dynamic_cast<const prv1::CancelProjectRequest*>(&m)) {
    prv1::Project p;
    p.set_state(prv1::Project::ACTIVE);
    CheckInputError(domain::Cancel(p, r->reason()), "Cancel");
  }
}

void ScreenWith(const pv1::Proposal& proposal,
                const pv1::EligibilityFacts& facts) {
  namespace domain = proposal::domain;
  if (!domain::ValidateFacts(facts, "facts").ok()) {
    CheckInputError(domain::ValidateFacts(facts, "facts"), "ValidateFacts");
    return;
  }
  domain::ApplicantRecords records;
  records.proposals_in_call =
      static_cast<int32_t>(proposal.co_applicants_size());
  records.adoptions_in_programme =
      static_cast<int32_t>(proposal.title().size());
  const pv1::Screening s =
      domain::Screen(SomeProgramme(), proposal, facts, records);
  Check(s.result() != pv1::Screening::RESULT_UNSPECIFIED,
        "Screen without result");
  (void)domain::FormatYen(proposal.requested_amount_yen());
}

void ProposalRules(const Message& m) {
  namespace domain = proposal::domain;
  if (auto* r = dynamic_cast<const pv1::CreateProgrammeRequest*>(&m)) {
    CheckInputError(domain::ValidateProgramme(r->programme(), "programme"),
                    "ValidateProgramme");
    if (domain::ValidateProgramme(r->programme(), "programme").ok()) {
      for (int year : {1, 2, 3, 100}) {
        (void)domain::AmountCapFor(r->programme(), year);
      }
    }
  } else if (auto* r = dynamic_cast<const pv1::UpdateProgrammeRequest*>(&m)) {
    if (auto p = Patched(r->update_mask(), r->programme())) {
      CheckInputError(domain::ValidateProgramme(*p, "programme"),
                      "ValidateProgramme");
    }
    for (const std::string& path : r->update_mask().paths()) {
      (void)domain::IsProgrammeRuleField(path);
    }
  } else if (auto* r = dynamic_cast<const pv1::CreateCallRequest*>(&m)) {
    pv1::Call c = r->call();
    const absl::Status valid = domain::ValidateCall(c, "call");
    CheckInputError(valid, "ValidateCall");
    if (!valid.ok()) return;
    // The open data of a published result of this call.
    pv1::ProposalResult result;
    result.set_proposal(absl::StrCat(r->parent(), "/calls/c/proposals/p"));
    result.set_title(c.display_name());
    result.set_rank(c.max_adoptions());
    result.set_requested_amount_yen(c.budget_yen());
    CheckCsvLine(gateway::domain::CsvLine(
        gateway::domain::ResultCells(c, result, c.description())));
    CheckJsonLine(gateway::domain::ResultJsonLine(c, result, c.description()));
    std::set<int> years;
    for (const auto& cap : c.criteria())
      years.insert(static_cast<int>(cap.weight()));
    Check(proposal::domain::ContinuationYear(c.fiscal_year(), years) >= 1,
          "ContinuationYear below 1");
  } else if (auto* r = dynamic_cast<const pv1::UpdateCallRequest*>(&m)) {
    auto after = Patched(r->update_mask(), r->call());
    if (!after.has_value()) return;
    pv1::Call before = *after;
    if (!domain::ValidateCall(*after, "call").ok()) return;
    before.set_display_name("前");
    if (!domain::ValidateCall(before, "call").ok()) return;
    std::vector<std::string> fields(r->update_mask().paths().begin(),
                                    r->update_mask().paths().end());
    CheckInputError(domain::CheckOpenCallChange(before, *after, fields),
                    "CheckOpenCallChange");
  } else if (auto* r = dynamic_cast<const pv1::CreateProposalRequest*>(&m)) {
    CheckInputError(domain::ValidateProposal(r->proposal(), "proposal"),
                    "ValidateProposal");
    if (domain::ValidateProposal(r->proposal(), "proposal").ok()) {
      pv1::EligibilityFacts facts;
      facts.set_applicant_exists(true);
      facts.set_applicant_active(true);
      facts.set_applicant_kind(pav1::CIVIC_GROUP);
      facts.set_applicant_ward(type::v1::ASAO);
      facts.set_continuation_year(1);
      ScreenWith(r->proposal(), facts);
    }
  } else if (auto* r = dynamic_cast<const pv1::UpdateProposalRequest*>(&m)) {
    if (auto p = Patched(r->update_mask(), r->proposal())) {
      CheckInputError(domain::ValidateProposal(*p, "proposal"),
                      "ValidateProposal");
    }
  } else if (auto* r = dynamic_cast<const pv1::CreateReviewerRequest*>(&m)) {
    CheckInputError(domain::ValidateReviewer(r->reviewer(), "reviewer"),
                    "ValidateReviewer");
  } else if (auto* r = dynamic_cast<const pv1::UpdateReviewerRequest*>(&m)) {
    if (auto v = Patched(r->update_mask(), r->reviewer())) {
      CheckInputError(domain::ValidateReviewer(*v, "reviewer"),
                      "ValidateReviewer");
    }
  } else if (auto* r = dynamic_cast<const pv1::ScreenProposalRequest*>(&m)) {
    pv1::Proposal p;
    p.set_name(r->name());
    p.set_applicant("partners/a1");
    p.set_requested_amount_yen(500000);
    ScreenWith(p, r->facts());
  } else if (auto* r = dynamic_cast<const pv1::SubmitReviewRequest*>(&m)) {
    CheckInputError(
        domain::ValidateScores(ReviewedCall(), 1, r->review(), "review"),
        "ValidateScores");
  }
}

// The name fields every handler parses first.
void Names(const Message& m) {
  const Descriptor* d = m.GetDescriptor();
  const google::protobuf::Reflection* reflection = m.GetReflection();
  static const char* kPatterns[] = {
      "partners/*",
      "agreements/*",
      "networks/*",
      "projects/*",
      "programmes/*",
      "programmes/*/calls/*",
      "programmes/*/calls/*/proposals/*",
      "programmes/*/calls/*/reviewers/*",
      "programmes/*/calls/*/proposals/*/reviews/*"};
  for (const char* field_name :
       {"name", "parent", "resource", "reviewer", "proposal"}) {
    const auto* field = d->FindFieldByName(field_name);
    if (field == nullptr || field->is_repeated() ||
        field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      continue;
    }
    const std::string value = reflection->GetString(m, field);
    for (const char* pattern : kPatterns) {
      auto ids = common::ParseNestedName(field_name, value, pattern);
      CheckInputError(ids.status(), "ParseNestedName");
    }
  }
}

// List requests: the page size, the filter against its collection's fields
// and the page token, as the handlers do.
void Listing(const Message& m) {
  const Descriptor* d = m.GetDescriptor();
  const google::protobuf::Reflection* reflection = m.GetReflection();
  const auto* size_field = d->FindFieldByName("page_size");
  if (size_field != nullptr) {
    auto size =
        common::paging::EffectivePageSize(reflection->GetInt32(m, size_field));
    CheckInputError(size.status(), "EffectivePageSize");
    if (size.ok())
      Check(*size >= 1 && *size <= common::paging::kMaxPageSize, "page size");
  }
  const auto* token_field = d->FindFieldByName("page_token");
  if (token_field != nullptr) {
    auto cursor =
        Codec().Decode(reflection->GetString(m, token_field), d->name());
    CheckInputError(cursor.status(), "PageTokenCodec::Decode");
  }
  const auto* filter_field = d->FindFieldByName("filter");
  if (filter_field == nullptr) return;
  const std::string filter = reflection->GetString(m, filter_field);
  const std::string& type = d->name();
  const std::vector<common::paging::FilterField>* fields = nullptr;
  if (type == "ListPartnersRequest" || type == "SearchPartnersRequest") {
    fields = &partner::store::PartnerFilterFields();
  } else if (type == "ListAgreementsRequest") {
    fields = &partner::store::AgreementFilterFields();
  } else if (type == "ListNetworksRequest") {
    fields = &partner::store::NetworkFilterFields();
  } else if (type == "ListProjectsRequest") {
    fields = &project::store::ProjectFilterFields();
  } else if (type == "ListProgrammesRequest") {
    fields = &proposal::store::ProgrammeFilterFields();
  } else if (type == "ListCallsRequest") {
    fields = &proposal::store::CallFilterFields();
  } else if (type == "ListProposalsRequest") {
    fields = &proposal::store::ProposalFilterFields();
  }
  if (fields != nullptr) CheckFilter(filter, *fields);
}

}  // namespace

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "kyodo fuzz invariant broken: %s\n", what);
  std::abort();
}

absl::Time TokenTime() {
  return absl::FromUnixSeconds(1775000000);
}  // 2026-04-01

const std::vector<Target>& Targets() {
  static const auto* targets =
      new std::vector<Target>{{"filter", FuzzFilter},
                              {"page_token", FuzzPageToken},
                              {"jwt", FuzzToken},
                              {"names", FuzzNames},
                              {"request", FuzzRequest}};
  return *targets;
}

const std::vector<const Descriptor*>& RequestTypes() {
  static const auto* types = [] {
    auto* out = new std::vector<const Descriptor*>;
    // Referencing the generated files links them, so their descriptors are
    // in the generated pool.
    (void)pav1::Partner::descriptor();
    (void)prv1::Project::descriptor();
    (void)pv1::Proposal::descriptor();
    (void)gateway::v1::SubmitProposalRequest::descriptor();
    const auto* pool = google::protobuf::DescriptorPool::generated_pool();
    std::set<std::string> seen;
    for (const char* service :
         {"kyodo.partner.v1.PartnerService", "kyodo.project.v1.ProjectService",
          "kyodo.proposal.v1.ProposalService", "kyodo.gateway.v1.Gateway"}) {
      const auto* s = pool->FindServiceByName(service);
      Check(s != nullptr, "service descriptor missing");
      for (int i = 0; i < s->method_count(); ++i) {
        const Descriptor* input = s->method(i)->input_type();
        if (seen.insert(input->full_name()).second) out->push_back(input);
      }
    }
    return out;
  }();
  return *types;
}

void FuzzFilter(const uint8_t* data, size_t size) {
  if (size < 1 || size > 4096) return;
  const auto& lists = FilterLists();
  CheckFilter(View(data + 1, size - 1), *lists[data[0] % lists.size()]);
}

void FuzzPageToken(const uint8_t* data, size_t size) {
  if (size > 4096) return;
  const absl::string_view input = View(data, size);
  const size_t split = input.find('\0');
  const absl::string_view token = input.substr(0, split);
  const absl::string_view query = split == absl::string_view::npos
                                      ? absl::string_view()
                                      : input.substr(split + 1);
  auto decoded = Codec().Decode(token, query);
  if (!decoded.ok()) {
    Check(decoded.status().code() == absl::StatusCode::kInvalidArgument,
          "Decode failed with a code other than INVALID_ARGUMENT");
  }
  // Any cursor survives a round trip, and only for its own query.
  common::paging::PageCursor cursor;
  for (size_t i = 0; i < std::min<size_t>(8, token.size()); ++i) {
    cursor.last_seq = (cursor.last_seq << 8) | static_cast<uint8_t>(token[i]);
  }
  if (token.size() > 8) cursor.last_key = std::string(token.substr(8, 64));
  const std::string encoded = Codec().Encode(query, cursor);
  auto back = Codec().Decode(encoded, query);
  Check(back.ok(), "a token the codec made does not decode");
  Check(back->last_seq == cursor.last_seq && back->last_key == cursor.last_key,
        "page token round trip changed the cursor");
  Check(!Codec().Decode(encoded, absl::StrCat(query, "|")).ok(),
        "page token accepted for another query");
  std::string altered = encoded;
  const size_t middle = altered.size() / 2;
  altered[middle] = altered[middle] == 'A' ? 'B' : 'A';
  Check(!Codec().Decode(altered, query).ok(), "altered page token accepted");
}

// The "alg" of a compact JWS's header, or "" when it has none readable.
// The Authorization scheme is matched without regard to case (RFC 9110,
// section 11.1), as VerifyAuthorizationHeader does.
std::string HeaderAlg(absl::string_view token) {
  if (absl::StartsWithIgnoreCase(token, "Bearer ")) token.remove_prefix(7);
  const size_t dot = token.find('.');
  if (dot == absl::string_view::npos) return "";
  std::string header;
  if (!absl::WebSafeBase64Unescape(token.substr(0, dot), &header) &&
      !absl::Base64Unescape(token.substr(0, dot), &header)) {
    return "";
  }
  const nlohmann::json json = nlohmann::json::parse(header, nullptr, false);
  if (!json.is_object() || !json.contains("alg") || !json["alg"].is_string()) {
    return "";
  }
  return json["alg"].get<std::string>();
}

// Only the algorithms each verifier allows may pass ("none" never does).
void CheckAlgorithm(const absl::StatusOr<common::auth::Principal>& result,
                    absl::string_view token, absl::string_view allowed) {
  if (result.ok()) {
    Check(absl::EqualsIgnoreCase(HeaderAlg(token), allowed),
          "token accepted with an algorithm the verifier does not allow");
  }
}

void FuzzToken(const uint8_t* data, size_t size) {
  if (size < 1 || size > 16384) return;
  const Verifiers& v = GetVerifiers();
  const absl::string_view input = View(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      const auto hs = v.hs->Verify(input, TokenTime());
      CheckPrincipalResult(hs);
      CheckAlgorithm(hs, input, "HS256");
      const auto rs = v.rs->Verify(input, TokenTime());
      CheckPrincipalResult(rs);
      CheckAlgorithm(rs, input, "RS256");
      return;
    }
    case 1: {
      const auto hs = v.hs->VerifyAuthorizationHeader(input, TokenTime());
      CheckPrincipalResult(hs);
      CheckAlgorithm(hs, input, "HS256");
      return;
    }
    default: {
      // A well-signed token around arbitrary JSON: reaches the claim checks.
      std::string header = R"({"alg":"HS256","typ":"JWT"})";
      absl::string_view payload = input;
      if (data[0] % 4 == 3) {
        const size_t nl = input.find('\n');
        if (nl != absl::string_view::npos) {
          header = std::string(input.substr(0, nl));
          payload = input.substr(nl + 1);
        }
      }
      const std::string token = SignHs256(header, payload, kFuzzJwtKey);
      const auto hs = v.hs->Verify(token, TokenTime());
      CheckPrincipalResult(hs);
      // A header naming another algorithm (or none) is refused even when
      // the HMAC is right.
      CheckAlgorithm(hs, token, "HS256");
      // Algorithm confusion: HMAC-signed with the RSA public key (its JWKS)
      // as secret.
      auto confused =
          v.rs->Verify(SignHs256(header, payload, v.rs_key), TokenTime());
      Check(!confused.ok(),
            "HS256 token signed with the RSA public key accepted");
      CheckPrincipalResult(confused);
      return;
    }
  }
}

void FuzzNames(const uint8_t* data, size_t size) {
  if (size < 1 || size > 4096) return;
  static const char* kPatterns[] = {
      "partners/*",
      "agreements/*",
      "networks/*",
      "projects/*",
      "programmes/*",
      "programmes/*/calls/*",
      "programmes/*/calls/*/proposals/*",
      "programmes/*/calls/*/reviewers/*",
      "programmes/*/calls/*/proposals/*/reviews/*"};
  constexpr size_t kCount = sizeof(kPatterns) / sizeof(kPatterns[0]);
  const absl::string_view input = View(data + 1, size - 1);
  std::string pattern = kPatterns[data[0] % kCount];
  absl::string_view name = input;
  if (data[0] >= 0x80) {  // the pattern comes from the input too
    const size_t split = input.find('\0');
    if (split != absl::string_view::npos) {
      pattern = std::string(input.substr(0, split));
      name = input.substr(split + 1);
    }
  }
  auto ids = common::ParseNestedName("name", name, pattern);
  if (!ids.ok()) {
    Check(ids.status().code() == absl::StatusCode::kInvalidArgument,
          "ParseNestedName failed with a code other than INVALID_ARGUMENT");
  } else {
    // The ids put back into the pattern give the name again.
    std::vector<std::string> parts = absl::StrSplit(pattern, '/');
    size_t next = 0;
    for (std::string& part : parts) {
      if (part == "*") {
        Check(next < ids->size(), "fewer ids than wildcards");
        Check(common::IsValidId((*ids)[next]), "invalid id returned");
        part = (*ids)[next++];
      }
    }
    Check(next == ids->size(), "more ids than wildcards");
    Check(absl::StrJoin(parts, "/") == name, "ids do not rebuild the name");
  }
  const bool valid = common::IsValidId(name);
  auto single =
      common::ParseName("name", absl::StrCat("partners/", name), "partners");
  Check(single.ok() == valid, "ParseName disagrees with IsValidId");
  if (valid) Check(*single == name, "ParseName returned another id");
}

namespace {

// FNV-1a over `text`, folded to 16 bits.
uint16_t Fnv16(absl::string_view text) {
  uint32_t hash = 2166136261u;
  for (const char c : text) {
    hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  }
  return static_cast<uint16_t>((hash >> 16) ^ (hash & 0xffff));
}

}  // namespace

uint16_t RequestTag(const Descriptor& type) {
  // Each type's tag is the hash of its full name; when that is taken by a
  // type whose name sorts first, the hash of "<name>#1", "#2", ... So a new
  // type never changes the tag, and the seeds, of the types before it
  // (kyodo.proposal.v1.WatchEventsRequest met CreateProposalRequest).
  static const auto* tags = [] {
    std::vector<const Descriptor*> sorted = RequestTypes();
    std::sort(sorted.begin(), sorted.end(),
              [](const Descriptor* a, const Descriptor* b) {
                return a->full_name() < b->full_name();
              });
    auto* out = new absl::flat_hash_map<const Descriptor*, uint16_t>;
    absl::flat_hash_set<uint16_t> taken;
    for (const Descriptor* t : sorted) {
      uint16_t tag = Fnv16(t->full_name());
      for (int salt = 1; taken.contains(tag); ++salt) {
        tag = Fnv16(absl::StrCat(t->full_name(), "#", salt));
      }
      taken.insert(tag);
      out->emplace(t, tag);
    }
    return out;
  }();
  auto it = tags->find(&type);
  return it != tags->end() ? it->second : Fnv16(type.full_name());
}

const Descriptor* RequestTypeOfTag(uint16_t tag) {
  static const auto* by_tag = [] {
    auto* out = new absl::flat_hash_map<uint16_t, const Descriptor*>;
    for (const Descriptor* type : RequestTypes())
      out->emplace(RequestTag(*type), type);
    return out;
  }();
  auto it = by_tag->find(tag);
  if (it != by_tag->end()) return it->second;
  const auto& types = RequestTypes();
  return types[tag % types.size()];
}

void FuzzRequest(const uint8_t* data, size_t size) {
  if (size < 2 || size > 65536) return;
  const Descriptor* type = RequestTypeOfTag(
      static_cast<uint16_t>((static_cast<uint16_t>(data[0]) << 8) | data[1]));
  std::unique_ptr<Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(type)
          ->New());
  if (!message->ParsePartialFromArray(data + 2, static_cast<int>(size - 2)))
    return;
  const absl::Status valid = common::ValidateRequest(*message);
  Check(valid.ok() || valid.code() == absl::StatusCode::kInvalidArgument,
        "ValidateRequest failed with a code other than INVALID_ARGUMENT");
  // The services run nothing else on a request that fails these checks.
  if (!valid.ok()) return;
  const auto* request_id = type->FindFieldByName("request_id");
  if (request_id != nullptr) {
    CheckInputError(common::ValidateRequestId(
                        "request_id", message->GetReflection()->GetString(
                                          *message, request_id)),
                    "ValidateRequestId");
  }
  Names(*message);
  Listing(*message);
  PartnerRules(*message);
  ProjectRules(*message);
  ProposalRules(*message);
}

}  // namespace kyodo::fuzz
