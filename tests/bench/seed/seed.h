// kyodo-bench-seed: the data of the benchmarks, at chosen sizes.
//
// - Rpc: partners, template projects, a past call whose proposals (received
//   on paper) are screened, reviewed, decided and published, which makes the
//   dossier projects from them, and an open call with drafts, all through
//   the RPCs (so every row is what the services write), and the request
//   files kyodo-load cycles through.
// - Bulk: grows project-service's tables to a total number of projects by
//   copying the template projects in SQL (INSERT ... SELECT from MariaDB's
//   sequence tables, 20,000 rows a statement): the same columns, documents
//   and join-table rows the store wrote for the templates, under new ids.
// - Pages: walks a ListProjects filter through the service and writes the
//   request of the page in the middle of its range, and that page's SQL
//   (with the values in place) for EXPLAIN.
#ifndef KYODO_TESTS_BENCH_SEED_SEED_H_
#define KYODO_TESTS_BENCH_SEED_SEED_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/db/pool.h"
#include "grpcpp/channel.h"

namespace kyodo::bench {

struct SeedOptions {
  std::shared_ptr<grpc::Channel> channel;  // the gateway: serves every method
  std::string token;                       // admin
  std::string reviewer_token;  // a committee member: reviewer "bench-member"
  std::string out_dir;         // request files go here
  int partners_per_ward = 100;
  int templates_per_ward_state = 2;
  int dossier_projects = 100;
  int drafts = 3000;
};

absl::Status SeedThroughRpc(const SeedOptions& options);

// Copies the RPC-made projects without a source proposal until there are
// `total` projects. Prints what it did and how long it took.
absl::Status GrowProjects(common::db::ConnectionPool& project_db, int total);

// Writes <out_dir>/<label>_mid.jsonl (the page request in the middle of
// `filter`'s range), <label>_first.jsonl and <label>_mid.sql.
absl::Status WritePageRequests(const SeedOptions& options,
                               common::db::ConnectionPool& project_db,
                               const std::string& filter, int page_size,
                               const std::string& label);

}  // namespace kyodo::bench

#endif  // KYODO_TESTS_BENCH_SEED_SEED_H_
