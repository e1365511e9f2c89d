#include "common/events/serve.h"

namespace kyodo::common::events {

absl::StatusOr<ReadOptions> Filters(
    absl::string_view resource,
    const google::protobuf::RepeatedField<int>& types,
    const std::function<bool(absl::string_view)>& valid_resource,
    absl::string_view what) {
  ReadOptions options;
  if (!resource.empty()) {
    if (!valid_resource(resource)) {
      return InvalidArgumentError("resource", absl::StrCat("must name ", what));
    }
    options.resource = std::string(resource);
  }
  for (int i = 0; i < types.size(); ++i) {
    if (types[i] == 0) {
      return InvalidArgumentError(absl::StrCat("types[", i, "]"),
                                  "must not be TYPE_UNSPECIFIED");
    }
    options.types.push_back(types[i]);
  }
  return options;
}

absl::StatusOr<int64_t> StartOf(db::ConnectionPool& pool, absl::Time deadline,
                                absl::string_view after) {
  if (after != "now") return ParseCursor("after", after);
  int64_t head = 0;
  KYODO_RETURN_IF_ERROR(
      db::RunWithSession(pool, deadline, [&](db::Session& s) -> absl::Status {
        KYODO_ASSIGN_OR_RETURN(head, Head(s));
        return absl::OkStatus();
      }));
  return head;
}

}  // namespace kyodo::common::events
