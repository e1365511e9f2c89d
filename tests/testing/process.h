// Test support: one kyodo binary run as a child process with its log in a
// file, for tests that signal, kill and restart it.
#ifndef KYODO_TESTS_TESTING_PROCESS_H_
#define KYODO_TESTS_TESTING_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace kyodo::testing {

class ChildProcess {
 public:
  // `binary` is a path; `args` its arguments (without argv[0]); stderr goes
  // to `log_path`. Starts nothing yet.
  ChildProcess(std::string binary, std::vector<std::string> args,
               std::string log_path);
  // Kills it (SIGKILL) if still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool Start();
  void Signal(int signal);
  // Waits until it exits; true with its exit status in `*status` when it
  // did within `timeout`.
  bool Wait(absl::Duration timeout, int* status = nullptr);
  bool Running();
  pid_t pid() const { return pid_; }
  // The port of the last log line `msg` (with a "port" field: "serving",
  // "serving metrics", "serving HTTP") this start wrote, waited for up to
  // `timeout`; 0 when none came or the process exited. How a test learns
  // the port a child bound for a listen address with port 0.
  int WaitForLoggedPort(const std::string& msg, absl::Duration timeout);
  std::string LogTail(int lines = 30) const;
  // The kyodo binary `name` of the build tree (e.g. "partner-service").
  static std::string Binary(const std::string& name);

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string log_path_;
  pid_t pid_ = 0;
  int64_t log_start_ = 0;  // the log's size at Start()
};

// A program run to its end: how it ended, what it printed on standard
// output, and its peak resident memory.
struct ProgramRun {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string out;
  int64_t max_rss_kib = 0;
};

// Runs `binary` with `args` (without argv[0]) to its end; its standard
// error is appended to the file at `log_path`.
ProgramRun RunToEnd(const std::string& binary,
                    const std::vector<std::string>& args,
                    const std::string& log_path);

// The port of the last log line `msg` in the log at `path` from byte
// `offset` on (the JSON lines of common/log); 0 when there is none.
int LoggedPort(const std::string& path, int64_t offset, const std::string& msg);

// The last `lines` lines of the file at `path` ("" when it cannot be read).
std::string FileTail(const std::string& path, int lines);

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_PROCESS_H_
