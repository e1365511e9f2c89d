// Stored data that does not parse is DATA_LOSS, logged with the table and the
// row, never a default (common/store/doc.h): a project whose state column
// names no state, spoilt straight in the table as the migrating account.
#include <string>

#include "project-service/store/project_store.h"
#include "tests/project-service/project_fixture.h"
#include "tests/testing/log_capture.h"

namespace kyodo::project {
namespace {

using kyodo::project::v1::Project;

TEST_F(ProjectServiceTest, AStoredStateNoEnumNamesIsDataLoss) {
  const Project created = CreateOk(UniversityProject());
  const std::string id = created.name().substr(created.name().rfind('/') + 1);
  auto serving = project_db_.NewServingPool(1);
  auto read = [&] {
    auto session = serving->Borrow(absl::Now() + absl::Seconds(30));
    EXPECT_TRUE(session.ok()) << session.status();
    return store::GetProject(**session, id);
  };
  ASSERT_TRUE(read().ok());

  project_db_.Exec("UPDATE projects SET state = 'ON_HOLD' WHERE id = '" + id +
                   "'");
  kyodo::testing::LogCapture log;
  EXPECT_EQ(read().status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(log.LoggedBadStoredValue("projects", id, "state"));
}

}  // namespace
}  // namespace kyodo::project
