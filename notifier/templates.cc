#include "notifier/templates.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/store/doc.h"
#include "common/text/enum_label.h"
#include "common/time/clock.h"

namespace kyodo::notifier {
namespace {

using proposal::v1::Call;
using proposal::v1::Event;
using proposal::v1::Proposal;
using proposal::v1::ProposalResult;
using proposal::v1::Reviewer;
using proposal::v1::Screening;

constexpr absl::string_view kSubjectPrefix = "【川崎市 協働】";

std::string CallTitle(const Call& call) {
  return call.display_name().empty() ? call.name() : call.display_name();
}

// 1-based; the last stage is len(stages) + 1 (Call.current_stage; 0 on a
// call without stages).
int CurrentStage(const Call& call) {
  const int last = call.stages_size() + 1;
  return call.current_stage() == 0 ? last : call.current_stage();
}

std::string StageName(const Call& call, int stage) {
  if (stage >= 1 && stage <= call.stages_size() &&
      !call.stages(stage - 1).display_name().empty()) {
    return call.stages(stage - 1).display_name();
  }
  if (stage == call.stages_size() + 1 &&
      !call.last_stage_display_name().empty()) {
    return call.last_stage_display_name();
  }
  return call.stages_size() == 0 ? "審査"
                                 : absl::StrCat("第", stage, "段階審査");
}

std::string Yen(int64_t yen) {
  std::string digits = absl::StrCat(yen < 0 ? -yen : yen);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<size_t>(i), ",");
  }
  return absl::StrCat(yen < 0 ? "-" : "", digits, "円");
}

// The greeting line: 「<person> 様」, or the organisation with 御中.
std::string Greeting(const DraftContext& c) {
  std::string out;
  if (!c.applicant_name.empty()) absl::StrAppend(&out, c.applicant_name, "\n");
  if (!c.recipient_name.empty()) {
    absl::StrAppend(&out, c.recipient_name, " 様\n");
  } else if (!c.applicant_name.empty()) {
    out = absl::StrCat(c.applicant_name, " 御中\n");
  }
  return out;
}

std::string Footer(const DraftContext& c) {
  std::string out = "\n--\n";
  if (!c.console_url.empty()) {
    absl::StrAppend(&out, "kyodo: ", c.console_url, "\n");
  }
  absl::StrAppend(
      &out, "このメールは川崎市の協働推進システム (kyodo) から自動で送信して",
      "います。\nこのメールへの返信は届きません。お問い合わせは",
      common::EnumLabel(c.call.ward()) == "—"
          ? std::string("担当の区役所")
          : absl::StrCat(common::EnumLabel(c.call.ward()), "役所"),
      "へお願いします。\n");
  return out;
}

std::string ProposalLines(const Proposal& p, const DraftContext& c) {
  return absl::StrCat("公募: ", CallTitle(c.call), "\n", "提案: ", p.title(),
                      "\n", "提案番号: ", p.name(), "\n");
}

Draft Submitted(const Proposal& p, const DraftContext& c) {
  const bool resubmitted =
      p.corrections_size() > 0 &&
      p.corrections(p.corrections_size() - 1).has_resubmit_time();
  const std::string what = resubmitted ? "補正後の提案" : "提案";
  Draft d;
  d.subject =
      absl::StrCat(kSubjectPrefix, what, "を受け付けました「", p.title(), "」");
  d.body = absl::StrCat(
      Greeting(c), "\n", what, "を受け付けました。\n\n", ProposalLines(p, c),
      "受付日時: ", JapaneseTime(common::store::FromTimestamp(p.submit_time())),
      "\n", "申請額: ", Yen(p.requested_amount_yen()), "\n\n",
      "要件確認 (資格審査) の結果は、あらためてお知らせします。\n", Footer(c));
  return d;
}

Draft Screened(const Proposal& p, const DraftContext& c) {
  const bool eligible = p.screening().result() == Screening::ELIGIBLE;
  Draft d;
  d.subject = absl::StrCat(kSubjectPrefix, "要件確認の結果「", p.title(),
                           "」: ", common::EnumLabel(p.screening().result()));
  std::string result;
  if (eligible) {
    result =
        "提案は応募の要件を満たしていることを確認しました。\n"
        "審査会での審査に進みます。結果は公表の際にお知らせします。\n";
  } else {
    result = "提案は次の要件を満たしていないため、審査の対象になりません。\n";
    for (const auto& failure : p.screening().failures()) {
      absl::StrAppend(&result, "・", failure.message(), " (", failure.rule(),
                      ")\n");
    }
  }
  d.body = absl::StrCat(Greeting(c), "\n", "提案の要件確認 (資格審査) が",
                        "終わりました。\n\n", ProposalLines(p, c),
                        "結果: ", common::EnumLabel(p.screening().result()),
                        "\n\n", result, Footer(c));
  return d;
}

std::optional<Draft> Returned(const Proposal& p, const DraftContext& c) {
  if (p.corrections_size() == 0) return std::nullopt;
  const auto& correction = p.corrections(p.corrections_size() - 1);
  Draft d;
  d.subject =
      absl::StrCat(kSubjectPrefix, "提案の補正のお願い「", p.title(), "」");
  d.body = absl::StrCat(
      Greeting(c), "\n",
      "提出いただいた提案について、次の点の補正をお願いします。\n\n",
      ProposalLines(p, c), "\n補正していただきたい点:\n", correction.note(),
      "\n\n補正期限: ",
      JapaneseTime(common::store::FromTimestamp(correction.deadline())),
      "\nこの日時より前に、補正した提案を再提出してください。",
      "期限までに再提出がない場合、提案は取下げとなります。\n", Footer(c));
  return d;
}

Draft StageOpened(const DraftContext& c) {
  const Call& call = c.call;
  const std::string stage = StageName(call, CurrentStage(call));
  Draft d;
  d.subject = absl::StrCat(kSubjectPrefix, "審査が始まりました「",
                           CallTitle(call), "」", stage);
  d.body = absl::StrCat(
      c.recipient_name.empty() ? "" : absl::StrCat(c.recipient_name, " 様\n"),
      "\n", "審査会の委員としてご担当の審査が始まりました。\n\n",
      "公募: ", CallTitle(call), "\n", "審査: ", stage, "\n\n",
      "提案の閲覧と採点は kyodo でお願いします。利害関係のある提案が",
      "あれば、採点の前に申告してください。\n", Footer(c));
  return d;
}

std::optional<Draft> ResultPublished(const Proposal& p, const DraftContext& c) {
  const ProposalResult& r = p.result();
  const bool adopted = p.state() == Proposal::ADOPTED;
  if (!adopted && p.state() != Proposal::NOT_ADOPTED) return std::nullopt;
  Draft d;
  d.subject = absl::StrCat(kSubjectPrefix, "選考結果のお知らせ「", p.title(),
                           "」: ", common::EnumLabel(p.state()));
  std::string detail;
  if (adopted) {
    absl::StrAppend(&detail, "採択額: ", Yen(r.adopted_amount_yen()), "\n");
  } else {
    absl::StrAppend(&detail, "理由: ", common::EnumLabel(r.reason()), "\n");
    if (r.has_ruling()) {
      absl::StrAppend(&detail, "審査会の判断: ", r.ruling().reason(), "\n");
    }
  }
  if (r.rank() > 0) {
    absl::StrAppend(&detail, "順位: ", r.rank(), "位 (評点 ", r.score(), ")\n");
  }
  d.body = absl::StrCat(
      Greeting(c), "\n", "公募の選考結果が公表されました。\n\n",
      ProposalLines(p, c), "結果: ", common::EnumLabel(p.state()), "\n", detail,
      "\n",
      adopted ? "今後の手続き (委託契約) については、担当からご連絡します。\n"
              : "ご応募いただき、ありがとうございました。\n",
      Footer(c));
  return d;
}

Draft ResultsPublished(const DraftContext& c) {
  Draft d;
  d.subject = absl::StrCat(kSubjectPrefix, "選考結果が公表されました「",
                           CallTitle(c.call), "」");
  d.body = absl::StrCat(
      c.recipient_name.empty() ? "" : absl::StrCat(c.recipient_name, " 様\n"),
      "\n",
      "審査会の委員としてご審査いただいた公募の結果が公表されました。\n\n",
      "公募: ", CallTitle(c.call), "\n", "公表日時: ",
      JapaneseTime(common::store::FromTimestamp(c.call.publish_time())),
      "\n\nご協力ありがとうございました。\n", Footer(c));
  return d;
}

}  // namespace

Audience AudienceOf(const Event& event) {
  switch (event.type()) {
    case Event::PROPOSAL_SUBMITTED:
    case Event::PROPOSAL_SCREENED:
    case Event::PROPOSAL_RETURNED:
    case Event::PROPOSAL_RESULT_PUBLISHED:
      return event.has_proposal() ? Audience::kApplicant : Audience::kNone;
    case Event::REVIEW_STAGE_OPENED:
    case Event::RESULTS_PUBLISHED:
      return event.has_call() ? Audience::kMembers : Audience::kNone;
    default:
      return Audience::kNone;
  }
}

std::vector<Event::Type> MailedTypes() {
  return {Event::PROPOSAL_SUBMITTED, Event::PROPOSAL_SCREENED,
          Event::PROPOSAL_RETURNED,  Event::REVIEW_STAGE_OPENED,
          Event::RESULTS_PUBLISHED,  Event::PROPOSAL_RESULT_PUBLISHED};
}

bool MemberConcerned(const Event& event, const Reviewer& r) {
  if (r.has_delete_time()) return false;
  if (event.type() == Event::RESULTS_PUBLISHED) return true;
  if (event.type() != Event::REVIEW_STAGE_OPENED) return false;
  const int stage = CurrentStage(event.call());
  if (r.stages_size() == 0) return stage == event.call().stages_size() + 1;
  return std::find(r.stages().begin(), r.stages().end(), stage) !=
         r.stages().end();
}

std::optional<Draft> Compose(const Event& event, const DraftContext& c) {
  switch (event.type()) {
    case Event::PROPOSAL_SUBMITTED:
      return Submitted(event.proposal(), c);
    case Event::PROPOSAL_SCREENED:
      return Screened(event.proposal(), c);
    case Event::PROPOSAL_RETURNED:
      return Returned(event.proposal(), c);
    case Event::REVIEW_STAGE_OPENED:
      return StageOpened(c);
    case Event::PROPOSAL_RESULT_PUBLISHED:
      return ResultPublished(event.proposal(), c);
    case Event::RESULTS_PUBLISHED:
      return ResultsPublished(c);
    default:
      return std::nullopt;
  }
}

std::string JapaneseTime(absl::Time t) {
  static constexpr const char* kDays[] = {"月", "火", "水", "木",
                                          "金", "土", "日"};
  const absl::TimeZone jst = common::JapanTime();
  const absl::CivilMinute m = absl::ToCivilMinute(t, jst);
  const absl::Weekday w = absl::GetWeekday(absl::CivilDay(m));
  return absl::StrFormat("%d年%d月%d日(%s) %02d:%02d", m.year(), m.month(),
                         m.day(), kDays[static_cast<int>(w)], m.hour(),
                         m.minute());
}

}  // namespace kyodo::notifier
