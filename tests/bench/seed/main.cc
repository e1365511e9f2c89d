// kyodo-bench-seed: see seed.h.
//
//   kyodo-bench-seed --step=rpc --addr=GATEWAY --jwt_key_file=F --out_dir=D
//   kyodo-bench-seed --step=grow --total=1000000 --db_port=P
//   --db_password_file=F kyodo-bench-seed --step=pages --filter='ward = ASAO
//   AND state = ACTIVE'
//     --label=list10k --addr=GATEWAY --jwt_key_file=F --db_port=P ...
//     --out_dir=D
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "common/auth/token.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/bench/seed/seed.h"

ABSL_FLAG(std::string, step, "", "rpc, grow or pages");
ABSL_FLAG(std::string, addr, "127.0.0.1:50050", "the gateway");
ABSL_FLAG(std::string, jwt_key_file, "", "HS256 key the services verify with");
ABSL_FLAG(std::string, jwt_issuer, "kyodo-local", "issuer the services expect");
ABSL_FLAG(std::string, out_dir, ".", "where request files are written");
ABSL_FLAG(int, partners_per_ward, 100,
          "rpc: partners per ward (one is a CITY_UNIT)");
ABSL_FLAG(int, templates_per_ward_state, 2,
          "rpc: template projects per ward and state");
ABSL_FLAG(int, dossier_projects, 100, "rpc: projects with a source proposal");
ABSL_FLAG(int, drafts, 3000, "rpc: draft proposals to submit");
ABSL_FLAG(int, total, 10000, "grow: projects wanted in all");
ABSL_FLAG(std::string, filter, "ward = ASAO AND state = ACTIVE",
          "pages: the filter");
ABSL_FLAG(int, page_size, 50, "pages: the page size");
ABSL_FLAG(std::string, label, "list", "pages: prefix of the files written");
ABSL_FLAG(std::string, db_host, "127.0.0.1", "MariaDB host");
ABSL_FLAG(int, db_port, 3306, "MariaDB port");
ABSL_FLAG(std::string, db_user, "kyodo", "MariaDB user");
ABSL_FLAG(std::string, db_password_file, "", "file holding the password");
ABSL_FLAG(std::string, project_db, "kyodo_project", "project-service's schema");

namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "kyodo-bench-seed: %s\n", message.c_str());
  std::exit(1);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::string text(std::istreambuf_iterator<char>(in), {});
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  return text;
}

kyodo::bench::SeedOptions Options() {
  kyodo::bench::SeedOptions o;
  o.channel = grpc::CreateChannel(absl::GetFlag(FLAGS_addr),
                                  grpc::InsecureChannelCredentials());
  kyodo::common::auth::MintOptions mint;
  mint.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  mint.audience = "kyodo";
  mint.key = ReadFile(absl::GetFlag(FLAGS_jwt_key_file));
  kyodo::common::auth::Principal admin;
  admin.subject = "bench-seed";
  admin.role = kyodo::common::auth::Role::kAdmin;
  auto token = kyodo::common::auth::MintToken(admin, mint);
  if (!token.ok()) Die(std::string(token.status().message()));
  o.token = *token;
  kyodo::common::auth::Principal member;
  member.subject = "bench-member";
  member.role = kyodo::common::auth::Role::kReviewer;
  member.reviewer = "bench-member";
  auto reviewer_token = kyodo::common::auth::MintToken(member, mint);
  if (!reviewer_token.ok()) Die(std::string(reviewer_token.status().message()));
  o.reviewer_token = *reviewer_token;
  o.out_dir = absl::GetFlag(FLAGS_out_dir);
  o.partners_per_ward = absl::GetFlag(FLAGS_partners_per_ward);
  o.templates_per_ward_state = absl::GetFlag(FLAGS_templates_per_ward_state);
  o.dossier_projects = absl::GetFlag(FLAGS_dossier_projects);
  o.drafts = absl::GetFlag(FLAGS_drafts);
  return o;
}

std::unique_ptr<kyodo::common::db::ConnectionPool> ProjectDb() {
  kyodo::common::db::PoolOptions db;
  db.host = absl::GetFlag(FLAGS_db_host);
  db.port = absl::GetFlag(FLAGS_db_port);
  db.user = absl::GetFlag(FLAGS_db_user);
  db.password = ReadFile(absl::GetFlag(FLAGS_db_password_file));
  db.database = absl::GetFlag(FLAGS_project_db);
  db.max_size = 1;
  // Bulk statements of 20,000 rows run long.
  db.io_timeout = absl::Minutes(10);
  auto pool = kyodo::common::db::ConnectionPool::Create(db);
  if (!pool.ok()) Die(std::string(pool.status().message()));
  return *std::move(pool);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string step = absl::GetFlag(FLAGS_step);
  absl::Status status;
  if (step == "rpc") {
    status = kyodo::bench::SeedThroughRpc(Options());
  } else if (step == "grow") {
    status =
        kyodo::bench::GrowProjects(*ProjectDb(), absl::GetFlag(FLAGS_total));
  } else if (step == "pages") {
    status = kyodo::bench::WritePageRequests(
        Options(), *ProjectDb(), absl::GetFlag(FLAGS_filter),
        absl::GetFlag(FLAGS_page_size), absl::GetFlag(FLAGS_label));
  } else {
    Die("--step must be rpc, grow or pages");
  }
  if (!status.ok()) Die(std::string(status.message()));
  return 0;
}
