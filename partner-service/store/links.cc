#include "partner-service/store/links.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/macros.h"

namespace kyodo::partner::store {

std::string PartnerId(absl::string_view name) {
  const size_t slash = name.find('/');
  return std::string(slash == absl::string_view::npos ? name
                                                      : name.substr(slash + 1));
}

std::string Placeholders(size_t n) {
  return absl::StrJoin(std::vector<std::string>(n, "?"), ",");
}

absl::Status ReplaceLinks(
    common::db::Session& s, const LinkTable& table, int64_t owner_seq,
    const google::protobuf::RepeatedPtrField<std::string>& partner_names) {
  KYODO_RETURN_IF_ERROR(s.Exec(table.delete_sql, {owner_seq}).status());
  for (const std::string& name : partner_names) {
    KYODO_RETURN_IF_ERROR(
        s.Exec(table.insert_sql, {owner_seq, PartnerId(name)}).status());
  }
  return absl::OkStatus();
}

absl::Status LinkInserted(
    common::db::Session& s, const LinkTable& table,
    absl::string_view owner_name,
    const google::protobuf::RepeatedPtrField<std::string>& partner_names) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<common::db::Row> row,
      s.QueryOne(table.owner_seq_sql, {PartnerId(owner_name)}));
  if (!row.has_value()) {
    return absl::InternalError(
        absl::StrCat(owner_name, " is not there right after its insert"));
  }
  KYODO_ASSIGN_OR_RETURN(const int64_t seq, row->Int(0));
  return ReplaceLinks(s, table, seq, partner_names);
}

}  // namespace kyodo::partner::store
