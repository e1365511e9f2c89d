// Test support of the gateway's HTTP entry: the suite as processes
// (tests/testing/cluster.h) with the gateway serving HTTP on a free port,
// and `curl` as the client (the tests speak HTTP only through it).
#ifndef KYODO_TESTS_GATEWAY_HTTP_HTTP_TESTING_H_
#define KYODO_TESTS_GATEWAY_HTTP_HTTP_TESTING_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/testing/cluster.h"

namespace kyodo::testing {

// What curl got: the status, headers (names in lower case; the last value
// of a repeated one) and the body.
struct CurlResult {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  int exit_code = 0;  // curl's own (18 = transfer cut short)

  std::string Header(const std::string& lower_name) const;
};

// Runs `curl -sS <args...> URL`, with `body` (if any) sent as the request
// body from a file.
CurlResult Curl(const std::string& url, const std::vector<std::string>& args,
                const std::string* body = nullptr);

// POST of a Connect unary JSON call; `token` empty = no Authorization.
CurlResult ConnectJson(const std::string& base, const std::string& method,
                       const std::string& json, const std::string& token,
                       const std::vector<std::string>& extra = {});

// A cluster whose gateway serves HTTP (extra gateway flags appended).
struct HttpCluster {
  explicit HttpCluster(const std::string& label,
                       std::vector<std::string> gateway_flags = {});
  int http_port = 0;
  std::string base;  // "http://127.0.0.1:PORT"
  std::unique_ptr<Cluster> cluster;
};

// A file's text.
std::string ReadText(const std::string& path);

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_GATEWAY_HTTP_HTTP_TESTING_H_
