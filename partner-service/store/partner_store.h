// SQL for partners: the only place partner-service talks to the database
// about them. Every function runs on the caller's session, inside the
// caller's transaction when there is one.
#ifndef KYODO_PARTNER_SERVICE_STORE_PARTNER_STORE_H_
#define KYODO_PARTNER_SERVICE_STORE_PARTNER_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "common/paging/filter.h"
#include "kyodo/partner/v1/partner_service.pb.h"

namespace kyodo::partner::store {

struct PartnerRow {
  int64_t seq = 0;
  int64_t version = 0;
  kyodo::partner::v1::Partner partner;  // with name, state, times, etag
};

// The partner with `id`, or nullopt. `for_update` locks the row until the
// transaction ends.
absl::StatusOr<std::optional<PartnerRow>> GetPartner(common::db::Session& s,
                                                     absl::string_view id,
                                                     bool for_update = false);

// Partners by id, in no particular order; missing ids are simply absent.
absl::StatusOr<std::vector<PartnerRow>> GetPartners(
    common::db::Session& s, const std::vector<std::string>& ids);

// Inserts `partner` (name, state and times set by the caller) as version 1.
// ALREADY_EXISTS reason CORPORATE_NUMBER_TAKEN when another partner has its
// corporate number.
absl::Status InsertPartner(common::db::Session& s,
                           const kyodo::partner::v1::Partner& partner);

// Writes `partner` over the row at `version`, making it version + 1. ABORTED
// when the row moved on; ALREADY_EXISTS as for InsertPartner.
absl::Status UpdatePartner(common::db::Session& s,
                           const kyodo::partner::v1::Partner& partner,
                           int64_t version);

// The current parent id of `id` (nullopt at a root or for an unknown id).
absl::StatusOr<std::optional<std::string>> ParentOf(common::db::Session& s,
                                                    absl::string_view id);

// Whether `id` has child units that are not deleted.
absl::StatusOr<bool> HasLiveChildren(common::db::Session& s,
                                     absl::string_view id);

// Serialises changes to the city-unit tree (see 001_partners.sql, locks).
absl::Status LockCityUnitTree(common::db::Session& s);

// A keyset page: rows with seq > after_seq matching `filter` (and, when
// `search_key` is not empty, whose search key contains it), by seq.
absl::StatusOr<std::vector<PartnerRow>> ListPartners(
    common::db::Session& s, const common::paging::SqlFilter& filter,
    bool show_deleted, absl::string_view search_key, int64_t after_seq,
    int limit);

// The filter fields of ListPartners and SearchPartners.
const std::vector<common::paging::FilterField>& PartnerFilterFields();

// The search key stored for `partner` (display name and kana).
absl::StatusOr<std::string> PartnerSearchKey(
    const kyodo::partner::v1::Partner& partner);

}  // namespace kyodo::partner::store

#endif  // KYODO_PARTNER_SERVICE_STORE_PARTNER_STORE_H_
