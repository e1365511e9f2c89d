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
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

// Flags absl handles itself (help and flag files).
bool IsBuiltinFlag(absl::string_view name) {
  for (absl::string_view builtin :
       {"help", "helpfull", "helpshort", "helppackage", "helpon", "helpmatch",
        "version", "only_check_args", "flagfile", "fromenv", "tryfromenv",
        "undefok"}) {
    if (name == builtin) return true;
  }
  return false;
}

// Checks every --flag of argv before absl parses it, so that a wrong flag
// exits with status 2 and a message saying which one (absl would exit 1).
void CheckCommandLine(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg(argv[i]);
    if (arg == "--") return;
    if (arg.size() < 2 || arg[0] != '-') continue;
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    const size_t eq = arg.find('=');
    std::string name(arg.substr(0, eq));
    if (IsBuiltinFlag(name)) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* negated =
          absl::FindCommandLineFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>() &&
          eq == absl::string_view::npos) {
        continue;
      }
    }
    if (flag == nullptr) Fail(absl::StrCat("unknown flag --", name));
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->IsOfType<bool>()) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      Fail(absl::StrCat("--", name, " needs a value"));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      Fail(absl::StrCat("--", name, ": ", error));
    }
  }
}

}  // namespace

std::vector<char*> ParseFlagsAndEnvironment(int argc, char** argv,
                                            absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  ApplyEnvironment();
  CheckCommandLine(argc, argv);
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
