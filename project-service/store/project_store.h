// SQL for projects: the only place project-service talks to the database.
// Every function runs on the caller's session, inside the caller's
// transaction when there is one.
#ifndef KYODO_PROJECT_SERVICE_STORE_PROJECT_STORE_H_
#define KYODO_PROJECT_SERVICE_STORE_PROJECT_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "common/paging/filter.h"
#include "kyodo/project/v1/project_service.pb.h"

namespace kyodo::project::store {

struct ProjectRow {
  int64_t seq = 0;
  int64_t version = 0;
  kyodo::project::v1::Project project;  // with name, state, times, etag
};

// "projects/abc" -> "abc".
std::string ProjectId(absl::string_view name);

// The project with `id`, or nullopt. `for_update` locks the row until the
// transaction ends.
absl::StatusOr<std::optional<ProjectRow>> GetProject(common::db::Session& s,
                                                     absl::string_view id,
                                                     bool for_update = false);

// Inserts `project` (name, state, times and derived fields set) as version 1
// with its participants and wards. ALREADY_EXISTS reason
// PROPOSAL_ALREADY_HAS_PROJECT, metadata `project` naming the first, when its
// source proposal already has a project.
absl::Status InsertProject(common::db::Session& s,
                           const kyodo::project::v1::Project& project);

// Writes `project` over the row at `version` (ABORTED when it moved on),
// replacing its participants and wards; ALREADY_EXISTS as for InsertProject.
absl::Status UpdateProject(common::db::Session& s,
                           const kyodo::project::v1::Project& project,
                           int64_t version);

// A keyset page: rows with seq > after_seq matching `filter`, by seq.
absl::StatusOr<std::vector<ProjectRow>> ListProjects(
    common::db::Session& s, const common::paging::SqlFilter& filter,
    bool show_deleted, int64_t after_seq, int limit);

// The live projects matching `filter` counted by state, with their
// contributions by form, counted and summed in SQL (SummarizeProjects). A
// filter on one ward (with a fiscal year, a state) reads project_totals;
// any other runs two queries, to be run in one transaction so they agree.
absl::StatusOr<v1::ProjectSummary> SummarizeProjects(
    common::db::Session& s, const common::paging::SqlFilter& filter);

// The filter fields of ListProjects (see ListProjectsRequest.filter).
const std::vector<common::paging::FilterField>& ProjectFilterFields();

}  // namespace kyodo::project::store

#endif  // KYODO_PROJECT_SERVICE_STORE_PROJECT_STORE_H_
