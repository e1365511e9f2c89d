// kyodoctl commands of a selection round: programmes, calls, proposals,
// reviewers, reviews, preview, finalize, publish.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/text/enum_label.h"
#include "google/protobuf/util/json_util.h"
#include "kyodo/gateway/v1/gateway.pb.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "kyodoctl/commands.h"
#include "kyodoctl/format.h"
#include "kyodoctl/table.h"

ABSL_DECLARE_FLAG(std::string, filter);
ABSL_FLAG(int64_t, budget, -1, "preview: what-if budget in yen");
ABSL_FLAG(int, max_adoptions, -1, "preview: what-if adoption limit");
ABSL_FLAG(std::string, scores, "", "reviews submit: scores, comma separated");
ABSL_FLAG(std::string, comment, "", "reviews submit: comment");
ABSL_FLAG(int, pass_mark, -1, "preview: what-if pass mark (0..100)");
ABSL_FLAG(std::string, note, "",
          "proposals return: what the applicant is to correct");
ABSL_FLAG(std::string, deadline, "",
          "proposals return: until when (RFC 3339, e.g. "
          "2026-07-10T17:00:00+09:00)");
ABSL_FLAG(std::string, adoption_rule, "",
          "preview: what-if adoption rule, GREEDY_SKIP or GREEDY_STOP");
ABSL_FLAG(std::string, tie_break, "",
          "preview: what-if tie-break keys, comma separated "
          "(LOWER_REQUESTED_AMOUNT, EARLIER_SUBMISSION, NAME, "
          "HIGHER_CRITERION_SCORE:<criterion index>); '-' = the default");
ABSL_FLAG(bool, validate_only, false,
          "calls advance: show the stage's results without closing it");
ABSL_FLAG(std::string, rulings, "",
          "preview, finalize: a JSON file of the committee's rulings, "
          "{\"rulings\": [{\"proposal\": ..., \"action\": \"REDUCE\", "
          "\"adoptedAmountYen\": \"300000\", \"reason\": ...}]}");
ABSL_FLAG(std::string, continues, "",
          "proposals screen: the project the proposal continues, as staff "
          "confirm or correct it (projects/ID, or 'none'); unset = the "
          "applicant's declaration stands");
ABSL_FLAG(std::string, request_id, "",
          "a UUID making a mutation safe to retry (finalize, submit...)");

namespace kyodo::ctl {
namespace {

namespace pv1 = proposal::v1;
constexpr char kProposalService[] = "kyodo.proposal.v1.ProposalService.";

// Calls ProposalService.<method> and prints the answer as JSON or via
// `table`.
template <typename Response>
int Run(const Env& env, const std::string& method,
        const google::protobuf::Message& request, Response* response) {
  absl::Status status = env.client->Call(method.find('.') == std::string::npos
                                             ? kProposalService + method
                                             : method,
                                         request, response);
  if (!status.ok()) return Fail(status);
  return 0;
}

int Usage() {
  std::cerr
      << "usage:\n"
         "  kyodoctl programmes list\n"
         "  kyodoctl calls list [PROGRAMME] [--filter=...]\n"
         "  kyodoctl calls get|open|close|start-review CALL\n"
         "  kyodoctl calls advance CALL [--validate_only]  (close a stage)\n"
         "  kyodoctl proposals list CALL [--filter=...]\n"
         "  kyodoctl proposals get|submit|withdraw PROPOSAL\n"
         "  kyodoctl proposals return PROPOSAL --note=TEXT --deadline=TIME\n"
         "  kyodoctl proposals screen PROPOSAL [--continues=projects/ID|none]\n"
         "  kyodoctl reviewers list|progress CALL\n"
         "  kyodoctl reviewers assign REVIEWER [PROPOSAL...]  (none = all)\n"
         "  kyodoctl reviewers stages REVIEWER [STAGE...]  (none = the last)\n"
         "  kyodoctl reviews list PROPOSAL\n"
         "  kyodoctl reviews submit PROPOSAL --scores=4,5,3 [--comment=...]\n"
         "  kyodoctl preview CALL [--budget=YEN] [--max_adoptions=N] "
         "[--rulings=FILE]\n"
         "                   [--pass_mark=N] [--adoption_rule=GREEDY_STOP] "
         "[--tie_break=KEY,...]\n"
         "  kyodoctl finalize CALL [--rulings=FILE] [--request_id=UUID]\n"
         "  kyodoctl publish CALL [--request_id=UUID]\n";
  return 2;
}

// The committee's rulings of --rulings (the `rulings` field of a JSON
// object), or false after saying why not.
bool ReadRulings(
    google::protobuf::RepeatedPtrField<pv1::CommitteeRuling>* out) {
  const std::string path = absl::GetFlag(FLAGS_rulings);
  if (path.empty()) return true;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    std::cerr << "kyodoctl: cannot read --rulings file " << path << "\n";
    return false;
  }
  pv1::DecideCallRequest parsed;
  const auto status =
      google::protobuf::util::JsonStringToMessage(text.str(), &parsed);
  if (!status.ok()) {
    std::cerr << "kyodoctl: --rulings " << path << ": " << status.ToString()
              << "\n";
    return false;
  }
  *out = parsed.rulings();
  return true;
}

// The committee's ruling in words, with the amount of a reduced adoption.
std::string RulingLabel(const pv1::CommitteeRuling& ruling) {
  std::string label = common::EnumLabel(ruling.action());
  if (ruling.action() == pv1::CommitteeRuling::REDUCE) {
    absl::StrAppend(&label, " ", Yen(ruling.adopted_amount_yen()));
  }
  return label;
}

void PrintDecision(const Env& env, const pv1::Decision& d) {
  if (env.json) {
    std::cout << ToJson(d) << "\n";
    return;
  }
  bool staged = false;
  for (const auto& r : d.results()) staged |= r.stage_scores_size() > 0;
  std::vector<std::string> header = {"順位", "提案", "提案者", "得点"};
  if (staged) header.emplace_back("段階の得点");
  for (const char* h :
       {"申請額", "採択額", "結果", "推奨(順位どおり)", "残予算"})
    header.emplace_back(h);
  Table table(header);
  for (const auto& r : d.results()) {
    // The engine's recommendation beside the final result, when a ruling
    // made them differ.
    std::string recommended;
    if (r.recommended_reason() != r.reason() ||
        r.recommended_amount_yen() != r.adopted_amount_yen()) {
      recommended = common::EnumLabel(r.recommended_reason());
      if (r.recommended_amount_yen() > 0) {
        absl::StrAppend(&recommended, " ", Yen(r.recommended_amount_yen()));
      }
    }
    std::vector<std::string> row = {
        r.rank() > 0 ? absl::StrCat(r.rank(), r.tied_on_score() ? "=" : "")
                     : "-",
        r.title(), r.applicant(), r.score()};
    if (staged) {
      // Each earlier stage's score, e.g. "1:80 2:65"; × marks the stage
      // the proposal did not pass.
      std::vector<std::string> stages;
      for (const auto& stage : r.stage_scores()) {
        stages.push_back(absl::StrCat(stage.stage(), ":", stage.score(),
                                      stage.passed() ? "" : "×"));
      }
      row.push_back(absl::StrJoin(stages, " "));
    }
    for (std::string cell :
         {Yen(r.requested_amount_yen()),
          r.adopted_amount_yen() > 0 ? Yen(r.adopted_amount_yen()) : "",
          common::EnumLabel(r.reason()), recommended,
          Yen(r.budget_left_yen())}) {
      row.push_back(std::move(cell));
    }
    table.AddRow(row);
  }
  table.Print(std::cout);
  for (const auto& r : d.results()) {
    if (!r.has_ruling()) continue;
    std::cout << "審査会の判断: " << r.title() << ": "
              << RulingLabel(r.ruling()) << "（理由: " << r.ruling().reason()
              << "）\n";
  }
  std::cout << (d.preview() ? "試算" : "決定") << ": 予算 "
            << Yen(d.budget_yen()) << " / 採択 " << d.adopted_count() << " 件 "
            << Yen(d.total_adopted_yen()) << " / 残 "
            << Yen(d.remaining_budget_yen()) << " / 合格点 " << d.pass_mark()
            << " / " << common::EnumLabel(d.adoption_rule());
  if (d.engine_version() > 0) {
    std::cout << " / 選定規則 第" << d.engine_version() << "版";
  }
  std::cout << "\n";
  for (const auto& m : d.missing_reviews()) {
    std::cout << "審査不足: " << m.proposal() << " (" << m.counted_reviews()
              << "/" << m.min_reviews() << ")\n";
  }
}

void PrintCalls(const Env& env,
                const google::protobuf::RepeatedPtrField<pv1::Call>& calls) {
  Table table({"名前(name)", "公募名", "年度", "区", "状態", "予算"});
  for (const auto& c : calls) {
    if (env.json) {
      std::cout << ToJson(c) << "\n";
      continue;
    }
    table.AddRow({c.name(), c.display_name(), absl::StrCat(c.fiscal_year()),
                  common::EnumLabel(c.ward()), common::EnumLabel(c.state()),
                  Yen(c.budget_yen())});
  }
  if (env.json) return;
  table.Print(std::cout);
  // A call's review stages (段階審査), the one under review marked ▶.
  for (const auto& c : calls) {
    if (c.stages().empty()) continue;
    std::vector<std::string> stages;
    const int last = c.stages_size() + 1;
    bool weighted = false;
    for (const auto& stage : c.stages()) weighted |= stage.weight() > 0;
    for (int i = 1; i <= last; ++i) {
      const std::string& title = i < last ? c.stages(i - 1).display_name()
                                          : c.last_stage_display_name();
      const int pass = i < last ? c.stages(i - 1).pass_mark() : c.pass_mark();
      const int64_t weight =
          i < last ? c.stages(i - 1).weight()
                   : (c.has_last_stage_weight() ? c.last_stage_weight() : 1);
      std::string stage = absl::StrCat(
          c.state() == pv1::Call::UNDER_REVIEW && c.current_stage() == i ? "▶"
                                                                         : "",
          i, " ", title.empty() ? "最終審査" : title, "(合格点", pass);
      // The weights only when they combine into the final score.
      if (weighted && weight > 0) absl::StrAppend(&stage, "・重み", weight);
      absl::StrAppend(&stage, ")");
      stages.push_back(std::move(stage));
    }
    std::cout << "段階審査 " << c.name() << ": " << absl::StrJoin(stages, " → ")
              << "\n";
  }
}

// calls advance CALL [--validate_only]: closes the stage under review and
// shows each proposal's stage score (○ passed, × did not).
int Advance(const Env& env, const std::string& name) {
  pv1::AdvanceStageRequest request;
  request.set_name(name);
  request.set_validate_only(absl::GetFlag(FLAGS_validate_only));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  pv1::AdvanceStageResponse response;
  if (int rc = Run(env, "AdvanceStage", request, &response)) return rc;
  if (env.json) {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  Table table({"提案", "件名", "得点", "審査数", "通過"});
  for (const auto& r : response.results()) {
    table.AddRow({r.proposal(), r.title(), r.score().score(),
                  absl::StrCat(r.score().reviews()),
                  r.score().passed() ? "○" : "×"});
  }
  table.Print(std::cout);
  std::cout << "第" << response.stage() << "段階"
            << (request.validate_only()
                    ? "の試算(未確定)"
                    : absl::StrCat("を締め切り、第",
                                   response.call().current_stage(), "段階へ"))
            << "\n";
  return 0;
}

void PrintProposals(
    const Env& env,
    const google::protobuf::RepeatedPtrField<pv1::Proposal>& proposals) {
  Table table({"名前(name)", "提案名", "提案者", "申請額", "状態", "結果"});
  for (const auto& p : proposals) {
    if (env.json) {
      std::cout << ToJson(p) << "\n";
      continue;
    }
    table.AddRow(
        {p.name(), p.title(), p.applicant(), Yen(p.requested_amount_yen()),
         common::EnumLabel(p.state()),
         p.has_result() ? common::EnumLabel(p.result().reason()) : ""});
  }
  if (env.json) return;
  table.Print(std::cout);
  // What a proposal returned for correction is waiting for.
  for (const auto& p : proposals) {
    if (p.state() != pv1::Proposal::RETURNED || p.corrections().empty()) {
      continue;
    }
    const pv1::Correction& c = p.corrections(p.corrections_size() - 1);
    std::cout << "補正依頼 " << p.name() << ": " << c.note() << "(期限 "
              << JapanTime(c.deadline()) << ")\n";
  }
}

// A screening's facts that decide the caps, and each rule that failed in
// its words from the protos and by name.
void PrintScreening(const pv1::Proposal& p) {
  const pv1::Screening& screening = p.screening();
  if (screening.facts().has_continuation_year()) {
    std::cout << "継続年数: " << screening.facts().continuation_year() << "年目"
              << (p.continues().empty()
                      ? std::string()
                      : absl::StrCat("（", p.continues(), " の継続）"));
    if (screening.has_declared_continues()) {
      std::cout << " 申請時の申告: "
                << (screening.declared_continues().empty()
                        ? std::string("なし")
                        : screening.declared_continues());
    }
    std::cout << "\n";
  }
  for (const auto& f : screening.failures()) {
    pv1::RuleFailure::Rule rule = pv1::RuleFailure::RULE_UNSPECIFIED;
    std::cout << "× "
              << (pv1::RuleFailure::Rule_Parse(f.rule(), &rule)
                      ? absl::StrCat(common::EnumLabel(rule), " (", f.rule(),
                                     ")")
                      : f.rule())
              << ": " << f.message() << "\n";
  }
}

int Programmes(const Env& env) {
  pv1::ListProgrammesRequest request;
  request.set_filter(absl::GetFlag(FLAGS_filter));
  pv1::ListProgrammesResponse response;
  if (int rc = Run(env, "ListProgrammes", request, &response)) return rc;
  Table table({"名前(name)", "制度", "区", "委託する組織"});
  for (const auto& p : response.programmes()) {
    if (env.json) {
      std::cout << ToJson(p) << "\n";
      continue;
    }
    table.AddRow({p.name(), p.display_name(), common::EnumLabel(p.ward()),
                  p.consigning_unit()});
  }
  if (!env.json) table.Print(std::cout);
  return 0;
}

// A transition of a call: OpenCall, CloseCall, StartReview.
int CallTransition(const Env& env, const std::string& method,
                   const std::string& name) {
  std::unique_ptr<google::protobuf::Message> request =
      Client::NewRequest(*Client::FindMethod(kProposalService + method));
  request->GetReflection()->SetString(
      request.get(), request->GetDescriptor()->FindFieldByName("name"), name);
  pv1::Call call;
  if (int rc = Run(env, method, *request, &call)) return rc;
  if (env.json) {
    std::cout << ToJson(call) << "\n";
  } else {
    std::cout << call.name() << ": " << common::EnumLabel(call.state()) << "\n";
  }
  return 0;
}

int Calls(const Env& env) {
  const std::string sub = env.args.size() > 1 ? env.args[1] : "";
  if (sub == "list") {
    pv1::ListCallsRequest request;
    request.set_parent(env.args.size() > 2 ? env.args[2] : "programmes/-");
    request.set_filter(absl::GetFlag(FLAGS_filter));
    pv1::ListCallsResponse response;
    if (int rc = Run(env, "ListCalls", request, &response)) return rc;
    PrintCalls(env, response.calls());
    return 0;
  }
  if (env.args.size() != 3) return Usage();
  if (sub == "get") {
    pv1::GetCallRequest request;
    request.set_name(env.args[2]);
    pv1::Call call;
    if (int rc = Run(env, "GetCall", request, &call)) return rc;
    google::protobuf::RepeatedPtrField<pv1::Call> one;
    *one.Add() = call;
    PrintCalls(env, one);
    return 0;
  }
  if (sub == "open") return CallTransition(env, "OpenCall", env.args[2]);
  if (sub == "close") return CallTransition(env, "CloseCall", env.args[2]);
  if (sub == "start-review")
    return CallTransition(env, "StartReview", env.args[2]);
  if (sub == "advance") return Advance(env, env.args[2]);
  return Usage();
}

int Proposals(const Env& env) {
  const std::string sub = env.args.size() > 1 ? env.args[1] : "";
  if (env.args.size() != 3) return Usage();
  if (sub == "list") {
    pv1::ListProposalsRequest request;
    request.set_parent(env.args[2]);
    request.set_filter(absl::GetFlag(FLAGS_filter));
    pv1::ListProposalsResponse response;
    if (int rc = Run(env, "ListProposals", request, &response)) return rc;
    PrintProposals(env, response.proposals());
    return 0;
  }
  google::protobuf::RepeatedPtrField<pv1::Proposal> one;
  if (sub == "get") {
    pv1::GetProposalRequest request;
    request.set_name(env.args[2]);
    if (int rc = Run(env, "GetProposal", request, one.Add())) return rc;
  } else if (sub == "submit") {
    // Through the gateway: submitted, then screened with every rule.
    gateway::v1::SubmitProposalRequest request;
    request.set_name(env.args[2]);
    request.set_request_id(absl::GetFlag(FLAGS_request_id));
    gateway::v1::SubmitProposalResponse response;
    if (int rc = Run(env, "kyodo.gateway.v1.Gateway.SubmitProposal", request,
                     &response)) {
      return rc;
    }
    *one.Add() = response.proposal();
    if (!env.json) PrintScreening(response.proposal());
  } else if (sub == "screen") {
    // Staff screen again, confirming or correcting the project the
    // proposal continues (the continuation year follows it).
    pv1::ScreenProposalRequest request;
    request.set_name(env.args[2]);
    request.set_request_id(absl::GetFlag(FLAGS_request_id));
    const std::string continues = absl::GetFlag(FLAGS_continues);
    if (continues == "none") {
      request.set_continues("");
    } else if (!continues.empty()) {
      request.set_continues(continues);
    }
    if (int rc = Run(env, "ScreenProposal", request, one.Add())) return rc;
    if (!env.json) PrintScreening(one.Get(0));
  } else if (sub == "withdraw") {
    pv1::WithdrawProposalRequest request;
    request.set_name(env.args[2]);
    if (int rc = Run(env, "WithdrawProposal", request, one.Add())) return rc;
  } else if (sub == "return") {
    pv1::ReturnProposalRequest request;
    request.set_name(env.args[2]);
    request.set_note(absl::GetFlag(FLAGS_note));
    request.set_request_id(absl::GetFlag(FLAGS_request_id));
    const std::string deadline = absl::GetFlag(FLAGS_deadline);
    absl::Time when;
    std::string error;
    if (!deadline.empty()) {
      if (!absl::ParseTime(absl::RFC3339_full, deadline, &when, &error)) {
        std::cerr << "kyodoctl: --deadline is no RFC 3339 time (" << error
                  << ")\n";
        return 2;
      }
      request.mutable_deadline()->set_seconds(absl::ToUnixSeconds(when));
    }
    if (int rc = Run(env, "ReturnProposal", request, one.Add())) return rc;
  } else {
    return Usage();
  }
  PrintProposals(env, one);
  return 0;
}

// The committee's progress: one row per proposal under review, one column
// per member (○ scored, 未 missing, 利 conflicted, － not assigned), every
// page.
int Progress(const Env& env) {
  pv1::ListReviewProgressRequest request;
  request.set_parent(env.args[2]);
  request.set_page_size(500);
  std::vector<pv1::ProposalProgress> rows;
  pv1::ListReviewProgressResponse page;
  do {
    if (int rc = Run(env, "ListReviewProgress", request, &page)) return rc;
    if (env.json) std::cout << ToJson(page) << "\n";
    rows.insert(rows.end(), page.proposals().begin(), page.proposals().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (env.json) return 0;
  if (page.stage() > 0) std::cout << "第" << page.stage() << "段階\n";
  std::vector<std::string> header = {"提案", "件名", "採点数"};
  for (const auto& m : page.members()) header.push_back(m.display_name());
  Table table(header);
  for (const auto& p : rows) {
    std::vector<std::string> row = {
        p.proposal(), p.title(),
        absl::StrCat(p.counted_reviews(), "/", p.min_reviews())};
    for (const auto& cell : p.cells()) {
      switch (cell.state()) {
        case pv1::ReviewCell::SCORED:
          row.emplace_back("○");
          break;
        case pv1::ReviewCell::MISSING:
          row.emplace_back("未");
          break;
        case pv1::ReviewCell::CONFLICTED:
          row.emplace_back("利");
          break;
        default:
          row.emplace_back("－");
      }
    }
    table.AddRow(row);
  }
  table.Print(std::cout);
  std::cout << "○ 採点済み　未 未採点　利 利害関係　－ 担当外\n";
  return 0;
}

int Reviewers(const Env& env) {
  if (env.args.size() >= 3 && env.args[1] == "assign") {
    // reviewers assign REVIEWER [PROPOSAL...]: no proposal = every one.
    pv1::UpdateReviewerRequest request;
    request.mutable_reviewer()->set_name(env.args[2]);
    for (size_t i = 3; i < env.args.size(); ++i)
      request.mutable_reviewer()->add_assigned_proposals(env.args[i]);
    request.mutable_update_mask()->add_paths("assigned_proposals");
    request.set_request_id(absl::GetFlag(FLAGS_request_id));
    pv1::Reviewer member;
    if (int rc = Run(env, "UpdateReviewer", request, &member)) return rc;
    if (env.json) {
      std::cout << ToJson(member) << "\n";
    } else {
      std::cout << member.display_name() << ": "
                << (member.assigned_proposals().empty()
                        ? std::string("全提案を担当")
                        : absl::StrCat(member.assigned_proposals_size(),
                                       "件を担当"))
                << "\n";
    }
    return 0;
  }
  if (env.args.size() >= 3 && env.args[1] == "stages") {
    // reviewers stages REVIEWER [STAGE...]: no stage = the last only.
    pv1::UpdateReviewerRequest request;
    request.mutable_reviewer()->set_name(env.args[2]);
    for (size_t i = 3; i < env.args.size(); ++i) {
      int32_t stage = 0;
      if (!absl::SimpleAtoi(env.args[i], &stage)) {
        std::cerr << "kyodoctl: a stage is a number, 1 for the first\n";
        return 2;
      }
      request.mutable_reviewer()->add_stages(stage);
    }
    request.mutable_update_mask()->add_paths("stages");
    request.set_request_id(absl::GetFlag(FLAGS_request_id));
    pv1::Reviewer member;
    if (int rc = Run(env, "UpdateReviewer", request, &member)) return rc;
    std::cout << (env.json
                      ? ToJson(member)
                      : absl::StrCat(member.display_name(), ": 第",
                                     member.stages().empty()
                                         ? std::string("最終")
                                         : absl::StrJoin(member.stages(), "・"),
                                     "段階"))
              << "\n";
    return 0;
  }
  if (env.args.size() != 3) return Usage();
  if (env.args[1] == "progress") return Progress(env);
  if (env.args[1] != "list") return Usage();
  pv1::ListReviewersRequest request;
  request.set_parent(env.args[2]);
  pv1::ListReviewersResponse response;
  if (int rc = Run(env, "ListReviewers", request, &response)) return rc;
  Table table({"名前(name)", "委員", "所属", "段階", "担当", "利害関係"});
  for (const auto& r : response.reviewers()) {
    if (env.json) {
      std::cout << ToJson(r) << "\n";
      continue;
    }
    std::vector<std::string> conflicts;
    for (const auto& c : r.conflicts()) {
      conflicts.push_back(
          absl::StrCat(c.proposal().substr(c.proposal().rfind('/') + 1), "(",
                       common::EnumLabel(c.source()), ")"));
    }
    table.AddRow({r.name(), r.display_name(),
                  absl::StrJoin(r.affiliations(), " "),
                  r.stages().empty() ? std::string("最終")
                                     : absl::StrJoin(r.stages(), "・"),
                  r.assigned_proposals().empty()
                      ? std::string("全件")
                      : absl::StrCat(r.assigned_proposals_size(), "件"),
                  conflicts.empty() ? std::string("なし")
                                    : absl::StrJoin(conflicts, " ")});
  }
  if (!env.json) table.Print(std::cout);
  return 0;
}

int Reviews(const Env& env) {
  if (env.args.size() != 3) return Usage();
  if (env.args[1] == "list") {
    pv1::ListReviewsRequest request;
    request.set_parent(env.args[2]);
    pv1::ListReviewsResponse response;
    if (int rc = Run(env, "ListReviews", request, &response)) return rc;
    Table table({"審査", "委員", "段階", "得点", "コメント"});
    for (const auto& r : response.reviews()) {
      if (env.json) {
        std::cout << ToJson(r) << "\n";
        continue;
      }
      table.AddRow({r.name(), r.reviewer(),
                    absl::StrCat(std::max(r.stage(), 1)),
                    absl::StrJoin(r.scores(), ","), r.comment()});
    }
    if (!env.json) table.Print(std::cout);
    return 0;
  }
  if (env.args[1] != "submit") return Usage();
  pv1::SubmitReviewRequest request;
  request.set_parent(env.args[2]);
  for (absl::string_view part :
       absl::StrSplit(absl::GetFlag(FLAGS_scores), ',', absl::SkipEmpty())) {
    int64_t score = 0;
    if (!absl::SimpleAtoi(part, &score)) {
      std::cerr << "kyodoctl: --scores takes whole numbers, e.g. 4,5,3\n";
      return 2;
    }
    request.mutable_review()->add_scores(score);
  }
  request.mutable_review()->set_comment(absl::GetFlag(FLAGS_comment));
  pv1::Review review;
  if (int rc = Run(env, "SubmitReview", request, &review)) return rc;
  std::cout << (env.json ? ToJson(review) : review.name()) << "\n";
  return 0;
}

// The consignment projects made (or found) for the adopted proposals.
void PrintProjects(
    const google::protobuf::RepeatedPtrField<gateway::v1::FinalizedProposal>&
        projects) {
  Table table({"採択提案", "委託事業", "金額", ""});
  for (const auto& p : projects) {
    table.AddRow({p.proposal(), p.project(), Yen(p.adopted_amount_yen()),
                  p.created_now() ? "作成" : "作成済"});
  }
  table.Print(std::cout);
}

}  // namespace

int CmdSelection(const Env& env) {
  if (env.args.empty()) return Usage();
  const std::string& what = env.args[0];
  if (what == "programmes") return Programmes(env);
  if (what == "calls") return Calls(env);
  if (what == "proposals") return Proposals(env);
  if (what == "reviewers") return Reviewers(env);
  if (what == "reviews") return Reviews(env);
  if (what == "publish" && env.args.size() == 2) {
    gateway::v1::PublishResultsRequest request;
    request.set_name(env.args[1]);
    request.set_request_id(absl::GetFlag(FLAGS_request_id));
    if (!env.json)
      std::cerr << "結果を公表し、採択案件ごとに委託事業を作成しています…\n";
    gateway::v1::PublishResultsResponse response;
    if (int rc = Run(env, "kyodo.gateway.v1.Gateway.PublishResults", request,
                     &response)) {
      return rc;
    }
    if (env.json) {
      std::cout << ToJson(response) << "\n";
      return 0;
    }
    std::cout << response.call().name() << ": "
              << common::EnumLabel(response.call().state()) << "\n";
    PrintProjects(response.projects());
    return 0;
  }
  if (what == "preview" && env.args.size() == 2) {
    pv1::PreviewDecisionRequest request;
    request.set_name(env.args[1]);
    if (absl::GetFlag(FLAGS_budget) >= 0)
      request.set_budget_yen(absl::GetFlag(FLAGS_budget));
    if (absl::GetFlag(FLAGS_max_adoptions) >= 0) {
      request.set_max_adoptions(absl::GetFlag(FLAGS_max_adoptions));
    }
    if (!ReadRulings(request.mutable_rulings())) return 2;
    if (absl::GetFlag(FLAGS_pass_mark) >= 0) {
      request.set_pass_mark(absl::GetFlag(FLAGS_pass_mark));
    }
    if (const std::string rule = absl::GetFlag(FLAGS_adoption_rule);
        !rule.empty()) {
      pv1::Call::AdoptionRule value;
      if (!pv1::Call::AdoptionRule_Parse(rule, &value)) {
        std::cerr
            << "kyodoctl: --adoption_rule is GREEDY_SKIP or GREEDY_STOP\n";
        return 2;
      }
      request.set_adoption_rule(value);
    }
    if (const std::string keys = absl::GetFlag(FLAGS_tie_break);
        !keys.empty()) {
      auto* order = request.mutable_tie_break_order();
      for (absl::string_view part :
           absl::StrSplit(keys == "-" ? "" : keys, ',', absl::SkipEmpty())) {
        std::vector<std::string> key_and_index = absl::StrSplit(part, ':');
        pv1::TieBreak::Key key;
        int32_t index = 0;
        if (!pv1::TieBreak::Key_Parse(key_and_index[0], &key) ||
            key_and_index.size() > 2 ||
            (key_and_index.size() == 2 &&
             !absl::SimpleAtoi(key_and_index[1], &index))) {
          std::cerr << "kyodoctl: --tie_break takes keys such as "
                       "LOWER_REQUESTED_AMOUNT,HIGHER_CRITERION_SCORE:0\n";
          return 2;
        }
        auto* tie = order->add_tie_break();
        tie->set_key(key);
        if (key_and_index.size() == 2) tie->set_criterion(index);
      }
    }
    pv1::Decision decision;
    if (int rc = Run(env, "PreviewDecision", request, &decision)) return rc;
    PrintDecision(env, decision);
    return 0;
  }
  if (what == "finalize" && env.args.size() == 2) {
    gateway::v1::FinalizeCallRequest request;
    request.set_name(env.args[1]);
    request.set_request_id(absl::GetFlag(FLAGS_request_id));
    if (!ReadRulings(request.mutable_rulings())) return 2;
    if (!env.json) std::cerr << "決定しています（公表までは非公開）…\n";
    gateway::v1::FinalizeCallResponse response;
    if (int rc = Run(env, "kyodo.gateway.v1.Gateway.FinalizeCall", request,
                     &response)) {
      return rc;
    }
    if (env.json) {
      std::cout << ToJson(response) << "\n";
      return 0;
    }
    PrintDecision(env, response.decision());
    // Projects are made at publication (kyodoctl publish).
    if (response.projects_size() > 0) PrintProjects(response.projects());
    return 0;
  }
  return Usage();
}

}  // namespace kyodo::ctl
