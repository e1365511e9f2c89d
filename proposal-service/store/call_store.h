// SQL for calls (公募). See 001_proposals.sql for how the call row's lock
// orders every change of a call's records against its transitions.
#ifndef KYODO_PROPOSAL_SERVICE_STORE_CALL_STORE_H_
#define KYODO_PROPOSAL_SERVICE_STORE_CALL_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "common/paging/filter.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "proposal-service/store/ids.h"

namespace kyodo::proposal::store {

struct CallRow {
  int64_t seq = 0;
  int64_t version = 0;
  std::string programme_id;
  v1::Call call;  // with name, state, ward, times and etag
};

// The call with `id`, or nullopt, read with `lock`.
absl::StatusOr<std::optional<CallRow>> GetCall(common::db::Session& s,
                                               absl::string_view id,
                                               Lock lock = Lock::kNone);

// Inserts `call` (name, state, ward and times set) as version 1.
absl::Status InsertCall(common::db::Session& s, const v1::Call& call);

// Writes `call` over row version `version`; ABORTED when it moved on.
absl::Status UpdateCall(common::db::Session& s, const v1::Call& call,
                        int64_t version);

struct CallQuery {
  std::string programme_id;  // "" = every programme
  bool show_deleted = false;
  bool include_drafts = true;
};

// A keyset page by seq.
absl::StatusOr<std::vector<CallRow>> ListCalls(
    common::db::Session& s, const CallQuery& query,
    const common::paging::SqlFilter& filter, int64_t after_seq, int limit);

// state, fiscal_year, ward, create_time, update_time.
const std::vector<common::paging::FilterField>& CallFilterFields();

// Whether programme `programme_id` has calls that are not deleted; with
// `running_only`, only those OPEN, CLOSED or UNDER_REVIEW.
absl::StatusOr<bool> HasCalls(common::db::Session& s,
                              absl::string_view programme_id,
                              bool running_only);

}  // namespace kyodo::proposal::store

#endif  // KYODO_PROPOSAL_SERVICE_STORE_CALL_STORE_H_
