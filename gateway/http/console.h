// The ward-office web console (web/, docs/CONSOLE.md) served as static
// files by the HTTP entry: GET (or HEAD) of any path that is not an API
// path answers a file of the built console's folder (--http_console_dir),
// and a path without a file extension answers index.html, so the console's
// own routes (/calls/..., /results/...) load the application. Files are
// read once at start: the folder is a build output that does not change
// under a running gateway, and nothing on disk is reached by a request's
// path (no traversal to check at request time beyond a table lookup).
#ifndef KYODO_GATEWAY_HTTP_CONSOLE_H_
#define KYODO_GATEWAY_HTTP_CONSOLE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gateway/http/handler.h"

namespace kyodo::gateway::http {

struct ConsoleOptions {
  std::string dir;  // the built console (build/web/dist)
  // The OpenID provider the console signs in with, and its client id; sent
  // to the console as /console-config.json and allowed in its CSP.
  std::string oidc_issuer;
  std::string oidc_client_id = "kyodo-console";
};

class Console {
 public:
  // Reads every regular file under options.dir (no symbolic links, no
  // dot files). Fails when the folder has no index.html.
  static absl::StatusOr<std::unique_ptr<Console>> Load(ConsoleOptions options);

  // The answer to a GET or HEAD of `path` ("/", "/assets/main-X.js",
  // "/calls/abc"): the file with its content type and cache headers, the
  // index for a route, or 404. Sets `console` on the response (its
  // headers: see ContentSecurityPolicy).
  Response Serve(const std::string& path) const;

  // The policy of the console's pages: scripts, styles and data from the
  // console's own origin, sign-in calls to the OpenID provider only.
  std::string ContentSecurityPolicy() const;

  size_t files() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  explicit Console(ConsoleOptions options) : options_(std::move(options)) {}
  Response Answer(const File& file, bool immutable) const;

  ConsoleOptions options_;
  std::map<std::string, File> files_;  // "/index.html" -> file
};

}  // namespace kyodo::gateway::http

#endif  // KYODO_GATEWAY_HTTP_CONSOLE_H_
