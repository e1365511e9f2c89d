#include "proposal-service/store/review_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "proposal-service/store/ids.h"

namespace kyodo::proposal::store {
namespace {

using common::db::Param;
using common::db::Row;
using common::db::Session;
using v1::Review;
namespace doc = common::store;

// kResourceColumns (the id is the review id, see ReviewId; reviews are
// never deleted: NULL), then scores, programme_id, call_id, proposal_id,
// reviewer_id, stage.
#define KYODO_REVIEW_COLUMNS                                         \
  "SELECT seq, CONCAT(reviewer_id, IF(stage = 1, '', CONCAT('-s', "  \
  "stage))), version, create_time, update_time, NULL, doc, scores, " \
  "programme_id, call_id, proposal_id, reviewer_id, stage FROM reviews "
constexpr char kGet[] = KYODO_REVIEW_COLUMNS
    "WHERE proposal_id = ? AND reviewer_id = ? AND stage = ?";
constexpr char kGetForUpdate[] = KYODO_REVIEW_COLUMNS
    "WHERE proposal_id = ? AND reviewer_id = ? AND stage = ? FOR UPDATE";
constexpr char kList[] =
    KYODO_REVIEW_COLUMNS "WHERE proposal_id = ? AND seq > ?";
#undef KYODO_REVIEW_COLUMNS
constexpr char kInsert[] =
    "INSERT INTO reviews (programme_id, call_id, proposal_id, reviewer_id, "
    "stage, scores, version, create_time, update_time, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)";
constexpr char kUpdate[] =
    "UPDATE reviews SET scores = ?, version = version + 1, update_time = ?, "
    "doc = ? "
    "WHERE proposal_id = ? AND reviewer_id = ? AND stage = ? AND version = ?";
constexpr char kCallScores[] =
    "SELECT r.proposal_id, r.reviewer_id, r.scores, r.stage FROM reviews r "
    "JOIN reviewers v ON v.id = r.reviewer_id "
    "WHERE r.call_id = ? AND v.delete_time IS NULL";

struct Ids {
  std::string programme, call, proposal, reviewer;
};

// "programmes/p/calls/c/proposals/x/reviews/r".
Ids IdsOf(absl::string_view name) {
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() < 8) return {};
  return {parts[1], parts[3], parts[5], parts[7]};
}

// Scores, the stage and the reviewer's name are columns, not document
// fields.
std::string Doc(const Review& r) {
  Review copy = r;
  copy.clear_scores();
  copy.clear_reviewer();
  copy.clear_stage();
  return doc::ToDoc(copy);
}

std::string Scores(const Review& r) { return absl::StrJoin(r.scores(), ","); }

// The scores column: integers joined by commas (Scores). `id` names the row
// ("<proposal_id>/<reviewer_id>") in the DATA_LOSS a bad one is.
absl::StatusOr<std::vector<int64_t>> ParseScores(absl::string_view text,
                                                 absl::string_view id) {
  std::vector<int64_t> out;
  if (text.empty()) return out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(part, &v)) {
      return doc::BadStoredValue(
          {"reviews", id, "scores"},
          absl::StrCat("score ", out.size(), " is not an integer"));
    }
    out.push_back(v);
  }
  return out;
}

absl::StatusOr<std::vector<ReviewRow>> FromRows(const std::vector<Row>& rows) {
  std::vector<ReviewRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    ReviewRow r;
    const std::string prefix =
        absl::StrCat("programmes/", row.String(8), "/calls/", row.String(9));
    r.proposal_id = row.String(10);
    r.reviewer_id = row.String(11);
    KYODO_ASSIGN_OR_RETURN(const int64_t stage, row.Int(12));
    r.stage = static_cast<int32_t>(stage);
    KYODO_ASSIGN_OR_RETURN(
        doc::RowMeta meta,
        doc::ReadResource(
            row, absl::StrCat(prefix, "/proposals/", r.proposal_id, "/reviews"),
            &r.review));
    r.seq = meta.seq;
    r.version = meta.version;
    KYODO_ASSIGN_OR_RETURN(
        std::vector<int64_t> scores,
        ParseScores(row.String(7),
                    absl::StrCat(r.proposal_id, "/", r.reviewer_id)));
    for (int64_t v : scores) r.review.add_scores(v);
    r.review.set_stage(r.stage);
    r.review.set_reviewer(absl::StrCat(prefix, "/reviewers/", r.reviewer_id));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::string ReviewId(const ReviewKey& key) {
  if (key.stage == 1) return key.reviewer_id;
  return absl::StrCat(key.reviewer_id, "-s", key.stage);
}

std::optional<ReviewKey> ParseReviewId(absl::string_view id) {
  ReviewKey key;
  const size_t dash = id.rfind("-s");
  int32_t stage = 0;
  if (dash != absl::string_view::npos && dash > 0 &&
      absl::SimpleAtoi(id.substr(dash + 2), &stage) && stage >= 2 &&
      stage <= 4 && id.substr(dash + 2) == absl::StrCat(stage)) {
    key.reviewer_id = std::string(id.substr(0, dash));
    key.stage = stage;
    return key;
  }
  if (id.empty()) return std::nullopt;
  key.reviewer_id = std::string(id);
  return key;
}

absl::StatusOr<std::optional<ReviewRow>> GetReview(
    Session& s, absl::string_view proposal_id, absl::string_view reviewer_id,
    int32_t stage, bool for_update) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(for_update ? kGetForUpdate : kGet,
                                 {proposal_id, reviewer_id, stage}));
  KYODO_ASSIGN_OR_RETURN(std::vector<ReviewRow> out, FromRows(rows));
  if (out.empty()) return std::optional<ReviewRow>();
  return std::optional<ReviewRow>(std::move(out.front()));
}

absl::Status WriteReview(Session& s, const Review& r, int64_t version) {
  const Ids ids = IdsOf(r.name());
  const std::optional<ReviewKey> key = ParseReviewId(ids.reviewer);
  if (!key.has_value() || key->stage != std::max(r.stage(), 1)) {
    return absl::InternalError(
        absl::StrCat("review ", r.name(), " does not name stage ", r.stage()));
  }
  if (version == 0) {
    const absl::Time created = doc::FromTimestamp(r.create_time());
    return s
        .Exec(kInsert, {ids.programme, ids.call, ids.proposal, key->reviewer_id,
                        key->stage, Scores(r), created,
                        doc::FromTimestamp(r.update_time()), Doc(r)})
        .status();
  }
  KYODO_ASSIGN_OR_RETURN(
      int64_t changed,
      s.Exec(kUpdate, {Scores(r), doc::FromTimestamp(r.update_time()), Doc(r),
                       ids.proposal, key->reviewer_id, key->stage, version}));
  if (changed == 0) return common::EtagMismatchError(r.name());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ReviewRow>> ListReviews(
    Session& s, absl::string_view proposal_id, absl::string_view reviewer_id,
    int64_t after_seq, int limit) {
  std::string sql = kList;
  std::vector<Param> params = {proposal_id, after_seq};
  if (!reviewer_id.empty()) {
    absl::StrAppend(&sql, " AND reviewer_id = ?");
    params.emplace_back(reviewer_id);
  }
  absl::StrAppend(&sql, " ORDER BY seq LIMIT ?");
  params.emplace_back(limit);
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query(sql, params));
  return FromRows(rows);
}

absl::StatusOr<std::vector<ScoreRow>> CallScores(Session& s,
                                                 absl::string_view call_id) {
  KYODO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         s.Query(kCallScores, {call_id}));
  std::vector<ScoreRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    KYODO_ASSIGN_OR_RETURN(
        std::vector<int64_t> scores,
        ParseScores(row.String(2),
                    absl::StrCat(row.String(0), "/", row.String(1))));
    KYODO_ASSIGN_OR_RETURN(const int64_t stage, row.Int(3));
    out.push_back(ScoreRow{row.String(0), row.String(1), std::move(scores),
                           static_cast<int32_t>(stage)});
  }
  return out;
}

}  // namespace kyodo::proposal::store
