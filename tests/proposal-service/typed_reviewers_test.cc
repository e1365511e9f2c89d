// Committee members in typed columns and child tables
// (proposal-service/schema/006_reviewer_columns.sql): every stored field
// reads back as written, presence included; the schema refuses bad rows
// written straight to it; and members written before the migration, with
// every kind of child, read back equal after it.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "proposal-service/store/lookup_tables.h"
#include "proposal-service/store/reviewer_store.h"
#include "tests/proposal-service/proposal_fixture.h"
#include "tests/testing/schema_checks.h"

namespace kyodo::proposal {
namespace {

using kyodo::proposal::v1::Reviewer;
using kyodo::testing::Context;
using kyodo::testing::Differences;

class TypedReviewersTest : public ProposalServiceTest {
 protected:
  // A call of a programme with network conflicts, proposals A, B and C by
  // partners pa, pb and pc, and a network joining partners/meiji and pa.
  void SetUpCall() {
    v1::Programme programme = CitizenProgramme();
    programme.set_network_conflicts(true);
    call_ = CreateCall(CreateProgramme(programme).name());
    ASSERT_TRUE(Open(call_.name()).ok());
    clock().Set(kOpens + absl::Hours(1));
    a_ = EligibleProposal(call_.name(), "partners/pa", "提案A", 300000);
    b_ = EligibleProposal(call_.name(), "partners/pb", "提案B", 300000);
    c_ = EligibleProposal(call_.name(), "partners/pc", "提案C", 300000);
    partner::v1::Network network;
    network.set_name("networks/tama-3dai");
    network.add_members("partners/meiji");
    network.add_members("partners/pa");
    records_.AddNetwork(network);
  }

  Reviewer Get(const std::string& name) {
    v1::GetReviewerRequest get;
    get.set_name(name);
    Reviewer out;
    grpc::Status status = stub_->GetReviewer(Context(Staff()).get(), get, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  Reviewer Declare(const Reviewer& member, const std::string& proposal,
                   const std::string& note) {
    v1::DeclareConflictRequest declare;
    declare.set_reviewer(member.name());
    declare.set_proposal(proposal);
    declare.set_note(note);
    Reviewer out;
    grpc::Status status =
        stub_->DeclareConflict(Context(Staff()).get(), declare, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::string Seq(const Reviewer& r) {
    return db_.QueryValue("SELECT seq FROM reviewers WHERE id = '" +
                          Id(r.name()) + "'");
  }

  v1::Call call_;
  v1::Proposal a_, b_, c_;
};

// A note with the characters the child columns' separators use.
constexpr char kNote[] = "理事を務める団体: 会計, 監事 😀\n\"引用\"";

TEST_F(TypedReviewersTest, EveryReviewerFieldReadsBackAsWritten) {
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  v1::CreateReviewerRequest create;
  create.set_parent(call_.name());
  Reviewer& r = *create.mutable_reviewer();
  r.set_display_name("委員 川崎 太郎 「学識」");
  r.set_principal("iin-1");
  r.set_email("iin1@example.jp");
  r.add_affiliations("partners/univ");
  r.add_affiliations("partners/meiji");
  r.add_assigned_proposals(c_.name());
  r.add_assigned_proposals(a_.name());
  r.add_stages(1);
  Reviewer created;
  grpc::Status status =
      stub_->CreateReviewer(Context(Staff()).get(), create, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(created.related_parties_size(), 1);
  Declare(created, b_.name(), kNote);
  const Reviewer declared = Declare(created, c_.name(), "");
  // Two declared conflicts and the network's one (computed on read).
  ASSERT_EQ(declared.conflicts_size(), 3);
  EXPECT_EQ(Differences(declared, Get(created.name())), "");

  // Each column holds its field, the children their rows, in order.
  const std::string seq = Seq(created);
  EXPECT_EQ(db_.QueryValue("SELECT CONCAT_WS('|', display_name, principal, "
                           "email) FROM reviewers WHERE seq = " +
                           seq),
            "委員 川崎 太郎 「学識」|iin-1|iin1@example.jp");
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(partner_id ORDER BY "
                           "position) FROM reviewer_affiliations WHERE "
                           "reviewer_seq = " +
                           seq),
            "univ,meiji");
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(proposal_id ORDER BY "
                           "position) FROM reviewer_assignments WHERE "
                           "reviewer_seq = " +
                           seq),
            Id(c_.name()) + "," + Id(a_.name()));
  EXPECT_EQ(db_.QueryValue("SELECT GROUP_CONCAT(stage) FROM reviewer_stages "
                           "WHERE reviewer_seq = " +
                           seq),
            "1");
  EXPECT_EQ(db_.QueryValue("SELECT note FROM reviewer_conflicts WHERE "
                           "reviewer_seq = " +
                           seq + " AND position = 0"),
            kNote);
  EXPECT_EQ(db_.QueryValue("SELECT CONCAT_WS('|', partner_id, source_number, "
                           "via, affiliation_id) FROM "
                           "reviewer_related_parties WHERE reviewer_seq = " +
                           seq),
            "pa|3|networks/tama-3dai|meiji");

  // Without a mail address, one affiliation and no assignments: the update
  // rewrites the columns and the children.
  v1::UpdateReviewerRequest update;
  update.mutable_reviewer()->set_name(created.name());
  update.mutable_reviewer()->add_affiliations("partners/univ");
  update.mutable_update_mask()->add_paths("email");
  update.mutable_update_mask()->add_paths("affiliations");
  update.mutable_update_mask()->add_paths("assigned_proposals");
  Reviewer updated;
  status = stub_->UpdateReviewer(Context(Staff()).get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const Reviewer got = Get(created.name());
  EXPECT_EQ(Differences(updated, got), "");
  EXPECT_FALSE(got.has_email());
  EXPECT_EQ(got.assigned_proposals_size(), 0);
  EXPECT_EQ(got.related_parties_size(), 0);
  ASSERT_EQ(got.conflicts_size(), 2);
  EXPECT_EQ(got.conflicts(0).note(), kNote);
  EXPECT_TRUE(got.conflicts(1).has_note());
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviewer_assignments"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviewer_related_parties"), 0);
  EXPECT_EQ(db_.QueryValue("SELECT IFNULL(email, 'NULL') FROM reviewers"),
            "NULL");

  // The list builds the same, deleted members included when asked.
  const Reviewer second = AddReviewer(call_.name(), "iin-2");
  v1::DeleteReviewerRequest remove;
  remove.set_name(second.name());
  Reviewer deleted;
  status = stub_->DeleteReviewer(Context(Staff()).get(), remove, &deleted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::ListReviewersRequest list;
  list.set_parent(call_.name());
  list.set_show_deleted(true);
  v1::ListReviewersResponse page;
  status = stub_->ListReviewers(Context(Staff()).get(), list, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.reviewers_size(), 2);
  EXPECT_EQ(Differences(got, page.reviewers(0)), "");
  EXPECT_EQ(Differences(deleted, page.reviewers(1)), "");
}

// Names and principals of spaces, which the service accepts, are stored
// as given (the schema's checks count characters: the collation pads).
TEST_F(TypedReviewersTest, NamesOfSpacesAreStoredAsGiven) {
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  v1::CreateReviewerRequest create;
  create.set_parent(call_.name());
  create.mutable_reviewer()->set_display_name("  ");
  create.mutable_reviewer()->set_principal(" ");
  Reviewer created;
  grpc::Status status =
      stub_->CreateReviewer(Context(Staff()).get(), create, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const Reviewer got = Get(created.name());
  EXPECT_EQ(got.display_name(), "  ");
  EXPECT_EQ(got.principal(), " ");
}

TEST_F(TypedReviewersTest, TheSchemaRefusesBadRows) {
  ASSERT_NO_FATAL_FAILURE(SetUpCall());
  v1::CreateReviewerRequest create;
  create.set_parent(call_.name());
  create.mutable_reviewer()->set_display_name("委員");
  create.mutable_reviewer()->set_principal("iin-1");
  create.mutable_reviewer()->add_affiliations("partners/meiji");
  create.mutable_reviewer()->add_assigned_proposals(a_.name());
  Reviewer good;
  ASSERT_TRUE(
      stub_->CreateReviewer(Context(Staff()).get(), create, &good).ok());
  good = Declare(good, b_.name(), kNote);
  const std::string seq = Seq(good);
  auto change = [&](const std::string& path, const std::string& value) {
    return "UPDATE reviewers SET doc = JSON_SET(doc, '" + path + "', " + value +
           ") WHERE seq = " + seq;
  };
  const std::string other_call =
      "'programmes/x/calls/y/proposals/" + Id(a_.name()) + "'";
  const std::string mine = "'" + call_.name() + "/proposals/";
  const std::vector<kyodo::testing::BadRow> bad = {
      // Without a name or a principal.
      {change("$.display_name", "''"), 4025},
      {change("$.principal", "''"), 4025},
      // Affiliations: twice, not a partner, past the twentieth.
      {change("$.affiliations", "JSON_ARRAY('partners/a', 'partners/a')"),
       1062},
      {change("$.affiliations", "JSON_ARRAY('networks/a')"), 1048},
      {change("$.affiliations", "JSON_ARRAY('partners/a/b')"), 1048},
      {"INSERT INTO reviewer_affiliations VALUES (" + seq + ", 20, 'x')", 4025},
      {"INSERT INTO reviewer_affiliations VALUES (999999, 5, 'x')", 1452},
      // Assignments: of another call, of no proposal, twice.
      {change("$.assigned_proposals", "JSON_ARRAY(" + other_call + ")"), 1048},
      {change("$.assigned_proposals", "JSON_ARRAY(" + mine + "nobody')"), 1452},
      {change("$.assigned_proposals", "JSON_ARRAY(" + mine + Id(a_.name()) +
                                          "', " + mine + Id(a_.name()) + "')"),
       1062},
      // Stages: out of range, twice.
      {change("$.stages", "JSON_ARRAY(5)"), 4025},
      {change("$.stages", "JSON_ARRAY(1, 1)"), 1062},
      // Conflicts: not declared, a source no row names (stored as 255,
      // which is not DECLARED either), of another call.
      {change("$.conflicts[0].source", "'AFFILIATION'"), 4025},
      {change("$.conflicts[0].source", "'RUMOUR'"), 4025},
      {change("$.conflicts[0].proposal", other_call), 1048},
      // Related parties: declared, via something that is no name.
      {change("$.related_parties",
              "JSON_ARRAY(JSON_OBJECT('partner', 'partners/pa', 'source', "
              "'DECLARED', 'via', 'networks/n', 'affiliation', "
              "'partners/meiji'))"),
       4025},
      {change("$.related_parties",
              "JSON_ARRAY(JSON_OBJECT('partner', 'partners/pa', 'source', "
              "'NETWORK', 'via', 'n', 'affiliation', 'partners/meiji'))"),
       4025},
      // Version and times.
      {"UPDATE reviewers SET version = 0 WHERE seq = " + seq, 4025},
      {"UPDATE reviewers SET delete_time = create_time - INTERVAL 1 DAY "
       "WHERE seq = " +
           seq,
       4025},
  };
  kyodo::testing::ExpectRefused(db_, bad);
  // Nothing of them was written; the member reads back unchanged.
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviewer_affiliations"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviewer_assignments"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM reviewer_conflicts"), 1);
  EXPECT_EQ(Differences(good, Get(good.name())), "");

  // The service's own account reads the new tables but writes none of them.
  kyodo::testing::ExpectServingReadOnly(
      db_,
      {"reviewer_affiliations", "reviewer_assignments", "reviewer_stages",
       "reviewer_conflicts", "reviewer_related_parties", "conflict_sources"});
  // And the lookup check names a renamed source.
  auto pool = db_.NewPool(1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(store::CheckLookupTables(**session).ok());
  ASSERT_TRUE((*session)
                  ->ExecUnprepared("UPDATE conflict_sources SET name = "
                                   "'SELF' WHERE number = 1")
                  .ok());
  const absl::Status check = store::CheckLookupTables(**session);
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(check.message(), "conflict_sources")) << check;
}

// Members written as the release before migration 006 wrote them
// (store::InsertReviewer and UpdateReviewer, whose SQL 006 left unchanged)
// with every kind of child, read back equal after it. The round around
// them (programme, call, proposals) is made by this build's service on the
// schema before 006, which reads none of the reviewer columns to make it.
class ReviewerMigrationTest : public ProposalServiceTest {
 protected:
  void UseSchemaBefore006() {
    old_db_ = std::make_unique<kyodo::testing::TestDatabase>("ReviewerMig");
    ASSERT_NO_FATAL_FAILURE(
        kyodo::testing::MigrateBefore(*old_db_, KyodoProposalMigrations(), 6));
    ServeOn(*old_db_);
    pool_ = old_db_->NewServingPool(1);
  }

  common::db::PooledSession Session() {
    auto session = pool_->Borrow(absl::Now() + absl::Seconds(60));
    EXPECT_TRUE(session.ok()) << session.status();
    return std::move(*session);
  }

  std::unique_ptr<kyodo::testing::TestDatabase> old_db_;
  std::unique_ptr<common::db::ConnectionPool> pool_;
};

TEST_F(ReviewerMigrationTest, WrittenBeforeTheMigrationReadBackEqual) {
  ASSERT_NO_FATAL_FAILURE(UseSchemaBefore006());
  const v1::Call call = CreateCall(CreateProgramme().name());
  ASSERT_TRUE(Open(call.name()).ok());
  clock().Set(kOpens + absl::Hours(1));
  std::vector<std::string> proposals;
  for (int i = 0; i < 12; ++i) {
    proposals.push_back(EligibleProposal(call.name(),
                                         absl::StrCat("partners/app-", i),
                                         absl::StrCat("提案", i), 200000)
                            .name());
  }
  ASSERT_FALSE(HasFailure());

  // 1,200 members, enough for three backfill batches of 500, each with a
  // different mix of fields; deleted ones keep their principals apart.
  std::vector<Reviewer> written;
  {
    common::db::PooledSession s = Session();
    for (int i = 0; i < 1200; ++i) {
      Reviewer r;
      r.set_name(absl::StrCat(call.name(), "/reviewers/m", i));
      const absl::Time t = absl::FromUnixMicros(1767225600000000 + i * 1001);
      *r.mutable_create_time() = common::store::ToTimestamp(t);
      *r.mutable_update_time() = common::store::ToTimestamp(t);
      r.set_etag(common::store::Etag(1));
      r.set_display_name(absl::StrCat("委員 その", i));
      r.set_principal(absl::StrCat("iin-", i));
      if (i % 3 == 0) r.set_email(absl::StrCat("iin", i, "@example.jp"));
      for (int k = 0; k < i % 4; ++k) {
        r.add_affiliations(absl::StrCat("partners/org-", (i + k) % 50));
      }
      for (int k = 0; k < i % 5; ++k) {
        r.add_assigned_proposals(proposals[(i + k) % proposals.size()]);
      }
      if (i % 7 == 1) r.add_stages(1);
      for (int k = 0; k < i % 3; ++k) {
        Reviewer::Conflict* c = r.add_conflicts();
        c->set_proposal(proposals[(i * 5 + k) % proposals.size()]);
        c->set_source(Reviewer::Conflict::DECLARED);
        if ((i + k) % 4 != 0) c->set_note(absl::StrCat(kNote, i));
        if ((i + k) % 4 == 1) c->set_note("");
      }
      for (int k = 0; k < i % 3; ++k) {
        v1::RelatedParty* p = r.add_related_parties();
        p->set_partner(absl::StrCat("partners/rel-", i % 9));
        p->set_source(k % 2 ? Reviewer::Conflict::CITY_UNIT
                            : Reviewer::Conflict::NETWORK);
        p->set_via(k % 2 ? "partners/kyoku" : "networks/n-1");
        p->set_affiliation(absl::StrCat("partners/org-", i % 50));
      }
      absl::Status status = store::InsertReviewer(*s, r);
      ASSERT_TRUE(status.ok()) << status << r.DebugString();
      written.push_back(std::move(r));
    }
    // One changed afterwards and one deleted, as the old release does.
    for (size_t i : {size_t{4}, size_t{900}}) {
      Reviewer& r = written[i];
      if (i == 4) {
        r.clear_assigned_proposals();
        r.add_affiliations("partners/added");
      } else {
        *r.mutable_delete_time() = r.update_time();
      }
      r.set_etag(common::store::Etag(2));
      absl::Status status = store::UpdateReviewer(*s, r, 1);
      ASSERT_TRUE(status.ok()) << status;
    }
  }

  // Upgrade, then read everything back through the typed read path.
  old_db_->Migrate(
      {common::server::CommonMigrations(), KyodoProposalMigrations()});
  common::db::PooledSession s = Session();
  for (const Reviewer& r : written) {
    auto read = store::GetReviewer(*s, Id(r.name()));
    if (!read.ok() || !read->has_value()) {
      ADD_FAILURE() << r.name() << " " << read.status();
      continue;
    }
    EXPECT_EQ(Differences(r, (*read)->reviewer), "") << r.name();
  }
  auto all = store::ListReviewers(*s, Id(call.name()), true, 0, 5000);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), written.size());
  for (size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ(Differences(written[i], (*all)[i].reviewer), "") << i;
  }
  // The children hold exactly what the documents list.
  for (const char* table_and_path :
       {"reviewer_affiliations|affiliations",
        "reviewer_assignments|assigned_proposals", "reviewer_stages|stages",
        "reviewer_conflicts|conflicts",
        "reviewer_related_parties|related_parties"}) {
    const std::vector<std::string> parts = absl::StrSplit(table_and_path, '|');
    EXPECT_EQ(old_db_->QueryValue("SELECT COUNT(*) FROM " + parts[0]),
              old_db_->QueryValue("SELECT SUM(COALESCE(JSON_LENGTH(doc, '$." +
                                  parts[1] + "'), 0)) FROM reviewers"))
        << parts[0];
  }
  // A write by the old release after the upgrade is typed by the triggers.
  Reviewer& later = written[10];
  later.add_stages(1);
  later.set_email("after@example.jp");
  later.set_etag(common::store::Etag(2));
  ASSERT_TRUE(store::UpdateReviewer(*s, later, 1).ok());
  auto read = store::GetReviewer(*s, Id(later.name()));
  ASSERT_TRUE(read.ok() && read->has_value()) << read.status();
  EXPECT_EQ(Differences(later, (*read)->reviewer), "");
  // And the service reads them too.
  EXPECT_EQ(written[3].conflicts_size(), 0);
  v1::GetReviewerRequest get;
  get.set_name(written[3].name());
  Reviewer served;
  grpc::Status status =
      stub_->GetReviewer(Context(Staff()).get(), get, &served);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Differences(written[3], served), "");
}

}  // namespace
}  // namespace kyodo::proposal
