// A call's criteria, each review's scores and each decision's results in
// typed rows (proposal-service/schema/003_typed_scores_results.sql): a round
// of 1,000 proposals stored by the service before the migration reads back
// equal from the rows after it, field by field; the triggers keep the rows
// in step with later writes; the schema refuses bad rows written straight
// to it; the lookup tables are checked against the protos.
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "proposal-service/store/lookup_tables.h"
#include "tests/proposal-service/proposal_fixture.h"
#include "tests/testing/schema_checks.h"

namespace kyodo::proposal {
namespace {

using kyodo::proposal::v1::Call;
using kyodo::proposal::v1::CommitteeRuling;
using kyodo::proposal::v1::Decision;
using kyodo::proposal::v1::Proposal;
using kyodo::proposal::v1::ProposalResult;
using kyodo::testing::Context;

// "" when `got` equals `want`, else the first line where they differ: the
// compared texts run to thousands of lines.
std::string FirstDifference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  const std::vector<std::string> a = absl::StrSplit(got, '\n');
  const std::vector<std::string> b = absl::StrSplit(want, '\n');
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "(none)";
    const std::string y = i < b.size() ? b[i] : "(none)";
    if (x != y) {
      return absl::StrCat("line ", i + 1, " of ", a.size(), " against ",
                          b.size(), ": got ", x, ", want ", y);
    }
  }
  return "differ";
}

template <typename T>
std::string Or(bool has, const T& value) {
  return has ? absl::StrCat(value) : "NULL";
}

// One line per criterion, stage by stage: how call_criteria must read.
std::string ExpectedCriteria(const Call& c) {
  std::vector<std::string> lines;
  auto add = [&](int stage, const v1::Criterion& k, int position) {
    lines.push_back(absl::StrJoin(
        {absl::StrCat(stage), absl::StrCat(position),
         Or(k.has_display_name(), k.display_name()),
         Or(k.has_weight(), k.weight()), Or(k.has_max_score(), k.max_score()),
         Or(k.has_description(), k.description())},
        "|"));
  };
  for (int s = 0; s < c.stages_size(); ++s) {
    for (int i = 0; i < c.stages(s).criteria_size(); ++i) {
      add(s + 1, c.stages(s).criteria(i), i);
    }
  }
  for (int i = 0; i < c.criteria_size(); ++i) {
    add(c.stages_size() + 1, c.criteria(i), i);
  }
  return absl::StrJoin(lines, "\n");
}

// One line per result, in order: how decision_results must read.
std::string ExpectedResults(const Decision& d) {
  std::vector<std::string> lines;
  for (const ProposalResult& r : d.results()) {
    lines.push_back(absl::StrJoin(
        {Id(r.proposal()), absl::StrCat(r.rank()),
         absl::StrCat(static_cast<int>(r.reason())),
         Or(r.has_score_numerator(), r.score_numerator()),
         Or(r.has_score_denominator(), r.score_denominator()),
         Or(r.has_requested_amount_yen(), r.requested_amount_yen()),
         Or(r.has_adopted_amount_yen(), r.adopted_amount_yen()),
         Or(r.has_budget_left_yen(), r.budget_left_yen()),
         absl::StrCat(r.tied_on_score() ? 1 : 0),
         Or(r.has_reviews(), r.reviews()),
         Or(r.has_conflicted_members(), r.conflicted_members()),
         Or(r.has_recommended_reason(),
            static_cast<int>(r.recommended_reason())),
         Or(r.has_recommended_amount_yen(), r.recommended_amount_yen()),
         Or(r.has_ruling(), static_cast<int>(r.ruling().action())),
         Or(r.ruling().has_adopted_amount_yen(),
            r.ruling().adopted_amount_yen()),
         Or(r.ruling().has_reason(), r.ruling().reason()),
         Or(r.has_failed_stage(), r.failed_stage())},
        "|"));
  }
  return absl::StrJoin(lines, "\n");
}

constexpr char kCriteriaRows[] =
    "SELECT GROUP_CONCAT(CONCAT_WS('|', k.stage, k.position, "
    "IFNULL(k.display_name, 'NULL'), IFNULL(k.weight, 'NULL'), "
    "IFNULL(k.max_score, 'NULL'), IFNULL(k.description, 'NULL')) "
    "ORDER BY k.stage, k.position SEPARATOR '\\n') FROM call_criteria k "
    "JOIN calls c ON c.seq = k.call_seq WHERE c.id = '";

constexpr char kResultRows[] =
    "SELECT GROUP_CONCAT(CONCAT_WS('|', proposal_id, result_rank, "
    "reason_number, IFNULL(score_numerator, 'NULL'), "
    "IFNULL(score_denominator, 'NULL'), IFNULL(requested_amount_yen, "
    "'NULL'), IFNULL(adopted_amount_yen, 'NULL'), IFNULL(budget_left_yen, "
    "'NULL'), tied_on_score, IFNULL(reviews, 'NULL'), "
    "IFNULL(conflicted_members, 'NULL'), IFNULL(recommended_reason_number, "
    "'NULL'), IFNULL(recommended_amount_yen, 'NULL'), "
    "IFNULL(ruling_action_number, 'NULL'), IFNULL(ruling_amount_yen, "
    "'NULL'), IFNULL(ruling_reason, 'NULL'), IFNULL(failed_stage, 'NULL')) "
    "ORDER BY position SEPARATOR '\\n') FROM decision_results WHERE call_id "
    "= '";

// Every review of the call as proposal|reviewer|stage|scores, the scores
// from review_scores.
constexpr char kReviewRows[] =
    "SELECT GROUP_CONCAT(CONCAT_WS('|', r.proposal_id, r.reviewer_id, "
    "r.stage, IFNULL((SELECT GROUP_CONCAT(s.score ORDER BY s.position) FROM "
    "review_scores s WHERE s.review_seq = r.seq), '')) ORDER BY "
    "r.proposal_id, r.reviewer_id, r.stage SEPARATOR '\\n') FROM reviews r "
    "WHERE r.call_id = '";

class TypedResultsTest : public ProposalServiceTest {
 protected:
  // Moves the service onto a schema without what migration 003 made. This
  // build reads programmes and members from the columns of later
  // migrations (005, 006), so the schema is migrated to the end and 003
  // then undone: what it created is dropped, last first, and its row in
  // schema_migrations deleted, so the final Migrate applies 003 again, to
  // rows written without it. 003 alters no table that existed before it
  // and nothing later refers to its tables, so the later migrations do
  // not change what it meets. The service's writes of calls, reviews
  // and decisions are those of that release (documents and the scores
  // column; nothing of the service reads 003's tables).
  void UseSchemaBefore003() {
    old_db_ = std::make_unique<kyodo::testing::TestDatabase>(absl::StrCat(
        ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        "_old"));
    const common::db::MigrationTrack track = KyodoProposalMigrations();
    ASSERT_GE(track.migrations.size(), 3u);
    ASSERT_EQ(track.migrations[2].version, 3);
    old_db_->Migrate({common::server::CommonMigrations(), track});
    std::vector<std::string> drops;
    for (absl::string_view line :
         absl::StrSplit(track.migrations[2].sql, '\n')) {
      for (absl::string_view kind : {"TABLE", "PROCEDURE", "TRIGGER"}) {
        const std::string create = absl::StrCat("CREATE ", kind, " ");
        if (!absl::StartsWith(line, create)) continue;
        absl::string_view name = line.substr(create.size());
        name = name.substr(0, name.find_first_of(" ("));
        drops.push_back(absl::StrCat("DROP ", kind, " ", name));
      }
    }
    ASSERT_EQ(drops.size(), 13u) << "003's five tables, three procedures "
                                    "and five triggers";
    for (auto it = drops.rbegin(); it != drops.rend(); ++it) old_db_->Exec(*it);
    old_db_->Exec(
        "DELETE FROM schema_migrations WHERE track = 'proposal' AND "
        "version = 3");
    ASSERT_EQ(old_db_->QueryValue("SELECT COUNT(*) FROM information_schema."
                                  "tables WHERE table_schema = DATABASE() "
                                  "AND table_name = 'call_criteria'"),
              "0");
    ServeOn(*old_db_);
  }

  // The reviews the test wrote, as kReviewRows lists them.
  std::string ExpectedReviews(const std::string& call_id) const {
    std::vector<std::tuple<std::string, std::string, int, std::string>> rows;
    for (const auto& [key, scores] : reviews_) {
      if (std::get<0>(key) != call_id) continue;
      rows.emplace_back(std::get<1>(key), std::get<2>(key), 1,
                        absl::StrJoin(scores, ","));
    }
    std::sort(rows.begin(), rows.end());
    std::vector<std::string> lines;
    for (const auto& [proposal, reviewer, stage, scores] : rows) {
      lines.push_back(absl::StrJoin(
          {proposal, reviewer, absl::StrCat(stage), scores}, "|"));
    }
    return absl::StrJoin(lines, "\n");
  }

  // Appoints `principal` to `call`'s committee, remembering its id.
  void Appoint(const std::string& call, const std::string& principal) {
    member_ids_[principal] = Id(AddReviewer(call, principal).name());
  }

  // Scores `proposal` as member `principal` and records what it sent.
  void Score(const std::string& call, const std::string& proposal,
             const std::string& principal, std::vector<int64_t> scores) {
    grpc::Status status = SubmitReview(proposal, principal, scores);
    ASSERT_TRUE(status.ok()) << status.error_message();
    reviews_[{Id(call), Id(proposal), member_ids_.at(principal)}] =
        std::move(scores);
  }

  std::unique_ptr<kyodo::testing::TestDatabase> old_db_;
  std::map<std::string, std::string> member_ids_;
  std::map<std::tuple<std::string, std::string, std::string>,
           std::vector<int64_t>>
      reviews_;
};

TEST_F(TypedResultsTest, ARoundStoredBeforeTheMigrationReadsBackEqual) {
  ASSERT_NO_FATAL_FAILURE(UseSchemaBefore003());
  const v1::Programme programme = CreateProgramme();
  // A call of 1,000 proposals, two members scoring each at random.
  Call shape = StandardCall();
  shape.mutable_criteria(0)->set_description("地域の課題に\n応えているか");
  shape.set_max_adoptions(40);
  shape.set_budget_yen(9000000);
  const Call big = CreateCall(programme.name(), shape);
  ASSERT_TRUE(Open(big.name()).ok());
  clock().Set(kOpens + absl::Hours(1));
  // A second call, with a 書類審査 before its own criteria (DRAFT).
  Call staged = StandardCall();
  v1::ReviewStage* first = staged.add_stages();
  first->set_display_name("書類審査");
  v1::Criterion* k = first->add_criteria();
  k->set_display_name("提案書の完成度 「様式」");
  k->set_weight(2);
  k->set_max_score(10);
  k = first->add_criteria();
  k->set_display_name("予算の妥当性");
  k->set_weight(1);
  k->set_max_score(5);
  k->set_description("");
  first->set_pass_mark(50);
  first->set_min_reviews(1);
  const Call second = CreateCall(programme.name(), staged);

  std::mt19937 random(20261207);
  std::vector<Proposal> proposals;
  for (int i = 0; i < 1000; ++i) {
    proposals.push_back(
        EligibleProposal(big.name(), absl::StrCat("partners/applicant-", i),
                         absl::StrCat("提案 その", i),
                         100000 + 10000 * static_cast<int64_t>(random() % 61)));
    ASSERT_FALSE(::testing::Test::HasFailure()) << "proposal " << i;
  }
  Appoint(big.name(), "iin-1");
  Appoint(big.name(), "iin-2");
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview(big.name()));
  for (const Proposal& p : proposals) {
    for (const char* member : {"iin-1", "iin-2"}) {
      ASSERT_NO_FATAL_FAILURE(Score(big.name(), p.name(), member,
                                    {static_cast<int64_t>(random() % 6),
                                     static_cast<int64_t>(random() % 6),
                                     static_cast<int64_t>(random() % 11)}));
    }
  }
  // A member changes a score before the decision: the row is rewritten.
  ASSERT_NO_FATAL_FAILURE(
      Score(big.name(), proposals[7].name(), "iin-1", {5, 5, 10}));
  v1::DecideCallRequest decide;
  decide.set_name(big.name());
  CommitteeRuling* reduce = decide.add_rulings();
  reduce->set_proposal(proposals[7].name());
  reduce->set_action(CommitteeRuling::REDUCE);
  reduce->set_adopted_amount_yen(proposals[7].requested_amount_yen() - 1);
  reduce->set_reason("備品購入費は対象外のため減額");
  CommitteeRuling* reject = decide.add_rulings();
  reject->set_proposal(proposals[8].name());
  reject->set_action(CommitteeRuling::NOT_ADOPT);
  reject->set_reason("他の助成と重複するため");
  Decision decision;
  grpc::Status status =
      stub_->DecideCall(Context(Staff()).get(), decide, &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(decision.results_size(), 1000);
  std::map<ProposalResult::Reason, int> reasons;
  for (const ProposalResult& r : decision.results()) ++reasons[r.reason()];
  EXPECT_GT(reasons[ProposalResult::ADOPTED], 0);
  EXPECT_GT(reasons[ProposalResult::BELOW_PASS_MARK], 0);
  EXPECT_EQ(reasons[ProposalResult::COMMITTEE_NOT_ADOPTED], 1);

  // Upgrade: every row derived from what the service stored before.
  old_db_->Migrate(
      {common::server::CommonMigrations(), KyodoProposalMigrations()});
  for (const Call& c : {big, second}) {
    v1::GetCallRequest get;
    get.set_name(c.name());
    Call stored;
    ASSERT_TRUE(stub_->GetCall(Context(Staff()).get(), get, &stored).ok());
    EXPECT_EQ(
        FirstDifference(old_db_->QueryValue(kCriteriaRows + Id(c.name()) + "'"),
                        ExpectedCriteria(stored)),
        "")
        << c.name();
  }
  EXPECT_EQ(
      FirstDifference(old_db_->QueryValue(kReviewRows + Id(big.name()) + "'"),
                      ExpectedReviews(Id(big.name()))),
      "");
  EXPECT_EQ(old_db_->QueryValue("SELECT COUNT(*) FROM review_scores"), "6000");
  v1::GetDecisionRequest get_decision;
  get_decision.set_name(big.name());
  Decision stored_decision;
  ASSERT_TRUE(
      stub_->GetDecision(Context(Staff()).get(), get_decision, &stored_decision)
          .ok());
  const std::string expected = ExpectedResults(stored_decision);
  EXPECT_EQ(
      FirstDifference(old_db_->QueryValue(kResultRows + Id(big.name()) + "'"),
                      expected),
      "");
  EXPECT_TRUE(absl::StrContains(
      expected, "|1|" + absl::StrCat(reduce->adopted_amount_yen()) +
                    "|備品購入費は対象外のため減額|"))
      << "the ruling is among the compared fields";

  // Writes after the upgrade keep the rows in step: criteria edited on the
  // DRAFT call, and a third call reviewed and decided.
  v1::UpdateCallRequest update;
  *update.mutable_call() = second;
  update.mutable_call()->mutable_stages(0)->mutable_criteria()->RemoveLast();
  update.mutable_call()->mutable_criteria(2)->set_max_score(20);
  update.mutable_update_mask()->add_paths("stages");
  update.mutable_update_mask()->add_paths("criteria");
  Call updated;
  status = stub_->UpdateCall(Context(Staff()).get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(FirstDifference(
                old_db_->QueryValue(kCriteriaRows + Id(second.name()) + "'"),
                ExpectedCriteria(updated)),
            "");
  const Call third = CreateCall(programme.name(), LaterCall(2026));
  ASSERT_TRUE(Open(third.name()).ok());
  clock().Set(kCloses + absl::Hours(3));
  const Proposal late =
      EligibleProposal(third.name(), "partners/late", "追加募集の提案", 200000);
  Appoint(third.name(), "iin-3");
  Appoint(third.name(), "iin-4");
  clock().Set(kCloses + absl::Hours(24 * 31));
  ASSERT_TRUE(Close(third.name()).ok());
  ASSERT_TRUE(StartReview(third.name()).ok());
  ASSERT_NO_FATAL_FAILURE(Score(third.name(), late.name(), "iin-3", {4, 3, 9}));
  ASSERT_NO_FATAL_FAILURE(Score(third.name(), late.name(), "iin-4", {2, 5, 0}));
  Decision third_decision;
  ASSERT_TRUE(Decide(third.name(), &third_decision).ok());
  EXPECT_EQ(
      FirstDifference(old_db_->QueryValue(kReviewRows + Id(third.name()) + "'"),
                      ExpectedReviews(Id(third.name()))),
      "");
  EXPECT_EQ(
      FirstDifference(old_db_->QueryValue(kResultRows + Id(third.name()) + "'"),
                      ExpectedResults(third_decision)),
      "");
}

TEST_F(TypedResultsTest, TheSchemaRefusesBadRows) {
  const Call c = OpenStandardCall();
  const Proposal p = EligibleProposal(c.name(), "partners/pa", "提案A", 300000);
  // A draft, never decided: rows naming it meet no unique key first.
  Proposal draft;
  ASSERT_TRUE(
      CreateDraft(c.name(), "partners/pb", "下書き", 1000, &draft).ok());
  ASSERT_NO_FATAL_FAILURE(DecideAdopted(c.name(), p.name()));
  const std::string call_id = Id(c.name());
  const std::string review = db_.QueryValue(
      "SELECT MIN(seq) FROM reviews WHERE call_id = '" + call_id + "'");
  const std::string call_seq =
      db_.QueryValue("SELECT seq FROM calls WHERE id = '" + call_id + "'");
  const int scores = CountRows("SELECT COUNT(*) FROM review_scores");
  const int criteria = CountRows("SELECT COUNT(*) FROM call_criteria");
  const int results = CountRows("SELECT COUNT(*) FROM decision_results");
  ASSERT_EQ(scores, 6);
  ASSERT_EQ(criteria, 3);
  ASSERT_EQ(results, 1);
  const std::string result =
      "INSERT INTO decision_results (call_id, position, proposal_id, "
      "result_rank, reason_number, tied_on_score, score_numerator, "
      "score_denominator, requested_amount_yen, adopted_amount_yen) VALUES "
      "('" +
      call_id + "', 5, ";
  const std::vector<kyodo::testing::BadRow> bad = {
      {"INSERT INTO review_scores VALUES (" + review + ", 7, -1)", 4025},
      {"INSERT INTO review_scores VALUES (" + review + ", 20, 1)", 4025},
      {"INSERT INTO review_scores VALUES (999999, 0, 1)", 1452},
      // A scores column that is not integers joined by commas.
      {"UPDATE reviews SET scores = '4,x' WHERE seq = " + review, 4038},
      {"UPDATE reviews SET scores = '4,-2' WHERE seq = " + review, 4025},
      {"UPDATE calls SET doc = JSON_SET(doc, '$.criteria[0].weight', '0') "
       "WHERE seq = " +
           call_seq,
       4025},
      {"UPDATE calls SET doc = JSON_SET(doc, '$.criteria[1].max_score', "
       "'2000000') WHERE seq = " +
           call_seq,
       4025},
      {"INSERT INTO call_criteria (call_seq, stage, position) VALUES (" +
           call_seq + ", 5, 0)",
       4025},
      {result + "'" + Id(draft.name()) + "', 1, 0, 0, '1', '1', 1, 1)", 4025},
      {result + "'" + Id(draft.name()) + "', 1, 99, 0, '1', '1', 1, 1)", 1452},
      {result + "'nobody', 1, 1, 0, '1', '1', 1, 1)", 1452},
      {result + "'" + Id(draft.name()) + "', -1, 1, 0, '1', '1', 1, 1)", 4025},
      {result + "'" + Id(draft.name()) + "', 1, 1, 0, '1/3', '1', 1, 1)", 4025},
      {result + "'" + Id(draft.name()) + "', 1, 1, 0, '1', '0', 1, 1)", 4025},
      {result + "'" + Id(draft.name()) + "', 1, 1, 0, '1', NULL, 1, 1)", 4025},
      {result + "'" + Id(draft.name()) + "', 1, 1, 0, '1', '1', 5, 6)", 4025},
      {result + "'" + Id(draft.name()) + "', 1, 1, 0, '1', '1', -5, NULL)",
       4025},
      // The same proposal twice in one decision.
      {"INSERT INTO decision_results (call_id, position, proposal_id, "
       "result_rank, reason_number, tied_on_score) SELECT call_id, 9, "
       "proposal_id, 1, 1, 0 FROM decision_results WHERE call_id = '" +
           call_id + "'",
       1062},
  };
  kyodo::testing::ExpectRefused(db_, bad);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM review_scores"), scores);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM call_criteria"), criteria);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM decision_results"), results);
  EXPECT_EQ(db_.QueryValue("SELECT scores FROM reviews WHERE seq = " + review),
            "5,5,10");

  // The service's own account reads the rows, writes none of them.
  kyodo::testing::ExpectServingReadOnly(
      db_, {"call_criteria", "review_scores", "decision_results",
            "proposal_result_reasons", "committee_ruling_actions",
            "stored_enum_names"});
}

TEST_F(TypedResultsTest, TheLookupTablesMustMatchTheProtos) {
  auto pool = db_.NewPool(1);
  auto session = pool->Borrow(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(store::CheckLookupTables(**session).ok())
      << store::CheckLookupTables(**session);
  ASSERT_TRUE((*session)
                  ->ExecUnprepared("UPDATE committee_ruling_actions SET name "
                                   "= 'SHRINK' WHERE number = 1")
                  .ok());
  absl::Status status = store::CheckLookupTables(**session);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(), "committee_ruling_actions"))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(),
                                "1 is REDUCE here and SHRINK in the table"))
      << status;
  // And the names the stored documents and columns hold
  // (schema/004_stored_enum_names.sql): a call's state missing.
  ASSERT_TRUE((*session)
                  ->ExecUnprepared("UPDATE committee_ruling_actions SET name "
                                   "= 'REDUCE' WHERE number = 1")
                  .ok());
  ASSERT_TRUE((*session)
                  ->ExecUnprepared("DELETE FROM stored_enum_names WHERE "
                                   "enum_type = 'kyodo.proposal.v1.Call.State'"
                                   " AND name = 'PUBLISHED'")
                  .ok());
  status = store::CheckLookupTables(**session);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(status.message(), "'kyodo.proposal.v1.Call.State', "))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "'PUBLISHED')")) << status;
}

}  // namespace
}  // namespace kyodo::proposal
