// SQL for networks (協議会・ネットワーク) and their members.
#ifndef KYODO_PARTNER_SERVICE_STORE_NETWORK_STORE_H_
#define KYODO_PARTNER_SERVICE_STORE_NETWORK_STORE_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "common/paging/filter.h"
#include "kyodo/partner/v1/partner_service.pb.h"

namespace kyodo::partner::store {

struct NetworkRow {
  int64_t seq = 0;
  int64_t version = 0;
  kyodo::partner::v1::Network network;
};

absl::StatusOr<std::optional<NetworkRow>> GetNetwork(common::db::Session& s,
                                                     absl::string_view id,
                                                     bool for_update = false);

absl::Status InsertNetwork(common::db::Session& s,
                           const kyodo::partner::v1::Network& network);

absl::Status UpdateNetwork(common::db::Session& s,
                           const kyodo::partner::v1::Network& network,
                           int64_t version);

absl::StatusOr<std::vector<NetworkRow>> ListNetworks(
    common::db::Session& s, const common::paging::SqlFilter& filter,
    bool show_deleted, int64_t after_seq, int limit);

const std::vector<common::paging::FilterField>& NetworkFilterFields();

}  // namespace kyodo::partner::store

#endif  // KYODO_PARTNER_SERVICE_STORE_NETWORK_STORE_H_
