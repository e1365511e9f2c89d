// Contributions, expense lines and outcome indicators in typed rows
// (project-service/schema/003_typed_contributions.sql): 600 projects stored
// by the service before the migration read back equal from the rows after
// it, field by field; later writes keep the rows in step; the schema refuses
// bad rows written straight to it; the lookup tables are checked against
// the protos.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "project-service/store/lookup_tables.h"
#include "tests/project-service/project_fixture.h"
#include "tests/testing/schema_checks.h"

namespace kyodo::project {
namespace {

using kyodo::project::v1::Project;
using kyodo::testing::AdminToken;
using kyodo::testing::Context;

std::string Id(const std::string& name) {
  return name.substr(name.rfind('/') + 1);
}

template <typename T>
std::string Or(bool has, const T& value) {
  return has ? absl::StrCat(value) : "NULL";
}

// The rows a project's document must give, as kRows lists them.
std::string Expected(const Project& p) {
  std::vector<std::string> lines;
  for (int i = 0; i < p.contributions_size(); ++i) {
    const v1::Contribution& c = p.contributions(i);
    lines.push_back(
        absl::StrJoin({std::string("c"), absl::StrCat(i),
                       absl::StrCat(static_cast<int>(c.form())),
                       Or(c.has_from_partner(), Id(c.from_partner())),
                       Or(c.has_to_partner(), Id(c.to_partner())),
                       Or(c.has_amount_yen(), c.amount_yen()),
                       Or(c.has_description(), c.description())},
                      "|"));
  }
  for (int i = 0; i < p.contributions_size(); ++i) {
    for (int j = 0; j < p.contributions(i).expense_lines_size(); ++j) {
      const v1::ExpenseLine& e = p.contributions(i).expense_lines(j);
      lines.push_back(
          absl::StrJoin({std::string("e"), absl::StrCat(i), absl::StrCat(j),
                         absl::StrCat(static_cast<int>(e.item())),
                         Or(e.has_amount_yen(), e.amount_yen()),
                         Or(e.has_description(), e.description())},
                        "|"));
    }
  }
  for (int i = 0; i < p.outcomes_size(); ++i) {
    const v1::OutcomeIndicator& o = p.outcomes(i);
    lines.push_back(absl::StrJoin(
        {std::string("o"), absl::StrCat(i), Or(o.has_name(), o.name()),
         Or(o.has_value(), o.value()), Or(o.has_unit(), o.unit()),
         Or(o.has_approximate(), o.approximate() ? 1 : 0),
         Or(o.has_note(), o.note())},
        "|"));
  }
  return absl::StrJoin(lines, "\n");
}

// The typed rows of the project with id `id`, one line each.
std::string Rows(const kyodo::testing::TestDatabase& db,
                 const std::string& id) {
  const std::string seq = "(SELECT seq FROM projects WHERE id = '" + id + "')";
  const std::string contributions = db.QueryValue(
      "SELECT GROUP_CONCAT(CONCAT_WS('|', 'c', position, form_number, "
      "IFNULL(from_partner_id, 'NULL'), IFNULL(to_partner_id, 'NULL'), "
      "IFNULL(amount_yen, 'NULL'), IFNULL(description, 'NULL')) ORDER BY "
      "position SEPARATOR '\\n') FROM project_contributions WHERE "
      "project_seq = " +
      seq);
  const std::string lines = db.QueryValue(
      "SELECT GROUP_CONCAT(CONCAT_WS('|', 'e', contribution_position, "
      "position, item_number, IFNULL(amount_yen, 'NULL'), "
      "IFNULL(description, 'NULL')) ORDER BY contribution_position, position "
      "SEPARATOR '\\n') FROM project_expense_lines WHERE project_seq = " +
      seq);
  const std::string outcomes = db.QueryValue(
      "SELECT GROUP_CONCAT(CONCAT_WS('|', 'o', position, IFNULL(name, "
      "'NULL'), IFNULL(value, 'NULL'), IFNULL(unit, 'NULL'), "
      "IFNULL(approximate, 'NULL'), IFNULL(note, 'NULL')) ORDER BY position "
      "SEPARATOR '\\n') FROM project_outcomes WHERE project_seq = " +
      seq);
  std::vector<std::string> parts;
  for (const std::string* s : {&contributions, &lines, &outcomes}) {
    if (!s->empty()) parts.push_back(*s);
  }
  return absl::StrJoin(parts, "\n");
}

class TypedContributionsTest : public ProjectServiceTest {
 protected:
  // Moves project-service onto a schema as the release before migration
  // 003 left it (the service writes and reads the same in both).
  void UseSchemaBefore003() {
    old_db_ =
        std::make_unique<kyodo::testing::TestDatabase>(TestName() + "_old");
    common::db::MigrationTrack before = KyodoProjectMigrations();
    ASSERT_GE(before.migrations.size(), 3u);
    ASSERT_EQ(before.migrations[2].version, 3);
    before.migrations.resize(2);
    old_db_->Migrate({common::server::CommonMigrations(), before});
    service_ = StartProjectService(*old_db_, partner_client_.get(), &sources_);
    stub_ = v1::ProjectService::NewStub(service_->NewChannel());
  }

  // Project `i`: a consignment with expense lines adding up to it, a
  // subsidy without, a contribution in kind, outcomes with and without each
  // field; which of them, and their text, vary with `i`.
  Project Varied(int i) const {
    Project p = CooperativeProject();
    p.set_title(absl::StrCat("協働事業 その", i));
    v1::Contribution* consignment = p.mutable_contributions(0);
    consignment->set_amount_yen(30000 + 12000 + 1000 * i);
    consignment->set_description("委託料「令和8年度」\n\\ <含む> & \"税\"");
    if (i % 4 != 0) {
      v1::ExpenseLine* fee = consignment->add_expense_lines();
      fee->set_item(v1::ExpenseLine::LECTURER_FEE);
      fee->set_amount_yen(30000);
      fee->set_description("講師2名×3回");
      v1::ExpenseLine* rest = consignment->add_expense_lines();
      rest->set_item(i % 2 ? v1::ExpenseLine::OTHER
                           : v1::ExpenseLine::PRINTING);
      rest->set_amount_yen(12000 + 1000 * i);
      rest->set_description("チラシ印刷 😀");
    }
    if (i % 3 == 0) {
      v1::Contribution* subsidy = p.add_contributions();
      subsidy->set_form(v1::SUBSIDY);
      subsidy->set_amount_yen(0);
    }
    if (i % 5 == 0) {
      v1::Contribution* space = p.add_contributions();
      space->set_form(v1::FACILITIES);
      space->set_from_partner(city_.name());
      space->set_description("");
    }
    if (i % 2 == 0) {
      *p.add_outcomes() = Outcome("参加者数", 120 + i, "人");
      p.mutable_outcomes(0)->set_approximate(i % 4 == 0);
      p.mutable_outcomes(0)->set_note("延べ人数");
    }
    if (i % 7 == 0) {
      v1::OutcomeIndicator* half = p.add_outcomes();
      half->set_name("植樹面積");
      half->set_value(0.5 * i);
    }
    return p;
  }

  std::unique_ptr<kyodo::testing::TestDatabase> old_db_;
};

TEST_F(TypedContributionsTest, ProjectsStoredBeforeTheMigrationReadBackEqual) {
  ASSERT_NO_FATAL_FAILURE(UseSchemaBefore003());
  std::vector<Project> made;
  for (int i = 0; i < 600; ++i) {
    made.push_back(CreateOk(Varied(i)));
    ASSERT_FALSE(::testing::Test::HasFailure()) << "project " << i;
  }
  // Changed after creation, as the old release changes projects: new
  // contributions and outcomes, and a deletion.
  for (int i : {10, 300, 599}) {
    Project patch = Varied(i + 1);
    patch.set_name(made[i].name());
    ASSERT_TRUE(Update(patch, {"contributions", "outcomes"}, &made[i]).ok());
  }
  v1::DeleteProjectRequest del;
  del.set_name(made[42].name());
  ASSERT_TRUE(
      stub_->DeleteProject(Context(AdminToken()).get(), del, &made[42]).ok());

  old_db_->Migrate(
      {common::server::CommonMigrations(), KyodoProjectMigrations()});
  int equal = 0;
  for (const Project& p : made) {
    v1::GetProjectRequest get;
    get.set_name(p.name());
    Project stored;
    ASSERT_TRUE(
        stub_->GetProject(Context(AdminToken()).get(), get, &stored).ok());
    const std::string want = Expected(stored);
    const std::string rows = Rows(*old_db_, Id(p.name()));
    EXPECT_EQ(rows, want) << p.name();
    if (rows == want) ++equal;
  }
  EXPECT_EQ(equal, 600);
  EXPECT_TRUE(absl::StrContains(Expected(made[1]), "|1|30000|講師2名×3回"))
      << "expense lines are among the compared rows";
  // Every row comes from a document: no more, no fewer.
  EXPECT_EQ(old_db_->QueryValue("SELECT COUNT(*) FROM project_contributions"),
            old_db_->QueryValue(
                "SELECT SUM(JSON_LENGTH(doc, '$.contributions')) FROM "
                "projects"));

  // A write after the upgrade keeps the rows in step.
  Project patch = Varied(3);
  patch.set_name(made[5].name());
  Project updated;
  ASSERT_TRUE(Update(patch, {"contributions", "outcomes"}, &updated).ok());
  EXPECT_EQ(Rows(*old_db_, Id(updated.name())), Expected(updated));
  const Project later = CreateOk(Varied(8));
  EXPECT_EQ(Rows(*old_db_, Id(later.name())), Expected(later));
}

TEST_F(TypedContributionsTest, TheSchemaRefusesBadRows) {
  const Project p = CreateOk(Varied(1));
  const std::string seq = project_db_.QueryValue(
      "SELECT seq FROM projects WHERE id = '" + Id(p.name()) + "'");
  const std::string before = Rows(project_db_, Id(p.name()));
  ASSERT_EQ(before, Expected(p));

  const std::string doc = "UPDATE projects SET doc = JSON_SET(doc, ";
  const std::string where = ") WHERE seq = " + seq;
  const std::vector<kyodo::testing::BadRow> bad = {
      {doc + "'$.contributions[0].amount_yen', '-1'" + where, 4025},
      {doc + "'$.contributions[0].form', 'BARTER'" + where, 1452},
      {doc + "'$.contributions[0].form', 'CONTRIBUTION_FORM_UNSPECIFIED'" +
           where,
       4025},
      {doc + "'$.contributions[0].expense_lines[0].item', 'YACHT'" + where,
       1452},
      {doc + "'$.contributions[0].expense_lines[1].amount_yen', '-5'" + where,
       4025},
      {"INSERT INTO project_expense_lines VALUES (" + seq +
           ", 7, 0, 1, 1, "
           "NULL)",
       1452},
      {"INSERT INTO project_contributions (project_seq, position, "
       "form_number) VALUES (" +
           seq + ", 50, 1)",
       4025},
      {"INSERT INTO project_outcomes (project_seq, position) VALUES (" + seq +
           ", 100)",
       4025},
      {"INSERT INTO project_outcomes (project_seq, position) VALUES "
       "(999999, 0)",
       1452},
  };
  auto pool = project_db_.NewPool(1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(session.ok());
  kyodo::testing::ExpectRefused(project_db_, bad);
  EXPECT_EQ(Rows(project_db_, Id(p.name())), before);
  Project got;
  v1::GetProjectRequest get;
  get.set_name(p.name());
  ASSERT_TRUE(stub_->GetProject(Context(AdminToken()).get(), get, &got).ok());
  EXPECT_EQ(Expected(got), before) << "the document is unchanged too";

  // The service's own account reads the rows, writes none of them.
  kyodo::testing::ExpectServingReadOnly(
      project_db_,
      {"project_contributions", "project_expense_lines", "project_outcomes",
       "contribution_forms", "expense_items", "stored_enum_names"});

  // The lookup tables are compared with the protos.
  ASSERT_TRUE(store::CheckLookupTables(**session).ok())
      << store::CheckLookupTables(**session);
  ASSERT_TRUE((*session)
                  ->ExecUnprepared("UPDATE expense_items SET name = "
                                   "'HONORARIUM' WHERE number = 1")
                  .ok());
  absl::Status status = store::CheckLookupTables(**session);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(),
                                "1 is LECTURER_FEE here and HONORARIUM"))
      << status;
  // And the names a project's document and columns hold
  // (schema/004_stored_enum_names.sql).
  ASSERT_TRUE((*session)
                  ->ExecUnprepared("UPDATE expense_items SET name = "
                                   "'LECTURER_FEE' WHERE number = 1")
                  .ok());
  ASSERT_TRUE((*session)
                  ->ExecUnprepared("UPDATE stored_enum_names SET name = "
                                   "'RUNNING' WHERE enum_type = "
                                   "'kyodo.project.v1.Project.State' AND "
                                   "name = 'ACTIVE'")
                  .ok());
  status = store::CheckLookupTables(**session);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(status.message(),
                        "kyodo.project.v1.Project.State 2 is ACTIVE here "
                        "and RUNNING in the table"))
      << status;
}

}  // namespace
}  // namespace kyodo::project
