// SQL for agreements (協定) and their parties.
#ifndef KYODO_PARTNER_SERVICE_STORE_AGREEMENT_STORE_H_
#define KYODO_PARTNER_SERVICE_STORE_AGREEMENT_STORE_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "common/paging/filter.h"
#include "kyodo/partner/v1/partner_service.pb.h"

namespace kyodo::partner::store {

struct AgreementRow {
  int64_t seq = 0;
  int64_t version = 0;
  kyodo::partner::v1::Agreement agreement;  // state not set (computed)
};

absl::StatusOr<std::optional<AgreementRow>> GetAgreement(
    common::db::Session& s, absl::string_view id, bool for_update = false);

// Inserts `agreement` (name and times set) with its parties.
absl::Status InsertAgreement(common::db::Session& s,
                             const kyodo::partner::v1::Agreement& agreement);

// Writes `agreement` over version `version` and replaces its parties.
absl::Status UpdateAgreement(common::db::Session& s,
                             const kyodo::partner::v1::Agreement& agreement,
                             int64_t version);

absl::StatusOr<std::vector<AgreementRow>> ListAgreements(
    common::db::Session& s, const common::paging::SqlFilter& filter,
    bool show_deleted, int64_t after_seq, int limit);

const std::vector<common::paging::FilterField>& AgreementFilterFields();

}  // namespace kyodo::partner::store

#endif  // KYODO_PARTNER_SERVICE_STORE_AGREEMENT_STORE_H_
