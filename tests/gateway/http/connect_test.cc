// The Connect wire pieces of gateway/http/connect.h, without a server.
#include "gateway/http/connect.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gateway/http/handler.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace kyodo::gateway::http {
namespace {

TEST(ConnectTest, CodesAndTheirHttpStatus) {
  using grpc::StatusCode;
  const std::pair<StatusCode, std::pair<const char*, int>> expected[] = {
      {StatusCode::CANCELLED, {"canceled", 499}},
      {StatusCode::UNKNOWN, {"unknown", 500}},
      {StatusCode::INVALID_ARGUMENT, {"invalid_argument", 400}},
      {StatusCode::DEADLINE_EXCEEDED, {"deadline_exceeded", 504}},
      {StatusCode::NOT_FOUND, {"not_found", 404}},
      {StatusCode::ALREADY_EXISTS, {"already_exists", 409}},
      {StatusCode::PERMISSION_DENIED, {"permission_denied", 403}},
      {StatusCode::RESOURCE_EXHAUSTED, {"resource_exhausted", 429}},
      {StatusCode::FAILED_PRECONDITION, {"failed_precondition", 400}},
      {StatusCode::ABORTED, {"aborted", 409}},
      {StatusCode::OUT_OF_RANGE, {"out_of_range", 400}},
      {StatusCode::UNIMPLEMENTED, {"unimplemented", 501}},
      {StatusCode::INTERNAL, {"internal", 500}},
      {StatusCode::UNAVAILABLE, {"unavailable", 503}},
      {StatusCode::DATA_LOSS, {"data_loss", 500}},
      {StatusCode::UNAUTHENTICATED, {"unauthenticated", 401}},
  };
  for (const auto& [code, name_status] : expected) {
    EXPECT_EQ(CodeName(code), name_status.first);
    EXPECT_EQ(HttpStatus(code), name_status.second) << name_status.first;
  }
  // A code outside the table: an enumerator that is no status. (A cast of
  // 99 would be outside the enum's range, undefined behaviour that UBSan
  // reports in the sanitizer build.)
  EXPECT_EQ(CodeName(grpc::StatusCode::DO_NOT_USE), "unknown");
}

TEST(ConnectTest, ErrorJsonCarriesDetailsAsBytesAndJson) {
  google::rpc::ErrorInfo info;
  info.set_reason("FIELD_REQUIRED");
  info.set_domain("kyodo.partner");
  google::rpc::BadRequest bad;
  bad.add_field_violations()->set_field("partner.display_name");
  google::rpc::Status details;
  details.add_details()->PackFrom(info);
  details.add_details()->PackFrom(bad);
  grpc::Status status(grpc::StatusCode::INVALID_ARGUMENT,
                      "partner.display_name: required",
                      details.SerializeAsString());
  nlohmann::json error = nlohmann::json::parse(ErrorJson(status));
  EXPECT_EQ(error["code"], "invalid_argument");
  EXPECT_EQ(error["message"], "partner.display_name: required");
  ASSERT_EQ(error["details"].size(), 2u);
  EXPECT_EQ(error["details"][0]["type"], "google.rpc.ErrorInfo");
  EXPECT_EQ(error["details"][0]["debug"]["reason"], "FIELD_REQUIRED");
  const std::string value = error["details"][1]["value"];
  EXPECT_EQ(value.find('='), std::string::npos) << "padding omitted";
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape(value, &bytes));
  google::rpc::BadRequest decoded;
  ASSERT_TRUE(decoded.ParseFromString(bytes));
  EXPECT_EQ(decoded.field_violations(0).field(), "partner.display_name");
  // No message, no details: the code alone.
  EXPECT_EQ(nlohmann::json::parse(
                ErrorJson(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, ""))),
            nlohmann::json({{"code", "unauthenticated"}}));
}

TEST(ConnectTest, Timeouts) {
  EXPECT_EQ(ParseTimeout("1500"), absl::Milliseconds(1500));
  EXPECT_EQ(ParseTimeout("0"), absl::ZeroDuration());
  EXPECT_EQ(ParseTimeout("9999999999"), absl::Milliseconds(9999999999));
  EXPECT_FALSE(ParseTimeout("").has_value());
  EXPECT_FALSE(ParseTimeout("12345678901").has_value());  // 11 digits
  EXPECT_FALSE(ParseTimeout("-5").has_value());
  EXPECT_FALSE(ParseTimeout("1.5").has_value());
  EXPECT_FALSE(ParseTimeout("soon").has_value());
}

TEST(ConnectTest, Envelopes) {
  const std::string framed = Envelope(0, "{\"a\":1}");
  ASSERT_EQ(framed.size(), 5u + 7u);
  EXPECT_EQ(framed.substr(0, 5), std::string("\0\0\0\0\x07", 5));
  EXPECT_EQ(SingleEnvelope(framed), "{\"a\":1}");
  EXPECT_EQ(SingleEnvelope(std::string(5, '\0')), "");
  EXPECT_FALSE(SingleEnvelope(framed.substr(0, 8)).has_value());  // short
  EXPECT_FALSE(SingleEnvelope(framed + "x").has_value());         // trailing
  EXPECT_FALSE(
      SingleEnvelope(Envelope(kCompressedFlag, "zz")).has_value());  // flags
  EXPECT_EQ(static_cast<uint8_t>(Envelope(kEndStreamFlag, "{}")[0]), 2);
  EXPECT_EQ(EndStreamJson(grpc::Status::OK), "{}");
  EXPECT_EQ(nlohmann::json::parse(EndStreamJson(grpc::Status(
                grpc::StatusCode::PERMISSION_DENIED, "no")))["error"]["code"],
            "permission_denied");
}

// The public surface serves with a viewer credential and nothing more
// (gateway/http/public.cc): a token of another role is refused.
TEST(PublicTokenTest, OnlyTheViewerRole) {
  auto jwt = [](const std::string& claims) {
    return absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"ES256"})"), ".",
                        absl::WebSafeBase64Escape(claims), ".c2ln");
  };
  EXPECT_TRUE(CheckViewerToken(jwt(R"({"sub":"p","role":"viewer"})")).ok());
  for (const std::string claims :
       {R"({"sub":"p","role":"admin"})", R"({"sub":"p","role":"screener"})",
        R"({"sub":"p"})", R"({"role":["viewer","admin"]})", "not json"}) {
    EXPECT_FALSE(CheckViewerToken(jwt(claims)).ok()) << claims;
  }
  // The claim the services read the role from (--jwt_role_claim).
  EXPECT_TRUE(
      CheckViewerToken(jwt(R"({"kyodo_role":"viewer"})"), "kyodo_role").ok());
  EXPECT_FALSE(
      CheckViewerToken(jwt(R"({"role":"viewer","kyodo_role":"admin"})"),
                       "kyodo_role")
          .ok());
  EXPECT_FALSE(CheckViewerToken("").ok());
  EXPECT_FALSE(CheckViewerToken("a.b").ok());
}

}  // namespace
}  // namespace kyodo::gateway::http
