// Hostile text in every string field of every request, through the gateway
// against the real services and their MariaDB schemas:
// - a value one byte over the field's limit (kyodo.type.v1.max_bytes, or the
//   default), Japanese without NUL, is INVALID_ARGUMENT naming that field;
// - SQL metacharacters (' " ; -- /* \ % _) within the limit never give
//   INTERNAL, read methods change no table, and display names holding them
//   are stored and read back byte for byte (and match as literal text in
//   filters, `%` and `_` included).
// Request types and their string fields (nested and repeated too) come from
// the descriptors, so a new field or method is covered without a change
// here.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "kyodo/type/v1/field.pb.h"
#include "tests/security/world.h"
#include "tests/testing/auth.h"
#include "tests/testing/status.h"

namespace kyodo::security {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
namespace pav1 = partner::v1;
namespace prv1 = project::v1;
namespace pv1 = proposal::v1;
using testing::Context;

constexpr int kDefaultMaxBytes = 1000;  // common/validate/request.h
// Every SQL metacharacter, and text after a comment opener.
constexpr char kMeta[] = "'\"; -- /* \\ % _ 協働' OR '1'='1 */";

// A string field of a request, with the path ValidateRequest names it by.
struct StringField {
  std::vector<const FieldDescriptor*> chain;  // from the request down
  std::string path;  // e.g. "partner.contacts[0].email"
  int max_bytes = kDefaultMaxBytes;
};

void Collect(const Descriptor* d, std::vector<const FieldDescriptor*>& chain,
             const std::string& prefix, int depth,
             std::vector<StringField>* out) {
  if (depth > 6) return;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    std::string path =
        prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->is_repeated()) absl::StrAppend(&path, "[0]");
    chain.push_back(f);
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      StringField field{chain, path};
      if (f->options().HasExtension(type::v1::max_bytes)) {
        field.max_bytes = f->options().GetExtension(type::v1::max_bytes);
      }
      out->push_back(std::move(field));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      Collect(f->message_type(), chain, path, depth + 1, out);
    }
    chain.pop_back();
  }
}

std::vector<StringField> StringFields(const Descriptor* d) {
  std::vector<StringField> out;
  std::vector<const FieldDescriptor*> chain;
  Collect(d, chain, "", 0, &out);
  return out;
}

// Sets the field at the end of `field.chain` in `m` (creating the messages
// and first list elements on the way) to `value`.
void Set(Message* m, const StringField& field, const std::string& value) {
  for (size_t i = 0; i < field.chain.size(); ++i) {
    const FieldDescriptor* f = field.chain[i];
    const auto* r = m->GetReflection();
    const bool last = i + 1 == field.chain.size();
    if (last) {
      if (f->is_repeated()) {
        r->AddString(m, f, value);
      } else {
        r->SetString(m, f, value);
      }
      return;
    }
    if (f->is_repeated()) {
      m = r->FieldSize(*m, f) > 0 ? r->MutableRepeatedMessage(m, f, 0)
                                  : r->AddMessage(m, f);
    } else {
      m = r->MutableMessage(m, f);
    }
  }
}

// Japanese, no NUL, exactly `bytes` bytes.
std::string JapaneseOfBytes(int bytes) {
  std::string out;
  while (static_cast<int>(out.size()) + 3 <= bytes) out += "協";
  while (static_cast<int>(out.size()) < bytes) out += "x";
  return out;
}

// `text` cut to at most `bytes` bytes on a character boundary.
std::string CutUtf8(const std::string& text, int bytes) {
  if (static_cast<int>(text.size()) <= bytes) return text;
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return text.substr(0, end);
}

bool IsRead(const MethodDescriptor* m) {
  for (const char* prefix : {"Get", "List", "Search", "BatchGet", "Preview",
                             "Export", "Summarize"}) {
    if (absl::StartsWith(m->name(), prefix)) return true;
  }
  return false;
}

std::string Name(const MethodDescriptor* m) {
  return absl::StrCat(m->service()->name(), ".", m->name());
}

class SecurityInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<testing::Cluster>("secinput");
    ASSERT_NO_FATAL_FAILURE(Seed(*cluster_, &world_));
    gateway_ = cluster_->Channel(testing::Service::kGateway);
  }

  // The content of every table of the three schemas (CHECKSUM TABLE, so an
  // UPDATE shows as well as an INSERT or DELETE).
  std::map<std::string, std::string> TableChecksums() const {
    std::map<std::string, std::string> counts;
    for (testing::Service s :
         {testing::Service::kPartner, testing::Service::kProject,
          testing::Service::kProposal}) {
      const testing::TestDatabase& db = cluster_->Database(s);
      const std::string tables = db.QueryValue(
          "SELECT GROUP_CONCAT(table_name SEPARATOR ',') FROM "
          "information_schema.tables "
          "WHERE table_schema = DATABASE()");
      for (absl::string_view t :
           absl::StrSplit(tables, ',', absl::SkipEmpty())) {
        const std::string columns = db.QueryValue(absl::StrCat(
            "SELECT GROUP_CONCAT(CONCAT('`', column_name, '`') ORDER BY "
            "ordinal_position) FROM information_schema.columns WHERE "
            "table_schema = DATABASE() AND table_name = '",
            t, "'"));
        // The row count and an order-free hash of every row's values.
        counts[absl::StrCat(db.name(), ".", t)] = db.QueryValue(absl::StrCat(
            "SELECT CONCAT(COUNT(*), ':', COALESCE(BIT_XOR(CRC32(CONCAT_WS("
            "'|', ",
            columns, "))), 0)) FROM `", t, "`"));
      }
    }
    return counts;
  }

  std::unique_ptr<testing::Cluster> cluster_;
  World world_;
  std::shared_ptr<grpc::Channel> gateway_;
};

TEST_F(SecurityInputTest, OneByteOverTheLimitIsInvalidArgumentNamingTheField) {
  int checked = 0;
  for (const MethodDescriptor* method : AllMethods()) {
    for (const StringField& field : StringFields(method->input_type())) {
      auto request = NewRequest(method);
      Set(request.get(), field, JapaneseOfBytes(field.max_bytes + 1));
      const Outcome out =
          Invoke(gateway_, method, *request, world_.token(kAdmin));
      EXPECT_EQ(out.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << Name(method) << " " << field.path << " (" << field.max_bytes + 1
          << " bytes): " << out.status.error_message();
      EXPECT_EQ(testing::BadField(out.status), field.path)
          << Name(method) << ": " << out.status.error_message();
      // At the limit the length is not what is refused.
      auto at_limit = NewRequest(method);
      Set(at_limit.get(), field, JapaneseOfBytes(field.max_bytes));
      const Outcome fits =
          Invoke(gateway_, method, *at_limit, world_.token(kAdmin));
      EXPECT_FALSE(fits.status.error_code() ==
                       grpc::StatusCode::INVALID_ARGUMENT &&
                   testing::Reason(fits.status) == "FIELD_TOO_LONG")
          << Name(method) << " " << field.path << " refused at its limit";
      EXPECT_NE(fits.status.error_code(), grpc::StatusCode::INTERNAL)
          << Name(method) << " " << field.path << ": "
          << fits.status.error_message();
      ++checked;
    }
  }
  std::printf("%d string fields checked at their limit and one byte over\n",
              checked);
  EXPECT_GT(checked, 300);
}

TEST_F(SecurityInputTest,
       MetacharactersNeverGiveInternalAndReadsChangeNothing) {
  const auto before = TableChecksums();
  ASSERT_GT(before.size(), 10u);
  int reads = 0, writes = 0;
  auto send = [&](const MethodDescriptor* method, const StringField& field) {
    auto request = NewRequest(method);
    Set(request.get(), field, CutUtf8(kMeta, field.max_bytes));
    const Outcome out =
        Invoke(gateway_, method, *request, world_.token(kAdmin));
    EXPECT_NE(out.status.error_code(), grpc::StatusCode::INTERNAL)
        << Name(method) << " " << field.path << ": "
        << out.status.error_message();
    EXPECT_NE(out.status.error_code(), grpc::StatusCode::UNKNOWN)
        << Name(method) << " " << field.path << ": "
        << out.status.error_message();
    return out.status.ok();
  };
  for (const MethodDescriptor* method : AllMethods()) {
    if (!IsRead(method)) continue;
    for (const StringField& field : StringFields(method->input_type())) {
      send(method, field);
      ++reads;
    }
  }
  // Metacharacters inside well-formed filters and searches reach the SQL
  // as bound values.
  const std::string quoted = "\"'; -- /* \\\\ % _ \\\" OR 1=1 #\"";
  auto partners = pav1::PartnerService::NewStub(gateway_);
  auto projects = prv1::ProjectService::NewStub(gateway_);
  auto proposals = pv1::ProposalService::NewStub(gateway_);
  for (const std::string& filter : {absl::StrCat("display_name : ", quoted),
                                    absl::StrCat("display_name = ", quoted),
                                    absl::StrCat("name_kana != ", quoted),
                                    absl::StrCat("legal_form : ", quoted)}) {
    pav1::ListPartnersRequest r;
    r.set_filter(filter);
    pav1::ListPartnersResponse out;
    grpc::Status s =
        partners->ListPartners(Context(world_.token(kAdmin)).get(), r, &out);
    EXPECT_TRUE(s.ok()) << filter << ": " << s.error_message();
    // Only the != filter matches (the four seeded partners have no kana).
    EXPECT_EQ(out.partners_size(), absl::StrContains(filter, "!=") ? 4 : 0)
        << filter;
  }
  {
    pav1::SearchPartnersRequest r;
    r.set_query(kMeta);
    pav1::SearchPartnersResponse out;
    grpc::Status s =
        partners->SearchPartners(Context(world_.token(kAdmin)).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.partners_size(), 0);
  }
  {
    prv1::ListProjectsRequest r;
    r.set_filter(absl::StrCat("source_proposal = ", quoted));
    prv1::ListProjectsResponse out;
    grpc::Status s =
        projects->ListProjects(Context(world_.token(kAdmin)).get(), r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << s.error_message();
  }
  {
    pv1::ListProgrammesRequest r;
    r.set_filter(absl::StrCat("display_name : ", quoted));
    pv1::ListProgrammesResponse out;
    grpc::Status s =
        proposals->ListProgrammes(Context(world_.token(kAdmin)).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.programmes_size(), 0);
  }
  EXPECT_EQ(TableChecksums(), before) << "a read method changed a table";

  const auto before_writes = TableChecksums();
  std::vector<std::string> accepted;
  for (const MethodDescriptor* method : AllMethods()) {
    if (IsRead(method)) continue;
    for (const StringField& field : StringFields(method->input_type())) {
      if (send(method, field))
        accepted.push_back(Name(method) + " " + field.path);
      ++writes;
    }
  }
  // Each write request is empty but for the one field, so every one is
  // refused, and a refused write changes nothing.
  EXPECT_TRUE(accepted.empty()) << absl::StrJoin(accepted, ", ");
  if (accepted.empty()) {
    EXPECT_EQ(TableChecksums(), before_writes)
        << "a refused write changed a table";
  }
  std::printf(
      "metacharacters sent in %d fields of read methods, %d of writes\n", reads,
      writes);
}

TEST_F(SecurityInputTest, MetacharactersInDisplayNamesRoundTripByteForByte) {
  const std::string admin = world_.token(kAdmin);
  auto partners = pav1::PartnerService::NewStub(gateway_);
  auto projects = prv1::ProjectService::NewStub(gateway_);
  auto proposals = pv1::ProposalService::NewStub(gateway_);
  const std::string meta = kMeta;

  pav1::Partner partner;
  {
    pav1::CreatePartnerRequest r;
    r.mutable_partner()->set_kind(pav1::CIVIC_GROUP);
    r.mutable_partner()->set_display_name(meta);
    r.mutable_partner()->set_name_kana("メタ文字の会 %_");
    r.mutable_partner()->set_legal_form("任意団体 '; --");
    ASSERT_TRUE(
        partners->CreatePartner(Context(admin).get(), r, &partner).ok());
    EXPECT_EQ(partner.display_name(), meta);
    pav1::GetPartnerRequest get;
    get.set_name(partner.name());
    pav1::Partner read;
    ASSERT_TRUE(partners->GetPartner(Context(admin).get(), get, &read).ok());
    EXPECT_EQ(read.display_name(), meta);
    EXPECT_EQ(read.name_kana(), "メタ文字の会 %_");
    EXPECT_EQ(read.legal_form(), "任意団体 '; --");
  }
  // `%` and `_` are literal in filters: only the partner holding them.
  for (const std::string& filter :
       {std::string("display_name : \"% _\""),
        std::string("name_kana : \"%_\""),
        absl::StrCat(
            "display_name = \"",
            absl::StrReplaceAll(meta, {{"\\", "\\\\"}, {"\"", "\\\""}}),
            "\"")}) {
    pav1::ListPartnersRequest r;
    r.set_filter(filter);
    pav1::ListPartnersResponse out;
    grpc::Status s = partners->ListPartners(Context(admin).get(), r, &out);
    ASSERT_TRUE(s.ok()) << filter << ": " << s.error_message();
    ASSERT_EQ(out.partners_size(), 1) << filter;
    EXPECT_EQ(out.partners(0).name(), partner.name());
  }
  {
    pav1::CreateAgreementRequest r;
    r.mutable_agreement()->set_display_name(meta);
    r.mutable_agreement()->set_kind(pav1::Agreement::THEME);
    r.mutable_agreement()->add_parties(partner.name());
    r.mutable_agreement()->add_parties(world_.city_a);
    r.mutable_agreement()->add_themes(meta);
    pav1::Agreement out, read;
    ASSERT_TRUE(partners->CreateAgreement(Context(admin).get(), r, &out).ok());
    pav1::GetAgreementRequest get;
    get.set_name(out.name());
    ASSERT_TRUE(partners->GetAgreement(Context(admin).get(), get, &read).ok());
    EXPECT_EQ(read.display_name(), meta);
    EXPECT_EQ(read.themes(0), meta);
  }
  {
    pav1::CreateNetworkRequest r;
    r.mutable_network()->set_display_name(meta);
    r.mutable_network()->set_description(meta);
    r.mutable_network()->set_convening_unit(world_.city_a);
    r.mutable_network()->add_members(partner.name());
    pav1::Network out, read;
    ASSERT_TRUE(partners->CreateNetwork(Context(admin).get(), r, &out).ok());
    pav1::GetNetworkRequest get;
    get.set_name(out.name());
    ASSERT_TRUE(partners->GetNetwork(Context(admin).get(), get, &read).ok());
    EXPECT_EQ(read.display_name(), meta);
    EXPECT_EQ(read.description(), meta);
  }
  {
    prv1::CreateProjectRequest r;
    prv1::Project* p = r.mutable_project();
    p->set_title(meta);
    p->set_issue(meta);
    p->set_programme(prv1::OTHER_PROGRAMME);
    p->set_fiscal_year(2026);
    auto* lead = p->add_participants();
    lead->set_partner(partner.name());
    lead->set_role(prv1::Participant::LEAD);
    lead->set_responsibilities(meta);
    auto* city = p->add_participants();
    city->set_partner(world_.city_a);
    city->set_role(prv1::Participant::CITY);
    prv1::Project out, read;
    grpc::Status s = projects->CreateProject(Context(admin).get(), r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    prv1::GetProjectRequest get;
    get.set_name(out.name());
    ASSERT_TRUE(projects->GetProject(Context(admin).get(), get, &read).ok());
    EXPECT_EQ(read.title(), meta);
    EXPECT_EQ(read.issue(), meta);
    EXPECT_EQ(read.participants(0).responsibilities(), meta);
    EXPECT_EQ(read.participants(0).display_name(),
              meta);  // copied from the partner
  }
  {
    pv1::CreateProgrammeRequest r;
    r.mutable_programme()->set_display_name(meta);
    r.mutable_programme()->set_description(meta);
    r.mutable_programme()->set_ward(type::v1::ASAO);
    r.mutable_programme()->set_kind(pv1::Programme::OTHER);
    r.mutable_programme()->set_consigning_unit(world_.city_a);
    r.mutable_programme()->add_eligible_partner_kinds(pav1::CIVIC_GROUP);
    pv1::Programme out, read;
    grpc::Status s = proposals->CreateProgramme(Context(admin).get(), r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    pv1::GetProgrammeRequest get;
    get.set_name(out.name());
    ASSERT_TRUE(proposals->GetProgramme(Context(admin).get(), get, &read).ok());
    EXPECT_EQ(read.display_name(), meta);
    EXPECT_EQ(read.description(), meta);
  }
  {
    pv1::CreateReviewerRequest r;
    r.set_parent(world_.call_open);
    r.mutable_reviewer()->set_display_name(meta);
    r.mutable_reviewer()->set_principal("rev-meta");
    pv1::Reviewer out, read;
    grpc::Status s = proposals->CreateReviewer(Context(admin).get(), r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    pv1::GetReviewerRequest get;
    get.set_name(out.name());
    ASSERT_TRUE(proposals->GetReviewer(Context(admin).get(), get, &read).ok());
    EXPECT_EQ(read.display_name(), meta);
  }
  {
    pv1::CreateProposalRequest r;
    r.set_parent(world_.call_open);
    r.mutable_proposal()->set_applicant(world_.civic_b);
    r.mutable_proposal()->set_title(meta);
    r.mutable_proposal()->set_issue(meta);
    r.mutable_proposal()->set_plan(meta);
    r.mutable_proposal()->set_requested_amount_yen(1);
    pv1::Proposal out, read;
    grpc::Status s = proposals->CreateProposal(Context(admin).get(), r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    pv1::GetProposalRequest get;
    get.set_name(out.name());
    ASSERT_TRUE(proposals->GetProposal(Context(admin).get(), get, &read).ok());
    EXPECT_EQ(read.title(), meta);
    EXPECT_EQ(read.issue(), meta);
    EXPECT_EQ(read.plan(), meta);
  }
}

}  // namespace
}  // namespace kyodo::security
