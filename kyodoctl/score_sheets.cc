// kyodoctl score-sheets: the committee's papers for the minutes of a
// decided call, as CSV files Excel opens (UTF-8 with a BOM, CRLF, cells
// that a spreadsheet would run as a formula neutralised; the writer is the
// open-data export's, gateway/domain/open_data.h):
//   審査結果一覧.csv  every proposal in the decision's order: rank, title,
//                    applicant, each criterion's mean over the counted
//                    reviews, score, counted reviews, result, amounts and
//                    the committee's ruling with its reason;
//   採点表_<reviewer>.csv  one per member: its scores and comment on each
//                    proposal it scored in the last stage;
//   採点表_<reviewer>_第<k>段階.csv  with review stages (段階審査), the same
//                    for each earlier stage k the member scored in; a
//                    proposal that did not pass stage k is on no later
//                    stage's sheet, since no one scored it there.
// The members' sheets name them, so the command needs every counted review:
// a caller that cannot read them all (anyone but the ward's staff) is
// refused rather than given means over fewer reviews.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/text/enum_label.h"
#include "gateway/domain/open_data.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "kyodoctl/commands.h"

ABSL_FLAG(std::string, dir, ".", "score-sheets: the folder to write into");

namespace kyodo::ctl {
namespace {

namespace pv1 = proposal::v1;
using gateway::domain::CsvLine;

constexpr char kService[] = "kyodo.proposal.v1.ProposalService.";

// sum / count rounded half up to 4 decimals, trailing zeros dropped:
// 4.5, 4, 3.6667 (the decision's scores are shown the same way).
std::string Mean(int64_t sum, int64_t count) {
  const int64_t scaled = (sum * 20000 / count + 1) / 2;  // sum, count >= 0
  std::string out = absl::StrCat(scaled / 10000);
  int64_t fraction = scaled % 10000;
  if (fraction == 0) return out;
  std::string digits = absl::StrCat(10000 + fraction).substr(1);
  while (digits.back() == '0') digits.pop_back();
  return absl::StrCat(out, ".", digits);
}

std::string Id(const std::string& name) {
  return name.substr(name.rfind('/') + 1);
}

absl::Status WriteCsv(const std::filesystem::path& path,
                      const std::vector<std::vector<std::string>>& rows) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << gateway::domain::kUtf8Bom;
  for (const auto& row : rows) out << CsvLine(row);
  out.close();
  if (!out)
    return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  std::cout << path.string() << "\n";
  return absl::OkStatus();
}

}  // namespace

int CmdScoreSheets(const Env& env) {
  if (env.args.size() != 2) {
    std::cerr << "usage: kyodoctl score-sheets CALL [--dir=DIR]\n";
    return 2;
  }
  const std::string& call_name = env.args[1];
  auto call = [&](const std::string& method,
                  const google::protobuf::Message& request,
                  google::protobuf::Message* response) {
    return env.client->Call(kService + method, request, response);
  };
  pv1::GetCallRequest get_call;
  get_call.set_name(call_name);
  pv1::Call c;
  if (absl::Status s = call("GetCall", get_call, &c); !s.ok()) return Fail(s);
  pv1::GetDecisionRequest get_decision;
  get_decision.set_name(call_name);
  pv1::Decision decision;
  if (absl::Status s = call("GetDecision", get_decision, &decision); !s.ok())
    return Fail(s);
  // Every page of the committee, and of each proposal's reviews.
  std::vector<pv1::Reviewer> committee;
  pv1::ListReviewersRequest list_reviewers;
  list_reviewers.set_parent(call_name);
  list_reviewers.set_page_size(100);
  do {
    pv1::ListReviewersResponse page;
    if (absl::Status s = call("ListReviewers", list_reviewers, &page); !s.ok())
      return Fail(s);
    committee.insert(committee.end(), page.reviewers().begin(),
                     page.reviewers().end());
    list_reviewers.set_page_token(page.next_page_token());
  } while (!list_reviewers.page_token().empty());
  std::map<std::string, const pv1::Reviewer*> members;
  for (const auto& r : committee) members[r.name()] = &r;

  const int criteria = c.criteria_size();
  const int last = c.stages_size() + 1;
  // Per member and stage: its rows; per proposal: each criterion's sum and
  // count.
  std::map<std::pair<std::string, int>, std::vector<std::vector<std::string>>>
      sheets;
  std::vector<std::vector<std::string>> summary;
  std::vector<std::string> header = {"順位", "提案名", "提案者"};
  for (const auto& stage : c.stages())
    header.push_back(absl::StrCat(stage.display_name(), "(得点)"));
  for (const auto& k : c.criteria())
    header.push_back(absl::StrCat(k.display_name(), "(平均)"));
  for (const char* h : {"得点", "審査数", "結果", "申請額(円)", "採択額(円)",
                        "審査会の判断", "判断の理由"})
    header.emplace_back(h);
  summary.push_back(header);
  std::map<std::string, std::string> applicant_names;
  for (const pv1::ProposalResult& result : decision.results()) {
    std::vector<int64_t> sums(criteria, 0);
    int64_t counted = 0;
    if (result.rank() > 0 || result.stage_scores_size() > 0) {
      pv1::ListReviewsRequest list;
      list.set_parent(result.proposal());
      list.set_page_size(100);
      pv1::ListReviewsResponse reviews;
      for (;;) {
        pv1::ListReviewsResponse page;
        if (absl::Status s = call("ListReviews", list, &page); !s.ok())
          return Fail(s);
        reviews.MergeFrom(page);
        if (page.next_page_token().empty()) break;
        list.set_page_token(page.next_page_token());
      }
      for (const pv1::Review& review : reviews.reviews()) {
        const int stage = std::max(review.stage(), 1);
        auto it = members.find(review.reviewer());
        bool conflicted = false;
        if (it != members.end()) {
          for (const auto& conflict : it->second->conflicts())
            conflicted |= conflict.proposal() == result.proposal();
        }
        if (stage < last) {
          // An earlier stage, kept as it closed: its score is the
          // decision's (stage_scores); the sheet shows what was written.
          if (conflicted) continue;
          std::vector<std::string> row = {result.title()};
          for (int64_t score : review.scores())
            row.push_back(absl::StrCat(score));
          row.push_back(review.comment());
          sheets[{review.reviewer(), stage}].push_back(std::move(row));
          continue;
        }
        if (it == members.end()) continue;  // removed: no longer counts
        const auto& assigned = it->second->assigned_proposals();
        if (!assigned.empty() && std::find(assigned.begin(), assigned.end(),
                                           result.proposal()) == assigned.end())
          continue;  // no longer assigned: no longer counts
        if (conflicted || review.scores_size() != criteria) continue;
        ++counted;
        std::vector<std::string> row = {result.title()};
        for (int i = 0; i < criteria; ++i) {
          sums[i] += review.scores(i);
          row.push_back(absl::StrCat(review.scores(i)));
        }
        row.push_back(review.comment());
        sheets[{review.reviewer(), last}].push_back(std::move(row));
      }
      if (counted != result.reviews()) {
        return Fail(absl::PermissionDeniedError(absl::StrCat(
            "score-sheets: ", result.proposal(), " has ", result.reviews(),
            " counted reviews and this caller reads ", counted,
            "; the sheets are the ward staff's (they need every review)")));
      }
    }
    auto& display = applicant_names[result.applicant()];
    if (display.empty()) {
      partner::v1::GetPartnerRequest get;
      get.set_name(result.applicant());
      partner::v1::Partner p;
      const absl::Status s = env.client->Call(
          "kyodo.partner.v1.PartnerService.GetPartner", get, &p);
      display = s.ok() ? p.display_name() : result.applicant();
    }
    std::vector<std::string> row = {
        result.rank() > 0 ? absl::StrCat(result.rank()) : "", result.title(),
        display};
    for (int k = 1; k < last; ++k) {
      std::string cell;
      for (const auto& stage : result.stage_scores()) {
        if (stage.stage() == k) cell = stage.score();
      }
      row.push_back(cell);
    }
    for (int i = 0; i < criteria; ++i)
      row.push_back(counted > 0 ? Mean(sums[i], counted) : "");
    row.push_back(result.rank() > 0 ? result.score() : "");
    row.push_back(absl::StrCat(counted));
    row.push_back(common::EnumLabel(result.reason()));
    row.push_back(absl::StrCat(result.requested_amount_yen()));
    row.push_back(result.adopted_amount_yen() > 0
                      ? absl::StrCat(result.adopted_amount_yen())
                      : "");
    row.push_back(
        result.has_ruling() ? common::EnumLabel(result.ruling().action()) : "");
    row.push_back(result.ruling().reason());
    summary.push_back(std::move(row));
  }

  const std::filesystem::path dir(absl::GetFlag(FLAGS_dir));
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    std::cerr << "kyodoctl: cannot make " << dir.string() << ": "
              << error.message() << "\n";
    return 1;
  }
  if (absl::Status s = WriteCsv(dir / "審査結果一覧.csv", summary); !s.ok()) {
    std::cerr << "kyodoctl: " << s.message() << "\n";
    return 1;
  }
  for (auto& [key, rows] : sheets) {
    const auto& [reviewer, stage] = key;
    std::vector<std::string> head = {"提案名"};
    const auto& stage_criteria =
        stage < last ? c.stages(stage - 1).criteria() : c.criteria();
    for (const auto& k : stage_criteria) head.push_back(k.display_name());
    head.emplace_back("講評");
    auto member = members.find(reviewer);
    std::string title = absl::StrCat(
        "委員: ", member != members.end() ? member->second->display_name()
                                          : Id(reviewer));
    if (stage < last) {
      absl::StrAppend(&title, "（第", stage, "段階 ",
                      c.stages(stage - 1).display_name(), "）");
    }
    rows.insert(rows.begin(), {title});
    rows.insert(rows.begin() + 1, head);
    const std::string file =
        stage < last
            ? absl::StrCat("採点表_", Id(reviewer), "_第", stage, "段階.csv")
            : absl::StrCat("採点表_", Id(reviewer), ".csv");
    const absl::Status s = WriteCsv(dir / file, rows);
    if (!s.ok()) {
      std::cerr << "kyodoctl: " << s.message() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace kyodo::ctl
