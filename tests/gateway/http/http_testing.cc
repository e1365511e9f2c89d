#include "tests/gateway/http/http_testing.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kyodo::testing {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string CurlResult::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

CurlResult Curl(const std::string& url, const std::vector<std::string>& args,
                const std::string* body) {
  char pattern[] = "/tmp/kyodo-curl.XXXXXX";
  const std::string dir = mkdtemp(pattern);
  std::string command = "curl -sS -o " + Quote(dir + "/body") + " -D " +
                        Quote(dir + "/headers") + " -w '%{http_code}'";
  for (const std::string& arg : args) command += " " + Quote(arg);
  if (body != nullptr) {
    std::ofstream(dir + "/request", std::ios::binary) << *body;
    command += " --data-binary @" + Quote(dir + "/request");
  }
  command += " " + Quote(url) + " >" + Quote(dir + "/code") + " 2>" +
             Quote(dir + "/stderr");
  const int rc = std::system(command.c_str());
  CurlResult result;
  result.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  (void)absl::SimpleAtoi(ReadText(dir + "/code"), &result.status);
  result.body = ReadText(dir + "/body");
  for (absl::string_view line :
       absl::StrSplit(ReadText(dir + "/headers"), "\r\n")) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    absl::AsciiStrToLower(&name);
    result.headers[name] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  (void)std::system(("rm -rf " + Quote(dir)).c_str());
  return result;
}

CurlResult ConnectJson(const std::string& base, const std::string& method,
                       const std::string& json, const std::string& token,
                       const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"-X", "POST", "-H",
                                   "Content-Type: application/json"};
  if (!token.empty()) {
    args.push_back("-H");
    args.push_back("Authorization: Bearer " + token);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return Curl(base + "/" + method, args, &json);
}

HttpCluster::HttpCluster(const std::string& label,
                         std::vector<std::string> gateway_flags) {
  // Port 0: the gateway binds a free port and logs it, which is read back
  // (a port chosen here could be taken before the gateway binds it).
  ClusterOptions options;
  gateway_flags.insert(gateway_flags.begin(), "--http_listen=127.0.0.1:0");
  options.extra_flags[Service::kGateway] = std::move(gateway_flags);
  cluster = std::make_unique<Cluster>(label, std::move(options));
  http_port = cluster->LoggedPort(Service::kGateway, "serving HTTP");
  base = absl::StrCat("http://127.0.0.1:", http_port);
}

}  // namespace kyodo::testing
