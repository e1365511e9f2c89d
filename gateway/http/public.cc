// The read-only public surface of the HTTP entry (handler.h), for readers
// who never sign in:
//   GET /public/v1/calls[?page_token=T]     published calls
//   GET /public/v1/programmes/P/calls/C     a published call and its results
//   GET /public/v1/projects[?page_token=T]  the projects
//   GET /public/v1/projects/P/documents[/D] a project's public documents
//                                           (documents.cc)
//   GET /public/v1/open-data/{projects|results}.{csv|jsonl}[?fiscal_year&ward]
// Every call to the services carries the gateway's own public credential
// (role viewer: HandlerOptions::public_token), never the caller's, so the
// services check a token as for any call and answer only what a viewer may
// read. On top of that, a call's results are asked for only once its state
// is PUBLISHED, and whatever is not a published call (missing, a draft,
// open, decided but not published, a malformed name) answers the same 404
// with the same body: nothing tells an unpublished call from none.
// docs/HTTP.md ("Public results") is the reader's view.
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "gateway/http/connect.h"
#include "gateway/http/handler.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "nlohmann/json.hpp"

namespace kyodo::gateway::http {
namespace {

namespace proposal = ::kyodo::proposal::v1;
namespace project = ::kyodo::project::v1;

constexpr char kPrefix[] = "/public/v1/";
constexpr char kListCalls[] = "/kyodo.proposal.v1.ProposalService/ListCalls";
constexpr char kGetCall[] = "/kyodo.proposal.v1.ProposalService/GetCall";
constexpr char kGetDecision[] =
    "/kyodo.proposal.v1.ProposalService/GetDecision";
constexpr char kListProjects[] =
    "/kyodo.project.v1.ProjectService/ListProjects";
// Pages of the API read for one page of published calls at most (the
// others are skipped until one holds a published call).
constexpr int kMaxCallPages = 20;

// The one answer for anything that is not a published result.
Response NotPublished() {
  return Handler::Error(404,
                        grpc::Status(grpc::StatusCode::NOT_FOUND,
                                     "no published results at this address"));
}

Response Json(std::string body) {
  Response response;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

// The fields of a published call a reader sees: its rules and dates, not
// its record keeping (etag, create/update/delete times).
void KeepPublicFields(proposal::Call* call) {
  call->clear_etag();
  call->clear_create_time();
  call->clear_update_time();
  call->clear_delete_time();
}

// Only `page_token` is taken; anything else is INVALID_ARGUMENT.
bool PageToken(const Request& request, std::string* token, Response* error) {
  for (const auto& [key, value] : request.query) {
    if (key != "page_token") {
      *error = Handler::Error(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat(key, ": unknown parameter; use page_token")));
      return false;
    }
    *token = value;
  }
  return true;
}

}  // namespace

absl::Status CheckViewerToken(const std::string& token,
                              const std::string& role_claim) {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string payload;
  if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[1], &payload)) {
    return absl::FailedPreconditionError(
        "the public credential is not a compact JWT");
  }
  const nlohmann::json claims = nlohmann::json::parse(payload, nullptr, false);
  if (!claims.is_object() || !claims.contains(role_claim) ||
      claims[role_claim] != "viewer") {
    return absl::FailedPreconditionError(
        "the public credential must carry the role viewer, and only it");
  }
  return absl::OkStatus();
}

Response Handler::Public(const Request& request) const {
  if (!options_.public_token || !absl::StartsWith(request.path, kPrefix)) {
    return Error(404, grpc::Status(grpc::StatusCode::NOT_FOUND,
                                   "no public surface at " + request.path));
  }
  absl::StatusOr<std::string> token = options_.public_token();
  if (!token.ok()) {
    common::log::Warning("no public credential",
                         {{"error", std::string(token.status().message())}});
    return Error(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              "the public results are unavailable for now"));
  }
  CallOptions call;
  call.deadline = absl::Now() + options_.default_timeout;
  call.metadata.emplace_back("authorization", absl::StrCat("Bearer ", *token));
  const std::string rest = request.path.substr(sizeof(kPrefix) - 1);
  if (rest == "calls") return PublicCalls(request, call);
  if (rest == "projects") return PublicProjects(request, call);
  if (absl::StartsWith(rest, "open-data/")) {
    return Download(request, rest.substr(sizeof("open-data/") - 1), call);
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(rest, '/');
  if ((parts.size() == 3 || parts.size() == 4) && parts[0] == "projects" &&
      !parts[1].empty() && parts[2] == "documents" && request.query.empty() &&
      (parts.size() == 3 || !parts[3].empty())) {
    return PublicDocuments(absl::StrCat("projects/", parts[1]),
                           parts.size() == 4 ? std::string(parts[3]) : "",
                           call);
  }
  if (parts.size() == 4 && parts[0] == "programmes" && parts[2] == "calls" &&
      !parts[1].empty() && !parts[3].empty() && request.query.empty()) {
    return PublicResult(rest, call);
  }
  return NotPublished();
}

Response Handler::PublicCalls(const Request& request,
                              const CallOptions& call) const {
  proposal::ListCallsRequest list;
  list.set_parent("programmes/-");
  list.set_page_size(100);
  Response error;
  std::string page_token;
  if (!PageToken(request, &page_token, &error)) return error;
  if (!page_token.empty()) list.set_page_token(page_token);
  proposal::ListCallsResponse out;
  for (int page = 0; page < kMaxCallPages; ++page) {
    proposal::ListCallsResponse got;
    const grpc::Status status = Call(kListCalls, list, call, &got);
    if (!status.ok()) return Error(status);
    for (proposal::Call& c : *got.mutable_calls()) {
      if (c.state() != proposal::Call::PUBLISHED) continue;
      KeepPublicFields(&c);
      *out.add_calls() = std::move(c);
    }
    out.clear_next_page_token();
    if (got.next_page_token().empty()) break;
    out.set_next_page_token(got.next_page_token());
    if (out.calls_size() > 0) break;
    list.set_page_token(got.next_page_token());
  }
  auto json = Codec::BinaryToJson(out.GetDescriptor(), out.SerializeAsString());
  if (!json.ok()) {
    return Error(grpc::Status(grpc::StatusCode::INTERNAL,
                              std::string(json.status().message())));
  }
  return Json(*std::move(json));
}

Response Handler::PublicResult(const std::string& name,
                               const CallOptions& call) const {
  // Whatever the services answer about a call that is not published
  // (NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT for a malformed name)
  // is the same 404; only failures of the suite itself pass through.
  auto hidden = [](const grpc::Status& status) {
    return status.error_code() != grpc::StatusCode::UNAVAILABLE &&
           status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
           status.error_code() != grpc::StatusCode::INTERNAL;
  };
  proposal::GetCallRequest get;
  get.set_name(name);
  proposal::Call found;
  grpc::Status status = Call(kGetCall, get, call, &found);
  if (!status.ok()) return hidden(status) ? NotPublished() : Error(status);
  if (found.state() != proposal::Call::PUBLISHED) return NotPublished();
  proposal::GetDecisionRequest ask;
  ask.set_name(name);
  proposal::Decision decision;
  status = Call(kGetDecision, ask, call, &decision);
  if (!status.ok()) return hidden(status) ? NotPublished() : Error(status);
  KeepPublicFields(&found);
  decision.clear_decided_by();  // a member of staff's sign-in id
  auto call_json =
      Codec::BinaryToJson(found.GetDescriptor(), found.SerializeAsString());
  auto decision_json = Codec::BinaryToJson(decision.GetDescriptor(),
                                           decision.SerializeAsString());
  if (!call_json.ok() || !decision_json.ok()) {
    return Error(grpc::Status(grpc::StatusCode::INTERNAL,
                              "an answer that does not convert to JSON"));
  }
  return Json(absl::StrCat(R"({"call":)", *call_json, R"(,"decision":)",
                           *decision_json, "}"));
}

Response Handler::PublicProjects(const Request& request,
                                 const CallOptions& call) const {
  project::ListProjectsRequest list;
  list.set_page_size(50);
  Response error;
  std::string page_token;
  if (!PageToken(request, &page_token, &error)) return error;
  if (!page_token.empty()) list.set_page_token(page_token);
  project::ListProjectsResponse got;
  const grpc::Status status = Call(kListProjects, list, call, &got);
  if (!status.ok()) return Error(status);
  for (project::Project& p : *got.mutable_projects()) p.clear_etag();
  auto json = Codec::BinaryToJson(got.GetDescriptor(), got.SerializeAsString());
  if (!json.ok()) {
    return Error(grpc::Status(grpc::StatusCode::INTERNAL,
                              std::string(json.status().message())));
  }
  return Json(*std::move(json));
}

}  // namespace kyodo::gateway::http
