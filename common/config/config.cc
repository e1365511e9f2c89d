#include "common/config/config.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/version/version.h"

extern char** environ;

namespace kyodo::common::config {

void Fail(absl::string_view message) {
  std::fprintf(stderr, "kyodo: invalid configuration: %.*s\n",
               static_cast<int>(message.size()), message.data());
  std::exit(2);
}

namespace {

void ApplyEnvironment() {
  constexpr absl::string_view kPrefix = "KYODO_";
  for (char** env = environ; env != nullptr && *env != nullptr; ++env) {
    absl::string_view entry(*env);
    if (entry.substr(0, kPrefix.size()) != kPrefix) continue;
    size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) continue;
    std::string name(entry.substr(kPrefix.size(), eq - kPrefix.size()));
    for (char& c : name) c = static_cast<char>(std::tolower(c));
    // abseil's own flags that print and exit are for the command line
    // only: KYODO_VERSION in particular names a release (the Dockerfile's
    // build argument), and must not make a service print and stop.
    if (name == "help" || name == "helpfull" || name == "helpshort" ||
        name == "helppackage" || name == "helpmatch" || name == "helpon" ||
        name == "version" || name == "only_check_args") {
      continue;
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    // Variables for other tools (or tests) share the prefix; only ours apply.
    if (flag == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(entry.substr(eq + 1), &error)) {
      Fail(absl::StrCat("environment variable ", entry.substr(0, eq), ": ",
                        error));
    }
  }
}

}  // namespace

std::vector<char*> ParseFlagsAndEnvironment(int argc, char** argv,
                                            absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  // `--version` (abseil's flag) prints the release and exits 0.
  std::string program = argc > 0 ? argv[0] : "kyodo";
  if (size_t slash = program.rfind('/'); slash != std::string::npos) {
    program = program.substr(slash + 1);
  }
  absl::FlagsUsageConfig usage_config;
  usage_config.version_string = [program] {
    return version::VersionLine(program);
  };
  absl::SetFlagsUsageConfig(usage_config);
  ApplyEnvironment();
  return absl::ParseCommandLine(argc, argv);
}

absl::StatusOr<std::string> ReadSecretFile(absl::string_view setting,
                                           absl::string_view path) {
  if (path.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(setting, " is required (a file holding the secret)"));
  }
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat(setting, ": cannot read ", path));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string secret = buffer.str();
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(setting, ": ", path, " is empty"));
  }
  return secret;
}

}  // namespace kyodo::common::config

// absl::ParseCommandLine reports each fatal usage error (an unknown flag, a
// missing or unparsable value) through this hook, declared in
// absl/flags/usage_config.h, before it exits with status 1. Exiting here
// instead gives kyodo's documented status 2 and message, while absl alone
// parses the command line. (absl has printed "ERROR: <message>" just before.)
extern "C" void ABSL_INTERNAL_C_SYMBOL(AbslInternalReportFatalUsageError)(
    absl::string_view message) {
  kyodo::common::config::Fail(message);
}
