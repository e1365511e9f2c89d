// Partners in typed columns and child tables
// (partner-service/schema/002_partner_columns.sql): every field reads back as
// written, the schema refuses bad rows written straight to it, partners
// written before the migration read back equal after it, and the service
// refuses to start on enum lookup tables out of step with its protos.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/db/session.h"
#include "common/server/bootstrap.h"
#include "common/store/doc.h"
#include "common/store/enum_table.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/text_format.h"
#include "kyodo/seed/v1/seed.pb.h"
#include "partner-service/domain/rules.h"
#include "partner-service/spec.h"
#include "partner-service/store/links.h"
#include "partner-service/store/partner_store.h"
#include "tests/partner-service/partner_fixture.h"
#include "tests/testing/log_capture.h"
#include "tests/testing/schema_checks.h"

namespace kyodo::partner {
namespace {

using kyodo::partner::v1::Partner;
using kyodo::testing::AdminToken;
using kyodo::testing::Context;
using kyodo::testing::Differences;
using kyodo::testing::LogCapture;
using kyodo::type::v1::Ward;

// A valid 法人番号 whose last 12 digits are `base12`.
std::string CorporateNumber(const std::string& base12) {
  return absl::StrCat(domain::CorporateNumberCheckDigit(base12), base12);
}

// A partner with every field a caller may set, its text in Japanese with an
// emoji and the characters JSON escapes.
Partner Full() {
  Partner p;
  p.set_kind(v1::CIVIC_GROUP);
  p.set_display_name("NPO法人 あさお森の会「里山」😀");
  p.set_name_kana("");  // set, and empty: presence is kept
  p.set_ward(type::v1::ASAO);
  p.add_other_wards(type::v1::TAMA);
  p.add_other_wards(type::v1::MIYAMAE);
  p.set_corporate_number(CorporateNumber("020005008481"));
  p.set_legal_form("特定非営利活動法人");
  p.set_address("麻生区万福寺1-2-3 <新百合ヶ丘> & \"駅前\" \\ 2F");
  p.set_website_uri("https://example.jp/森?a=1&b=2");
  p.set_description("一行目\n二行目\t\u2028はは と ばば\x01 end");
  auto* c = p.add_contacts();
  c->set_person_name("山田 花子");
  c->set_role("代表理事");
  c->set_email("hanako@example.jp");
  c->set_phone("044-000-0000");
  p.add_contacts()->set_phone("+81 (44) 000");
  auto* e = p.add_contacts();
  e->set_email("office@example.jp");
  e->set_role("");
  return p;
}

class TypedStorageTest : public PartnerServiceTest {
 protected:
  TypedStorageTest() : migrating_(db_.NewPool(1)) {}

  // A session as the migrating account: what an operator's SQL runs as.
  common::db::PooledSession AsOperator() {
    auto session = migrating_->Borrow(absl::Now() + absl::Seconds(30));
    EXPECT_TRUE(session.ok()) << session.status();
    return std::move(*session);
  }

  std::unique_ptr<common::db::ConnectionPool> migrating_;
};

TEST_F(TypedStorageTest, EveryFieldReadsBackAsWritten) {
  const Partner created = CreateOk(Full());
  ASSERT_TRUE(created.has_name_kana());
  Partner got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(Differences(created, got), "");
  // Each column holds its field, the children their rows, in order.
  const std::string seq = db_.QueryValue(
      "SELECT seq FROM partners WHERE display_name LIKE 'NPO法人 あさお%'");
  EXPECT_EQ(db_.QueryValue("SELECT CONCAT_WS('|', kind_number, ward_number, "
                           "state_number, name_kana = '', address) FROM "
                           "partners WHERE seq = " +
                           seq),
            absl::StrCat("1|7|1|1|", Full().address()));
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(ward_number ORDER BY "
                           "position) FROM partner_other_wards WHERE "
                           "partner_seq = " +
                           seq),
            "6,5");
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(CONCAT_WS('/', position, "
                           "IFNULL(person_name, '-'), IFNULL(role, '-')) "
                           "ORDER BY position) FROM partner_contacts WHERE "
                           "partner_seq = " +
                           seq),
            "0/山田 花子/代表理事,1/-/-,2/-/");

  // The list and the batch read build the same partner.
  v1::ListPartnersRequest list;
  list.set_filter("ward = ASAO AND legal_form = \"特定非営利活動法人\"");
  v1::ListPartnersResponse page;
  ASSERT_TRUE(
      stub_->ListPartners(Context(AdminToken()).get(), list, &page).ok());
  ASSERT_EQ(page.partners_size(), 1);
  EXPECT_EQ(Differences(created, page.partners(0)), "");
  auto serving = db_.NewServingPool(1);
  auto session = serving->Borrow(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(session.ok());
  const Partner other = CreateOk(NewPartner(v1::UNIVERSITY, "専修大学"));
  auto both = store::GetPartners(**session, {store::PartnerId(other.name()),
                                             store::PartnerId(created.name())});
  ASSERT_TRUE(both.ok()) << both.status();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ(Differences(other, (*both)[1].partner), "");
  EXPECT_EQ(Differences(created, (*both)[0].partner), "");

  // An update rewrites the children: one contact left, no other wards, no
  // address, and the kana now given.
  v1::UpdatePartnerRequest update;
  *update.mutable_partner() = created;
  update.mutable_partner()->mutable_contacts()->DeleteSubrange(0, 2);
  update.mutable_partner()->clear_other_wards();
  update.mutable_partner()->clear_address();
  update.mutable_partner()->set_name_kana("あさおもりのかい");
  update.mutable_update_mask()->add_paths("*");
  Partner updated;
  ASSERT_TRUE(
      stub_->UpdatePartner(Context(AdminToken()).get(), update, &updated).ok());
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(Differences(updated, got), "");
  EXPECT_FALSE(got.has_address());
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM partner_contacts WHERE "
                           "partner_seq = " +
                           seq),
            "1");
  EXPECT_EQ(CountRows("partner_other_wards"), 0);
}

TEST_F(TypedStorageTest, AnEmptyCorporateNumberOrParentMeansNone) {
  Partner p = NewPartner(v1::COMPANY, "東芝");
  p.set_corporate_number("");
  p.set_parent("");
  const Partner created = CreateOk(p);
  EXPECT_FALSE(created.has_corporate_number());
  EXPECT_FALSE(created.has_parent());
  Partner got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(Differences(created, got), "");
}

TEST_F(TypedStorageTest, TheSchemaRefusesBadRows) {
  const Partner good = CreateOk(Full());
  const std::string seq =
      db_.QueryValue("SELECT seq FROM partners WHERE kind_number = 1 LIMIT 1");
  const std::string insert =
      "INSERT INTO partners (id, kind, display_name, search_key, state, "
      "version, create_time, update_time, delete_time, doc) VALUES ('bad', "
      "'COMPANY', 'x', 'x', ";
  const std::vector<kyodo::testing::BadRow> bad = {
      // A kind, state or ward no lookup row names (foreign keys).
      {insert + "'ACTIVE', 1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"SPACESHIP\",\"display_name\":\"x\"}')",
       1452},
      {insert + "'RETIRED', 1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"COMPANY\",\"display_name\":\"x\"}')",
       1452},
      {insert + "'ACTIVE', 1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"COMPANY\",\"display_name\":\"x\",\"ward\":"
                "\"ATLANTIS\"}')",
       1452},
      {insert + "'ACTIVE', 1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"COMPANY\",\"display_name\":\"x\","
                "\"other_wards\":[\"TAMA\",\"MU\"]}')",
       1452},
      // Required, and never the unspecified value (CHECKs).
      {insert + "'ACTIVE', 1, NOW(), NOW(), NULL, '{\"kind\":\"COMPANY\"}')",
       1048},
      {insert + "'ACTIVE', 1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"PARTNER_KIND_UNSPECIFIED\",\"display_name\":"
                "\"x\"}')",
       4025},
      {insert + "'ACTIVE', 1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"COMPANY\",\"display_name\":\"\"}')",
       4025},
      {insert + "'ACTIVE', 0, NOW(), NOW(), NULL, "
                "'{\"kind\":\"COMPANY\",\"display_name\":\"x\"}')",
       4025},
      {insert + "'ACTIVE', 1, NOW(), NOW(), '2001-01-01', "
                "'{\"kind\":\"COMPANY\",\"display_name\":\"x\"}')",
       4025},
      // A ward named twice among the other wards.
      {insert + "'ACTIVE', 1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"COMPANY\",\"display_name\":\"x\","
                "\"other_wards\":[\"TAMA\",\"TAMA\"]}')",
       1062},
      {"UPDATE partners SET corporate_number = '12345' WHERE seq = " + seq,
       4025},
      {"UPDATE partners SET doc = JSON_SET(doc, '$.kind', 'SPACESHIP') WHERE "
       "seq = " +
           seq,
       1452},
      {"INSERT INTO partner_contacts (partner_seq, position, phone) VALUES (" +
           seq + ", 20, '1')",
       4025},
      {"INSERT INTO partner_contacts (partner_seq, position, phone) VALUES "
       "(999999, 5, '1')",
       1452},
      {"INSERT INTO partner_other_wards VALUES (" + seq + ", 3, 0)", 4025},
      {"INSERT INTO partner_other_wards VALUES (" + seq + ", 6, 1)", 4025},
  };
  kyodo::testing::ExpectRefused(db_, bad);
  // Nothing of them was written, the good partner unchanged.
  EXPECT_EQ(CountRows("partners"), 1);
  EXPECT_EQ(CountRows("partner_contacts"), 3);
  EXPECT_EQ(CountRows("partner_other_wards"), 2);
  Partner got;
  ASSERT_TRUE(Get(good.name(), &got).ok());
  EXPECT_EQ(Differences(good, got), "");

  // The service's own account reads the children and the lookup tables but
  // writes neither (the triggers do, as the migrating account).
  kyodo::testing::ExpectServingReadOnly(
      db_, {"partner_contacts", "partner_other_wards", "partner_kinds", "wards",
            "partner_states", "stored_enum_names"});
}

TEST_F(TypedStorageTest, ANumberThisBuildDoesNotKnowIsDataLoss) {
  // A newer release's kind, named in the lookup table by its migration.
  const Partner p = CreateOk(NewPartner(v1::COMPANY, "東芝"));
  const std::string id = store::PartnerId(p.name());
  auto session = AsOperator();
  ASSERT_TRUE(session
                  ->ExecUnprepared("INSERT INTO partner_kinds VALUES (99, "
                                   "'SPACESHIP_OPERATOR')")
                  .ok());
  ASSERT_TRUE(session
                  ->ExecUnprepared("UPDATE partners SET doc = JSON_SET(doc, "
                                   "'$.kind', 'SPACESHIP_OPERATOR') WHERE id "
                                   "= '" +
                                   id + "'")
                  .ok());
  EXPECT_EQ(db_.QueryValue("SELECT kind_number FROM partners WHERE id = '" +
                           id + "'"),
            "99");
  auto serving = db_.NewServingPool(1);
  auto as_service = serving->Borrow(absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(as_service.ok());
  LogCapture log;
  auto read = store::GetPartner(**as_service, id);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss) << read.status();
  EXPECT_TRUE(log.LoggedBadStoredValue("partners", id, "kind_number"));
  Partner out;
  grpc::Status status = Get(p.name(), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS);
  // Withheld: the fixed words around the call id to quote, nothing of the
  // stored number. (The id is random hex, so it may hold "99": looking for
  // the number in the whole message failed about one run in eighteen.)
  const std::string m = status.error_message();
  const std::string before = "internal error; quote call id ";
  const std::string after = " when reporting it";
  ASSERT_TRUE(absl::StartsWith(m, before) && absl::EndsWith(m, after)) << m;
  const std::string call_id =
      m.substr(before.size(), m.size() - before.size() - after.size());
  EXPECT_FALSE(call_id.empty());
  EXPECT_EQ(call_id.find_first_not_of("0123456789abcdef"), std::string::npos)
      << call_id;
}

TEST_F(TypedStorageTest, TheSchemaCheckNamesLookupTablesOutOfStep) {
  // What the service's readiness runs (common/server/database.h): while it
  // fails, the service stays NOT_SERVING.
  const common::server::SchemaCheck check = Spec().schema_check;
  ASSERT_TRUE(check != nullptr);
  auto session = AsOperator();
  ASSERT_TRUE(check(*session).ok()) << check(*session);
  // A value renamed in the protos but not in the table, and one missing.
  ASSERT_TRUE(session
                  ->ExecUnprepared("UPDATE partner_kinds SET name = "
                                   "'CORPORATION' WHERE number = 3")
                  .ok());
  ASSERT_TRUE(
      session->ExecUnprepared("DELETE FROM partner_states WHERE number = 2")
          .ok());
  absl::Status status = check(*session);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(), "partner_kinds")) << status;
  EXPECT_TRUE(
      absl::StrContains(status.message(), "3 is COMPANY here and CORPORATION"))
      << status;
  ASSERT_TRUE(session
                  ->ExecUnprepared("UPDATE partner_kinds SET name = "
                                   "'COMPANY' WHERE number = 3")
                  .ok());
  status = check(*session);
  EXPECT_TRUE(absl::StrContains(status.message(), "INACTIVE = 2 has no row"))
      << status;
  ASSERT_TRUE(session
                  ->ExecUnprepared("INSERT INTO partner_states VALUES (2, "
                                   "'INACTIVE')")
                  .ok());
  ASSERT_TRUE(check(*session).ok()) << check(*session);
  // The agreements' kinds (schema/004_agreement_network_columns.sql) too.
  ASSERT_TRUE(session
                  ->ExecUnprepared("UPDATE agreement_kinds SET name = "
                                   "'TOPICAL' WHERE number = 2")
                  .ok());
  status = check(*session);
  EXPECT_TRUE(absl::StrContains(status.message(), "agreement_kinds")) << status;
  EXPECT_TRUE(
      absl::StrContains(status.message(), "2 is THEME here and TOPICAL"))
      << status;
}

// The names the documents and copied columns hold are compared with the
// protos too (schema/003_stored_enum_names.sql): a value renamed in the
// protos, or added without its row, keeps the service NOT_SERVING; a row
// for a value this build does not declare (a newer release's) does not.
TEST_F(TypedStorageTest, TheSchemaCheckNamesStoredEnumNamesOutOfStep) {
  const common::server::SchemaCheck check = Spec().schema_check;
  ASSERT_TRUE(check != nullptr);
  auto session = AsOperator();
  ASSERT_TRUE(check(*session).ok()) << check(*session);
  ASSERT_TRUE(session
                  ->ExecUnprepared("INSERT INTO stored_enum_names VALUES "
                                   "('kyodo.type.v1.Ward', 99, 'SOMEWHERE')")
                  .ok());
  EXPECT_TRUE(check(*session).ok()) << check(*session);
  // Agreement.Kind reaches the check only through Agreement's fields.
  ASSERT_TRUE(session
                  ->ExecUnprepared("UPDATE stored_enum_names SET name = "
                                   "'THEMATIC' WHERE enum_type = "
                                   "'kyodo.partner.v1.Agreement.Kind' AND "
                                   "number = 2")
                  .ok());
  ASSERT_TRUE(session
                  ->ExecUnprepared("DELETE FROM stored_enum_names WHERE "
                                   "enum_type = 'kyodo.type.v1.Ward' AND "
                                   "number = 6")
                  .ok());
  absl::Status status = check(*session);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(),
                                "kyodo.partner.v1.Agreement.Kind 2 is THEME "
                                "here and THEMATIC in the table"))
      << status;
  EXPECT_TRUE(
      absl::StrContains(status.message(), "('kyodo.type.v1.Ward', 6, 'TAMA')"))
      << status;
}

// A build whose Ward declares `first` for 6 and, when `alias` is set, also
// `alias` (allow_alias), and a message holding one: what a rename of 多摩区's
// value looks like to the check, release by release.
const google::protobuf::Descriptor* WardHolder(
    google::protobuf::DescriptorPool* pool, const std::string& first,
    const std::string& alias) {
  google::protobuf::FileDescriptorProto file;
  file.set_name("rename.proto");
  file.set_package("kyodo.type.v1");
  file.set_syntax("proto2");
  auto* ward = file.add_enum_type();
  ward->set_name("Ward");
  ward->mutable_options()->set_allow_alias(true);
  auto add = [ward](const std::string& name, int number) {
    auto* value = ward->add_value();
    value->set_name(name);
    value->set_number(number);
  };
  add("WARD_UNSPECIFIED", 0);
  add("KAWASAKI", 1);
  add("SAIWAI", 2);
  add("NAKAHARA", 3);
  add("TAKATSU", 4);
  add("MIYAMAE", 5);
  add(first, 6);
  if (!alias.empty()) add(alias, 6);
  add("ASAO", 7);
  auto* holder = file.add_message_type();
  holder->set_name("Holder");
  auto* field = holder->add_field();
  field->set_name("ward");
  field->set_number(1);
  field->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  field->set_type(google::protobuf::FieldDescriptorProto::TYPE_ENUM);
  field->set_type_name(".kyodo.type.v1.Ward");
  if (pool->BuildFile(file) == nullptr) return nullptr;
  return pool->FindMessageTypeByName("kyodo.type.v1.Holder");
}

// Renaming TAMA to TAMA_KU through an alias keeps every release of the
// rollout ready (docs/OPERATIONS.md, "Enum names in stored rows"): the one
// that adds the alias (still writing TAMA), the one that writes TAMA_KU
// (its migration rewrites the rows and stored_enum_names), and the first
// again on the rewritten table (its pods keep serving during that rollout).
// A build that knows only TAMA, on the rewritten table, is not. The lookup
// table `wards` is left alone (renaming an enum that has one needs writers
// stopped), and both alias builds pass its check too.
TEST_F(TypedStorageTest, ARenameThroughAnAliasKeepsEachReleaseReady) {
  auto session = AsOperator();
  google::protobuf::DescriptorPool adds_alias_pool, writes_new_pool, old_pool;
  const auto* adds_alias = WardHolder(&adds_alias_pool, "TAMA", "TAMA_KU");
  const auto* writes_new = WardHolder(&writes_new_pool, "TAMA_KU", "TAMA");
  const auto* old = WardHolder(&old_pool, "TAMA", "");
  ASSERT_NE(adds_alias, nullptr);
  ASSERT_NE(writes_new, nullptr);
  ASSERT_NE(old, nullptr);
  auto check = [&](const google::protobuf::Descriptor* build) {
    return common::store::CheckStoredEnumNames(*session, "stored_enum_names",
                                               {build});
  };
  for (const auto* build : {adds_alias, writes_new}) {
    EXPECT_TRUE(check(build).ok()) << check(build);
    const auto* ward = build->field(0)->enum_type();
    EXPECT_TRUE(common::store::CheckEnumTable(*session, "wards", ward).ok())
        << common::store::CheckEnumTable(*session, "wards", ward);
  }
  ASSERT_TRUE(session
                  ->ExecUnprepared("UPDATE stored_enum_names SET name = "
                                   "'TAMA_KU' WHERE enum_type = "
                                   "'kyodo.type.v1.Ward' AND number = 6")
                  .ok());
  EXPECT_TRUE(check(writes_new).ok()) << check(writes_new);
  EXPECT_TRUE(check(adds_alias).ok()) << check(adds_alias);
  absl::Status status = check(old);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(),
                                "6 is TAMA here and TAMA_KU in the table"))
      << status;
}

// The example data's partners and 1,200 generated ones, written as the
// release before migration 002 wrote them (store::InsertPartner and
// UpdatePartner, whose SQL 002 left unchanged), read back equal after it.
class PartnerMigrationTest : public ::testing::Test {
 protected:
  PartnerMigrationTest() : db_("PartnerMigration") {
    kyodo::testing::MigrateBefore(db_, KyodoPartnerMigrations(), 2);
    pool_ = db_.NewServingPool(1);
  }

  common::db::PooledSession Session() {
    auto session = pool_->Borrow(absl::Now() + absl::Seconds(60));
    EXPECT_TRUE(session.ok()) << session.status();
    return std::move(*session);
  }

  // Writes `p` as a new partner the way CreatePartner does.
  void Write(common::db::Session& s, Partner p) {
    p.set_name(absl::StrCat("partners/p", written_.size()));
    p.set_state(Partner::ACTIVE);
    const absl::Time t =
        absl::FromUnixMicros(1767225600000000 + written_.size() * 1001);
    *p.mutable_create_time() = common::store::ToTimestamp(t);
    *p.mutable_update_time() = common::store::ToTimestamp(t);
    p.set_etag(common::store::Etag(1));
    absl::Status s_ok = store::InsertPartner(s, p);
    ASSERT_TRUE(s_ok.ok()) << s_ok << p.DebugString();
    written_.push_back(std::move(p));
  }

  kyodo::testing::TestDatabase db_;
  std::unique_ptr<common::db::ConnectionPool> pool_;
  std::vector<Partner> written_;
};

TEST_F(PartnerMigrationTest, PartnersWrittenBeforeTheMigrationReadBackEqual) {
  std::ifstream in(std::string(KYODO_SOURCE_DIR) +
                   "/deploy/local/data/10_partners.textproto");
  std::stringstream text;
  text << in.rdbuf();
  kyodo::seed::v1::SeedFile file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), &file));
  std::map<std::string, std::string> refs;
  auto session = Session();
  ASSERT_TRUE(session->ExecUnprepared("START TRANSACTION").ok());
  int example = 0;
  for (const auto& entry : file.entries()) {
    v1::CreatePartnerRequest create;
    if (!entry.request().UnpackTo(&create)) continue;
    Partner p = create.partner();
    if (absl::StartsWith(p.parent(), "ref:")) {
      p.set_parent(refs.at(p.parent().substr(4)));
    }
    Write(*session, p);
    refs[entry.ref()] = written_.back().name();
    ++example;
  }
  ASSERT_GT(example, 20);
  // Generated partners: enough for three backfill batches of 500, each
  // with a different mix of fields.
  const v1::PartnerKind kinds[] = {v1::CIVIC_GROUP, v1::COMPANY, v1::UNIVERSITY,
                                   v1::WELFARE_COUNCIL};
  for (int i = 0; i < 1200; ++i) {
    Partner p = Full();
    p.set_kind(kinds[i % 4]);
    p.set_display_name(absl::StrCat("協働団体 その", i));
    if (i % 2 == 0) p.clear_name_kana();
    if (i % 3 == 0) p.clear_contacts();
    if (i % 5 == 0) p.clear_other_wards();
    if (i % 7 == 0) {
      p.clear_ward();
      p.clear_other_wards();
    }
    if (i % 11 == 0) p.set_ward(type::v1::WARD_UNSPECIFIED);
    p.set_corporate_number(CorporateNumber(absl::StrCat(100000000000 + i)));
    if (i % 13 == 0) {
      p.clear_address();
      p.clear_description();
    }
    Write(*session, p);
  }
  ASSERT_TRUE(session->ExecUnprepared("COMMIT").ok());
  // Some partners changed afterwards, as the old release changes them.
  for (int i : {3, 600, 1100}) {
    Partner& p = written_[example + i];
    p.set_state(i == 600 ? Partner::INACTIVE : Partner::ACTIVE);
    p.mutable_contacts()->Clear();
    p.add_contacts()->set_email("new@example.jp");
    if (i == 1100) {
      *p.mutable_delete_time() = p.update_time();
    }
    p.set_etag(common::store::Etag(2));
    ASSERT_TRUE(store::UpdatePartner(*session, p, 1).ok());
  }

  // Upgrade, then read every partner back through the typed read path.
  db_.Migrate({common::server::CommonMigrations(), KyodoPartnerMigrations()});
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM partners WHERE kind_number "
                           "IS NULL OR state_number IS NULL"),
            "0");
  int equal = 0;
  for (const Partner& p : written_) {
    auto read = store::GetPartner(*session, store::PartnerId(p.name()));
    ASSERT_TRUE(read.ok()) << read.status();
    ASSERT_TRUE(read->has_value()) << p.name();
    const std::string diff = Differences(p, (*read)->partner);
    EXPECT_EQ(diff, "") << p.name();
    if (diff.empty()) ++equal;
  }
  EXPECT_EQ(equal, static_cast<int>(written_.size()));
  // The list pages build the same partners (contacts joined per page).
  common::paging::SqlFilter none;
  auto all = store::ListPartners(*session, none, true, "", 0, 5000);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), written_.size());
  for (size_t i = 0; i < written_.size(); ++i) {
    EXPECT_EQ(Differences(written_[i], (*all)[i].partner), "") << i;
  }
  // The children hold exactly what the documents list.
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM partner_contacts"),
            db_.QueryValue("SELECT SUM(JSON_LENGTH(doc, '$.contacts')) FROM "
                           "partners"));
  // A write by the old release after the upgrade is typed by the triggers.
  Partner& later = written_[example + 7];
  later.set_description("移行後の書き込み");
  later.add_other_wards(type::v1::KAWASAKI);
  later.set_etag(common::store::Etag(2));
  ASSERT_TRUE(store::UpdatePartner(*session, later, 1).ok());
  auto read = store::GetPartner(*session, store::PartnerId(later.name()));
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(Differences(later, (*read)->partner), "");
}

}  // namespace
}  // namespace kyodo::partner
