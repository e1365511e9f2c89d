// The plain download of open data and the health probe (handler.h):
//   GET /open-data/{projects|results}.{csv|jsonl}[?fiscal_year=N&ward=W]
// answers Gateway.ExportOpenData's chunks as one file, streamed as they
// come (chunked), with Content-Disposition; the CSV is UTF-8 with a BOM and
// CRLF line ends, as the export writes it. An error before the first chunk
// is a Connect error answer; one after it cuts the connection, so the
// client sees an incomplete download rather than a short file.
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "gateway/http/connect.h"
#include "gateway/http/handler.h"
#include "grpc/health/v1/health.pb.h"
#include "kyodo/gateway/v1/gateway.pb.h"

namespace kyodo::gateway::http {
namespace {

using ExportRequest = v1::ExportOpenDataRequest;

constexpr char kExportMethod[] = "/kyodo.gateway.v1.Gateway/ExportOpenData";
constexpr char kHealthMethod[] = "/grpc.health.v1.Health/Check";

Response Refuse(const absl::Status& status) {
  return Handler::Error(common::ToGrpcStatus(status, "kyodo.gateway", ""));
}

// The chunks' data, the first one already read.
class ChunkSource final : public BodySource {
 public:
  ChunkSource(std::unique_ptr<ServerStream> stream, std::string first)
      : stream_(std::move(stream)), first_(std::move(first)) {}

  bool Next(std::string* piece) override {
    if (!first_.empty()) {
      *piece = std::move(first_);
      first_.clear();
      return true;
    }
    std::string message;
    while (stream_->Read(&message)) {
      v1::ExportChunk chunk;
      if (!chunk.ParseFromString(message)) break;
      if (chunk.data().empty()) continue;
      *piece = std::move(*chunk.mutable_data());
      return true;
    }
    const grpc::Status status = stream_->Finish();
    if (!status.ok()) {
      failed_ = true;
      common::log::Warning("open-data download cut short",
                           {{"code", CodeName(status.error_code())},
                            {"error", status.error_message()}});
    }
    return false;
  }
  bool failed() const override { return failed_; }

 private:
  std::unique_ptr<ServerStream> stream_;
  std::string first_;
  bool failed_ = false;
};

// The request of a download path and query, or INVALID_ARGUMENT / NOT_FOUND.
absl::StatusOr<ExportRequest> ExportRequestFor(const Request& request,
                                               const std::string& file) {
  ExportRequest out;
  const size_t dot = file.rfind('.');
  const std::string dataset = file.substr(0, dot);
  const std::string extension =
      dot == std::string::npos ? "" : file.substr(dot + 1);
  if (dataset == "projects") {
    out.set_dataset(ExportRequest::PROJECTS);
  } else if (dataset == "results") {
    out.set_dataset(ExportRequest::RESULTS);
  } else {
    return common::NotFoundError(request.path);
  }
  if (extension == "csv") {
    out.set_format(ExportRequest::CSV);
  } else if (extension == "jsonl") {
    out.set_format(ExportRequest::JSON_LINES);
  } else {
    return common::NotFoundError(request.path);
  }
  for (const auto& [key, value] : request.query) {
    if (key == "fiscal_year") {
      int32_t year = 0;
      if (!absl::SimpleAtoi(value, &year) || year < 1900 || year > 9999) {
        return common::InvalidArgumentError("fiscal_year",
                                            "must be a year such as 2025");
      }
      out.set_fiscal_year(year);
    } else if (key == "ward") {
      type::v1::Ward ward;
      if (!type::v1::Ward_Parse(value, &ward) ||
          ward == type::v1::WARD_UNSPECIFIED) {
        return common::InvalidArgumentError("ward",
                                            "must be a ward such as ASAO");
      }
      out.set_ward(ward);
    } else {
      return common::InvalidArgumentError(
          key, "unknown parameter; use fiscal_year and ward");
    }
  }
  return out;
}

std::string FileName(const ExportRequest& r) {
  std::string name = absl::StrCat(
      "kyodo-",
      r.dataset() == ExportRequest::PROJECTS ? "projects" : "results");
  if (r.fiscal_year() != 0) absl::StrAppend(&name, "-", r.fiscal_year());
  if (r.has_ward()) absl::StrAppend(&name, "-", type::v1::Ward_Name(r.ward()));
  absl::StrAppend(&name, r.format() == ExportRequest::CSV ? ".csv" : ".jsonl");
  return name;
}

}  // namespace

Response Handler::Download(const Request& request, const std::string& file,
                           const CallOptions& call) const {
  absl::StatusOr<ExportRequest> export_request =
      ExportRequestFor(request, file);
  if (!export_request.ok()) return Refuse(export_request.status());
  std::unique_ptr<ServerStream> stream = invoker_->Stream(
      kExportMethod, export_request->SerializeAsString(), call);
  // The first chunk decides between an error answer and a file.
  std::string message;
  std::string first;
  while (first.empty() && stream->Read(&message)) {
    v1::ExportChunk chunk;
    if (chunk.ParseFromString(message))
      first = std::move(*chunk.mutable_data());
  }
  if (first.empty()) {
    const grpc::Status status = stream->Finish();
    if (!status.ok()) return Error(status);
  }
  Response response;
  const bool csv = export_request->format() == ExportRequest::CSV;
  response.headers = {
      {"Content-Type",
       csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8"},
      {"Content-Disposition", absl::StrCat("attachment; filename=\"",
                                           FileName(*export_request), "\"")}};
  if (!stream->request_id().empty())
    response.headers.emplace_back("X-Request-Id", stream->request_id());
  response.stream =
      std::make_unique<ChunkSource>(std::move(stream), std::move(first));
  return response;
}

Response Handler::Health() const {
  grpc::health::v1::HealthCheckRequest check;
  CallOptions call;
  call.deadline = absl::Now() + absl::Seconds(2);
  CallResult result =
      invoker_->Unary(kHealthMethod, check.SerializeAsString(), call);
  grpc::health::v1::HealthCheckResponse health;
  Response response;
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  if (result.status.ok() && health.ParseFromString(result.response) &&
      health.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
    response.body = "SERVING\n";
  } else {
    response.status = 503;
    response.body = "NOT_SERVING\n";
  }
  return response;
}

}  // namespace kyodo::gateway::http
