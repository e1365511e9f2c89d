// Every program names the release it was built as: `--version` prints the
// version and commit CMake was given (KYODO_VERSION, KYODO_REVISION; the
// Dockerfile passes its build arguments) and exits 0, and a KYODO_VERSION
// in the environment (a release name, for other tools) neither stops a
// program nor is read as its --version flag. The kyodo_build_info metric:
// metrics_test.cc.
#include "common/version/version.h"

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/process.h"

namespace kyodo::deploy {
namespace {

struct ProgramRun {
  std::string output;  // stdout and stderr
  int exit_code = -1;
};

// Runs `command` with an empty environment plus `env`.
ProgramRun RunProgram(const std::string& env, const std::string& command) {
  const std::string line = absl::StrCat("env -i ", env, " ", command, " 2>&1");
  ProgramRun run;
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;)
    run.output.append(buffer, n);
  const int status = pclose(pipe);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

TEST(VersionTest, EveryProgramPrintsItsReleaseAndExitsZero) {
  // The build's values are not the empty string (CMake's defaults at least).
  ASSERT_FALSE(common::version::Version().empty());
  ASSERT_FALSE(common::version::Revision().empty());
  for (const char* program : {"partner-service", "project-service",
                              "proposal-service", "gateway", "kyodoctl"}) {
    const ProgramRun run = RunProgram(
        "", absl::StrCat(testing::ChildProcess::Binary(program), " --version"));
    EXPECT_EQ(run.exit_code, 0) << program << ":\n" << run.output;
    EXPECT_EQ(run.output,
              absl::StrCat(program, " ", common::version::Version(),
                           " (revision ", common::version::Revision(), ")\n"))
        << program;
  }
}

TEST(VersionTest, KyodoVersionInTheEnvironmentIsNotTheFlag) {
  // A service reads every KYODO_<FLAG> variable as its flag; abseil's
  // --version is a flag too, but KYODO_VERSION names a release and must
  // neither print the version nor fail as a bad boolean.
  const ProgramRun ctl =
      RunProgram("KYODO_VERSION=1.2.3",
                 testing::ChildProcess::Binary("kyodoctl") + " --helpshort");
  EXPECT_FALSE(absl::StrContains(ctl.output, "invalid configuration"))
      << ctl.output;
  EXPECT_FALSE(
      absl::StrContains(ctl.output, common::version::VersionLine("kyodoctl")))
      << ctl.output;
  EXPECT_TRUE(absl::StrContains(ctl.output, "kyodoctl: the command line"))
      << ctl.output;
  // A service with a setting of its own in the environment still reads it.
  const ProgramRun service = RunProgram(
      "KYODO_VERSION=1.2.3 KYODO_DB_PORT=notaport",
      testing::ChildProcess::Binary("partner-service") + " --migrate_only");
  EXPECT_EQ(service.exit_code, 2) << service.output;
  EXPECT_TRUE(absl::StrContains(service.output, "KYODO_DB_PORT"))
      << service.output;
  EXPECT_FALSE(absl::StrContains(service.output, "KYODO_VERSION"))
      << service.output;
}

}  // namespace
}  // namespace kyodo::deploy
