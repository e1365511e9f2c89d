#include "proposal-service/store/decision_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "google/protobuf/util/json_util.h"

namespace kyodo::proposal::store {
namespace {

using common::db::Row;
using common::db::Session;
namespace doc = common::store;

constexpr char kInsert[] =
    "INSERT INTO decisions (call_id, decided_by, decide_time, inputs, "
    "inputs_sha256, "
    "decision) VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kGet[] = "SELECT decision FROM decisions WHERE call_id = ?";
constexpr char kGetInputs[] =
    "SELECT inputs, inputs_sha256 FROM decisions WHERE call_id = ?";

}  // namespace

absl::Status InsertDecision(Session& s, absl::string_view call_id,
                            const v1::Decision& decision,
                            const std::string& inputs) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(decision, &json, options)
           .ok()) {
    return absl::InternalError("cannot print the decision");
  }
  return s
      .Exec(kInsert, {call_id, decision.decided_by(),
                      doc::FromTimestamp(decision.decide_time()), inputs,
                      decision.inputs_sha256(), json})
      .status();
}

absl::StatusOr<std::optional<v1::Decision>> GetDecision(
    Session& s, absl::string_view call_id) {
  KYODO_ASSIGN_OR_RETURN(std::optional<Row> row, s.QueryOne(kGet, {call_id}));
  if (!row.has_value()) return std::optional<v1::Decision>();
  v1::Decision decision;
  KYODO_RETURN_IF_ERROR(
      doc::FromDoc(row->String(0), {"decisions", call_id, "doc"}, &decision));
  return std::optional<v1::Decision>(std::move(decision));
}

absl::StatusOr<std::optional<StoredInputs>> GetDecisionInputs(
    Session& s, absl::string_view call_id) {
  KYODO_ASSIGN_OR_RETURN(std::optional<Row> row,
                         s.QueryOne(kGetInputs, {call_id}));
  if (!row.has_value()) return std::optional<StoredInputs>();
  return std::optional<StoredInputs>(
      StoredInputs{row->String(0), row->String(1)});
}

}  // namespace kyodo::proposal::store
