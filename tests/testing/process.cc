#include "tests/testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kyodo::testing {
namespace {

// No environment of the test's for a child (it may carry KYODO_* variables
// for other tools): only the flags count. The sanitizers' settings are the
// exception, so that a sanitizer build's programs report where
// tests/sanitize/run.sh looks.
std::vector<std::string> ChildEnvironment() {
  std::vector<std::string> kept;
  for (const char* name :
       {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name); value != nullptr) {
      kept.push_back(absl::StrCat(name, "=", value));
    }
  }
  return kept;
}

}  // namespace

ChildProcess::ChildProcess(std::string binary, std::vector<std::string> args,
                           std::string log_path)
    : binary_(std::move(binary)),
      args_(std::move(args)),
      log_path_(std::move(log_path)) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string ChildProcess::Binary(const std::string& name) {
  return absl::StrCat(KYODO_BINARY_DIR, "/", name, "/", name);
}

bool ChildProcess::Start() {
  {
    std::ifstream log(log_path_, std::ios::ate | std::ios::binary);
    log_start_ = log ? static_cast<int64_t>(log.tellg()) : 0;
  }
  std::vector<std::string> all = {binary_};
  all.insert(all.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> kept = ChildEnvironment();
  std::vector<char*> env;
  for (std::string& e : kept) env.push_back(e.data());
  env.push_back(nullptr);
  const int rc =
      posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0;
}

void ChildProcess::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

bool ChildProcess::Wait(absl::Duration timeout, int* status) {
  if (pid_ <= 0) return true;
  const absl::Time give_up = absl::Now() + timeout;
  int s = 0;
  while (absl::Now() < give_up) {
    if (waitpid(pid_, &s, WNOHANG) == pid_) {
      pid_ = 0;
      if (status != nullptr) *status = s;
      return true;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
    pid_ = 0;
    return false;
  }
  return true;
}

int ChildProcess::WaitForLoggedPort(const std::string& msg,
                                    absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  for (;;) {
    const int port = LoggedPort(log_path_, log_start_, msg);
    if (port != 0) return port;
    if (!Running() || absl::Now() >= give_up) return 0;
    absl::SleepFor(absl::Milliseconds(10));  // polling the log
  }
}

int LoggedPort(const std::string& path, int64_t offset,
               const std::string& msg) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(offset);
  int port = 0;
  const std::string wanted = absl::StrCat("\"msg\":\"", msg, "\"");
  for (std::string line; std::getline(in, line);) {
    // A line still being written (no newline yet) is read next time.
    if (in.eof() || line.find(wanted) == std::string::npos) continue;
    const size_t at = line.find("\"port\":");
    if (at == std::string::npos) continue;
    port = std::atoi(line.c_str() + at + 7);
  }
  return port;
}

std::string ChildProcess::LogTail(int lines) const {
  return FileTail(log_path_, lines);
}

std::string FileTail(const std::string& path, int lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::ostringstream out;
  for (size_t i = all.size() > static_cast<size_t>(lines) ? all.size() - lines
                                                          : 0;
       i < all.size(); ++i) {
    out << all[i] << "\n";
  }
  return out.str();
}

ProgramRun RunToEnd(const std::string& binary,
                    const std::vector<std::string>& args,
                    const std::string& log_path) {
  ProgramRun run;
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> kept = ChildEnvironment();
  std::vector<char*> env;
  for (std::string& e : kept) env.push_back(e.data());
  env.push_back(nullptr);
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return run;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  const int rc =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return run;
  }
  char buffer[4096];
  for (ssize_t n; (n = read(out[0], buffer, sizeof(buffer))) > 0;) {
    run.out.append(buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) == pid && WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
    run.max_rss_kib = usage.ru_maxrss;
  }
  return run;
}

}  // namespace kyodo::testing
