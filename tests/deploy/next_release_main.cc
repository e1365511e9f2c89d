// partner-service as its next release: this code with one more migration on
// its track, an expand step (docs/OPERATIONS.md, "Migrate, upgrade and roll
// back": it only adds what this release ignores). Built twice for
// upgrade_test.cc: partner-service-next, and partner-service-broken, whose
// release after that carries a migration that fails halfway.
#include <utility>

#include "common/server/bootstrap.h"
#include "partner-service/spec.h"

namespace {

// Online on a table in use: a trailing nullable column is added in place
// (ALGORITHM=INSTANT), the index built without a lock on writes.
constexpr char kExpand[] =
    "ALTER TABLE partners ADD COLUMN upgrade_note VARCHAR(40) NULL;\n"
    "CREATE INDEX partners_by_upgrade_note ON partners (upgrade_note)"
    " ALGORITHM=INPLACE LOCK=NONE;\n";
#ifdef KYODO_BROKEN_RELEASE
// Its first statement commits (DDL), the second fails: the migration stays
// dirty.
constexpr char kBroken[] =
    "CREATE TABLE upgrade_later (id INT NOT NULL PRIMARY KEY);\n"
    "NOT SQL;\n";
#endif

}  // namespace

int main(int argc, char** argv) {
  kyodo::common::server::ServiceSpec spec = kyodo::partner::Spec();
  std::vector<kyodo::common::db::Migration>& migrations =
      spec.tracks.front().migrations;
  const int next = migrations.back().version + 1;
  migrations.push_back({next, "upgrade_note", kExpand});
#ifdef KYODO_BROKEN_RELEASE
  migrations.push_back({next + 1, "broken", kBroken});
#endif
  return kyodo::common::server::RunService(argc, argv, spec);
}
