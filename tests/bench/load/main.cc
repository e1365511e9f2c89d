// kyodo-load: a load generator for any unary method of kyodo (or of the
// echo floor), by name, with requests given as JSON (proto field names)
// through the linked descriptors, as kyodoctl's `call` does.
//
//   kyodo-load --addr=127.0.0.1:50051 --method=PartnerService.GetPartner
//     --requests_file=getpartner.jsonl --jwt_key_file=jwt.key
//     --in_flight=1,2,4,8,16,32,64 --duration=5s
//   kyodo-load ... --rate=500,1000          # open loop, calls per second
//
// Prints one JSON object on stdout: the method, the address and one entry
// per load point (see driver.h and latency.h for the fields).
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/auth/token.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "kyodo/bench/v1/echo.pb.h"
#include "kyodoctl/client.h"
#include "tests/bench/load/driver.h"

ABSL_FLAG(std::string, addr, "127.0.0.1:50050", "address to call");
ABSL_FLAG(std::string, method, "",
          "method: full name, Service.Method or a unique bare name");
ABSL_FLAG(std::string, request, "{}", "one request as JSON");
ABSL_FLAG(std::string, requests_file, "",
          "JSON requests, one per line, cycled (overrides --request)");
ABSL_FLAG(std::string, token_file, "", "file holding a bearer token");
// kyodoctl's own --jwt_key_file, --jwt_issuer and --jwt_audience (defined
// once in the program, by kyodoctl/commands.cc in the kyodoctl library
// linked here): the HS256 key to mint an admin token with instead of
// --token_file, and that token's issuer and audience.
ABSL_DECLARE_FLAG(std::string, jwt_key_file);
ABSL_DECLARE_FLAG(std::string, jwt_issuer);
ABSL_DECLARE_FLAG(std::string, jwt_audience);
ABSL_FLAG(std::string, in_flight, "",
          "closed loop: comma-separated calls in flight, one point each");
ABSL_FLAG(std::string, rate, "",
          "open loop: comma-separated calls per second, one point each");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1),
          "unrecorded warm-up per point");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5),
          "recorded time per point");
ABSL_FLAG(absl::Duration, call_deadline, absl::Seconds(5),
          "deadline of each call (not --deadline: the kyodoctl library, "
          "linked in, has one)");
ABSL_FLAG(int, channels, 2, "channels (connections) to spread calls over");
ABSL_FLAG(std::string, label, "", "copied into the output");

namespace {

namespace pb = google::protobuf;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "kyodo-load: %s\n", message.c_str());
  std::exit(2);
}

// The file's text without trailing whitespace (as the services read secrets).
std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::string text(std::istreambuf_iterator<char>(in), {});
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  return text;
}

std::vector<int> IntList(const std::string& text) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int n = 0;
    if (!absl::SimpleAtoi(part, &n) || n <= 0) Die("bad number in " + text);
    out.push_back(n);
  }
  return out;
}

std::vector<grpc::ByteBuffer> Requests(const pb::MethodDescriptor* method) {
  std::vector<std::string> lines;
  if (const std::string file = absl::GetFlag(FLAGS_requests_file);
      !file.empty()) {
    for (absl::string_view line :
         absl::StrSplit(ReadFile(file), '\n', absl::SkipWhitespace())) {
      lines.emplace_back(line);
    }
  } else {
    lines.push_back(absl::GetFlag(FLAGS_request));
  }
  if (lines.empty()) Die("no requests");
  std::vector<grpc::ByteBuffer> out;
  for (const std::string& line : lines) {
    auto message = kyodo::ctl::Client::NewRequest(method);
    auto status = pb::util::JsonStringToMessage(line, message.get());
    if (!status.ok())
      Die(absl::StrCat("request ", line, ": ", status.ToString()));
    const std::string bytes = message->SerializeAsString();
    grpc::Slice slice(bytes);
    out.emplace_back(&slice, 1);
  }
  return out;
}

std::string Authorization() {
  if (const std::string file = absl::GetFlag(FLAGS_token_file); !file.empty()) {
    return "Bearer " + ReadFile(file);
  }
  const std::string key_file = absl::GetFlag(FLAGS_jwt_key_file);
  if (key_file.empty()) return "";
  kyodo::common::auth::MintOptions mint;
  mint.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  mint.audience = absl::GetFlag(FLAGS_jwt_audience);
  mint.key = ReadFile(key_file);
  kyodo::common::auth::Principal admin;
  admin.subject = "kyodo-load";
  admin.role = kyodo::common::auth::Role::kAdmin;
  auto token = kyodo::common::auth::MintToken(admin, mint);
  if (!token.ok()) Die(std::string(token.status().message()));
  return "Bearer " + *token;
}

std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& addr) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < absl::GetFlag(FLAGS_channels); ++i) {
    grpc::ChannelArguments args;
    // A connection of its own per channel (not a shared subchannel).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("kyodo.load.channel", i);
    auto channel = grpc::CreateCustomChannel(
        addr, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(
            absl::ToChronoTime(absl::Now() + absl::Seconds(10)))) {
      Die("cannot connect to " + addr);
    }
    out.push_back(std::move(channel));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  (void)kyodo::bench::v1::EchoMessage::descriptor();  // links the echo floor's
                                                      // proto
  (void)kyodo::ctl::KyodoPool();
  auto method = kyodo::ctl::Client::FindMethod(absl::GetFlag(FLAGS_method));
  if (!method.ok()) Die(std::string(method.status().message()));
  kyodo::bench::Target target;
  target.path = absl::StrCat("/", (*method)->service()->full_name(), "/",
                             (*method)->name());
  target.requests = Requests(*method);
  target.authorization = Authorization();
  target.deadline = absl::GetFlag(FLAGS_call_deadline);
  target.channels = Channels(absl::GetFlag(FLAGS_addr));
  kyodo::bench::Phase phase{absl::GetFlag(FLAGS_warmup),
                            absl::GetFlag(FLAGS_duration)};

  nlohmann::json out;
  out["label"] = absl::GetFlag(FLAGS_label);
  out["method"] = (*method)->full_name();
  out["addr"] = absl::GetFlag(FLAGS_addr);
  out["requests"] = target.requests.size();
  out["deadline_ms"] = absl::ToDoubleMilliseconds(target.deadline);
  out["points"] = nlohmann::json::array();
  for (int n : IntList(absl::GetFlag(FLAGS_in_flight))) {
    nlohmann::json point = kyodo::bench::RunClosedLoop(target, n, phase);
    std::fprintf(
        stderr, "%s in_flight=%d: %.0f calls/s p50 %.3f ms p99 %.3f ms\n",
        target.path.c_str(), n, point["calls_per_s"].get<double>(),
        point["p50_ms"].is_null() ? 0.0 : point["p50_ms"].get<double>(),
        point["p99_ms"].is_null() ? 0.0 : point["p99_ms"].get<double>());
    out["points"].push_back(std::move(point));
  }
  for (int r : IntList(absl::GetFlag(FLAGS_rate))) {
    nlohmann::json point = kyodo::bench::RunOpenLoop(target, r, phase);
    std::fprintf(
        stderr, "%s rate=%d: %.0f calls/s p50 %.3f ms late %lld\n",
        target.path.c_str(), r, point["calls_per_s"].get<double>(),
        point["p50_ms"].is_null() ? 0.0 : point["p50_ms"].get<double>(),
        point["late_sends"].get<long long>());
    out["points"].push_back(std::move(point));
  }
  std::cout << out.dump(2) << std::endl;
  return 0;
}
