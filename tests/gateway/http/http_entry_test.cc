// The gateway's HTTP entry end to end, with curl as the only client: the
// suite as processes (tests/testing/cluster.h) and the security tests'
// world of records (tests/security/world.h). docs/HTTP.md is what these
// check.
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sha256.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "nlohmann/json.hpp"
#include "tests/gateway/http/http_testing.h"
#include "tests/security/world.h"
#include "tests/testing/auth.h"
#include "tests/testing/documents.h"

namespace kyodo::testing {
namespace {

using security::kAdmin;
using security::kApplicant;
using security::kViewer;
using Json = nlohmann::json;

constexpr char kOrigin[] = "https://console.example.jp";

Json Parse(const std::string& text) {
  return Json::parse(text, nullptr, false);
}

class HttpEntryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    http_ = new HttpCluster("http_entry",
                            {absl::StrCat("--http_cors_origins=", kOrigin),
                             "--http_max_body_bytes=65536"});
    world_ = new security::World();
    security::Seed(*http_->cluster, world_);
  }
  static void TearDownTestSuite() {
    delete world_;
    delete http_;
  }
  static const std::string& Base() { return http_->base; }
  static const std::string& Token(security::Who who) {
    return world_->token(who);
  }

  static HttpCluster* http_;
  static security::World* world_;
};
HttpCluster* HttpEntryTest::http_ = nullptr;
security::World* HttpEntryTest::world_ = nullptr;

void ExpectSecurityHeaders(const CurlResult& r) {
  EXPECT_EQ(r.Header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'");
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
}

TEST_F(HttpEntryTest, ListsPartnersAsJson) {
  CurlResult r =
      ConnectJson(Base(), "kyodo.partner.v1.PartnerService/ListPartners",
                  R"({"pageSize": 50})", Token(kAdmin));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  ExpectSecurityHeaders(r);
  Json body = Parse(r.body);
  ASSERT_TRUE(body.contains("partners")) << r.body;
  bool found = false;
  for (const Json& p : body["partners"]) {
    if (p["name"] == world_->civic_a) {
      found = true;
      EXPECT_TRUE(p.contains("displayName")) << p.dump();  // lowerCamel out
    }
  }
  EXPECT_TRUE(found) << r.body;
}

TEST_F(HttpEntryTest, CreatesAProposalWithEitherFieldNames) {
  const std::string create =
      absl::StrCat(R"({"parent": ")", world_->call_open,
                   R"(", "proposal": {"applicant": ")", world_->civic_a,
                   R"(", "title": "駅前花壇の手入れ", "issue": "駅前の荒れ",
          "plan": "月2回の手入れ", "requestedAmountYen": "120000"}})");
  CurlResult r = ConnectJson(
      Base(), "kyodo.proposal.v1.ProposalService/CreateProposal", create,
      Token(kApplicant), {"-H", "X-Request-Id: http-entry-create-1"});
  ASSERT_EQ(r.status, 200) << r.body;
  Json proposal = Parse(r.body);
  EXPECT_EQ(proposal["title"], "駅前花壇の手入れ");  // UTF-8 byte for byte
  EXPECT_EQ(proposal["requestedAmountYen"], "120000");
  EXPECT_EQ(proposal["state"], "DRAFT");
  // The gateway's own methods echo the call id chosen.
  CurlResult profile = ConnectJson(
      Base(), "kyodo.gateway.v1.Gateway/GetPartnerProfile",
      absl::StrCat(R"({"name": ")", world_->civic_a, "\"}"), Token(kApplicant),
      {"-H", "X-Request-Id: http-entry-profile-1"});
  ASSERT_EQ(profile.status, 200) << profile.body;
  EXPECT_EQ(Parse(profile.body)["partner"]["name"], world_->civic_a);
  EXPECT_EQ(profile.Header("x-request-id"), "http-entry-profile-1");
  // The proto field names are accepted as well.
  CurlResult got = ConnectJson(
      Base(), "kyodo.proposal.v1.ProposalService/GetProposal",
      absl::StrCat(R"({"name": ")", proposal["name"].get<std::string>(), "\"}"),
      Token(kApplicant));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Parse(got.body)["plan"], "月2回の手入れ");
}

TEST_F(HttpEntryTest, FieldLevelInvalidArgumentIsConnectJsonWith400) {
  CurlResult r = ConnectJson(
      Base(), "kyodo.partner.v1.PartnerService/CreatePartner",
      R"({"partner": {"kind": "CIVIC_GROUP", "ward": "ASAO", "name_kana": "なし"}})",
      Token(kAdmin));
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  ExpectSecurityHeaders(r);
  Json error = Parse(r.body);
  EXPECT_EQ(error["code"], "invalid_argument");
  EXPECT_FALSE(error["message"].get<std::string>().empty());
  bool bad_request = false, error_info = false;
  for (const Json& d : error["details"]) {
    if (d["type"] == "google.rpc.BadRequest") {
      bad_request = true;
      EXPECT_EQ(d["debug"]["fieldViolations"][0]["field"],
                "partner.display_name")
          << d.dump();
      // The value is the message itself, base64 without padding.
      std::string bytes;
      ASSERT_TRUE(absl::Base64Unescape(d["value"].get<std::string>(), &bytes));
      google::rpc::BadRequest decoded;
      ASSERT_TRUE(decoded.ParseFromString(bytes));
      EXPECT_EQ(decoded.field_violations(0).field(), "partner.display_name");
    }
    if (d["type"] == "google.rpc.ErrorInfo") {
      error_info = true;
      EXPECT_EQ(d["debug"]["domain"], "kyodo.partner") << d.dump();
    }
  }
  EXPECT_TRUE(bad_request) << r.body;
  EXPECT_TRUE(error_info) << r.body;
}

TEST_F(HttpEntryTest, MalformedJsonIsInvalidArgument) {
  CurlResult r =
      ConnectJson(Base(), "kyodo.partner.v1.PartnerService/ListPartners",
                  R"({"pageSize": "many",)", Token(kAdmin));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Parse(r.body)["code"], "invalid_argument");
  CurlResult unknown =
      ConnectJson(Base(), "kyodo.partner.v1.PartnerService/ListPartners",
                  R"({"noSuchField": 1})", Token(kAdmin));
  EXPECT_EQ(unknown.status, 400) << unknown.body;
}

TEST_F(HttpEntryTest, NoTokenIs401) {
  CurlResult r = ConnectJson(
      Base(), "kyodo.partner.v1.PartnerService/ListPartners", "{}", "");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(Parse(r.body)["code"], "unauthenticated");
  ExpectSecurityHeaders(r);
}

TEST_F(HttpEntryTest, WrongRoleIs403BeforeAnyExistenceCheck) {
  // The partner does not exist: a viewer still learns only that it may not.
  CurlResult r =
      ConnectJson(Base(), "kyodo.partner.v1.PartnerService/DeletePartner",
                  R"({"name": "partners/doesnotexist"})", Token(kViewer));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Parse(r.body)["code"], "permission_denied");
  CurlResult gateway =
      ConnectJson(Base(), "kyodo.gateway.v1.Gateway/FinalizeCall",
                  R"({"name": "programmes/nope/calls/nope"})", Token(kViewer));
  EXPECT_EQ(gateway.status, 403) << gateway.body;
}

TEST_F(HttpEntryTest, BinaryProtobufRoundTrips) {
  partner::v1::GetPartnerRequest request;
  request.set_name(world_->civic_a);
  const std::string body = request.SerializeAsString();
  CurlResult r = Curl(Base() + "/kyodo.partner.v1.PartnerService/GetPartner",
                      {"-X", "POST", "-H", "Content-Type: application/proto",
                       "-H", "Authorization: Bearer " + Token(kAdmin)},
                      &body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/proto");
  partner::v1::Partner partner;
  ASSERT_TRUE(partner.ParseFromString(r.body));
  EXPECT_EQ(partner.name(), world_->civic_a);
}

TEST_F(HttpEntryTest, UnknownMethodsAndWrongVerbsAndTypes) {
  CurlResult unknown =
      ConnectJson(Base(), "kyodo.partner.v1.PartnerService/NoSuchMethod", "{}",
                  Token(kAdmin));
  EXPECT_EQ(unknown.status, 404);
  // Health and reflection are not served over HTTP, only kyodo's services.
  CurlResult health =
      ConnectJson(Base(), "grpc.health.v1.Health/Check", "{}", "");
  EXPECT_EQ(health.status, 404);
  CurlResult get =
      Curl(Base() + "/kyodo.partner.v1.PartnerService/ListPartners", {});
  EXPECT_EQ(get.status, 405);
  ExpectSecurityHeaders(get);
  const std::string body = "{}";
  CurlResult text =
      Curl(Base() + "/kyodo.partner.v1.PartnerService/ListPartners",
           {"-X", "POST", "-H", "Content-Type: text/plain"}, &body);
  EXPECT_EQ(text.status, 415);
  CurlResult timeout =
      ConnectJson(Base(), "kyodo.partner.v1.PartnerService/ListPartners", "{}",
                  Token(kAdmin), {"-H", "Connect-Timeout-Ms: soon"});
  EXPECT_EQ(timeout.status, 400) << timeout.body;
}

TEST_F(HttpEntryTest, ARequestOverTheLimitsIsRefused) {
  const std::string big =
      absl::StrCat(R"({"filter": ")", std::string(70000, 'a'), "\"}");
  CurlResult body =
      ConnectJson(Base(), "kyodo.partner.v1.PartnerService/ListPartners", big,
                  Token(kAdmin));
  EXPECT_EQ(body.status, 413) << body.body;
  EXPECT_EQ(Parse(body.body)["code"], "resource_exhausted");
  CurlResult header = ConnectJson(
      Base(), "kyodo.partner.v1.PartnerService/ListPartners", "{}",
      Token(kAdmin), {"-H", "X-Filler: " + std::string(40000, 'x')});
  EXPECT_GE(header.status, 400) << header.body;
  EXPECT_LT(header.status, 500) << header.body;
  // The entry still serves afterwards.
  EXPECT_EQ(ConnectJson(Base(), "kyodo.partner.v1.PartnerService/ListPartners",
                        "{}", Token(kAdmin))
                .status,
            200);
}

TEST_F(HttpEntryTest, CorsOnlyForConfiguredOrigins) {
  std::vector<std::string> preflight = {
      "-X", "OPTIONS",
      "-H", "Access-Control-Request-Method: POST",
      "-H", "Access-Control-Request-Headers: content-type, authorization"};
  auto with_origin = [&](const std::string& origin) {
    std::vector<std::string> args = preflight;
    args.push_back("-H");
    args.push_back("Origin: " + origin);
    return Curl(Base() + "/kyodo.partner.v1.PartnerService/ListPartners", args);
  };
  CurlResult allowed = with_origin(kOrigin);
  EXPECT_EQ(allowed.status, 204);
  EXPECT_EQ(allowed.Header("access-control-allow-origin"), kOrigin);
  EXPECT_TRUE(absl::StrContains(allowed.Header("access-control-allow-headers"),
                                "Authorization"));
  CurlResult other = with_origin("https://evil.example.com");
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.Header("access-control-allow-origin"), "");
  CurlResult call =
      ConnectJson(Base(), "kyodo.partner.v1.PartnerService/ListPartners", "{}",
                  Token(kAdmin), {"-H", std::string("Origin: ") + kOrigin});
  EXPECT_EQ(call.status, 200);
  EXPECT_EQ(call.Header("access-control-allow-origin"), kOrigin);
  CurlResult foreign =
      ConnectJson(Base(), "kyodo.partner.v1.PartnerService/ListPartners", "{}",
                  Token(kAdmin), {"-H", "Origin: https://evil.example.com"});
  EXPECT_EQ(foreign.Header("access-control-allow-origin"), "");
}

TEST_F(HttpEntryTest, HealthProbe) {
  CurlResult r = Curl(Base() + "/healthz", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "SERVING\n");
}

// A published project whose title needs RFC 4180 quoting.
std::string PublishedProject(const std::string& base, const std::string& admin,
                             const security::World& w,
                             const std::string& title) {
  Json create = {{"project",
                  {{"title", title},
                   {"issue", "駐輪の混雑"},
                   {"programme", "OTHER_PROGRAMME"},
                   {"fiscalYear", 2025},
                   {"participants",
                    {{{"partner", w.civic_a}, {"role", "LEAD"}},
                     {{"partner", w.city_a}, {"role", "CITY"}}}}}}};
  CurlResult made =
      ConnectJson(base, "kyodo.project.v1.ProjectService/CreateProject",
                  create.dump(), admin);
  EXPECT_EQ(made.status, 200) << made.body;
  const std::string name = Parse(made.body)["name"];
  CurlResult started =
      ConnectJson(base, "kyodo.project.v1.ProjectService/StartProject",
                  Json{{"name", name}}.dump(), admin);
  EXPECT_EQ(started.status, 200) << started.body;
  return name;
}

// A query value percent-encoded (RFC 3986 unreserved kept).
std::string Encoded(const std::string& value) {
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(c);
    } else {
      absl::StrAppend(&out, "%", absl::Hex(u, absl::kZeroPad2));
    }
  }
  return out;
}

// Documents as plain HTTP (gateway/http/documents.cc): a file streamed up
// as a request body larger than --http_max_body_bytes (64 KiB here), its
// Japanese name kept, and streamed down with its detected type and a
// Content-Disposition that names it exactly; refusals as Connect errors.
TEST_F(HttpEntryTest, DocumentsUpAndDownAsPlainHttp) {
  const std::string name = "事業計画書（第2版）.pdf";
  const std::string pdf =
      kyodo::testing::Whole(kyodo::testing::PdfOfSize(300 << 10, 'h'));
  const std::string upload =
      Base() + "/documents/upload?parent=" + Encoded(world_->proposal_draft) +
      "&kind=PLAN&file_name=" + Encoded(name);
  const std::vector<std::string> applicant = {
      "-H", "Authorization: Bearer " + Token(kApplicant), "-H",
      "Content-Type: application/octet-stream"};
  CurlResult up = Curl(upload, applicant, &pdf);
  ASSERT_EQ(up.status, 200) << up.body;
  ExpectSecurityHeaders(up);
  const Json doc = Parse(up.body);
  ASSERT_FALSE(doc.is_discarded()) << up.body;
  EXPECT_EQ(doc.value("fileName", ""), name);
  EXPECT_EQ(doc.value("sizeBytes", ""), std::to_string(pdf.size()));
  EXPECT_EQ(doc.value("contentType", ""), "application/pdf");
  EXPECT_EQ(doc.value("kind", ""), "PLAN");
  const std::string sha = common::Sha256Hex(pdf);
  EXPECT_EQ(doc.value("sha256", ""), sha);
  EXPECT_FALSE(up.Header("x-request-id").empty());

  const std::string download =
      Base() + "/documents/download?name=" + Encoded(doc.value("name", ""));
  CurlResult down =
      Curl(download, {"-H", "Authorization: Bearer " + Token(kApplicant)});
  ASSERT_EQ(down.status, 200) << down.body;
  ExpectSecurityHeaders(down);
  EXPECT_EQ(down.body, pdf);
  EXPECT_EQ(down.Header("content-type"), "application/pdf");
  EXPECT_EQ(down.Header("x-content-sha256"), sha);
  // RFC 6266: the exact name in filename* (RFC 8187), and an ASCII stand-in
  // (each byte of a non-ASCII character an underscore) for old clients.
  std::string stand_in;
  for (const char c : name) {
    stand_in.push_back(static_cast<unsigned char>(c) >= 0x7f ? '_' : c);
  }
  EXPECT_EQ(down.Header("content-disposition"),
            "attachment; filename=\"" + stand_in + "\"; filename*=UTF-8''" +
                Encoded(name));

  // Refusals, each before or instead of storing anything.
  const std::string html = "<!DOCTYPE html><html><script>x()</script></html>";
  CurlResult refused = Curl(upload, applicant, &html);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(Parse(refused.body).value("code", ""), "invalid_argument");
  EXPECT_TRUE(absl::StrContains(refused.body, "DOCUMENT_TYPE_NOT_ALLOWED"))
      << refused.body;
  CurlResult other =
      Curl(upload,
           {"-H", "Authorization: Bearer " + Token(security::kApplicantOther)},
           &pdf);
  EXPECT_EQ(other.status, 403) << other.body;
  CurlResult hidden =
      Curl(download,
           {"-H", "Authorization: Bearer " + Token(security::kApplicantOther)});
  EXPECT_EQ(hidden.status, 403) << hidden.body;
  EXPECT_EQ(Curl(upload, {}, &pdf).status, 401);
  EXPECT_EQ(Curl(download, {}).status, 401);
  CurlResult kind = Curl(
      Base() + "/documents/upload?parent=" + Encoded(world_->proposal_draft) +
          "&kind=LETTER&file_name=a.pdf",
      applicant, &pdf);
  EXPECT_EQ(kind.status, 400) << kind.body;
  EXPECT_TRUE(absl::StrContains(kind.body, "kind")) << kind.body;
  EXPECT_EQ(Curl(upload, applicant).status, 405);  // a GET
  EXPECT_EQ(Curl(download, {"-X", "POST"}).status, 405);

  // Only the first upload was kept.
  CurlResult list = ConnectJson(
      Base(), "kyodo.proposal.v1.ProposalService/ListDocuments",
      Json{{"parent", world_->proposal_draft}}.dump(), Token(kApplicant));
  ASSERT_EQ(list.status, 200) << list.body;
  int named = 0;
  const Json listed = Parse(list.body);
  for (const Json& d : listed["documents"]) {
    named += d.value("fileName", "") == name;
  }
  EXPECT_EQ(named, 1) << list.body;
}

TEST_F(HttpEntryTest, OpenDataCsvDownload) {
  const std::string title = "駐輪場の\"見守り\", 朝と夕";
  PublishedProject(Base(), Token(kAdmin), *world_, title);
  CurlResult r = Curl(Base() + "/open-data/projects.csv?fiscal_year=2025",
                      {"-H", "Authorization: Bearer " + Token(kViewer)});
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectSecurityHeaders(r);
  EXPECT_EQ(r.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.Header("content-disposition"),
            "attachment; filename=\"kyodo-projects-2025.csv\"");
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  ASSERT_TRUE(absl::StartsWith(r.body, "\xEF\xBB\xBF")) << "no BOM";
  ASSERT_TRUE(absl::EndsWith(r.body, "\r\n"));
  // Every line ends in CRLF: no bare LF outside a quoted field here.
  std::vector<std::string> lines =
      absl::StrSplit(r.body.substr(3), "\r\n", absl::SkipEmpty());
  ASSERT_GE(lines.size(), 2u);
  for (const std::string& line : lines)
    EXPECT_EQ(line.find('\n'), std::string::npos);
  // RFC 4180: the field quoted, its quotes doubled.
  EXPECT_TRUE(absl::StrContains(r.body, "\"駐輪場の\"\"見守り\"\", 朝と夕\""))
      << r.body;
  // The same data as JSON lines.
  CurlResult jsonl = Curl(Base() + "/open-data/projects.jsonl?fiscal_year=2025",
                          {"-H", "Authorization: Bearer " + Token(kViewer)});
  ASSERT_EQ(jsonl.status, 200) << jsonl.body;
  EXPECT_EQ(jsonl.Header("content-type"),
            "application/x-ndjson; charset=utf-8");
  bool found = false;
  for (absl::string_view line :
       absl::StrSplit(jsonl.body, '\n', absl::SkipEmpty())) {
    Json row = Parse(std::string(line));
    ASSERT_FALSE(row.is_discarded()) << line;
    if (row.dump().find("朝と夕") != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << jsonl.body;
}

TEST_F(HttpEntryTest, OpenDataDownloadErrors) {
  CurlResult none = Curl(Base() + "/open-data/projects.csv", {});
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_EQ(Parse(none.body)["code"], "unauthenticated");
  const std::string auth = "Authorization: Bearer " + Token(kViewer);
  EXPECT_EQ(Curl(Base() + "/open-data/budgets.csv", {"-H", auth}).status, 404);
  CurlResult ward =
      Curl(Base() + "/open-data/projects.csv?ward=ATLANTIS", {"-H", auth});
  EXPECT_EQ(ward.status, 400);
  EXPECT_EQ(Parse(ward.body)["details"][0]["type"], "google.rpc.ErrorInfo")
      << ward.body;
}

// The Connect streaming form of ExportOpenData: envelopes of JSON chunks,
// then the end-of-stream envelope.
struct Envelopes {
  std::vector<std::pair<int, std::string>> items;
  bool complete = true;
};
Envelopes Unframe(const std::string& body) {
  Envelopes out;
  size_t at = 0;
  while (at < body.size()) {
    if (body.size() - at < 5) {
      out.complete = false;
      break;
    }
    const int flags = static_cast<unsigned char>(body[at]);
    uint32_t n = 0;
    for (int i = 1; i <= 4; ++i)
      n = (n << 8) | static_cast<unsigned char>(body[at + i]);
    if (body.size() - at - 5 < n) {
      out.complete = false;
      break;
    }
    out.items.emplace_back(flags, body.substr(at + 5, n));
    at += 5 + n;
  }
  return out;
}

std::string Frame(const std::string& json) {
  std::string out(1, '\0');
  const uint32_t n = json.size();
  for (int shift : {24, 16, 8, 0})
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  return out + json;
}

TEST_F(HttpEntryTest, ExportOverConnectStreaming) {
  PublishedProject(Base(), Token(kAdmin), *world_, "ストリーム確認事業");
  const std::string body = Frame(R"({"format": "CSV", "dataset": "PROJECTS"})");
  CurlResult r =
      Curl(Base() + "/kyodo.gateway.v1.Gateway/ExportOpenData",
           {"-X", "POST", "-H", "Content-Type: application/connect+json", "-H",
            "Authorization: Bearer " + Token(kViewer)},
           &body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/connect+json");
  Envelopes e = Unframe(r.body);
  ASSERT_TRUE(e.complete);
  ASSERT_GE(e.items.size(), 2u);
  std::string csv;
  for (size_t i = 0; i + 1 < e.items.size(); ++i) {
    EXPECT_EQ(e.items[i].first, 0);
    std::string data;
    ASSERT_TRUE(absl::Base64Unescape(
        Parse(e.items[i].second)["data"].get<std::string>(), &data));
    csv += data;
  }
  EXPECT_EQ(e.items.back().first, 2);
  EXPECT_EQ(Parse(e.items.back().second), Json::object());
  EXPECT_TRUE(absl::StartsWith(csv, "\xEF\xBB\xBF"));
  EXPECT_TRUE(absl::StrContains(csv, "ストリーム確認事業"));

  // Without a token: HTTP 200 and the error in the end-of-stream message, as
  // Connect streams report errors.
  CurlResult anonymous = Curl(
      Base() + "/kyodo.gateway.v1.Gateway/ExportOpenData",
      {"-X", "POST", "-H", "Content-Type: application/connect+json"}, &body);
  ASSERT_EQ(anonymous.status, 200);
  Envelopes refused = Unframe(anonymous.body);
  ASSERT_EQ(refused.items.size(), 1u);
  EXPECT_EQ(refused.items[0].first, 2);
  EXPECT_EQ(Parse(refused.items[0].second)["error"]["code"], "unauthenticated");
  // A unary content type on a streaming method is refused.
  const std::string plain = R"({"format": "CSV", "dataset": "PROJECTS"})";
  EXPECT_EQ(Curl(Base() + "/kyodo.gateway.v1.Gateway/ExportOpenData",
                 {"-X", "POST", "-H", "Content-Type: application/json"}, &plain)
                .status,
            415);
}

}  // namespace
}  // namespace kyodo::testing
