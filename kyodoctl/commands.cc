// kyodoctl token, call, seed and health.
#include "kyodoctl/commands.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <map>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/auth/token.h"
#include "common/config/config.h"
#include "common/status/errors.h"
#include "common/text/enum_label.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.pb.h"
#include "kyodoctl/format.h"
#include "kyodoctl/seed.h"

ABSL_FLAG(std::string, role, "admin",
          "token: admin, ward_staff, reviewer, applicant, viewer, screener or "
          "notifier");
ABSL_FLAG(std::string, sub, "", "token: subject (default: the role)");
ABSL_FLAG(std::string, ward, "", "token: ward of ward_staff, e.g. ASAO");
ABSL_FLAG(std::string, partner, "", "token: partner of an applicant");
ABSL_FLAG(std::string, reviewer, "", "token: reviewer identity");
ABSL_FLAG(std::string, jwt_key_file, "", "token: HS256 key file");
ABSL_FLAG(std::string, jwt_issuer, "kyodo-local", "token: issuer");
ABSL_FLAG(std::string, jwt_audience, "kyodo", "token: audience");
ABSL_FLAG(absl::Duration, ttl, absl::Hours(8), "token: lifetime");

namespace kyodo::ctl {

int ExitCode(const absl::Status& status) {
  if (status.ok()) return 0;
  return 10 + static_cast<int>(status.code());
}

int Fail(const absl::Status& status) {
  std::cerr << "kyodoctl: " << absl::StatusCodeToString(status.code()) << ": "
            << status.message();
  const std::string reason = common::ErrorReason(status);
  if (!reason.empty()) std::cerr << " [" << reason << "]";
  if (auto bad = common::GetBadRequest(status);
      bad.has_value() && bad->field_violations_size() > 0) {
    std::cerr << " (field " << bad->field_violations(0).field() << ")";
  }
  std::cerr << "\n";
  // The reason in words, from the protos (label.proto, explanation).
  kyodo::type::v1::ErrorReason declared;
  if (kyodo::type::v1::ErrorReason_Parse(reason, &declared)) {
    const std::string words = common::EnumExplanation(
        *kyodo::type::v1::ErrorReason_descriptor(), declared);
    if (!words.empty()) std::cerr << "  " << words << "\n";
  }
  return ExitCode(status);
}

int CmdToken(const Env& env) {
  auto role = common::auth::ParseRole(absl::GetFlag(FLAGS_role));
  if (!role.has_value()) {
    std::cerr << "kyodoctl token: --role must be admin, ward_staff, reviewer, "
                 "applicant, viewer, screener or notifier\n";
    return 2;
  }
  common::auth::Principal p;
  p.role = *role;
  p.subject = absl::GetFlag(FLAGS_sub);
  if (p.subject.empty())
    p.subject = std::string(common::auth::RoleName(p.role));
  const std::string ward = absl::GetFlag(FLAGS_ward);
  if (!ward.empty() && !kyodo::type::v1::Ward_Parse(ward, &p.ward)) {
    std::cerr << "kyodoctl token: unknown --ward " << ward << "\n";
    return 2;
  }
  p.partner = absl::GetFlag(FLAGS_partner);
  p.reviewer = absl::GetFlag(FLAGS_reviewer);
  auto key = common::config::ReadSecretFile("--jwt_key_file",
                                            absl::GetFlag(FLAGS_jwt_key_file));
  if (!key.ok()) {
    Fail(key.status());
    return 1;
  }
  common::auth::MintOptions options;
  options.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  options.audience = absl::GetFlag(FLAGS_jwt_audience);
  options.key = *key;
  options.lifetime = absl::GetFlag(FLAGS_ttl);
  auto token = common::auth::MintToken(p, options);
  if (!token.ok()) return Fail(token.status());
  std::cout << *token << "\n";
  return 0;
}

int CmdCall(const Env& env) {
  if (env.args.empty() || env.args.size() > 2) {
    std::cerr
        << "usage: kyodoctl call <Service.Method> ['<JSON request>' | -]\n";
    return 2;
  }
  auto method = Client::FindMethod(env.args[0]);
  if (!method.ok()) return Fail(method.status());
  std::string json = env.args.size() == 2 ? env.args[1] : "{}";
  if (json == "-") {
    json.assign(std::istreambuf_iterator<char>(std::cin), {});
  }
  auto request = Client::NewRequest(*method);
  auto parsed =
      google::protobuf::util::JsonStringToMessage(json, request.get());
  if (!parsed.ok()) {
    std::cerr << "kyodoctl call: the request is not a valid "
              << (*method)->input_type()->full_name() << ": "
              << parsed.message().ToString() << "\n";
    return 1;
  }
  std::unique_ptr<google::protobuf::Message> response(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype((*method)->output_type())
          ->New());
  absl::Status status = env.client->Call(*method, *request, response.get());
  if (!status.ok()) return Fail(status);
  std::cout << ToJson(*response) << "\n";
  return 0;
}

int CmdSeed(const Env& env) {
  if (env.args.empty()) {
    std::cerr << "usage: kyodoctl seed FILE.textproto...\n";
    return 2;
  }
  std::map<std::string, std::string> refs;
  for (const std::string& path : env.args) {
    // Progress: a counter on a terminal, one summary line otherwise.
    const bool tty = isatty(STDERR_FILENO) != 0;
    absl::Status status =
        LoadSeedFile(*env.client, path, refs, [&](int done, int total) {
          if (tty)
            std::cerr << "\r" << path << ": " << done << "/" << total
                      << std::flush;
          if (done == total) {
            std::cerr << (tty ? "\n" : "")
                      << (tty ? ""
                              : path + ": " + std::to_string(total) +
                                    " calls\n");
          }
        });
    if (!status.ok()) {
      std::cerr << "\n";
      return Fail(status);
    }
  }
  if (env.json) {
    for (const auto& [ref, name] : refs) {
      std::cout << "{\"ref\":\"" << ref << "\",\"name\":\"" << name << "\"}\n";
    }
  }
  return 0;
}

int CmdHealth(const Env& env) {
  const std::vector<std::string> services = {
      "kyodo.partner.v1.PartnerService", "kyodo.project.v1.ProjectService",
      "kyodo.proposal.v1.ProposalService", "kyodo.gateway.v1.Gateway",
      // notifier/ (no API of its own: health only, at --addr).
      "kyodo.notifier.Notifier"};
  int worst = 0;
  for (const std::string& service : services) {
    if (!env.args.empty() && std::find(env.args.begin(), env.args.end(),
                                       service) == env.args.end()) {
      continue;
    }
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    static const auto* check =
        *Client::FindMethod("grpc.health.v1.Health.Check");
    absl::Status status =
        env.client->CallVia(service, check, request, &response);
    std::string state =
        status.ok() ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                          response.status())
                    : absl::StatusCodeToString(status.code());
    if (status.code() == absl::StatusCode::kNotFound)
      continue;  // not served there
    std::cout << service << "\t" << env.client->AddressOf(service) << "\t"
              << state << "\n";
    if (!status.ok() ||
        response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      worst = status.ok() ? 1 : ExitCode(status);
    }
  }
  return worst;
}

}  // namespace kyodo::ctl
