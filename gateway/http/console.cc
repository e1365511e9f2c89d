// Static serving of the built console (see console.h).
#include "gateway/http/console.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace kyodo::gateway::http {
namespace {

namespace fs = std::filesystem;

constexpr char kIndex[] = "/index.html";
constexpr char kConfig[] = "/console-config.json";

std::string ContentType(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  const std::string ext =
      absl::AsciiStrToLower(fs::path(path).extension().string());
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

// esbuild names the bundles with a content hash (main-ABCD1234.js): such a
// file never changes under its name.
bool Hashed(const std::string& path) {
  const std::string stem = fs::path(path).stem().string();
  const size_t dash = stem.rfind('-');
  if (dash == std::string::npos || stem.size() - dash - 1 < 8) return false;
  for (char c : stem.substr(dash + 1)) {
    if (!absl::ascii_isalnum(c)) return false;
  }
  return true;
}

Response NotFound() {
  Response response;
  response.status = 404;
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  response.body = "not found\n";
  return response;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Console>> Console::Load(ConsoleOptions options) {
  std::unique_ptr<Console> console(new Console(options));
  std::error_code error;
  const fs::path root = fs::canonical(options.dir, error);
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http_console_dir ", options.dir, ": ", error.message()));
  }
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (absl::StartsWith(name, ".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink() || !it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read ", it->path().string()));
    }
    const std::string key =
        "/" + fs::relative(it->path(), root).generic_string();
    console->files_[key] = File{
        ContentType(key), std::string(std::istreambuf_iterator<char>(in), {})};
  }
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http_console_dir ", options.dir, ": ", error.message()));
  }
  if (!console->files_.contains(kIndex)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_console_dir ", options.dir,
                     " has no index.html (build it with web/build.sh)"));
  }
  nlohmann::json config = {{"issuer", options.oidc_issuer},
                           {"clientId", options.oidc_client_id}};
  console->files_[kConfig] = File{"application/json", config.dump()};
  return console;
}

std::string Console::ContentSecurityPolicy() const {
  std::string connect = "'self'";
  if (!options_.oidc_issuer.empty())
    absl::StrAppend(&connect, " ", options_.oidc_issuer);
  return absl::StrCat(
      "default-src 'none'; script-src 'self'; style-src 'self'; "
      "img-src 'self' data:; font-src 'self'; connect-src ",
      connect, "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
}

Response Console::Answer(const File& file, bool immutable) const {
  Response response;
  response.console = true;
  response.headers.emplace_back("Content-Type", file.content_type);
  // The index and the configuration are checked at every load (a new
  // build's index names new bundles); the hashed bundles are kept.
  response.headers.emplace_back(
      "Cache-Control",
      immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.body = file.body;
  return response;
}

Response Console::Serve(const std::string& path) const {
  if (path.empty() || path[0] != '/') return NotFound();
  // Files are looked up by name in the table read at start, never opened by
  // the request's path; a segment starting with a dot ("..", ".git") or
  // holding a backslash is refused anyway, so a route never stands for a
  // parent or hidden folder either.
  for (absl::string_view segment : absl::StrSplit(path, '/')) {
    if (absl::StartsWith(segment, ".") || absl::StrContains(segment, '\\') ||
        absl::StrContains(segment, '\0'))
      return NotFound();
  }
  const std::string key = path == "/" ? kIndex : path;
  auto it = files_.find(key);
  if (it != files_.end()) {
    return Answer(it->second, key != kIndex && key != kConfig && Hashed(key));
  }
  // A file that is not there is a 404; a route (no extension in its last
  // segment) is the application's, which the index loads.
  const std::string last = path.substr(path.rfind('/') + 1);
  if (absl::StrContains(last, '.')) return NotFound();
  Response response = Answer(files_.at(kIndex), false);
  return response;
}

}  // namespace kyodo::gateway::http
