// Gateway.ExportOpenData: streams published projects or published selection
// results, page by page, so an export of any size needs memory for one page.
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "gateway/domain/open_data.h"
#include "gateway/handlers.h"

namespace kyodo::gateway {

using common::server::CallContext;
namespace {

namespace pv1 = proposal::v1;
namespace prv1 = project::v1;
using Request = v1::ExportOpenDataRequest;

// Buffers output and writes it in chunks of about 64 KiB.
class ChunkWriter {
 public:
  explicit ChunkWriter(grpc::ServerWriter<v1::ExportChunk>* writer)
      : writer_(writer) {}
  absl::Status Append(const std::string& text) {
    buffer_.append(text);
    return buffer_.size() >= kChunk ? Flush() : absl::OkStatus();
  }
  absl::Status Flush() {
    if (buffer_.empty()) return absl::OkStatus();
    v1::ExportChunk chunk;
    chunk.set_data(std::move(buffer_));
    buffer_.clear();
    if (!writer_->Write(chunk)) {
      return absl::CancelledError("the client stopped reading the export");
    }
    return absl::OkStatus();
  }

 private:
  static constexpr size_t kChunk = size_t{64} * 1024;
  grpc::ServerWriter<v1::ExportChunk>* writer_;
  std::string buffer_;
};

std::string Filter(const Request& r, absl::string_view base) {
  std::string filter(base);
  if (r.fiscal_year() != 0)
    absl::StrAppend(&filter, " AND fiscal_year = ", r.fiscal_year());
  if (r.ward() != type::v1::WARD_UNSPECIFIED) {
    absl::StrAppend(&filter, " AND ward = ", type::v1::Ward_Name(r.ward()));
  }
  return filter;
}

absl::Status ExportProjects(const GatewayDeps& d, const CallContext& call,
                            const Request& r, ChunkWriter& out) {
  const bool csv = r.format() == Request::CSV;
  if (csv)
    KYODO_RETURN_IF_ERROR(
        out.Append(domain::CsvLine(domain::ProjectCsvHeader())));
  // One filter per published state keeps every page an index range scan.
  for (const char* state : {"ACTIVE", "COMPLETED", "REVIEWED"}) {
    std::string token;
    do {
      KYODO_ASSIGN_OR_RETURN(
          prv1::ListProjectsResponse page,
          d.projects->ListPage(call, Filter(r, absl::StrCat("state = ", state)),
                               token));
      for (const prv1::Project& p : page.projects()) {
        if (!domain::IsPublishedProject(p)) continue;
        KYODO_RETURN_IF_ERROR(
            out.Append(csv ? domain::CsvLine(domain::ProjectCells(p))
                           : domain::ProjectJsonLine(p)));
      }
      token = page.next_page_token();
    } while (!token.empty());
  }
  return absl::OkStatus();
}

// One published call's open results.
absl::Status ExportCallResults(const GatewayDeps& d, const CallContext& call,
                               const pv1::Call& c, bool csv, ChunkWriter& out) {
  KYODO_ASSIGN_OR_RETURN(pv1::Decision decision,
                         d.proposals->GetDecision(call, c.name()));
  // Only the open results: this runs with the caller's token, and staff
  // read every result, but open data is the same for everyone.
  std::vector<pv1::ProposalResult> open;
  for (const auto& result : decision.results()) {
    if (domain::IsOpenResult(result)) open.push_back(result);
  }
  std::vector<std::string> applicants;
  applicants.reserve(open.size());
  for (const auto& result : open) applicants.push_back(result.applicant());
  std::map<std::string, std::string> names;
  for (size_t i = 0; i < applicants.size(); i += 500) {
    std::vector<std::string> batch(
        applicants.begin() + i,
        applicants.begin() + std::min(applicants.size(), i + 500));
    KYODO_ASSIGN_OR_RETURN(auto partners, d.partners->BatchGet(call, batch));
    for (const auto& p : partners) names[p.name()] = p.display_name();
  }
  for (const auto& result : open) {
    const std::string& name = names[result.applicant()];
    KYODO_RETURN_IF_ERROR(
        out.Append(csv ? domain::CsvLine(domain::ResultCells(c, result, name))
                       : domain::ResultJsonLine(c, result, name)));
  }
  return absl::OkStatus();
}

absl::Status ExportResults(const GatewayDeps& d, const CallContext& call,
                           const Request& r, ChunkWriter& out) {
  const bool csv = r.format() == Request::CSV;
  if (csv)
    KYODO_RETURN_IF_ERROR(
        out.Append(domain::CsvLine(domain::ResultCsvHeader())));
  // Page by page through every published call: no cap on their number.
  std::string token;
  do {
    KYODO_ASSIGN_OR_RETURN(pv1::ListCallsResponse page,
                           d.proposals->ListCallsPage(
                               call, Filter(r, "state = PUBLISHED"), token));
    for (const pv1::Call& c : page.calls()) {
      KYODO_RETURN_IF_ERROR(ExportCallResults(d, call, c, csv, out));
    }
    token = page.next_page_token();
  } while (!token.empty());
  return absl::OkStatus();
}

}  // namespace

absl::Status ExportOpenData(const GatewayDeps& d, const CallContext& call,
                            const Request& r,
                            grpc::ServerWriter<v1::ExportChunk>* writer) {
  if (r.format() == Request::FORMAT_UNSPECIFIED) {
    return common::InvalidArgumentError("format", "required: CSV or JSON_LINES",
                                        kyodo::type::v1::FIELD_REQUIRED);
  }
  if (r.dataset() == Request::DATASET_UNSPECIFIED) {
    return common::InvalidArgumentError("dataset",
                                        "required: PROJECTS or RESULTS",
                                        kyodo::type::v1::FIELD_REQUIRED);
  }
  ChunkWriter out(writer);
  if (r.format() == Request::CSV)
    KYODO_RETURN_IF_ERROR(out.Append(domain::kUtf8Bom));
  KYODO_RETURN_IF_ERROR(r.dataset() == Request::PROJECTS
                            ? ExportProjects(d, call, r, out)
                            : ExportResults(d, call, r, out));
  return out.Flush();
}

}  // namespace kyodo::gateway
