// SQL for programmes (制度). Every function runs on the caller's session,
// inside the caller's transaction when there is one.
#ifndef KYODO_PROPOSAL_SERVICE_STORE_PROGRAMME_STORE_H_
#define KYODO_PROPOSAL_SERVICE_STORE_PROGRAMME_STORE_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "common/paging/filter.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::proposal::store {

struct ProgrammeRow {
  int64_t seq = 0;
  int64_t version = 0;
  v1::Programme programme;  // with name, times and etag
};

// The programme with `id`, or nullopt; `for_update` locks it.
absl::StatusOr<std::optional<ProgrammeRow>> GetProgramme(
    common::db::Session& s, absl::string_view id, bool for_update = false);

// Inserts `programme` (name and times set) as version 1.
absl::Status InsertProgramme(common::db::Session& s,
                             const v1::Programme& programme);

// Writes `programme` over row version `version`; ABORTED when it moved on.
absl::Status UpdateProgramme(common::db::Session& s,
                             const v1::Programme& programme, int64_t version);

// A keyset page by seq.
absl::StatusOr<std::vector<ProgrammeRow>> ListProgrammes(
    common::db::Session& s, const common::paging::SqlFilter& filter,
    bool show_deleted, int64_t after_seq, int limit);

// ward, kind, display_name, create_time, update_time.
const std::vector<common::paging::FilterField>& ProgrammeFilterFields();

}  // namespace kyodo::proposal::store

#endif  // KYODO_PROPOSAL_SERVICE_STORE_PROGRAMME_STORE_H_
