// kyodoctl's commands. Each returns the process exit code (see ExitCode).
#ifndef KYODO_KYODOCTL_COMMANDS_H_
#define KYODO_KYODOCTL_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "kyodoctl/client.h"

namespace kyodo::ctl {

// Exit codes scripts can rely on:
//   0   success
//   1   a local problem (file not found, bad input file)
//   2   usage error (unknown command, missing argument)
//   10+ the call failed with gRPC code N: 13 INVALID_ARGUMENT, 15 NOT_FOUND,
//       16 ALREADY_EXISTS, 17 PERMISSION_DENIED, 19 FAILED_PRECONDITION,
//       20 ABORTED, 24 UNAVAILABLE, 26 UNAUTHENTICATED, 14 DEADLINE_EXCEEDED
int ExitCode(const absl::Status& status);

// Prints `status` to stderr (with its reason and field) and returns its exit
// code.
int Fail(const absl::Status& status);

struct Env {
  Client* client = nullptr;
  bool json = false;
  std::vector<std::string> args;  // after the command word(s)
};

int CmdToken(const Env& env);
// Device-flow sign-in at an OpenID provider (login.cc).
int CmdLogin(const Env& env);
int CmdCall(const Env& env);
int CmdSeed(const Env& env);
int CmdHealth(const Env& env);
int CmdPartners(const Env& env);
// programmes, calls, proposals, reviewers, reviews, preview, finalize,
// publish (args[0] is the command word).
int CmdSelection(const Env& env);
// projects, dashboard, export, profile (args[0] is the command word).
int CmdViews(const Env& env);
// score-sheets CALL: the committee's sheets as CSV (score_sheets.cc).
int CmdScoreSheets(const Env& env);
// events [proposals|projects|partners] [--after] [--on] [--follow]: a
// service's change feed, proposal-service's by default (events.cc).
int CmdEvents(const Env& env);
// documents attach|list|get|fetch|delete: a record's documents
// (documents.cc).
int CmdDocuments(const Env& env);

}  // namespace kyodo::ctl

#endif  // KYODO_KYODOCTL_COMMANDS_H_
