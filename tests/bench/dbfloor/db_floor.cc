// kyodo-db-floor: the MariaDB floors of the benchmarks. A point SELECT by
// primary key through Connector/C++ (a server-side prepared statement, as
// every kyodo store uses) on N threads, each borrowing a session from
// common/db/pool.h per query, as a handler does; or (--mode=insert) a
// one-row INSERT committed on its own, the floor of durable writes (one
// log flush per commit). Reports queries/s and latency in the same JSON
// shape as kyodo-load.
//
//   kyodo-db-floor --db_port=PORT --db_password_file=F --db_name=bench_floor
//     --threads=1,4,16 --duration=5s
// Creates and fills its table (floor_points, --rows rows) when missing.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/db/pool.h"
#include "tests/bench/load/latency.h"

ABSL_FLAG(std::string, db_host, "127.0.0.1", "MariaDB host");
ABSL_FLAG(int, db_port, 3306, "MariaDB port");
ABSL_FLAG(std::string, db_user, "kyodo", "MariaDB user");
ABSL_FLAG(std::string, db_password_file, "", "file holding the password");
ABSL_FLAG(std::string, db_name, "bench_floor", "schema (must exist)");
ABSL_FLAG(int, rows, 10000, "rows in the table");
ABSL_FLAG(std::string, mode, "select",
          "select (point reads) or insert (commits)");
ABSL_FLAG(std::string, threads, "1,2,4,8,16", "comma-separated thread counts");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1),
          "unrecorded warm-up per point");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5),
          "recorded time per point");

namespace {

using kyodo::common::db::ConnectionPool;

constexpr char kSelect[] = "SELECT id, v FROM floor_points WHERE id = ?";
constexpr char kInsert[] = "INSERT INTO floor_writes (v) VALUES (?)";

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "kyodo-db-floor: %s\n", message.c_str());
  std::exit(1);
}

void Fill(ConnectionPool& pool, int rows) {
  auto s = pool.Borrow(absl::Now() + absl::Seconds(10));
  if (!s.ok()) Die(std::string(s.status().message()));
  auto ok = (*s)->ExecUnprepared(
      "CREATE TABLE IF NOT EXISTS floor_points (id BIGINT NOT NULL PRIMARY "
      "KEY, "
      "v VARCHAR(100) NOT NULL) ENGINE=InnoDB");
  if (!ok.ok()) Die(std::string(ok.message()));
  ok = (*s)->ExecUnprepared(
      "CREATE TABLE IF NOT EXISTS floor_writes (id BIGINT NOT NULL "
      "AUTO_INCREMENT "
      "PRIMARY KEY, v VARCHAR(100) NOT NULL) ENGINE=InnoDB");
  if (!ok.ok()) Die(std::string(ok.message()));
  auto count = (*s)->QueryOne("SELECT COUNT(*) FROM floor_points");
  if (!count.ok()) Die(std::string(count.status().message()));
  absl::StatusOr<int64_t> existing = (*count)->Int(0);
  if (!existing.ok()) Die(std::string(existing.status().message()));
  if (*existing >= rows) return;
  ok =
      (*s)->ExecUnprepared(absl::StrCat("INSERT IGNORE INTO floor_points (id, "
                                        "v) SELECT seq, CONCAT('point-', seq) "
                                        "FROM seq_1_to_",
                                        rows));
  if (!ok.ok()) Die(std::string(ok.message()));
}

nlohmann::json Measure(ConnectionPool& pool, int threads, int rows,
                       bool insert) {
  kyodo::bench::LatencyLog log;
  const absl::Time from = absl::Now() + absl::GetFlag(FLAGS_warmup);
  const absl::Time until = from + absl::GetFlag(FLAGS_duration);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 random(t + 1);
      std::uniform_int_distribution<int> id(1, rows);
      for (absl::Time start = absl::Now(); start < until; start = absl::Now()) {
        std::string outcome = "OK";
        auto session = pool.Borrow(start + absl::Seconds(5));
        if (!session.ok()) {
          outcome = absl::StatusCodeToString(session.status().code());
        } else {
          absl::Status done =
              insert ? (*session)->Exec(kInsert, {"floor"}).status()
                     : (*session)->QueryOne(kSelect, {id(random)}).status();
          if (!done.ok()) outcome = absl::StatusCodeToString(done.code());
        }
        if (start >= from) log.Add(outcome, absl::Now() - start);
      }
    });
  }
  for (auto& w : workers) w.join();
  nlohmann::json out = log.Summary(absl::ToDoubleSeconds(until - from));
  out["mode"] = "closed";
  out["in_flight"] = threads;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::vector<int> counts;
  for (absl::string_view part :
       absl::StrSplit(absl::GetFlag(FLAGS_threads), ',', absl::SkipEmpty())) {
    int n = 0;
    if (!absl::SimpleAtoi(part, &n) || n <= 0) Die("bad --threads");
    counts.push_back(n);
  }
  kyodo::common::db::PoolOptions options;
  options.host = absl::GetFlag(FLAGS_db_host);
  options.port = absl::GetFlag(FLAGS_db_port);
  options.user = absl::GetFlag(FLAGS_db_user);
  std::ifstream in(absl::GetFlag(FLAGS_db_password_file));
  std::getline(in, options.password);
  options.database = absl::GetFlag(FLAGS_db_name);
  options.max_size = *std::max_element(counts.begin(), counts.end());
  auto pool = ConnectionPool::Create(options);
  if (!pool.ok()) Die(std::string(pool.status().message()));
  const int rows = absl::GetFlag(FLAGS_rows);
  Fill(**pool, rows);
  nlohmann::json out;
  const bool insert = absl::GetFlag(FLAGS_mode) == "insert";
  if (!insert && absl::GetFlag(FLAGS_mode) != "select")
    Die("--mode must be select or insert");
  out["label"] = insert ? "mariadb one-row commit" : "mariadb point select";
  out["query"] = insert ? kInsert : kSelect;
  out["points"] = nlohmann::json::array();
  for (int n : counts) {
    nlohmann::json point = Measure(**pool, n, rows, insert);
    std::fprintf(
        stderr, "db floor (%s) threads=%d: %.0f queries/s p50 %.3f ms\n",
        insert ? "insert" : "select", n, point["calls_per_s"].get<double>(),
        point["p50_ms"].is_null() ? 0.0 : point["p50_ms"].get<double>());
    out["points"].push_back(std::move(point));
  }
  std::cout << out.dump(2) << std::endl;
  return 0;
}
