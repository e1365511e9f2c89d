// Agreements and networks in typed columns and child tables
// (partner-service/schema/004_agreement_network_columns.sql): every field
// reads back as written, the schema refuses bad rows written straight to it,
// and agreements and networks written before the migration read back equal
// after it.
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/db/session.h"
#include "common/server/bootstrap.h"
#include "common/store/doc.h"
#include "common/time/date.h"
#include "google/protobuf/text_format.h"
#include "kyodo/seed/v1/seed.pb.h"
#include "partner-service/store/agreement_store.h"
#include "partner-service/store/links.h"
#include "partner-service/store/network_store.h"
#include "partner-service/store/partner_store.h"
#include "tests/partner-service/partner_fixture.h"
#include "tests/testing/schema_checks.h"

namespace kyodo::partner {
namespace {

using kyodo::partner::v1::Agreement;
using kyodo::partner::v1::Network;
using kyodo::partner::v1::Partner;
using kyodo::testing::AdminToken;
using kyodo::testing::Context;
using kyodo::testing::Differences;

google::type::Date Date(int y, int m, int d) {
  google::type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

class TypedAgreementsTest : public PartnerServiceTest {
 protected:
  TypedAgreementsTest() {
    city_ = CreateOk(NewPartner(v1::CITY_UNIT, "川崎市"));
    Partner tama = NewPartner(v1::CITY_UNIT, "多摩区役所");
    tama.set_ward(type::v1::TAMA);
    tama.set_parent(city_.name());
    tama_ = CreateOk(tama);
    senshu_ = CreateOk(NewPartner(v1::UNIVERSITY, "専修大学"));
    meiji_ = CreateOk(NewPartner(v1::UNIVERSITY, "明治大学"));
  }

  // An agreement with every field a caller may set, its parties not in the
  // order of their ids, its text in Japanese with an emoji and the
  // characters JSON escapes.
  Agreement Full() const {
    Agreement a;
    a.set_display_name("川崎市と明治大学・専修大学の「連携」協定 😀");
    a.set_kind(Agreement::THEME);
    a.add_parties(meiji_.name());
    a.add_parties(city_.name());
    a.add_parties(senshu_.name());
    a.add_themes("まちづくり & \"環境\"");
    a.add_themes("教育\n生涯学習");
    *a.mutable_sign_date() = Date(2013, 10, 0);  // the month is known
    *a.mutable_end_date() = Date(2031, 3, 31);
    *a.mutable_renewal_date() = Date(2028, 4, 1);
    a.set_description("一行目\n二行目\t\\ <b> はは と ばば");
    return a;
  }

  Agreement CreateAgreement(const Agreement& a) {
    v1::CreateAgreementRequest create;
    *create.mutable_agreement() = a;
    Agreement out;
    grpc::Status status =
        stub_->CreateAgreement(Context(AdminToken()).get(), create, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  Agreement GetAgreement(const std::string& name) {
    v1::GetAgreementRequest get;
    get.set_name(name);
    Agreement out;
    grpc::Status status =
        stub_->GetAgreement(Context(AdminToken()).get(), get, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  Network CreateNetwork(const Network& n) {
    v1::CreateNetworkRequest create;
    *create.mutable_network() = n;
    Network out;
    grpc::Status status =
        stub_->CreateNetwork(Context(AdminToken()).get(), create, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  Network GetNetwork(const std::string& name) {
    v1::GetNetworkRequest get;
    get.set_name(name);
    Network out;
    grpc::Status status =
        stub_->GetNetwork(Context(AdminToken()).get(), get, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  Partner city_, tama_, senshu_, meiji_;
};

TEST_F(TypedAgreementsTest, EveryAgreementFieldReadsBackAsWritten) {
  const Agreement created = CreateAgreement(Full());
  EXPECT_EQ(Differences(created, GetAgreement(created.name())), "");
  // Each column holds its field, the children their rows, in order.
  const std::string seq =
      db_.QueryValue("SELECT seq FROM agreements WHERE id = '" +
                     store::PartnerId(created.name()) + "'");
  EXPECT_EQ(db_.QueryValue("SELECT CONCAT_WS('|', kind_number, sign_date, "
                           "sign_date_parts, end_date, renewal_date) FROM "
                           "agreements WHERE seq = " +
                           seq),
            "2|2013-10-01|2|2031-03-31|2028-04-01");
  EXPECT_EQ(
      db_.QueryValue("SELECT description FROM agreements WHERE seq = " + seq),
      Full().description());
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(partner_id ORDER BY position) "
                           "FROM agreement_parties WHERE agreement_seq = " +
                           seq),
            absl::StrCat(store::PartnerId(meiji_.name()), ",",
                         store::PartnerId(city_.name()), ",",
                         store::PartnerId(senshu_.name())));
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(theme ORDER BY position "
                           "SEPARATOR '|') FROM agreement_themes WHERE "
                           "agreement_seq = " +
                           seq),
            absl::StrCat(Full().themes(0), "|", Full().themes(1)));

  // A year-only signing date, parties reordered, one theme, no description
  // and no renewal date: the update rewrites the columns and the children.
  v1::UpdateAgreementRequest update;
  *update.mutable_agreement() = created;
  Agreement& a = *update.mutable_agreement();
  *a.mutable_sign_date() = Date(2013, 0, 0);
  a.mutable_parties()->SwapElements(0, 2);
  a.mutable_themes()->RemoveLast();
  a.clear_description();
  a.clear_renewal_date();
  a.set_kind(Agreement::COMPREHENSIVE);
  update.mutable_update_mask()->add_paths("*");
  Agreement updated;
  grpc::Status status =
      stub_->UpdateAgreement(Context(AdminToken()).get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const Agreement got = GetAgreement(created.name());
  EXPECT_EQ(Differences(updated, got), "");
  EXPECT_EQ(got.sign_date().month(), 0);
  EXPECT_EQ(got.parties(0), senshu_.name());
  EXPECT_FALSE(got.has_description());
  EXPECT_FALSE(got.has_renewal_date());
  EXPECT_EQ(db_.QueryValue("SELECT CONCAT_WS('|', kind_number, sign_date, "
                           "sign_date_parts) FROM agreements WHERE seq = " +
                           seq),
            "1|2013-01-01|1");
  EXPECT_EQ(CountRows("agreement_themes"), 1);

  // An empty description is kept apart from none; an agreement without
  // dates or themes reads back without them; the list builds the same.
  Agreement bare;
  bare.set_display_name("協定");
  bare.set_kind(Agreement::COMPREHENSIVE);
  bare.add_parties(city_.name());
  bare.add_parties(meiji_.name());
  bare.set_description("");
  const Agreement second = CreateAgreement(bare);
  EXPECT_TRUE(GetAgreement(second.name()).has_description());
  EXPECT_EQ(Differences(second, GetAgreement(second.name())), "");
  v1::ListAgreementsRequest list;
  v1::ListAgreementsResponse page;
  ASSERT_TRUE(
      stub_->ListAgreements(Context(AdminToken()).get(), list, &page).ok());
  ASSERT_EQ(page.agreements_size(), 2);
  EXPECT_EQ(Differences(page.agreements(0), got), "");
  EXPECT_EQ(Differences(page.agreements(1), second), "");
}

TEST_F(TypedAgreementsTest, EveryNetworkFieldReadsBackAsWritten) {
  Network n;
  n.set_display_name("多摩区3大学協議会「😀」");
  n.set_convening_unit(tama_.name());
  n.add_members(senshu_.name());
  n.add_members(meiji_.name());
  n.add_members(city_.name());
  n.set_description("地域と連携した活動\n\"展開\"");
  const Network created = CreateNetwork(n);
  EXPECT_EQ(created.ward(), type::v1::TAMA);
  EXPECT_EQ(Differences(created, GetNetwork(created.name())), "");
  const std::string seq =
      db_.QueryValue("SELECT seq FROM networks WHERE id = '" +
                     store::PartnerId(created.name()) + "'");
  EXPECT_EQ(db_.QueryValue("SELECT CONCAT_WS('|', ward_number, description) "
                           "FROM networks WHERE seq = " +
                           seq),
            absl::StrCat("6|", n.description()));
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(partner_id ORDER BY position) "
                           "FROM network_members WHERE network_seq = " +
                           seq),
            absl::StrCat(store::PartnerId(senshu_.name()), ",",
                         store::PartnerId(meiji_.name()), ",",
                         store::PartnerId(city_.name())));

  // Convened by the city (no ward), members reordered, no description.
  v1::UpdateNetworkRequest update;
  *update.mutable_network() = created;
  Network& u = *update.mutable_network();
  u.set_convening_unit(city_.name());
  u.mutable_members()->SwapElements(0, 1);
  u.clear_description();
  update.mutable_update_mask()->add_paths("*");
  Network updated;
  grpc::Status status =
      stub_->UpdateNetwork(Context(AdminToken()).get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const Network got = GetNetwork(created.name());
  EXPECT_EQ(Differences(updated, got), "");
  EXPECT_FALSE(got.has_ward());
  EXPECT_EQ(got.members(0), meiji_.name());
  v1::ListNetworksRequest list;
  v1::ListNetworksResponse page;
  ASSERT_TRUE(
      stub_->ListNetworks(Context(AdminToken()).get(), list, &page).ok());
  ASSERT_EQ(page.networks_size(), 1);
  EXPECT_EQ(Differences(page.networks(0), got), "");
}

TEST_F(TypedAgreementsTest, TheSchemaRefusesBadRows) {
  const Agreement good = CreateAgreement(Full());
  Network n;
  n.set_display_name("協議会");
  n.set_convening_unit(tama_.name());
  n.add_members(senshu_.name());
  const Network network = CreateNetwork(n);
  const std::string seq = db_.QueryValue("SELECT MAX(seq) FROM agreements");
  const std::string nseq = db_.QueryValue("SELECT MAX(seq) FROM networks");
  const std::string city = store::PartnerId(city_.name());
  const std::string tama = store::PartnerId(tama_.name());
  const std::string insert =
      "INSERT INTO agreements (id, kind, display_name, version, "
      "create_time, update_time, delete_time, doc) VALUES ('bad', 'THEME', "
      "'x', ";
  const std::string ninsert =
      "INSERT INTO networks (id, display_name, convening_unit_id, ward, "
      "version, create_time, update_time, delete_time, doc) VALUES ('bad', "
      "'x', '" +
      tama + "', ";
  const std::vector<kyodo::testing::BadRow> bad = {
      // A kind no lookup row names (foreign key); none, or the unspecified
      // one (NOT NULL, CHECK).
      {insert + "1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"TREATY\",\"display_name\":\"x\"}')",
       1452},
      {insert + "1, NOW(), NOW(), NULL, '{\"display_name\":\"x\"}')", 1048},
      {insert + "1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"KIND_UNSPECIFIED\",\"display_name\":\"x\"}')",
       4025},
      {insert + "1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"THEME\",\"display_name\":\"\"}')",
       4025},
      {insert + "0, NOW(), NOW(), NULL, "
                "'{\"kind\":\"THEME\",\"display_name\":\"x\"}')",
       4025},
      {insert + "1, NOW(), NOW(), '2001-01-01', "
                "'{\"kind\":\"THEME\",\"display_name\":\"x\"}')",
       4025},
      // Ended or renewed before it was signed; a day that is no day.
      {insert + "1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"THEME\",\"display_name\":\"x\",\"sign_date\":"
                "{\"year\":2013,\"month\":4},\"end_date\":{\"year\":2013,"
                "\"month\":3,\"day\":31}}')",
       4025},
      {insert + "1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"THEME\",\"display_name\":\"x\",\"sign_date\":"
                "{\"year\":2013},\"renewal_date\":{\"year\":2012,"
                "\"month\":12,\"day\":31}}')",
       4025},
      {insert + "1, NOW(), NOW(), NULL, "
                "'{\"kind\":\"THEME\",\"display_name\":\"x\",\"sign_date\":"
                "{\"year\":2013,\"month\":2,\"day\":30}}')",
       1292},
      // A blank theme; a theme past the 50th.
      {"UPDATE agreements SET doc = JSON_SET(doc, '$.themes', "
       "JSON_ARRAY('a', '')) WHERE seq = " +
           seq,
       4025},
      {"INSERT INTO agreement_themes VALUES (" + seq + ", 50, 'x')", 4025},
      {"INSERT INTO agreement_themes VALUES (999999, 0, 'x')", 1452},
      // A party or member the document does not list has no position.
      {"INSERT INTO agreement_parties (agreement_seq, partner_id) VALUES (" +
           seq + ", '" + tama + "')",
       1048},
      {"INSERT INTO network_members (network_seq, partner_id) VALUES (" + nseq +
           ", '" + city + "')",
       1048},
      // A network of a ward no lookup row names, or of WARD_UNSPECIFIED;
      // without a name.
      {ninsert +
           "'ATLANTIS', 1, NOW(), NOW(), NULL, '{\"display_name\":"
           "\"x\",\"convening_unit\":\"partners/" +
           tama + "\"}')",
       1452},
      {ninsert +
           "'WARD_UNSPECIFIED', 1, NOW(), NOW(), NULL, "
           "'{\"display_name\":\"x\",\"convening_unit\":\"partners/" +
           tama + "\"}')",
       4025},
      {ninsert +
           "NULL, 1, NOW(), NOW(), NULL, '{\"display_name\":\"\","
           "\"convening_unit\":\"partners/" +
           tama + "\"}')",
       4025},
  };
  kyodo::testing::ExpectRefused(db_, bad);
  // Nothing of them was written; both resources read back unchanged.
  EXPECT_EQ(CountRows("agreements"), 1);
  EXPECT_EQ(CountRows("agreement_themes"), 2);
  EXPECT_EQ(CountRows("agreement_parties"), 3);
  EXPECT_EQ(CountRows("networks"), 1);
  EXPECT_EQ(CountRows("network_members"), 1);
  EXPECT_EQ(Differences(good, GetAgreement(good.name())), "");
  EXPECT_EQ(Differences(network, GetNetwork(network.name())), "");

  // The service's own account reads the themes and the lookup table but
  // writes neither (the triggers do, as the migrating account).
  kyodo::testing::ExpectServingReadOnly(
      db_, {"agreement_themes", "agreement_kinds"});
}

// The example data's agreements and networks and generated ones, written as
// the release before migration 004 wrote them (store::InsertAgreement,
// InsertNetwork and their updates, whose SQL 004 left unchanged), read back
// equal after it.
class AgreementMigrationTest : public ::testing::Test {
 protected:
  AgreementMigrationTest() : db_("AgreementMigration") {
    kyodo::testing::MigrateBefore(db_, KyodoPartnerMigrations(), 4);
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

  template <typename R>
  void Stamp(const std::string& name, R* r) {
    r->set_name(name);
    const absl::Time t = NextTime();
    *r->mutable_create_time() = common::store::ToTimestamp(t);
    *r->mutable_update_time() = common::store::ToTimestamp(t);
    r->set_etag(common::store::Etag(1));
  }

  std::string WritePartner(Partner p) {
    Stamp(absl::StrCat("partners/p", writes_ + 1), &p);
    p.set_state(Partner::ACTIVE);
    absl::Status status = store::InsertPartner(s(), p);
    EXPECT_TRUE(status.ok()) << status;
    return p.name();
  }

  // Agreement `name` as the store reads it (empty, and the test failed, if
  // it cannot).
  Agreement Stored(const std::string& name) {
    auto read = store::GetAgreement(s(), store::PartnerId(name));
    if (!read.ok() || !read->has_value()) {
      ADD_FAILURE() << name << " " << read.status();
      return Agreement();
    }
    return (*read)->agreement;
  }

  void WriteAgreement(Agreement a) {
    Stamp(absl::StrCat("agreements/a", agreements_.size()), &a);
    absl::Status status = store::InsertAgreement(s(), a);
    ASSERT_TRUE(status.ok()) << status << a.DebugString();
    agreements_.push_back(std::move(a));
  }

  void WriteNetwork(Network n) {
    Stamp(absl::StrCat("networks/n", networks_.size()), &n);
    absl::Status status = store::InsertNetwork(s(), n);
    ASSERT_TRUE(status.ok()) << status << n.DebugString();
    networks_.push_back(std::move(n));
  }

  kyodo::testing::TestDatabase db_;
  std::unique_ptr<common::db::ConnectionPool> pool_;
  std::unique_ptr<common::db::PooledSession> session_;
  int64_t writes_ = 0;
  std::vector<Agreement> agreements_;
  std::vector<Network> networks_;
};

TEST_F(AgreementMigrationTest, WrittenBeforeTheMigrationReadBackEqual) {
  std::ifstream in(std::string(KYODO_SOURCE_DIR) +
                   "/deploy/local/data/10_partners.textproto");
  std::stringstream text;
  text << in.rdbuf();
  kyodo::seed::v1::SeedFile file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), &file));
  std::map<std::string, std::string> refs;
  std::map<std::string, type::v1::Ward> wards;
  auto resolve = [&](google::protobuf::RepeatedPtrField<std::string>* names) {
    for (std::string& name : *names) {
      if (absl::StartsWith(name, "ref:")) name = refs.at(name.substr(4));
    }
  };
  ASSERT_TRUE(s().ExecUnprepared("START TRANSACTION").ok());
  for (const auto& entry : file.entries()) {
    v1::CreatePartnerRequest partner;
    v1::CreateAgreementRequest agreement;
    v1::CreateNetworkRequest network;
    if (entry.request().UnpackTo(&partner)) {
      Partner p = partner.partner();
      if (absl::StartsWith(p.parent(), "ref:")) {
        p.set_parent(refs.at(p.parent().substr(4)));
      }
      refs[entry.ref()] = WritePartner(p);
      wards[refs[entry.ref()]] = p.ward();
    } else if (entry.request().UnpackTo(&agreement)) {
      Agreement a = agreement.agreement();
      resolve(a.mutable_parties());
      WriteAgreement(a);
    } else if (entry.request().UnpackTo(&network)) {
      Network n = network.network();
      resolve(n.mutable_members());
      n.set_convening_unit(refs.at(n.convening_unit().substr(4)));
      n.set_ward(wards.at(n.convening_unit()));
      WriteNetwork(n);
    }
  }
  const size_t examples = agreements_.size();
  ASSERT_GE(agreements_.size(), 8u);
  ASSERT_GE(networks_.size(), 2u);

  // Generated ones, enough for three backfill batches of 500, each with a
  // different mix of fields.
  std::vector<std::string> partners;
  for (int i = 0; i < 60; ++i) {
    Partner p;
    p.set_kind(i % 2 ? v1::COMPANY : v1::CITY_UNIT);
    p.set_display_name(absl::StrCat("協働先 その", i));
    if (i % 2 == 0) p.set_ward(static_cast<type::v1::Ward>(1 + i % 7));
    partners.push_back(WritePartner(p));
    wards[partners.back()] = p.ward();
  }
  for (int i = 0; i < 1200; ++i) {
    Agreement a;
    a.set_display_name(absl::StrCat("連携・協力に関する協定 その", i));
    a.set_kind(i % 3 ? Agreement::THEME : Agreement::COMPREHENSIVE);
    for (int k = 0; k < 2 + i % 4; ++k) {
      a.add_parties(
          partners[static_cast<size_t>(i * 7 + k * 13) % partners.size()]);
    }
    for (int k = 0; k < i % 3; ++k) a.add_themes(absl::StrCat("テーマ", k));
    if (i % 5 != 0) {
      *a.mutable_sign_date() = Date(2000 + i % 25, i % 4 ? 1 + i % 12 : 0,
                                    i % 4 == 1 ? 1 + i % 28 : 0);
      if (a.sign_date().month() == 0) a.mutable_sign_date()->set_day(0);
    }
    if (i % 6 == 0) *a.mutable_end_date() = Date(2030, 3, 31);
    if (i % 7 == 0) *a.mutable_renewal_date() = Date(2027, 1 + i % 12, 1);
    if (i % 2 == 0) a.set_description(absl::StrCat("説明 \"", i, "\"\n"));
    if (i % 11 == 0) a.set_description("");
    WriteAgreement(a);
  }
  for (int i = 0; i < 600; ++i) {
    Network n;
    n.set_display_name(absl::StrCat("協議会 その", i));
    n.set_convening_unit(
        partners[static_cast<size_t>(i) * 2 % partners.size()]);
    n.set_ward(wards.at(n.convening_unit()));
    for (int k = 0; k < 1 + i % 5; ++k) {
      n.add_members(
          partners[static_cast<size_t>(i * 3 + k * 11) % partners.size()]);
    }
    if (i % 3 == 0) n.set_description(absl::StrCat("説明", i));
    WriteNetwork(n);
  }
  ASSERT_TRUE(s().ExecUnprepared("COMMIT").ok());
  // Some changed afterwards, as the old release changes them.
  for (size_t i : {examples + 3, examples + 600}) {
    Agreement& a = agreements_[i];
    a.mutable_parties()->SwapElements(0, 1);
    a.add_themes("追加のテーマ");
    *a.mutable_update_time() = common::store::ToTimestamp(NextTime());
    a.set_etag(common::store::Etag(2));
    ASSERT_TRUE(store::UpdateAgreement(s(), a, 1).ok());
  }

  // Upgrade, then read everything back through the typed read path.
  db_.Migrate({common::server::CommonMigrations(), KyodoPartnerMigrations()});
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM agreement_parties WHERE "
                           "position IS NULL"),
            "0");
  for (const Agreement& a : agreements_) {
    EXPECT_EQ(Differences(a, Stored(a.name())), "") << a.name();
  }
  for (const Network& n : networks_) {
    auto read = store::GetNetwork(s(), store::PartnerId(n.name()));
    if (!read.ok() || !read->has_value()) {
      ADD_FAILURE() << n.name() << " " << read.status();
      continue;
    }
    EXPECT_EQ(Differences(n, (*read)->network), "") << n.name();
  }
  // The list pages build the same (children joined per page).
  common::paging::SqlFilter none;
  auto all = store::ListAgreements(s(), none, true, 0, 5000);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), agreements_.size());
  for (size_t i = 0; i < agreements_.size(); ++i) {
    EXPECT_EQ(Differences(agreements_[i], (*all)[i].agreement), "") << i;
  }
  auto nets = store::ListNetworks(s(), none, true, 0, 5000);
  ASSERT_TRUE(nets.ok()) << nets.status();
  ASSERT_EQ(nets->size(), networks_.size());
  for (size_t i = 0; i < networks_.size(); ++i) {
    EXPECT_EQ(Differences(networks_[i], (*nets)[i].network), "") << i;
  }
  // The children hold exactly what the documents list.
  EXPECT_EQ(db_.QueryValue("SELECT COUNT(*) FROM agreement_themes"),
            db_.QueryValue("SELECT SUM(COALESCE(JSON_LENGTH(doc, "
                           "'$.themes'), 0)) FROM agreements"));
  // A write by the old release after the upgrade is typed by the triggers.
  Agreement& later = agreements_[examples + 7];
  later.set_description("移行後の書き込み");
  later.mutable_parties()->SwapElements(0, 1);
  *later.mutable_sign_date() = Date(1999, 12, 31);
  later.set_etag(common::store::Etag(2));
  ASSERT_TRUE(store::UpdateAgreement(s(), later, 1).ok());
  EXPECT_EQ(Differences(later, Stored(later.name())), "");
}

}  // namespace
}  // namespace kyodo::partner
