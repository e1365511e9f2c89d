// kyodoctl: the command line of kyodo for ward staff and operators.
//
//   kyodoctl [flags] <command> [arguments]
//
// Commands: login, token, call, seed, health, partners, documents, ...
// `kyodoctl --help` lists the flags; every flag can also come from KYODO_<FLAG>
// (e.g. KYODO_TOKEN, KYODO_ADDR). Exit codes: see commands.h.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "kyodoctl/client.h"
#include "kyodoctl/commands.h"

ABSL_FLAG(std::string, addr, "",
          "address of every service (the gateway); overrides the per-service "
          "defaults");
ABSL_FLAG(std::string, partner_addr, "127.0.0.1:50051", "partner-service");
ABSL_FLAG(std::string, project_addr, "127.0.0.1:50052", "project-service");
ABSL_FLAG(std::string, proposal_addr, "127.0.0.1:50053", "proposal-service");
ABSL_FLAG(std::string, gateway_addr, "127.0.0.1:50050", "gateway");
ABSL_FLAG(std::string, token, "", "bearer token (or KYODO_TOKEN)");
ABSL_FLAG(bool, json, false, "print JSON lines instead of tables");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30), "deadline of each call");

namespace {

constexpr char kUsage[] =
    "kyodoctl: the command line of kyodo (協働)\n"
    "\n"
    "  kyodoctl login --issuer=URL                       sign in (device "
    "flow)\n"
    "  kyodoctl token --role=admin --jwt_key_file=FILE   mint a local token\n"
    "  kyodoctl health                                   services' health\n"
    "  kyodoctl partners list|get|search ...             partners\n"
    "  kyodoctl projects list|get ...                    projects (get = "
    "dossier)\n"
    "  kyodoctl programmes list | calls ... | proposals ... | reviewers ...\n"
    "  kyodoctl reviewers list|progress CALL | assign REVIEWER [PROPOSAL...]\n"
    "  kyodoctl reviewers stages REVIEWER [STAGE...]     the stages it scores\n"
    "  kyodoctl calls advance CALL [--validate_only]     close a review stage\n"
    "  kyodoctl reviews list|submit ...                  committee reviews\n"
    "  kyodoctl preview|finalize|publish CALL            the decision\n"
    "  kyodoctl score-sheets CALL [--dir=DIR]            the committee's "
    "sheets (CSV)\n"
    "  kyodoctl dashboard WARD | profile PARTNER         composed views\n"
    "  kyodoctl export --dataset=projects|results --format=csv|jsonl "
    "[--out=F]\n"
    "  kyodoctl events [proposals|projects|partners] [--after=C] "
    "[--on=NAME] [--follow]\n"
    "                                                    a change feed\n"
    "  kyodoctl documents attach RECORD FILE --kind=K    a record's "
    "documents\n"
    "  kyodoctl documents list RECORD | get|fetch|delete DOCUMENT\n"
    "  kyodoctl call <Service.Method> '<JSON>'           any method\n"
    "  kyodoctl seed FILE.textproto...                   load example data\n"
    "\n"
    "Exit codes: 0 ok, 1 local error, 2 usage, 10+N the call failed with gRPC\n"
    "code N (13 INVALID_ARGUMENT, 15 NOT_FOUND, 17 PERMISSION_DENIED, ...).\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args =
      kyodo::common::config::ParseFlagsAndEnvironment(argc, argv, kUsage);
  if (args.size() < 2) {
    std::cerr << kUsage;
    return 2;
  }
  kyodo::ctl::ClientOptions options;
  options.default_address = absl::GetFlag(FLAGS_addr);
  if (options.default_address.empty()) {
    options.addresses = {
        {"kyodo.partner.v1.PartnerService", absl::GetFlag(FLAGS_partner_addr)},
        {"kyodo.project.v1.ProjectService", absl::GetFlag(FLAGS_project_addr)},
        {"kyodo.proposal.v1.ProposalService",
         absl::GetFlag(FLAGS_proposal_addr)},
        {"kyodo.gateway.v1.Gateway", absl::GetFlag(FLAGS_gateway_addr)}};
    options.default_address = absl::GetFlag(FLAGS_gateway_addr);
  }
  options.token = absl::GetFlag(FLAGS_token);
  options.timeout = absl::GetFlag(FLAGS_timeout);
  kyodo::ctl::Client client(options);

  kyodo::ctl::Env env;
  env.client = &client;
  env.json = absl::GetFlag(FLAGS_json);
  const std::string command = args[1];
  env.args.assign(args.begin() + 2, args.end());
  if (command == "token") return kyodo::ctl::CmdToken(env);
  if (command == "login") return kyodo::ctl::CmdLogin(env);
  if (command == "call") return kyodo::ctl::CmdCall(env);
  if (command == "seed") return kyodo::ctl::CmdSeed(env);
  if (command == "health") return kyodo::ctl::CmdHealth(env);
  if (command == "partners") return kyodo::ctl::CmdPartners(env);
  if (command == "events") return kyodo::ctl::CmdEvents(env);
  if (command == "documents") return kyodo::ctl::CmdDocuments(env);
  for (const char* word : {"programmes", "calls", "proposals", "reviewers",
                           "reviews", "preview", "finalize", "publish"}) {
    if (command == word) {
      env.args.insert(env.args.begin(), command);
      return kyodo::ctl::CmdSelection(env);
    }
  }
  if (command == "score-sheets") {
    env.args.insert(env.args.begin(), command);
    return kyodo::ctl::CmdScoreSheets(env);
  }
  for (const char* word : {"projects", "dashboard", "export", "profile"}) {
    if (command == word) {
      env.args.insert(env.args.begin(), command);
      return kyodo::ctl::CmdViews(env);
    }
  }
  std::cerr << "kyodoctl: unknown command " << command << "\n\n" << kUsage;
  return 2;
}
