// Error constructors and the absl <-> gRPC status mapping.
#include "common/status/grpc_status.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "kyodo/type/v1/error_reason.pb.h"
#include "tests/common/status_util.h"

namespace kyodo::common {
namespace {

using ::kyodo::common::testing::BadRequestField;
using ::testing::HasSubstr;
using ::testing::Not;

// The google.rpc.Status a gRPC status carries.
google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  return details;
}

TEST(ErrorsTest, InvalidArgumentNamesTheField) {
  absl::Status s = InvalidArgumentError("partner.display_name", "is too long");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "partner.display_name: is too long");
  EXPECT_EQ(ErrorReason(s), "INVALID_FIELD");
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("field"), "partner.display_name");
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "partner.display_name");
  EXPECT_EQ(bad->field_violations(0).description(), "is too long");
  EXPECT_EQ(ErrorReason(InvalidArgumentError("f", "d",
                                             kyodo::type::v1::FIELD_REQUIRED)),
            "FIELD_REQUIRED");
}

TEST(ErrorsTest, Constructors) {
  absl::Status nf = NotFoundError("partners/abc");
  EXPECT_EQ(nf.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(nf), "NOT_FOUND");
  EXPECT_EQ(GetErrorInfo(nf)->metadata().at("resource"), "partners/abc");
  EXPECT_THAT(std::string(nf.message()), HasSubstr("partners/abc"));

  absl::Status etag = EtagMismatchError("partners/abc");
  EXPECT_EQ(etag.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorReason(etag), "ETAG_MISMATCH");

  absl::Status rule = FailedPreconditionError(kyodo::type::v1::PARTNER_DELETED,
                                              "the partner is deleted");
  EXPECT_EQ(rule.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(rule), "PARTNER_DELETED");
  EXPECT_THAT(std::string(rule.message()), HasSubstr("PARTNER_DELETED"));

  EXPECT_EQ(PermissionDeniedError("no").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(PermissionDeniedError("no")), "PERMISSION_DENIED");
  EXPECT_EQ(UnauthenticatedError("no").code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorReason(UnauthenticatedError("no")), "UNAUTHENTICATED");

  absl::Status custom =
      ErrorWithReason(absl::StatusCode::kAlreadyExists,
                      kyodo::type::v1::DUPLICATE, "exists", {{"k", "v"}});
  EXPECT_EQ(custom.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(GetErrorInfo(custom)->metadata().at("k"), "v");

  EXPECT_EQ(ErrorReason(absl::InternalError("plain")), "");
  EXPECT_FALSE(GetErrorInfo(absl::InternalError("plain")).has_value());
  EXPECT_FALSE(GetBadRequest(NotFoundError("x")).has_value());

  google::rpc::ErrorInfo replaced;
  replaced.set_reason("OTHER");
  SetErrorInfo(nf, replaced);
  EXPECT_EQ(ErrorReason(nf), "OTHER");
}

TEST(GrpcStatusTest, OkIsOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus(), "kyodo.partner", "c1").ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, DetailsSurviveTheRoundTrip) {
  absl::Status original =
      InvalidArgumentError("partner.contacts[1].email", "is not valid UTF-8",
                           kyodo::type::v1::INVALID_UTF8);
  grpc::Status wire = ToGrpcStatus(original, "kyodo.partner", "call-123");
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wire.error_message(),
            "partner.contacts[1].email: is not valid UTF-8");

  // On the wire: a google.rpc.Status with ErrorInfo then BadRequest.
  google::rpc::Status details = Details(wire);
  EXPECT_EQ(details.code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(details.message(), wire.error_message());
  ASSERT_EQ(details.details_size(), 2);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INVALID_UTF8");
  EXPECT_EQ(info.domain(), "kyodo.partner");
  EXPECT_EQ(info.metadata().at("call_id"), "call-123");
  EXPECT_EQ(info.metadata().at("field"), "partner.contacts[1].email");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(1).UnpackTo(&bad));
  EXPECT_EQ(bad.field_violations(0).field(), "partner.contacts[1].email");

  // Back in absl form, as a gateway would see it.
  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(back.message(), original.message());
  EXPECT_EQ(ErrorReason(back), "INVALID_UTF8");
  EXPECT_EQ(GetErrorInfo(back)->domain(), "kyodo.partner");
  EXPECT_EQ(BadRequestField(back), "partner.contacts[1].email");

  // Passed on by a gateway: the original domain is kept.
  grpc::Status relayed = ToGrpcStatus(back, "kyodo.gateway", "call-456");
  absl::Status relayed_back = FromGrpcStatus(relayed);
  EXPECT_EQ(GetErrorInfo(relayed_back)->domain(), "kyodo.partner");
  EXPECT_EQ(GetErrorInfo(relayed_back)->metadata().at("call_id"), "call-456");
  EXPECT_EQ(BadRequestField(relayed_back), "partner.contacts[1].email");
}

TEST(GrpcStatusTest, DomainAlreadySetIsKept) {
  absl::Status s = ErrorWithReason(absl::StatusCode::kFailedPrecondition,
                                   kyodo::type::v1::CALL_DECIDED, "decided");
  google::rpc::ErrorInfo info = *GetErrorInfo(s);
  info.set_domain("kyodo.proposal");
  SetErrorInfo(s, info);
  absl::Status back = FromGrpcStatus(ToGrpcStatus(s, "kyodo.partner", "c"));
  EXPECT_EQ(GetErrorInfo(back)->domain(), "kyodo.proposal");
  EXPECT_EQ(ErrorReason(back), "CALL_DECIDED");
  EXPECT_EQ(back.code(), absl::StatusCode::kFailedPrecondition);
}

TEST(GrpcStatusTest, StatusWithoutDetailsGetsAReason) {
  grpc::Status wire =
      ToGrpcStatus(absl::NotFoundError("gone"), "kyodo.partner", "c9");
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(wire.error_message(), "gone");
  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(ErrorReason(back), "NOT_FOUND");
  EXPECT_EQ(GetErrorInfo(back)->domain(), "kyodo.partner");
  EXPECT_EQ(BadRequestField(back), "");
}

TEST(GrpcStatusTest, InternalMessagesAreWithheld) {
  for (absl::StatusCode code :
       {absl::StatusCode::kInternal, absl::StatusCode::kUnknown,
        absl::StatusCode::kDataLoss}) {
    absl::Status secret(code, "mysql error 1064 near 'SELECT password FROM'");
    // Even when it carries details.
    SetErrorInfo(secret, *GetErrorInfo(InvalidArgumentError(
                             "x", "leaky", kyodo::type::v1::INVALID_UTF8)));
    secret.SetPayload(kBadRequestTypeUrl,
                      *InvalidArgumentError("secret_field", "d")
                           .GetPayload(kBadRequestTypeUrl));
    grpc::Status wire = ToGrpcStatus(secret, "kyodo.partner", "call-777");
    EXPECT_EQ(static_cast<int>(wire.error_code()), static_cast<int>(code));
    EXPECT_THAT(wire.error_message(), Not(HasSubstr("mysql")));
    EXPECT_THAT(wire.error_message(), Not(HasSubstr("password")));
    EXPECT_THAT(wire.error_message(), HasSubstr("call-777"));
    EXPECT_THAT(wire.error_details(), Not(HasSubstr("password")));
    EXPECT_THAT(wire.error_details(), Not(HasSubstr("secret_field")));
    absl::Status back = FromGrpcStatus(wire);
    EXPECT_EQ(back.code(), code);
    EXPECT_EQ(ErrorReason(back), "INTERNAL");
    EXPECT_EQ(GetErrorInfo(back)->metadata().at("call_id"), "call-777");
    EXPECT_EQ(GetErrorInfo(back)->domain(), "kyodo.partner");
    EXPECT_FALSE(GetBadRequest(back).has_value());
    EXPECT_TRUE(IsInternalError(code));
  }
  EXPECT_FALSE(IsInternalError(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(IsInternalError(absl::StatusCode::kUnavailable));
}

TEST(GrpcStatusTest, EveryCodeIsKept) {
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    grpc::Status wire = ToGrpcStatus(absl::Status(code, "m"), "d", "c");
    EXPECT_EQ(static_cast<int>(wire.error_code()), c);
    EXPECT_EQ(FromGrpcStatus(wire).code(), code);
  }
}

TEST(GrpcStatusTest, InboundWithoutOrWithBrokenDetails) {
  absl::Status plain =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  EXPECT_EQ(plain.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(plain.message(), "down");
  EXPECT_FALSE(GetErrorInfo(plain).has_value());

  absl::Status broken = FromGrpcStatus(grpc::Status(
      grpc::StatusCode::ABORTED, "busy", "\xff\xff\xff not proto"));
  EXPECT_EQ(broken.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(broken.message(), "busy");
}

absl::Status Step(int* calls, absl::Status result) {
  ++*calls;
  return result;
}

absl::StatusOr<int> Value(int* calls, absl::StatusOr<int> result) {
  ++*calls;
  return result;
}

absl::Status UseReturnIfError(int* calls, absl::Status first) {
  KYODO_RETURN_IF_ERROR(Step(calls, first));
  KYODO_RETURN_IF_ERROR(Step(calls, absl::OkStatus()));
  return absl::OkStatus();
}

absl::StatusOr<int> UseAssignOrReturn(int* calls, absl::StatusOr<int> first) {
  KYODO_ASSIGN_OR_RETURN(int a, Value(calls, first));
  KYODO_ASSIGN_OR_RETURN(const int b, Value(calls, 10));
  return a + b;
}

TEST(MacrosTest, ReturnIfError) {
  int calls = 0;
  EXPECT_TRUE(UseReturnIfError(&calls, absl::OkStatus()).ok());
  EXPECT_EQ(calls, 2);
  calls = 0;
  EXPECT_EQ(UseReturnIfError(&calls, absl::AbortedError("x")).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(calls, 1);  // evaluated once, stopped there
}

TEST(MacrosTest, AssignOrReturn) {
  int calls = 0;
  EXPECT_EQ(*UseAssignOrReturn(&calls, 5), 15);
  EXPECT_EQ(calls, 2);
  calls = 0;
  EXPECT_EQ(UseAssignOrReturn(&calls, absl::NotFoundError("x")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(calls, 1);
}

// Every reason a status can leave a service with is declared in
// kyodo.type.v1.ErrorReason, also the fallback for a status that names none;
// the fallback keeps the wire name it always had (the canonical code's).
TEST(ErrorReasonTest, EveryCodeIsSentWithADeclaredReason) {
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    absl::Status back =
        FromGrpcStatus(ToGrpcStatus(absl::Status(code, "m"), "kyodo.x", "c"));
    kyodo::type::v1::ErrorReason reason;
    ASSERT_TRUE(kyodo::type::v1::ErrorReason_Parse(ErrorReason(back), &reason))
        << absl::StatusCodeToString(code) << " sent as " << ErrorReason(back);
    if (IsInternalError(code)) {
      EXPECT_EQ(ErrorReason(back), "INTERNAL");
    } else {
      EXPECT_EQ(ErrorReason(back), absl::StatusCodeToString(code));
      EXPECT_TRUE(HasReason(back, ReasonForCode(code)));
    }
  }
}

TEST(ErrorReasonTest, HasReasonComparesTheSentName) {
  absl::Status relayed = FromGrpcStatus(ToGrpcStatus(
      FailedPreconditionError(kyodo::type::v1::ALREADY_PUBLISHED, "done"),
      "kyodo.proposal", "c"));
  EXPECT_TRUE(HasReason(relayed, kyodo::type::v1::ALREADY_PUBLISHED));
  EXPECT_FALSE(HasReason(relayed, kyodo::type::v1::ALREADY_DECIDED));
  EXPECT_FALSE(HasReason(absl::InternalError("x"),
                         kyodo::type::v1::ERROR_REASON_UNSPECIFIED));
  EXPECT_EQ(ReasonName(kyodo::type::v1::PROPOSAL_ALREADY_HAS_PROJECT),
            "PROPOSAL_ALREADY_HAS_PROJECT");
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The builders take the enum, so a free string does not compile; the one
// way left to send an undeclared reason is an ErrorInfo built by hand.
// Outside common/status no reason is set from a literal, and an ErrorInfo's
// (`info`) only from a ReasonName.
TEST(ErrorReasonTest, ServicesSetNoReasonByHand) {
  const std::filesystem::path root(KYODO_SOURCE_DIR);
  const std::regex hand_set(
      R"(set_reason\(\s*"|info(\.|->)set_reason\((?!\s*(common::)?ReasonName\())");
  int files = 0;
  for (const char* dir : {"common", "gateway", "kyodoctl", "partner-service",
                          "project-service", "proposal-service"}) {
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".cc" && ext != ".h") continue;
      if (entry.path().parent_path().filename() == "status") continue;
      ++files;
      EXPECT_FALSE(std::regex_search(ReadFile(entry.path()), hand_set))
          << entry.path() << " sets an ErrorInfo reason without ReasonName";
    }
  }
  EXPECT_GT(files, 100);
}

// The reasons the docs name (reason `X`, "reason": "X", FAILED_PRECONDITION
// `X`) are declared, so no page promises a reason the services cannot send.
TEST(ErrorReasonTest, ReasonsTheDocsNameAreDeclared) {
  const std::filesystem::path docs =
      std::filesystem::path(KYODO_SOURCE_DIR) / "docs";
  const std::regex named(
      R"((?:reason\s+`|"reason": "|FAILED_PRECONDITION\s+`)([A-Z][A-Z0-9_]+)[`"](?:\s+or\s+`([A-Z][A-Z0-9_]+)`)?)");
  std::set<std::string> found;
  for (const char* page :
       {"API.md", "HTTP.md", "CONSOLE.md", "OPERATIONS.md"}) {
    const std::string text = ReadFile(docs / page);
    ASSERT_FALSE(text.empty()) << page;
    for (std::sregex_iterator it(text.begin(), text.end(), named), end;
         it != end; ++it) {
      for (int group : {1, 2}) {
        const std::string name = (*it)[group];
        if (name.empty()) continue;
        kyodo::type::v1::ErrorReason reason;
        EXPECT_TRUE(kyodo::type::v1::ErrorReason_Parse(name, &reason))
            << page << " names reason " << name
            << ", which protos/kyodo/type/v1/error_reason.proto does not "
               "declare";
        found.insert(name);
      }
    }
  }
  EXPECT_TRUE(found.count("REQUEST_ID_REUSED")) << "the pattern finds nothing";
  EXPECT_TRUE(found.count("RULINGS_EXCEED_ADOPTION_LIMIT"));
}

}  // namespace
}  // namespace kyodo::common
