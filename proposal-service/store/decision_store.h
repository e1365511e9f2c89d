// SQL for decisions: written once per call, never updated.
#ifndef KYODO_PROPOSAL_SERVICE_STORE_DECISION_STORE_H_
#define KYODO_PROPOSAL_SERVICE_STORE_DECISION_STORE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::proposal::store {

// Stores the decision of call `call_id`: `decision` (decided_by,
// decide_time and inputs_sha256 set), and `inputs`, the canonical engine
// input it was computed from. ALREADY_EXISTS when the call has one.
absl::Status InsertDecision(common::db::Session& s, absl::string_view call_id,
                            const v1::Decision& decision,
                            const std::string& inputs);

// The stored decision of the call, or nullopt.
absl::StatusOr<std::optional<v1::Decision>> GetDecision(
    common::db::Session& s, absl::string_view call_id);

// The stored engine input of the call's decision and its SHA-256, or
// nullopt.
struct StoredInputs {
  std::string inputs;
  std::string sha256;
};
absl::StatusOr<std::optional<StoredInputs>> GetDecisionInputs(
    common::db::Session& s, absl::string_view call_id);

}  // namespace kyodo::proposal::store

#endif  // KYODO_PROPOSAL_SERVICE_STORE_DECISION_STORE_H_
