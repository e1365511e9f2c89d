// The fuzz targets' inputs, replayed in the normal (gcc) suite through the
// same harness functions the fuzzers run (harness.h): every seed of
// tests/fuzz/corpus/<target>/ and every input that once crashed a target,
// kept in tests/fuzz/crashes/<target>/ with the fix it led to. A harness
// invariant that breaks aborts this test.
#include <dirent.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/domain/open_data.h"
#include "gtest/gtest.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "nlohmann/json.hpp"
#include "project-service/domain/rules.h"
#include "tests/fuzz/harness.h"

namespace kyodo::fuzz {
namespace {

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> files;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return files;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') files.push_back(absl::StrCat(dir, "/", e->d_name));
  }
  closedir(d);
  return files;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

void Replay(const Target& target, const std::string& input) {
  target.run(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(FuzzCorpusTest, EverySeedOfEveryTargetPassesTheHarness) {
  for (const Target& target : Targets()) {
    const std::vector<std::string> seeds = FilesIn(
        absl::StrCat(KYODO_SOURCE_DIR, "/tests/fuzz/corpus/", target.name));
    EXPECT_FALSE(seeds.empty()) << "no seed corpus for " << target.name;
    for (const std::string& seed : seeds) {
      SCOPED_TRACE(seed);
      Replay(target, Read(seed));
    }
  }
}

TEST(FuzzCorpusTest, EveryRecordedCrashInputNowPasses) {
  for (const Target& target : Targets()) {
    for (const std::string& input : FilesIn(absl::StrCat(
             KYODO_SOURCE_DIR, "/tests/fuzz/crashes/", target.name))) {
      SCOPED_TRACE(input);
      Replay(target, Read(input));
    }
  }
}

// The request type an input of fuzz_request is parsed as: its first two
// bytes are a type's tag (harness.h, RequestTag).
std::string RequestTypeOf(const std::string& input) {
  if (input.size() < 2) return "";
  return RequestTypeOfTag(
             static_cast<uint16_t>((static_cast<uint8_t>(input[0]) << 8) |
                                   static_cast<uint8_t>(input[1])))
      ->full_name();
}

std::string BaseName(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

// Every request type of the four services is fuzzed (from the descriptors),
// each from a seed of its own: corpus/request/<full type name>, whose tag
// selects that type. The tags are distinct, so no seed can mean two types;
// a new request type fails this until `fuzz_make_corpus` gives it a seed
// (the others stay as they are).
TEST(FuzzCorpusTest, RequestTargetHasASeedOfEveryRequestType) {
  EXPECT_GT(RequestTypes().size(), 60u);
  std::set<uint16_t> tags;
  for (const auto* type : RequestTypes()) {
    EXPECT_TRUE(tags.insert(RequestTag(*type)).second)
        << type->full_name() << " shares its tag with another type";
  }
  std::set<std::string> seeded;
  for (const std::string& seed :
       FilesIn(absl::StrCat(KYODO_SOURCE_DIR, "/tests/fuzz/corpus/request"))) {
    EXPECT_EQ(RequestTypeOf(Read(seed)), BaseName(seed))
        << seed << " is parsed as another request type";
    seeded.insert(BaseName(seed));
  }
  for (const auto* type : RequestTypes()) {
    EXPECT_TRUE(absl::EndsWith(type->name(), "Request")) << type->full_name();
    EXPECT_TRUE(seeded.contains(type->full_name()))
        << "no seed in tests/fuzz/corpus/request for " << type->full_name();
  }
}

// The recorded crash is still replayed as the request it was found in.
TEST(FuzzCorpusTest, RecordedRequestCrashIsStillACreateProjectRequest) {
  EXPECT_EQ(
      RequestTypeOf(Read(absl::StrCat(
          KYODO_SOURCE_DIR,
          "/tests/fuzz/crashes/request/project_contributions_sum_overflow"))),
      "kyodo.project.v1.CreateProjectRequest");
}

// Found by fuzz_request (crashes/request/project_contributions_sum_overflow):
// a project whose contributions add up past INT64_MAX made the open data's
// amount column (gateway/domain/open_data.cc, and the same sum in
// GetWardDashboard) overflow a signed integer. Amounts are now bounded by
// project-service and the gateway's sums saturate.
project::v1::Project BigProject(int64_t amount) {
  project::v1::Project p;
  p.set_title("委託額の大きい事業");
  p.set_issue("課題");
  p.set_programme(project::v1::OTHER_PROGRAMME);
  p.set_fiscal_year(2026);
  for (const char* name : {"partners/civic", "partners/city"}) {
    auto* part = p.add_participants();
    part->set_partner(name);
    part->set_role(absl::EndsWith(name, "city")
                       ? project::v1::Participant::CITY
                       : project::v1::Participant::LEAD);
  }
  for (auto form : {project::v1::CONSIGNMENT, project::v1::SUBSIDY}) {
    auto* c = p.add_contributions();
    c->set_form(form);
    c->set_from_partner("partners/city");
    c->set_to_partner("partners/civic");
    c->set_amount_yen(amount);
  }
  return p;
}

TEST(FuzzRegressionTest, ProjectAmountsAreBoundedTo10To15Yen) {
  EXPECT_TRUE(
      project::domain::ValidateProject(BigProject(1000000000000000), "project")
          .ok());
  const absl::Status too_big =
      project::domain::ValidateProject(BigProject(1000000000000001), "project");
  EXPECT_EQ(too_big.code(), absl::StatusCode::kInvalidArgument) << too_big;
  EXPECT_TRUE(
      absl::StrContains(too_big.message(), "contributions[0].amount_yen"))
      << too_big;
  EXPECT_FALSE(project::domain::ValidateProject(BigProject(5000000000000000000),
                                                "project")
                   .ok());
}

TEST(FuzzRegressionTest, OpenDataAmountOfAnOversizedStoredProjectSaturates) {
  // A record stored before the bound: the sum saturates instead of
  // overflowing (UBSan aborts the fuzz build on the overflow).
  project::v1::Project p = BigProject(5000000000000000000);
  p.set_state(project::v1::Project::ACTIVE);
  const std::vector<std::string> cells = gateway::domain::ProjectCells(p);
  EXPECT_EQ(cells[11], "9223372036854775807");
  const nlohmann::json line = nlohmann::json::parse(
      gateway::domain::ProjectJsonLine(p), nullptr, false);
  ASSERT_FALSE(line.is_discarded());
  EXPECT_EQ(line["amount_yen"].get<int64_t>(), INT64_MAX);
  EXPECT_EQ(gateway::domain::ProjectCells(BigProject(1000000000000000))[11],
            "2000000000000000");
}

}  // namespace
}  // namespace kyodo::fuzz
