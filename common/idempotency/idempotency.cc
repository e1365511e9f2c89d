#include "common/idempotency/idempotency.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/sha256.h"
#include "common/db/transaction.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/store/doc.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace kyodo::common::idempotency {
namespace {

constexpr char kInsert[] =
    "INSERT INTO request_ids (request_id, principal, method, request_hash,"
    " response, create_time) VALUES (?, ?, ?, ?, NULL, UTC_TIMESTAMP(6))";
constexpr char kSelect[] =
    "SELECT request_hash, response FROM request_ids"
    " WHERE principal = ? AND method = ? AND request_id = ? LOCK IN SHARE MODE";
constexpr char kComplete[] =
    "UPDATE request_ids SET response = ? WHERE principal = ? AND method = ? "
    "AND request_id = ?";
constexpr char kAnswered[] =
    "SELECT 1 FROM request_ids WHERE request_id = ? AND principal = ? AND "
    "method = ? AND response IS NOT NULL";
constexpr char kPurge[] = "DELETE FROM request_ids WHERE create_time < ?";

std::string RequestHash(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return Sha256Hex(bytes);
}

absl::Status Reused() {
  return InvalidArgumentError(
      "request_id",
      "was already used for a different request; use a new UUID for a new "
      "request",
      kyodo::type::v1::REQUEST_ID_REUSED);
}

// 32 hex digits of `hex` as 8-4-4-4-12.
std::string UuidForm(absl::string_view hex) {
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-",
                      hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20, 12));
}

}  // namespace

absl::StatusOr<std::optional<std::string>> Claim(
    db::Session& session, absl::string_view request_id,
    absl::string_view principal, absl::string_view method,
    const google::protobuf::Message& request) {
  const std::string id = absl::AsciiStrToLower(request_id);
  const std::string hash = RequestHash(request);
  absl::StatusOr<int64_t> inserted =
      session.Exec(kInsert, {id, principal, method, hash});
  if (inserted.ok()) return std::optional<std::string>();
  if (inserted.status().code() != absl::StatusCode::kAlreadyExists) {
    return inserted.status();
  }
  KYODO_ASSIGN_OR_RETURN(std::optional<db::Row> row,
                         session.QueryOne(kSelect, {principal, method, id}));
  if (!row.has_value() || row->String(0) != hash) return Reused();
  if (row->IsNull(1)) {
    // Claimed and committed without a response: only a bug does this.
    return absl::InternalError("request id stored without its response");
  }
  std::string response;
  if (!absl::Base64Unescape(row->String(1), &response)) {
    return store::BadStoredValue(
        {"request_ids", absl::StrCat(method, " ", id), "response"},
        "not base64");
  }
  return std::optional<std::string>(std::move(response));
}

absl::StatusOr<bool> IsAnswered(db::Session& session,
                                absl::string_view request_id,
                                absl::string_view principal,
                                absl::string_view method) {
  KYODO_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      session.QueryOne(kAnswered,
                       {absl::AsciiStrToLower(request_id), principal, method}));
  return row.has_value();
}

absl::Status Complete(db::Session& session, absl::string_view request_id,
                      absl::string_view principal, absl::string_view method,
                      const google::protobuf::Message& response) {
  return session
      .Exec(kComplete, {absl::Base64Escape(response.SerializeAsString()),
                        principal, method, absl::AsciiStrToLower(request_id)})
      .status();
}

absl::Status Run(db::Session& session, absl::string_view request_id,
                 absl::string_view principal, absl::string_view method,
                 const google::protobuf::Message& request,
                 google::protobuf::Message* response,
                 absl::FunctionRef<absl::Status()> body) {
  if (request_id.empty()) return body();
  KYODO_ASSIGN_OR_RETURN(
      std::optional<std::string> prior,
      Claim(session, request_id, principal, method, request));
  if (prior.has_value()) {
    response->Clear();
    if (!response->ParseFromString(*prior)) {
      return store::BadStoredValue(
          {"request_ids", absl::StrCat(method, " ", request_id), "response"},
          "not the method's response message");
    }
    return absl::OkStatus();
  }
  KYODO_RETURN_IF_ERROR(body());
  return Complete(session, request_id, principal, method, *response);
}

std::string DeriveRequestId(absl::string_view key) {
  return UuidForm(Sha256Hex(key));
}

std::string DeriveRequestId(absl::string_view key, absl::string_view secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(key.data()), key.size(), mac,
       &length);
  return UuidForm(absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), length)));
}

absl::StatusOr<int64_t> Purge(db::Session& session, absl::Time before) {
  return session.Exec(kPurge, {before});
}

Purger::Purger(db::ConnectionPool& pool, const Clock& clock,
               absl::Duration max_age)
    : pool_(pool), clock_(clock), max_age_(max_age) {}

Purger::~Purger() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int64_t> Purger::RunOnce() {
  const absl::Time before = clock_.Now() - max_age_;
  int64_t purged = 0;
  KYODO_RETURN_IF_ERROR(
      db::RunWithSession(pool_, absl::Now() + absl::Minutes(1),
                         [&](db::Session& s) -> absl::Status {
                           KYODO_ASSIGN_OR_RETURN(purged, Purge(s, before));
                           return absl::OkStatus();
                         }));
  return purged;
}

void Purger::RunLogged() {
  absl::StatusOr<int64_t> purged = RunOnce();
  if (!purged.ok()) {
    log::Warning("request id purge failed; retried at the next interval",
                 {{"error", purged.status().ToString()}});
  } else if (*purged > 0) {
    log::Info("purged stored request ids", {{"count", *purged}});
  }
}

void Purger::Start(absl::Duration interval) {
  RunLogged();
  thread_ = std::thread([this, interval] {
    while (!stop_.WaitForNotificationWithTimeout(interval)) RunLogged();
  });
}

}  // namespace kyodo::common::idempotency
