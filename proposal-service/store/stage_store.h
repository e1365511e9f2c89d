// SQL for stage_results: what AdvanceStage counted for each proposal under
// review in a stage it closed (schema/002_review_stages.sql).
#ifndef KYODO_PROPOSAL_SERVICE_STORE_STAGE_STORE_H_
#define KYODO_PROPOSAL_SERVICE_STORE_STAGE_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/session.h"

namespace kyodo::proposal::store {

struct StageResultRow {
  std::string proposal_id;
  int32_t stage = 0;  // 1-based, an earlier stage
  std::string score_numerator;
  std::string score_denominator;
  bool passed = false;
  // The reviews as the engine took them (domain/selection_codec.h,
  // EncodeReviewList).
  std::string reviews;
};

// Stores the results of a stage of call `call_id`, written at `now`.
absl::Status InsertStageResults(common::db::Session& s,
                                absl::string_view call_id,
                                const std::vector<StageResultRow>& rows,
                                absl::Time now);

// Every stage result of call `call_id`, by proposal then stage.
absl::StatusOr<std::vector<StageResultRow>> StageResultsOfCall(
    common::db::Session& s, absl::string_view call_id);

}  // namespace kyodo::proposal::store

#endif  // KYODO_PROPOSAL_SERVICE_STORE_STAGE_STORE_H_
