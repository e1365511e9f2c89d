// SQL for reviews: one reviewer's scores for one proposal.
#ifndef KYODO_PROPOSAL_SERVICE_STORE_REVIEW_STORE_H_
#define KYODO_PROPOSAL_SERVICE_STORE_REVIEW_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::proposal::store {

struct ReviewRow {
  int64_t seq = 0;
  int64_t version = 0;
  std::string proposal_id;
  std::string reviewer_id;
  int32_t stage = 1;
  v1::Review review;  // with name, reviewer, stage, scores, times and etag
};

// A review's id in its name (Review.name): the reviewer's id for stage 1,
// "<reviewer id>-s<stage>" for a later stage (reviewer ids never end so:
// common::NewId has no '-').
struct ReviewKey {
  std::string reviewer_id;
  int32_t stage = 1;
};
std::string ReviewId(const ReviewKey& key);
// nullopt when `id` is no review id.
std::optional<ReviewKey> ParseReviewId(absl::string_view id);

// The review of proposal `proposal_id` by reviewer `reviewer_id` in stage
// `stage`, or nullopt; `for_update` locks it.
absl::StatusOr<std::optional<ReviewRow>> GetReview(
    common::db::Session& s, absl::string_view proposal_id,
    absl::string_view reviewer_id, int32_t stage, bool for_update = false);

// Writes `review` (name, reviewer, stage and times set): inserted as
// version 1 when `version` is 0, else over row version `version` (ABORTED
// when it moved on).
absl::Status WriteReview(common::db::Session& s, const v1::Review& review,
                         int64_t version);

// A keyset page of a proposal's reviews by seq; only `reviewer_id`'s when
// it is not empty.
absl::StatusOr<std::vector<ReviewRow>> ListReviews(
    common::db::Session& s, absl::string_view proposal_id,
    absl::string_view reviewer_id, int64_t after_seq, int limit);

// The scores of every review of a call by a member that is not deleted.
struct ScoreRow {
  std::string proposal_id;
  std::string reviewer_id;
  std::vector<int64_t> scores;
  int32_t stage = 1;
};
absl::StatusOr<std::vector<ScoreRow>> CallScores(common::db::Session& s,
                                                 absl::string_view call_id);

}  // namespace kyodo::proposal::store

#endif  // KYODO_PROPOSAL_SERVICE_STORE_REVIEW_STORE_H_
