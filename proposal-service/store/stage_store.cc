#include "proposal-service/store/stage_store.h"

#include "common/status/macros.h"

namespace kyodo::proposal::store {
namespace {

using common::db::Row;
using common::db::Session;

constexpr char kInsert[] =
    "INSERT INTO stage_results (call_id, proposal_id, stage, "
    "score_numerator, score_denominator, passed, reviews, create_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kOfCall[] =
    "SELECT proposal_id, stage, score_numerator, score_denominator, passed, "
    "reviews FROM stage_results WHERE call_id = ? ORDER BY proposal_id, stage";

}  // namespace

absl::Status InsertStageResults(Session& s, absl::string_view call_id,
                                const std::vector<StageResultRow>& rows,
                                absl::Time now) {
  for (const StageResultRow& r : rows) {
    KYODO_RETURN_IF_ERROR(
        s.Exec(kInsert, {call_id, r.proposal_id, r.stage, r.score_numerator,
                         r.score_denominator, r.passed ? 1 : 0, r.reviews, now})
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StageResultRow>> StageResultsOfCall(
    Session& s, absl::string_view call_id) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(kOfCall, {call_id}));
  std::vector<StageResultRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(const int64_t stage, row.Int(1));
    KYODO_ASSIGN_OR_RETURN(const int64_t passed, row.Int(4));
    out.push_back(StageResultRow{row.String(0), static_cast<int32_t>(stage),
                                 row.String(2), row.String(3), passed != 0,
                                 row.String(5)});
  }
  return out;
}

}  // namespace kyodo::proposal::store
