// Start-up configuration from flags and environment.
//
// Every flag `--name` can also be set with the environment variable
// `KYODO_NAME` (upper case); a flag on the command line wins over the
// environment. Secrets are never flag values: flags name files that hold them
// (`--db_password_file`, `--jwt_key_file`), so they stay out of `ps` and logs.
// Invalid configuration stops the process at start-up with a message saying
// which setting is wrong and why (exit code 2).
#ifndef KYODO_COMMON_CONFIG_CONFIG_H_
#define KYODO_COMMON_CONFIG_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kyodo::common::config {

// Applies KYODO_* environment variables to the registered absl flags, then
// parses argv with absl::ParseCommandLine (flags may come before, between and
// after positional arguments; "--" ends them). Exits with status 2 on an
// unknown flag, a missing value or a value that does not parse. Returns the
// positional arguments (argv[0] first). `--version` prints
// "<program> <version> (revision <commit>)" (common/version/version.h) and
// exits 0; abseil's printing flags (--version, --help*) are never read from
// the environment.
std::vector<char*> ParseFlagsAndEnvironment(int argc, char** argv,
                                            absl::string_view usage);

// Reads a secret from `path`, dropping one trailing newline. Fails with
// FAILED_PRECONDITION when the file is missing, unreadable or empty; the
// message names `setting` and the path, never the content.
absl::StatusOr<std::string> ReadSecretFile(absl::string_view setting,
                                           absl::string_view path);

// Prints "kyodo: invalid configuration: <message>" to stderr and exits with
// status 2.
[[noreturn]] void Fail(absl::string_view message);

}  // namespace kyodo::common::config

#endif  // KYODO_COMMON_CONFIG_CONFIG_H_
