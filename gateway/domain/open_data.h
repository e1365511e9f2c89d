// The open-data rows of ExportOpenData: which fields are public and how they
// are written as CSV (UTF-8 with BOM, CRLF, RFC 4180 quoting, cells that a
// spreadsheet would run as a formula neutralised) or JSON lines. Pure.
#ifndef KYODO_GATEWAY_DOMAIN_OPEN_DATA_H_
#define KYODO_GATEWAY_DOMAIN_OPEN_DATA_H_

#include <map>
#include <string>
#include <vector>

#include "kyodo/project/v1/project_service.pb.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::gateway::domain {

// The byte-order mark that makes Excel read CSV as UTF-8.
inline constexpr char kUtf8Bom[] = "\xEF\xBB\xBF";

// One CSV line: cells quoted when they hold a comma, quote, CR or LF (quotes
// doubled); a cell starting with = + - @ TAB or CR gets a leading ' so a
// spreadsheet shows it as text instead of evaluating it (CSV injection).
std::string CsvLine(const std::vector<std::string>& cells);

// A project's public fields: header (Japanese, for people) and JSON keys (for
// machines) share one order.
const std::vector<std::string>& ProjectCsvHeader();
std::vector<std::string> ProjectCells(const project::v1::Project& project);
std::string ProjectJsonLine(const project::v1::Project& project);

// Whether a project is published as open data (started and not withdrawn).
bool IsPublishedProject(const project::v1::Project& project);

// Whether one result of a PUBLISHED call's decision is open data: the
// ranked proposals (adopted, and not adopted with their reason), never a
// withdrawn proposal (its applicant took it back) nor an ineligible one
// (it took no part in the selection), whose applicants are not named. The
// same rule as proposal-service's public view (proposal-service/access.h).
bool IsOpenResult(const proposal::v1::ProposalResult& result);

// A published selection result: its call, and the applicant's display name.
const std::vector<std::string>& ResultCsvHeader();
std::vector<std::string> ResultCells(const proposal::v1::Call& call,
                                     const proposal::v1::ProposalResult& result,
                                     const std::string& applicant_name);
std::string ResultJsonLine(const proposal::v1::Call& call,
                           const proposal::v1::ProposalResult& result,
                           const std::string& applicant_name);

}  // namespace kyodo::gateway::domain

#endif  // KYODO_GATEWAY_DOMAIN_OPEN_DATA_H_
