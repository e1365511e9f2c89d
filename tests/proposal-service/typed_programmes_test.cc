// Programmes in typed columns and child tables
// (proposal-service/schema/005_programme_columns.sql): every field reads
// back as written, presence included; the schema refuses bad rows written
// straight to it; a number this build does not know is DATA_LOSS; and the
// example data's programmes and generated ones, written before the
// migration, read back equal after it.
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "kyodo/seed/v1/seed.pb.h"
#include "proposal-service/store/lookup_tables.h"
#include "proposal-service/store/programme_store.h"
#include "tests/proposal-service/proposal_fixture.h"
#include "tests/testing/schema_checks.h"

namespace kyodo::proposal {
namespace {

using kyodo::proposal::v1::Programme;
using kyodo::testing::Context;
using kyodo::testing::Differences;

class TypedProgrammesTest : public ProposalServiceTest {
 protected:
  // Every field a caller may set, the flags and limits set to their zero
  // values where presence alone tells them apart from unset, the kinds not
  // in number order, the text in Japanese with an emoji and the characters
  // JSON escapes.
  static Programme Full() {
    Programme p = CitizenProgramme();
    p.set_display_name("麻生区「市民提案型」事業 😀");
    p.clear_eligible_partner_kinds();
    p.add_eligible_partner_kinds(kyodo::partner::v1::WELFARE_COUNCIL);
    p.add_eligible_partner_kinds(kyodo::partner::v1::CIVIC_GROUP);
    p.add_eligible_partner_kinds(kyodo::partner::v1::NEIGHBOURHOOD_ASSOCIATION);
    p.mutable_amount_caps()->SwapElements(0, 1);
    p.set_same_ward_required(false);
    p.set_max_continuation_years(0);
    p.set_one_proposal_per_applicant(true);
    p.set_lifetime_adoption_limit(3);
    p.set_yearly_adoption_limit(0);
    p.set_network_conflicts(true);
    p.set_city_unit_conflicts(false);
    p.set_description("一行目\n二行目\t\\ \"引用\" <b> はは と ばば");
    return p;
  }

  Programme Get(const std::string& name) {
    v1::GetProgrammeRequest get;
    get.set_name(name);
    Programme out;
    grpc::Status status =
        stub_->GetProgramme(Context(Staff()).get(), get, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::string Seq(const Programme& p) {
    return db_.QueryValue("SELECT seq FROM programmes WHERE id = '" +
                          Id(p.name()) + "'");
  }
};

TEST_F(TypedProgrammesTest, EveryProgrammeFieldReadsBackAsWritten) {
  const Programme created = CreateProgramme(Full());
  ASSERT_FALSE(created.name().empty());
  EXPECT_EQ(Differences(created, Get(created.name())), "");
  EXPECT_TRUE(Get(created.name()).has_same_ward_required());
  EXPECT_TRUE(Get(created.name()).has_yearly_adoption_limit());
  // Each column holds its field, the children their rows, in order.
  const std::string seq = Seq(created);
  EXPECT_EQ(
      db_.QueryValue("SELECT CONCAT_WS('|', ward_number, kind_number, "
                     "consigning_unit_id, same_ward_required, "
                     "max_continuation_years, one_proposal_per_applicant, "
                     "lifetime_adoption_limit, yearly_adoption_limit, "
                     "network_conflicts, city_unit_conflicts) FROM programmes "
                     "WHERE seq = " +
                     seq),
      "7|1|asaochiiki|0|0|1|3|0|1|0");
  EXPECT_EQ(
      db_.QueryValue("SELECT description FROM programmes WHERE seq = " + seq),
      Full().description());
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(kind_number ORDER BY "
                           "position) FROM programme_partner_kinds WHERE "
                           "programme_seq = " +
                           seq),
            "6,1,4");
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(continuation_year, ':', "
                           "max_amount_yen ORDER BY position) FROM "
                           "programme_amount_caps WHERE programme_seq = " +
                           seq),
            "2:500000,1:700000");

  // Flags and limits cleared, one kind and no caps, no description: the
  // update rewrites the columns and the children.
  v1::UpdateProgrammeRequest update;
  *update.mutable_programme() = created;
  Programme& p = *update.mutable_programme();
  p.clear_same_ward_required();
  p.clear_max_continuation_years();
  p.clear_network_conflicts();
  p.clear_yearly_adoption_limit();
  p.clear_description();
  p.clear_amount_caps();
  p.mutable_eligible_partner_kinds()->RemoveLast();
  p.mutable_eligible_partner_kinds()->RemoveLast();
  p.set_kind(Programme::OTHER);
  update.mutable_update_mask()->add_paths("*");
  Programme updated;
  grpc::Status status =
      stub_->UpdateProgramme(Context(Staff()).get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const Programme got = Get(created.name());
  EXPECT_EQ(Differences(updated, got), "");
  EXPECT_FALSE(got.has_same_ward_required());
  EXPECT_FALSE(got.has_description());
  EXPECT_EQ(got.amount_caps_size(), 0);
  EXPECT_EQ(db_.QueryValue("SELECT CONCAT_WS('|', kind_number, "
                           "IFNULL(same_ward_required, 'NULL'), "
                           "IFNULL(yearly_adoption_limit, 'NULL')) FROM "
                           "programmes WHERE seq = " +
                           seq),
            "3|NULL|NULL");
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM programme_partner_kinds"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM programme_amount_caps"), 0);

  // An empty description is kept apart from none; the list builds the same,
  // deleted ones included when asked.
  Programme bare = CitizenProgramme();
  bare.set_description("");
  const Programme second = CreateProgramme(bare);
  EXPECT_TRUE(Get(second.name()).has_description());
  v1::DeleteProgrammeRequest remove;
  remove.set_name(second.name());
  Programme deleted;
  status = stub_->DeleteProgramme(Context(Staff()).get(), remove, &deleted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(deleted.has_delete_time());
  v1::ListProgrammesRequest list;
  list.set_show_deleted(true);
  list.set_filter("kind = WARD_CITIZEN_PROPOSAL");
  v1::ListProgrammesResponse page;
  status = stub_->ListProgrammes(Context(Staff()).get(), list, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.programmes_size(), 1);
  EXPECT_EQ(Differences(deleted, page.programmes(0)), "");
  list.clear_filter();
  status = stub_->ListProgrammes(Context(Staff()).get(), list, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.programmes_size(), 2);
  EXPECT_EQ(Differences(got, page.programmes(0)), "");
}

// The service accepts a name of spaces (it refuses only an empty one), so
// the schema must too: the binary collation pads, so ' ' = ''.
TEST_F(TypedProgrammesTest, ANameOfSpacesIsStoredAsGiven) {
  Programme p = CitizenProgramme();
  p.set_display_name("   ");
  const Programme created = CreateProgramme(p);
  ASSERT_FALSE(created.name().empty());
  EXPECT_EQ(Get(created.name()).display_name(), "   ");
  EXPECT_EQ(db_.QueryValue("SELECT CHAR_LENGTH(display_name) FROM programmes"),
            "3");
}

TEST_F(TypedProgrammesTest, TheSchemaRefusesBadRows) {
  const Programme good = CreateProgramme(Full());
  const std::string seq = Seq(good);
  const std::string insert =
      "INSERT INTO programmes (id, ward, kind, display_name, version, "
      "create_time, update_time, delete_time, doc) VALUES ('bad', '', '', "
      "'', ";
  // A document with every required field, to spoil one at a time.
  const std::string doc =
      "JSON_OBJECT('display_name', 'x', 'ward', 'ASAO', 'kind', "
      "'WARD_CITIZEN_PROPOSAL', 'consigning_unit', 'partners/u')";
  auto with = [&](const std::string& path, const std::string& value) {
    return insert + "1, NOW(), NOW(), NULL, JSON_SET(" + doc + ", '" + path +
           "', " + value + "))";
  };
  auto change = [&](const std::string& path, const std::string& value) {
    return "UPDATE programmes SET doc = JSON_SET(doc, '" + path + "', " +
           value + ") WHERE seq = " + seq;
  };
  const std::vector<kyodo::testing::BadRow> bad = {
      // A ward or kind no lookup row names, or the unspecified ones.
      {with("$.ward", "'ATLANTIS'"), 1452},
      {with("$.ward", "'WARD_UNSPECIFIED'"), 4025},
      {with("$.kind", "'LOTTERY'"), 1452},
      {with("$.kind", "'KIND_UNSPECIFIED'"), 4025},
      // Without a name or a consigning unit.
      {with("$.display_name", "''"), 4025},
      {insert + "1, NOW(), NOW(), NULL, JSON_REMOVE(" + doc +
           ", '$.consigning_unit'))",
       1048},
      {with("$.consigning_unit", "'partners/'"), 1048},
      {with("$.consigning_unit", "'networks/u'"), 1048},
      {with("$.consigning_unit", "'partners/a/b'"), 1048},
      // Limits out of the service's ranges; a flag that is not a boolean.
      {with("$.max_continuation_years", "101"), 4025},
      {with("$.lifetime_adoption_limit", "-1"), 4025},
      {with("$.yearly_adoption_limit", "1001"), 4025},
      {with("$.same_ward_required", "1"), 4025},
      {with("$.network_conflicts", "'true'"), 4025},
      // Version and times.
      {insert + "0, NOW(), NOW(), NULL, " + doc + ")", 4025},
      {insert + "1, NOW(), NOW(), NOW() - INTERVAL 1 DAY, " + doc + ")", 4025},
      // Eligible kinds: unknown, unspecified, twice, past the ninth.
      {change("$.eligible_partner_kinds", "JSON_ARRAY('CIVIC_GROUP', 'ALIEN')"),
       1452},
      {change("$.eligible_partner_kinds",
              "JSON_ARRAY('PARTNER_KIND_UNSPECIFIED')"),
       4025},
      {change("$.eligible_partner_kinds",
              "JSON_ARRAY('CIVIC_GROUP', 'COMPANY', 'CIVIC_GROUP')"),
       1062},
      {"INSERT INTO programme_partner_kinds VALUES (" + seq + ", 9, 2)", 4025},
      {"INSERT INTO programme_partner_kinds VALUES (999999, 5, 2)", 1452},
      // Amount caps: year 0, the same year twice, a negative amount, none.
      {change("$.amount_caps[0].continuation_year", "0"), 4025},
      {change("$.amount_caps[1].continuation_year", "2"), 1062},
      {change("$.amount_caps[0].max_amount_yen", "'-1'"), 4025},
      {change("$.amount_caps[0]", "JSON_OBJECT('continuation_year', 3)"), 1048},
      {"INSERT INTO programme_amount_caps VALUES (" + seq + ", 10, 9, 1)",
       4025},
  };
  kyodo::testing::ExpectRefused(db_, bad);
  // Nothing of them was written; the programme reads back unchanged.
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM programmes"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM programme_partner_kinds"), 3);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM programme_amount_caps"), 2);
  EXPECT_EQ(Differences(good, Get(good.name())), "");

  // The service's own account reads the new tables but writes none of them
  // (the triggers do, as the migrating account).
  kyodo::testing::ExpectServingReadOnly(
      db_, {"programme_partner_kinds", "programme_amount_caps", "wards",
            "programme_kinds", "partner_kinds"});
}

TEST_F(TypedProgrammesTest, ANumberThisBuildDoesNotKnowIsDataLoss) {
  const Programme good = CreateProgramme(Full());
  // A later release's kind: its lookup row, then a programme of it.
  db_.Exec("INSERT INTO programme_kinds VALUES (99, 'LOTTERY')");
  db_.Exec(
      "UPDATE programmes SET doc = JSON_SET(doc, '$.kind', 'LOTTERY') "
      "WHERE seq = " +
      Seq(good));
  ASSERT_EQ(db_.QueryValue("SELECT kind_number FROM programmes"), "99");
  v1::GetProgrammeRequest get;
  get.set_name(good.name());
  Programme out;
  grpc::Status status = stub_->GetProgramme(Context(Staff()).get(), get, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS)
      << status.error_message();
  // And a later release's partner kind among the eligible ones.
  db_.Exec("INSERT INTO partner_kinds VALUES (99, 'ALIEN')");
  db_.Exec(
      "UPDATE programmes SET doc = JSON_SET(doc, '$.kind', "
      "'WARD_CITIZEN_PROPOSAL', '$.eligible_partner_kinds[1]', 'ALIEN')");
  ASSERT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(kind_number ORDER BY "
                           "position) FROM programme_partner_kinds"),
            "6,99,4");
  status = stub_->GetProgramme(Context(Staff()).get(), get, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS)
      << status.error_message();
  // The lookup check names a renamed value of the new tables.
  auto pool = db_.NewPool(1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(store::CheckLookupTables(**session).ok())
      << store::CheckLookupTables(**session);
  ASSERT_TRUE((*session)
                  ->ExecUnprepared("UPDATE programme_kinds SET name = "
                                   "'CITIZEN' WHERE number = 1")
                  .ok());
  absl::Status check = store::CheckLookupTables(**session);
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(check.message(), "programme_kinds")) << check;
}

// The example data's programmes and generated ones, written as the release
// before migration 005 wrote them (store::InsertProgramme and
// UpdateProgramme, whose SQL 005 left unchanged), read back equal after it.
class ProgrammeMigrationTest : public ::testing::Test {
 protected:
  ProgrammeMigrationTest() : db_("ProgrammeMigration") {
    kyodo::testing::MigrateBefore(db_, KyodoProposalMigrations(), 5);
    pool_ = db_.NewServingPool(1);
    auto session = pool_->Borrow(absl::Now() + absl::Seconds(60));
    EXPECT_TRUE(session.ok()) << session.status();
    session_ =
        std::make_unique<common::db::PooledSession>(std::move(session).value());
  }

  common::db::Session& s() { return **session_; }

  absl::Time NextTime() {
    return absl::FromUnixMicros(1767225600000000 + (++writes_) * 1001);
  }

  void Write(Programme p) {
    p.set_name(absl::StrCat("programmes/p", programmes_.size()));
    const absl::Time t = NextTime();
    *p.mutable_create_time() = common::store::ToTimestamp(t);
    *p.mutable_update_time() = common::store::ToTimestamp(t);
    p.set_etag(common::store::Etag(1));
    absl::Status status = store::InsertProgramme(s(), p);
    ASSERT_TRUE(status.ok()) << status << p.DebugString();
    programmes_.push_back(std::move(p));
    versions_.push_back(1);
  }

  // Rewrites programme `i` as the old release's update does.
  void Change(size_t i, const std::function<void(Programme&)>& edit) {
    Programme& p = programmes_[i];
    edit(p);
    *p.mutable_update_time() = common::store::ToTimestamp(NextTime());
    const int64_t version = versions_[i]++;
    p.set_etag(common::store::Etag(version + 1));
    absl::Status status = store::UpdateProgramme(s(), p, version);
    ASSERT_TRUE(status.ok()) << status;
  }

  kyodo::testing::TestDatabase db_;
  std::unique_ptr<common::db::ConnectionPool> pool_;
  std::unique_ptr<common::db::PooledSession> session_;
  int64_t writes_ = 0;
  std::vector<Programme> programmes_;
  std::vector<int64_t> versions_;  // each programme's row version
};

TEST_F(ProgrammeMigrationTest, WrittenBeforeTheMigrationReadBackEqual) {
  std::ifstream in(std::string(KYODO_SOURCE_DIR) +
                   "/deploy/local/data/20_proposals.textproto");
  std::stringstream text;
  text << in.rdbuf();
  kyodo::seed::v1::SeedFile file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), &file));
  for (const auto& entry : file.entries()) {
    v1::CreateProgrammeRequest create;
    if (!entry.request().UnpackTo(&create)) continue;
    Programme p = create.programme();
    // The partner a seed reference names is in partner-service's database.
    if (absl::StartsWith(p.consigning_unit(), "ref:")) {
      p.set_consigning_unit("partners/" + p.consigning_unit().substr(4));
    }
    ASSERT_NO_FATAL_FAILURE(Write(p));
  }
  const size_t examples = programmes_.size();
  ASSERT_GE(examples, 2u);

  // Generated ones, enough for three backfill batches of 500, each with a
  // different mix of fields.
  for (int i = 0; i < 1200; ++i) {
    Programme p;
    p.set_display_name(absl::StrCat("制度 その", i));
    p.set_ward(static_cast<kyodo::type::v1::Ward>(1 + i % 7));
    p.set_kind(static_cast<Programme::Kind>(1 + i % 3));
    p.set_consigning_unit(absl::StrCat("partners/unit-", i % 17));
    for (int k = 0; k < 1 + i % 9; ++k) {
      p.add_eligible_partner_kinds(
          static_cast<kyodo::partner::v1::PartnerKind>(1 + (i + k) % 9));
    }
    for (int k = 0; k < i % 4; ++k) {
      v1::AmountCap* cap = p.add_amount_caps();
      cap->set_continuation_year(1 + (i + k) % 100);
      cap->set_max_amount_yen(100000 * (i % 13) + k);
    }
    if (i % 2 == 0) p.set_same_ward_required(i % 4 == 0);
    if (i % 3 == 0) p.set_max_continuation_years(i % 101);
    if (i % 5 != 0) p.set_one_proposal_per_applicant(i % 5 == 1);
    if (i % 7 == 0) p.set_lifetime_adoption_limit(i % 1001);
    if (i % 11 == 0) p.set_yearly_adoption_limit(i % 7);
    if (i % 6 == 1) p.set_network_conflicts(i % 12 == 1);
    if (i % 8 == 3) p.set_city_unit_conflicts(true);
    if (i % 2 == 1) p.set_description(absl::StrCat("説明 \"", i, "\"\n"));
    if (i % 13 == 0) p.set_description("");
    ASSERT_NO_FATAL_FAILURE(Write(p));
  }
  // Some changed afterwards, one deleted, as the old release does.
  ASSERT_NO_FATAL_FAILURE(Change(examples + 3, [](Programme& p) {
    p.add_eligible_partner_kinds(kyodo::partner::v1::CITY_UNIT);
    p.clear_amount_caps();
    p.set_city_unit_conflicts(false);
  }));
  ASSERT_NO_FATAL_FAILURE(Change(examples + 700, [&](Programme& p) {
    *p.mutable_delete_time() = common::store::ToTimestamp(NextTime());
  }));

  // Upgrade, then read everything back through the typed read path.
  db_.Migrate({common::server::CommonMigrations(), KyodoProposalMigrations()});
  for (const Programme& p : programmes_) {
    auto read = store::GetProgramme(s(), Id(p.name()));
    if (!read.ok() || !read->has_value()) {
      ADD_FAILURE() << p.name() << " " << read.status();
      continue;
    }
    EXPECT_EQ(Differences(p, (*read)->programme), "") << p.name();
  }
  // The list pages build the same.
  common::paging::SqlFilter none;
  auto all = store::ListProgrammes(s(), none, true, 0, 5000);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), programmes_.size());
  for (size_t i = 0; i < programmes_.size(); ++i) {
    EXPECT_EQ(Differences(programmes_[i], (*all)[i].programme), "") << i;
  }
  // The children hold exactly what the documents list.
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM programme_partner_kinds"),
            db_.QueryValue("SELECT SUM(JSON_LENGTH(doc, "
                           "'$.eligible_partner_kinds')) FROM programmes"));
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM programme_amount_caps"),
            db_.QueryValue("SELECT SUM(COALESCE(JSON_LENGTH(doc, "
                           "'$.amount_caps'), 0)) FROM programmes"));
  // A write by the old release after the upgrade is typed by the triggers.
  ASSERT_NO_FATAL_FAILURE(Change(examples + 8, [](Programme& p) {
    p.set_description("移行後の書き込み");
    p.mutable_eligible_partner_kinds()->SwapElements(0, 1);
    p.set_yearly_adoption_limit(2);
  }));
  auto later = store::GetProgramme(s(), Id(programmes_[examples + 8].name()));
  ASSERT_TRUE(later.ok() && later->has_value()) << later.status();
  EXPECT_EQ(Differences(programmes_[examples + 8], (*later)->programme), "");
}

}  // namespace
}  // namespace kyodo::proposal
