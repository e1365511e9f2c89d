// kyodoctl login: signs a person in at the city's (or the local) OpenID
// provider with the device authorization grant (RFC 8628), which needs no
// browser on the machine kyodoctl runs on: it prints a code and a web
// address, the person signs in there (in any browser), and kyodoctl prints
// the access token:
//   export KYODO_TOKEN=$(kyodoctl login --issuer=http://127.0.0.1:50057)
#include <unistd.h>

#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/oauth/client.h"
#include "kyodoctl/commands.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, issuer, "",
          "login: the OpenID provider's issuer URL (or KYODO_ISSUER)");
ABSL_FLAG(std::string, client_id, "kyodoctl",
          "login: kyodoctl's client id at the provider");
ABSL_FLAG(std::string, scope, "openid kyodo", "login: scopes asked for");
ABSL_FLAG(std::string, resource, "",
          "login: resource indicator (RFC 8707), if the provider needs one");

namespace kyodo::ctl {
namespace {

using Json = nlohmann::json;
constexpr absl::Duration kHttpTimeout = absl::Seconds(10);

std::string Text(const Json& json, const char* name) {
  return json.is_object() && json.contains(name) && json[name].is_string()
             ? json[name].get<std::string>()
             : std::string();
}

}  // namespace

int CmdLogin(const Env& env) {
  const std::string issuer = absl::GetFlag(FLAGS_issuer);
  if (issuer.empty()) {
    std::cerr << "usage: kyodoctl login --issuer=URL (or KYODO_ISSUER)\n";
    return 2;
  }
  auto metadata = common::oauth::Discover(issuer, kHttpTimeout);
  if (!metadata.ok()) return Fail(metadata.status());
  if (metadata->device_authorization_endpoint.empty()) {
    std::cerr << "kyodoctl login: the provider offers no device flow\n";
    return 1;
  }
  const std::string client_id = absl::GetFlag(FLAGS_client_id);
  const std::string resource = absl::GetFlag(FLAGS_resource);
  auto started =
      common::oauth::PostForm(metadata->device_authorization_endpoint,
                              {{"client_id", client_id},
                               {"scope", absl::GetFlag(FLAGS_scope)},
                               {"resource", resource}},
                              "", "", kHttpTimeout);
  if (!started.ok()) return Fail(started.status());
  const Json device = Json::parse(started->body, nullptr, false);
  const std::string device_code = Text(device, "device_code");
  if (started->status != 200 || device_code.empty()) {
    std::cerr << "kyodoctl login: the provider refused: HTTP "
              << started->status << " " << Text(device, "error") << "\n";
    return 1;
  }
  std::string where = Text(device, "verification_uri_complete");
  if (where.empty()) where = Text(device, "verification_uri");
  std::cerr << "To sign in, open " << where << "\nand confirm the code "
            << Text(device, "user_code") << "\n"
            << std::flush;
  absl::Duration interval = absl::Seconds(5);  // RFC 8628 3.2 default
  if (device.contains("interval") && device["interval"].is_number()) {
    interval = absl::Seconds(device["interval"].get<double>());
  }
  double expires_in = 600;
  if (device.contains("expires_in") && device["expires_in"].is_number()) {
    expires_in = device["expires_in"].get<double>();
  }
  const absl::Time give_up = absl::Now() + absl::Seconds(expires_in);
  while (absl::Now() < give_up) {
    // The wait the protocol prescribes between two polls.
    absl::SleepFor(interval);
    auto polled = common::oauth::PostForm(
        metadata->token_endpoint,
        {{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
         {"device_code", device_code},
         {"client_id", client_id},
         {"resource", resource}},
        "", "", kHttpTimeout);
    if (!polled.ok()) return Fail(polled.status());
    const Json answer = Json::parse(polled->body, nullptr, false);
    if (polled->status == 200 && !Text(answer, "access_token").empty()) {
      std::cout << Text(answer, "access_token") << "\n";
      std::cerr << "Signed in.\n";
      return 0;
    }
    const std::string error = Text(answer, "error");
    if (error == "authorization_pending") continue;
    if (error == "slow_down") {
      interval += absl::Seconds(5);
      continue;
    }
    std::cerr << "kyodoctl login: not signed in ("
              << (error.empty() ? absl::StrCat("HTTP ", polled->status) : error)
              << ")\n";
    return 1;
  }
  std::cerr << "kyodoctl login: the code expired before sign-in\n";
  return 1;
}

}  // namespace kyodo::ctl
