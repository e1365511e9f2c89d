// Checks of a schema's constraints and grants, shared by the typed-storage
// tests of the services (tests/*/typed_*_test.cc).
#ifndef KYODO_TESTS_TESTING_SCHEMA_CHECKS_H_
#define KYODO_TESTS_TESTING_SCHEMA_CHECKS_H_

#include <string>
#include <vector>

#include "common/db/migrate.h"
#include "google/protobuf/message.h"
#include "tests/testing/database.h"

namespace kyodo::testing {

// A statement written straight to the database, and the MySQL error number
// that must refuse it (4025 a CHECK, 1452 a foreign key, 1062 a unique key,
// 1048 a NOT NULL column).
struct BadRow {
  std::string sql;
  int error;
};

// Runs each statement as the migrating account (what an operator's SQL runs
// as) and fails the test unless each fails with its error number.
void ExpectRefused(const TestDatabase& db, const std::vector<BadRow>& bad);

// Fails the test unless the serving account may read each table and is
// denied (1142) a write to it.
void ExpectServingReadOnly(const TestDatabase& db,
                           const std::vector<std::string>& tables);

// Applies the common track and the migrations of `track` before `version`,
// as the release before that migration left the schema (aborting the test
// when `track` has no migration `version`): the start of a migration test.
void MigrateBefore(const TestDatabase& db, common::db::MigrationTrack track,
                   int version);

// Empty when `a` and `b` are equal field by field, presence included, else
// what differs: how the typed-storage tests compare what was written with
// what reads back.
std::string Differences(const google::protobuf::Message& a,
                        const google::protobuf::Message& b);

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_SCHEMA_CHECKS_H_
