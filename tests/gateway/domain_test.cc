#include <set>

#include "gateway/domain/open_data.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace kyodo::gateway::domain {
namespace {

TEST(CsvLineTest, QuotesOnlyWhatNeedsQuoting) {
  EXPECT_EQ(CsvLine({"a", "b c", "日本語"}), "a,b c,日本語\r\n");
  EXPECT_EQ(CsvLine({"a,b"}), "\"a,b\"\r\n");
  EXPECT_EQ(CsvLine({"say \"hi\""}), "\"say \"\"hi\"\"\"\r\n");
  EXPECT_EQ(CsvLine({"line1\nline2"}), "\"line1\nline2\"\r\n");
  EXPECT_EQ(CsvLine({"", ""}), ",\r\n");
}

TEST(CsvLineTest, NeutralisesSpreadsheetFormulas) {
  EXPECT_EQ(CsvLine({"=HYPERLINK(\"x\")"}), "\"'=HYPERLINK(\"\"x\"\")\"\r\n");
  EXPECT_EQ(CsvLine({"+1", "-1", "@SUM(A1)"}), "'+1,'-1,'@SUM(A1)\r\n");
  EXPECT_EQ(CsvLine({"1-2"}), "1-2\r\n");
}

project::v1::Project CaseStudy() {
  project::v1::Project p;
  p.set_name("projects/abc");
  p.set_title("みやまえ文化魂2014");
  p.set_programme(project::v1::CITIZEN_PLANNED_EVENT);
  p.set_cooperative_project(true);
  p.set_state(project::v1::Project::REVIEWED);
  p.add_wards(type::v1::MIYAMAE);
  auto* lead = p.add_participants();
  lead->set_partner("partners/bunka");
  lead->set_display_name("文化魂2014");
  lead->set_role(project::v1::Participant::LEAD);
  auto* city = p.add_participants();
  city->set_partner("partners/miyamae");
  city->set_display_name("宮前区役所生涯学習支援課");
  city->set_role(project::v1::Participant::CITY);
  auto* c = p.add_contributions();
  c->set_form(project::v1::CONSIGNMENT);
  c->set_amount_yen(150000);
  auto* o = p.add_outcomes();
  o->set_name("来場者");
  o->set_value(600);
  o->set_unit("人");
  o->set_approximate(true);
  return p;
}

TEST(ProjectRowsTest, CellsLineUpWithTheHeader) {
  const auto cells = ProjectCells(CaseStudy());
  ASSERT_EQ(cells.size(), ProjectCsvHeader().size());
  EXPECT_EQ(cells[1], "みやまえ文化魂2014");
  EXPECT_EQ(cells[3], "true");
  EXPECT_EQ(cells[6], "MIYAMAE");
  EXPECT_EQ(cells[7], "文化魂2014");
  EXPECT_EQ(cells[8], "宮前区役所生涯学習支援課");
  EXPECT_EQ(cells[11], "150000");
  EXPECT_EQ(cells[14], "来場者 約600人");
}

TEST(ProjectRowsTest, JsonLineIsOneObjectWithNumbersAsNumbers) {
  const std::string line = ProjectJsonLine(CaseStudy());
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  nlohmann::json json = nlohmann::json::parse(line);
  EXPECT_EQ(json["title"], "みやまえ文化魂2014");
  EXPECT_EQ(json["amount_yen"], 150000);
  EXPECT_EQ(json["project"], "projects/abc");
}

TEST(ProjectRowsTest, OnlyStartedProjectsArePublished) {
  project::v1::Project p = CaseStudy();
  EXPECT_TRUE(IsPublishedProject(p));
  p.set_state(project::v1::Project::PLANNED);
  EXPECT_FALSE(IsPublishedProject(p));
  p.set_state(project::v1::Project::CANCELLED);
  EXPECT_FALSE(IsPublishedProject(p));
  p.set_state(project::v1::Project::ACTIVE);
  p.mutable_delete_time()->set_seconds(1);
  EXPECT_FALSE(IsPublishedProject(p));
}

TEST(ResultRowsTest, CarriesRankScoreAndReason) {
  proposal::v1::Call call;
  call.set_name("programmes/p/calls/c");
  call.set_display_name("令和7年度 町内会事業提案");
  call.set_fiscal_year(2025);
  call.set_ward(type::v1::ASAO);
  proposal::v1::ProposalResult r;
  r.set_proposal("programmes/p/calls/c/proposals/x");
  r.set_title("地域連携花壇の運営事業");
  r.set_applicant("partners/a");
  r.set_rank(1);
  r.set_score("86.6667");
  r.set_reason(proposal::v1::ProposalResult::ADOPTED);
  r.set_requested_amount_yen(300000);
  r.set_adopted_amount_yen(300000);
  const auto cells = ResultCells(call, r, "例示町会");
  ASSERT_EQ(cells.size(), ResultCsvHeader().size());
  EXPECT_EQ(cells[7], "例示町会");
  EXPECT_EQ(cells[8], "1");
  EXPECT_EQ(cells[10], "ADOPTED");
  nlohmann::json json =
      nlohmann::json::parse(ResultJsonLine(call, r, "例示町会"));
  EXPECT_EQ(json["rank"], 1);
  EXPECT_EQ(json["score"], "86.6667");
  EXPECT_EQ(json["adopted_yen"], 300000);
  // No ruling (and no recommendation stored): the ranking's result is the
  // result, and the ruling's columns are empty.
  EXPECT_EQ(json["recommended_result"], "ADOPTED");
  EXPECT_EQ(json["recommended_yen"], 300000);
  EXPECT_EQ(json["ruling"], "");

  // A reduced adoption (減額採択): the ranking's result and amount beside
  // the committee's, with its reason.
  r.set_recommended_reason(proposal::v1::ProposalResult::ADOPTED);
  r.set_recommended_amount_yen(300000);
  r.set_adopted_amount_yen(250000);
  r.mutable_ruling()->set_proposal(r.proposal());
  r.mutable_ruling()->set_action(proposal::v1::CommitteeRuling::REDUCE);
  r.mutable_ruling()->set_adopted_amount_yen(250000);
  r.mutable_ruling()->set_reason("備品購入費は対象外のため減額");
  const auto ruled = ResultCells(call, r, "例示町会");
  ASSERT_EQ(ruled.size(), ResultCsvHeader().size());
  EXPECT_EQ(ResultCsvHeader()[15], "審査会の判断");
  EXPECT_EQ(ruled[12], "250000");
  EXPECT_EQ(ruled[13], "ADOPTED");
  EXPECT_EQ(ruled[14], "300000");
  EXPECT_EQ(ruled[15], "REDUCE");
  EXPECT_EQ(ruled[16], "備品購入費は対象外のため減額");
  json = nlohmann::json::parse(ResultJsonLine(call, r, "例示町会"));
  EXPECT_EQ(json["recommended_yen"], 300000);
  EXPECT_EQ(json["ruling_reason"], "備品購入費は対象外のため減額");
}

}  // namespace
}  // namespace kyodo::gateway::domain
