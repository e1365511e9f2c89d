// PreviewDecision over gRPC for a call of 5,000 proposals with 15 reviewers
// each on 6 criteria: the whole RPC (token, the decision's queries, the
// engine, the answer of 5,000 results), and on the same data the engine
// alone and the loading alone, so the three can be compared.
//
// The call is made like the engine benchmark's (tests/bench/selection_bench:
// same criteria, amounts, budget, pass mark, seeded PRNG). The programme,
// call and committee go through the RPCs; the 5,000 proposals (ELIGIBLE,
// with their parties) and 75,000 reviews are written through the store
// (proposal-service/store), which takes seconds where 80,000 RPCs would
// take minutes. Each member has an affiliation that is a co-applicant of
// one proposal in twenty, so about 5% of the reviews are conflicted and
// excluded, as in the engine benchmark.
//
// Needs the test database: KYODO_TEST_DB_HOST, _PORT, _USER,
// _PASSWORD_FILE (see tests/testing/database.h). Run:
//   build/tests/bench/proposal/proposal_preview_bench
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "common/db/transaction.h"
#include "common/server/database.h"
#include "common/store/doc.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "proposal-service/decision_input.h"
#include "proposal-service/domain/selection.h"
#include "proposal-service/service.h"
#include "proposal-service/store/call_store.h"
#include "proposal-service/store/proposal_store.h"
#include "proposal-service/store/review_store.h"
#include "proposal_migrations.h"
#include "tests/testing/auth.h"
#include "tests/testing/database.h"
#include "tests/testing/service.h"

namespace kyodo::proposal {
namespace {

using kyodo::testing::Context;
namespace doc = common::store;

constexpr int kProposals = 5000;
constexpr int kReviewers = 15;
constexpr int kCriteria = 6;
constexpr int kBatch = 1000;  // rows per seeding transaction

std::string Staff() {
  return kyodo::testing::WardStaffToken(kyodo::type::v1::ASAO, "bench");
}

void Check(const grpc::Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, status.error_message().c_str());
    std::abort();
  }
}

void Check(const absl::Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what,
                 std::string(status.message()).c_str());
    std::abort();
  }
}

struct Bench {
  kyodo::testing::TestDatabase db{"preview_bench"};
  std::unique_ptr<kyodo::testing::TestService> service;
  std::unique_ptr<v1::ProposalService::Stub> stub;
  std::string call;
  std::vector<std::string> reviewer_ids;
};

Bench* bench = nullptr;

v1::Call LargeCall() {
  v1::Call c;
  c.set_display_name("ベンチマーク公募");
  c.set_fiscal_year(2025);
  *c.mutable_submission_start_time() =
      doc::ToTimestamp(absl::FromUnixSeconds(1735689600));
  *c.mutable_submission_end_time() =
      doc::ToTimestamp(absl::FromUnixSeconds(1735689600 + 86400 * 2));
  c.set_budget_yen(2000000000);
  c.set_pass_mark(40);
  c.set_min_reviews(10);
  const int64_t maxima[] = {5, 10, 5, 100, 3, 10};
  for (int i = 0; i < kCriteria; ++i) {
    auto* k = c.add_criteria();
    k->set_display_name(absl::StrCat("基準", i + 1));
    k->set_weight(1 + i % 3);
    k->set_max_score(maxima[i % 6]);
  }
  return c;
}

// Programme, call and committee through the RPCs; the call left OPEN.
void MakeCall(Bench& b) {
  v1::CreateProgrammeRequest programme;
  auto* p = programme.mutable_programme();
  p->set_display_name("ベンチマーク制度");
  p->set_ward(kyodo::type::v1::ASAO);
  p->set_kind(v1::Programme::WARD_CITIZEN_PROPOSAL);
  p->set_consigning_unit("partners/bench");
  p->add_eligible_partner_kinds(kyodo::partner::v1::CIVIC_GROUP);
  v1::Programme created;
  Check(b.stub->CreateProgramme(Context(Staff()).get(), programme, &created),
        "programme");
  v1::CreateCallRequest call;
  call.set_parent(created.name());
  *call.mutable_call() = LargeCall();
  v1::Call c;
  Check(b.stub->CreateCall(Context(Staff()).get(), call, &c), "call");
  b.call = c.name();
  v1::OpenCallRequest open;
  open.set_name(b.call);
  Check(b.stub->OpenCall(Context(Staff()).get(), open, &c), "open");
  for (int r = 0; r < kReviewers; ++r) {
    v1::CreateReviewerRequest member;
    member.set_parent(b.call);
    member.mutable_reviewer()->set_display_name(absl::StrCat("委員", r));
    member.mutable_reviewer()->set_principal(absl::StrCat("bench-", r));
    // Member 0 has none, so every proposal keeps counted reviews.
    if (r > 0)
      member.mutable_reviewer()->add_affiliations(
          absl::StrCat("partners/aff", r));
    v1::Reviewer out;
    Check(b.stub->CreateReviewer(Context(Staff()).get(), member, &out),
          "reviewer");
    b.reviewer_ids.push_back(out.name().substr(out.name().rfind('/') + 1));
  }
}

// 5,000 ELIGIBLE proposals and their 75,000 reviews through the store.
void SeedProposals(Bench& b) {
  std::mt19937_64 rng(20250401);
  const v1::Call c = LargeCall();
  const absl::Time now = absl::FromUnixSeconds(1735689600 + 86400 * 3);
  for (int start = 0; start < kProposals; start += kBatch) {
    Check(common::db::RunInTransaction(
              b.service->pool(), absl::Now() + absl::Minutes(5),
              [&](common::db::Session& s) -> absl::Status {
                for (int i = start; i < start + kBatch; ++i) {
                  v1::Proposal p;
                  p.set_name(absl::StrCat(b.call, "/proposals/bench", i));
                  p.set_applicant(absl::StrCat("partners/applicant", i));
                  if (i % 20 > 0 && i % 20 < kReviewers) {
                    p.add_co_applicants(absl::StrCat("partners/aff", i % 20));
                  }
                  p.set_title(absl::StrCat("提案 ", i));
                  p.set_issue("地域の課題");
                  p.set_requested_amount_yen(
                      100000 + static_cast<int64_t>(rng() % 3900000));
                  p.set_state(v1::Proposal::ELIGIBLE);
                  *p.mutable_submit_time() =
                      doc::ToTimestamp(absl::FromUnixSeconds(
                          1735689600 + static_cast<int64_t>(rng() % 86400)));
                  *p.mutable_create_time() = doc::ToTimestamp(now);
                  *p.mutable_update_time() = doc::ToTimestamp(now);
                  absl::Status inserted =
                      store::InsertProposal(s, p, kyodo::type::v1::ASAO, 2025);
                  if (!inserted.ok()) return inserted;
                  for (const std::string& reviewer : b.reviewer_ids) {
                    v1::Review r;
                    r.set_name(absl::StrCat(p.name(), "/reviews/", reviewer));
                    for (const v1::Criterion& k : c.criteria()) {
                      r.add_scores(
                          static_cast<int64_t>(rng() % (k.max_score() + 1)));
                    }
                    *r.mutable_create_time() = doc::ToTimestamp(now);
                    *r.mutable_update_time() = doc::ToTimestamp(now);
                    absl::Status written = store::WriteReview(s, r, 0);
                    if (!written.ok()) return written;
                  }
                }
                return absl::OkStatus();
              }),
          "seed");
  }
}

void StartReview(Bench& b) {
  b.service->clock().Set(absl::FromUnixSeconds(1735689600 + 86400 * 3));
  v1::Call c;
  v1::CloseCallRequest close;
  close.set_name(b.call);
  Check(b.stub->CloseCall(Context(Staff()).get(), close, &c), "close");
  v1::StartReviewRequest review;
  review.set_name(b.call);
  Check(b.stub->StartReview(Context(Staff()).get(), review, &c),
        "start review");
}

void BM_PreviewDecisionRpc(benchmark::State& state) {
  v1::PreviewDecisionRequest request;
  request.set_name(bench->call);
  for (auto _ : state) {
    v1::Decision decision;
    Check(bench->stub->PreviewDecision(
              Context(Staff(), absl::Seconds(60)).get(), request, &decision),
          "preview");
    if (!decision.decidable() || decision.results_size() != kProposals) {
      state.SkipWithError("unexpected preview");
    }
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations() * kProposals);
}

store::CallRow LoadCallRow(common::db::Session& s) {
  auto row = store::GetCall(s, bench->call.substr(bench->call.rfind('/') + 1));
  if (!row.ok() || !row->has_value()) std::abort();
  return **row;
}

// The decision's queries and the building of the engine's input, in this
// process (no gRPC, no engine).
void BM_LoadDecisionInput(benchmark::State& state) {
  for (auto _ : state) {
    Check(common::db::RunWithSession(
              bench->service->pool(), absl::Now() + absl::Minutes(1),
              [&](common::db::Session& s) -> absl::Status {
                auto in = LoadDecisionInput(s, LoadCallRow(s).call);
                if (!in.ok()) return in.status();
                benchmark::DoNotOptimize(*in);
                return absl::OkStatus();
              }),
          "load");
  }
}

// The engine alone on the very input the RPC builds.
void BM_EngineOnTheSameCall(benchmark::State& state) {
  DecisionInput in;
  Check(common::db::RunWithSession(
            bench->service->pool(), absl::Now() + absl::Minutes(1),
            [&](common::db::Session& s) -> absl::Status {
              auto loaded = LoadDecisionInput(s, LoadCallRow(s).call);
              if (!loaded.ok()) return loaded.status();
              in = *std::move(loaded);
              return absl::OkStatus();
            }),
        "load");
  int conflicted = 0, reviews = 0;
  for (const auto& c : in.input.candidates) {
    for (const auto& r : c.reviews) {
      ++reviews;
      conflicted += r.conflicted;
    }
  }
  state.counters["reviews"] = reviews;
  state.counters["conflicted"] = conflicted;
  for (auto _ : state) {
    auto result = domain::Select(in.input);
    if (!result.ok()) state.SkipWithError("Select failed");
    benchmark::DoNotOptimize(result);
  }
}

BENCHMARK(BM_PreviewDecisionRpc)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_LoadDecisionInput)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_EngineOnTheSameCall)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace kyodo::proposal

int main(int argc, char** argv) {
  using namespace kyodo::proposal;
  benchmark::Initialize(&argc, argv);
  auto owned = std::make_unique<Bench>();
  bench = owned.get();
  bench->db.Migrate(
      {kyodo::common::server::CommonMigrations(), KyodoProposalMigrations()});
  bench->service = std::make_unique<kyodo::testing::TestService>(
      bench->db, "kyodo.proposal", [](const kyodo::testing::ServiceEnv& env) {
        return std::make_unique<ProposalServiceImpl>(
            ServiceDeps{env.pool, env.rpc, env.pages});
      });
  bench->stub = v1::ProposalService::NewStub(bench->service->NewChannel());
  bench->service->clock().Set(absl::FromUnixSeconds(1735689600 + 3600));
  const absl::Time started = absl::Now();
  MakeCall(*bench);
  SeedProposals(*bench);
  StartReview(*bench);
  std::fprintf(stderr,
               "seeded %d proposals x %d reviewers x %d criteria in %.1f s\n",
               kProposals, kReviewers, kCriteria,
               absl::ToDoubleSeconds(absl::Now() - started));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  bench->service.reset();
  return 0;
}
