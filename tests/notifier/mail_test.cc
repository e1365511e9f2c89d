// The notifier's mails as a mail client reads them (tests/notifier/mime.h):
// headers and body in Japanese over 7-bit ASCII, each template's words, and
// who gets what.
#include "notifier/mail.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/store/doc.h"
#include "common/text/text.h"
#include "gtest/gtest.h"
#include "notifier/templates.h"
#include "tests/notifier/mime.h"

namespace kyodo::notifier {
namespace {

namespace pv1 = proposal::v1;
using pv1::Event;

absl::Time Jst(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi),
                         absl::FixedTimeZone(9 * 3600));
}

Mail Sample() {
  Mail m;
  m.from = {"noreply@city.kawasaki.example", "川崎市 協働推進"};
  m.to = {"taro@example.jp", "川崎 太郎"};
  m.subject =
      "【川崎市 協働】提案を受け付けました「多摩川の清掃と生きもの観察会の"
      "開催による地域のつながりづくり」";
  m.body = "川崎 太郎 様\n\n提案を受け付けました。\n";
  m.message_id = MessageIdOf("42", "PROPOSAL_SUBMITTED", "taro@example.jp",
                             "city.kawasaki.example");
  m.date = Jst(2026, 12, 7, 10, 15);
  return m;
}

TEST(MailTest, JapaneseRoundTripsOverSevenBitAscii) {
  const Mail m = Sample();
  const std::string text = Render(m);
  auto read = testing::ParseMail(text);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->ascii_only);
  // RFC 2047's limit on a line with encoded-words, and RFC 5322's 78.
  EXPECT_LE(read->longest_line, 76u);
  EXPECT_EQ(read->headers["subject"], m.subject);
  EXPECT_EQ(read->headers["to"], "川崎 太郎 <taro@example.jp>");
  EXPECT_EQ(read->headers["from"],
            "川崎市 協働推進 <noreply@city.kawasaki.example>");
  EXPECT_EQ(read->headers["content-type"], "text/plain; charset=UTF-8");
  EXPECT_EQ(read->headers["content-transfer-encoding"], "base64");
  EXPECT_EQ(read->headers["mime-version"], "1.0");
  EXPECT_EQ(read->headers["auto-submitted"], "auto-generated");
  EXPECT_EQ(read->headers["date"], "Mon, 07 Dec 2026 10:15:00 +0900");
  EXPECT_EQ(read->headers["message-id"], "<" + m.message_id + ">");
  EXPECT_EQ(read->body, m.body);
  // Every line ends in CRLF.
  EXPECT_FALSE(
      absl::StrContains(absl::StrReplaceAll(text, {{"\r\n", ""}}), "\n"));
}

TEST(MailTest, EncodedWordsNeverSplitACharacter) {
  // 1, 2, 3 and 4-byte characters in every alignment.
  const std::string text = "aé川😀aé川😀aé川😀aé川😀aé川😀aé川😀aé川😀";
  for (int skip = 0; skip < 4; ++skip) {
    const std::string subject =
        std::string(static_cast<size_t>(skip), 'x') + text;
    Mail m = Sample();
    m.subject = subject;
    auto read = testing::ParseMail(Render(m));
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->headers["subject"], subject);
    // Each word decodes alone to valid UTF-8: no word ends mid-character.
    for (absl::string_view word :
         absl::StrSplit(read->raw["subject"], ' ', absl::SkipEmpty())) {
      std::string one = absl::StrCat("Subject: ", word, "\r\n\r\n");
      auto alone = testing::ParseMail(one);
      ASSERT_TRUE(alone.ok()) << word;
      EXPECT_TRUE(common::IsValidUtf8(alone->headers["subject"])) << word;
    }
  }
}

TEST(MailTest, PlainAsciiHeadersStayAsTheyAre) {
  EXPECT_EQ(EncodeHeaderText("Kawasaki Taro"), "Kawasaki Taro");
  EXPECT_NE(EncodeHeaderText("a, b <c>"), "a, b <c>");
  EXPECT_EQ(EncodeHeaderText("川"), "=?UTF-8?B?5bed?=");
}

TEST(MailTest, MessageIdIsOnePerEventAndRecipient) {
  const std::string a = MessageIdOf("42", "K", "Taro@Example.jp", "d.example");
  EXPECT_EQ(a, MessageIdOf("42", "K", "taro@example.jp", "d.example"));
  EXPECT_NE(a, MessageIdOf("43", "K", "taro@example.jp", "d.example"));
  EXPECT_NE(a, MessageIdOf("42", "K", "jiro@example.jp", "d.example"));
  EXPECT_TRUE(absl::EndsWith(a, "@d.example"));
}

TEST(TemplateTest, JapaneseTimeIsTheCitysCalendar) {
  // 2026-12-06 23:30 UTC is Monday 08:30 in Japan.
  EXPECT_EQ(JapaneseTime(absl::FromCivil(absl::CivilMinute(2026, 12, 6, 23, 30),
                                         absl::UTCTimeZone())),
            "2026年12月7日(月) 08:30");
  EXPECT_EQ(JapaneseTime(Jst(2027, 1, 3, 17, 5)), "2027年1月3日(日) 17:05");
}

class TemplatesTest : public ::testing::Test {
 protected:
  TemplatesTest() {
    context_.call.set_name("programmes/p/calls/c");
    context_.call.set_display_name("令和8年度 麻生区市民提案型事業");
    context_.call.set_ward(type::v1::ASAO);
    context_.applicant_name = "多摩川クリーン会";
    context_.recipient_name = "川崎 花子";
    proposal_.set_name("programmes/p/calls/c/proposals/x");
    proposal_.set_title("多摩川の清掃");
    proposal_.set_applicant("partners/a1");
    proposal_.set_requested_amount_yen(362100);
    *proposal_.mutable_submit_time() =
        common::store::ToTimestamp(Jst(2026, 6, 12, 9, 30));
  }
  Event ProposalEvent(Event::Type type) const {
    Event e;
    e.set_cursor("7");
    e.set_type(type);
    e.set_resource(proposal_.name());
    *e.mutable_proposal() = proposal_;
    return e;
  }
  DraftContext context_;
  pv1::Proposal proposal_;
};

TEST_F(TemplatesTest, Submitted) {
  proposal_.set_state(pv1::Proposal::SUBMITTED);
  auto d = Compose(ProposalEvent(Event::PROPOSAL_SUBMITTED), context_);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->subject, "【川崎市 協働】提案を受け付けました「多摩川の清掃」");
  EXPECT_TRUE(absl::StrContains(d->body, "川崎 花子 様")) << d->body;
  EXPECT_TRUE(absl::StrContains(d->body, "受付日時: 2026年6月12日(金) 09:30"))
      << d->body;
  EXPECT_TRUE(absl::StrContains(d->body, "申請額: 362,100円")) << d->body;
  EXPECT_TRUE(absl::StrContains(d->body, "麻生区役所")) << d->body;
  // A resubmission after a correction says so.
  auto* c = proposal_.add_corrections();
  *c->mutable_resubmit_time() = proposal_.submit_time();
  d = Compose(ProposalEvent(Event::PROPOSAL_SUBMITTED), context_);
  EXPECT_TRUE(absl::StrContains(d->subject, "補正後の提案を受け付けました"));
}

TEST_F(TemplatesTest, ScreenedNamesEachFailedRule) {
  proposal_.set_state(pv1::Proposal::INELIGIBLE);
  auto* s = proposal_.mutable_screening();
  s->set_result(pv1::Screening::INELIGIBLE);
  auto* f = s->add_failures();
  f->set_rule("AMOUNT_OVER_CAP");
  f->set_message("requested 800,000 yen; the cap in year 1 is 700,000 yen");
  auto d = Compose(ProposalEvent(Event::PROPOSAL_SCREENED), context_);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(absl::EndsWith(d->subject, "要件不適合"));
  EXPECT_TRUE(absl::StrContains(
      d->body,
      "・requested 800,000 yen; the cap in year 1 is 700,000 yen "
      "(AMOUNT_OVER_CAP)"))
      << d->body;
  s->set_result(pv1::Screening::ELIGIBLE);
  s->clear_failures();
  d = Compose(ProposalEvent(Event::PROPOSAL_SCREENED), context_);
  EXPECT_TRUE(absl::EndsWith(d->subject, "要件適合"));
  EXPECT_FALSE(absl::StrContains(d->body, "・"));
}

TEST_F(TemplatesTest, ReturnedGivesTheNoteAndTheDeadline) {
  proposal_.set_state(pv1::Proposal::RETURNED);
  auto* c = proposal_.add_corrections();
  c->set_note("収支予算書の合計が合っていません。");
  *c->mutable_deadline() = common::store::ToTimestamp(Jst(2026, 7, 3, 17, 0));
  auto d = Compose(ProposalEvent(Event::PROPOSAL_RETURNED), context_);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->subject, "【川崎市 協働】提案の補正のお願い「多摩川の清掃」");
  EXPECT_TRUE(absl::StrContains(d->body, "収支予算書の合計が合っていません。"));
  EXPECT_TRUE(absl::StrContains(d->body, "補正期限: 2026年7月3日(金) 17:00"))
      << d->body;
}

TEST_F(TemplatesTest, OnlyARankedResultIsMailed) {
  proposal_.set_state(pv1::Proposal::ADOPTED);
  proposal_.mutable_result()->set_reason(pv1::ProposalResult::ADOPTED);
  proposal_.mutable_result()->set_adopted_amount_yen(362100);
  proposal_.mutable_result()->set_rank(1);
  proposal_.mutable_result()->set_score("93.3333");
  auto d = Compose(ProposalEvent(Event::PROPOSAL_RESULT_PUBLISHED), context_);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(absl::EndsWith(d->subject, "」: 採択"));
  EXPECT_TRUE(absl::StrContains(d->body, "採択額: 362,100円"));
  EXPECT_TRUE(absl::StrContains(d->body, "順位: 1位 (評点 93.3333)"));
  proposal_.set_state(pv1::Proposal::NOT_ADOPTED);
  proposal_.mutable_result()->set_reason(pv1::ProposalResult::BUDGET_EXHAUSTED);
  d = Compose(ProposalEvent(Event::PROPOSAL_RESULT_PUBLISHED), context_);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(absl::EndsWith(d->subject, "」: 不採択"));
  EXPECT_TRUE(absl::StrContains(d->body, "理由: 予算の残りが足りず"));
  for (auto state : {pv1::Proposal::WITHDRAWN, pv1::Proposal::INELIGIBLE,
                     pv1::Proposal::ELIGIBLE}) {
    proposal_.set_state(state);
    EXPECT_FALSE(
        Compose(ProposalEvent(Event::PROPOSAL_RESULT_PUBLISHED), context_)
            .has_value())
        << pv1::Proposal::State_Name(state);
  }
}

TEST_F(TemplatesTest, AStageOpensForTheMembersWhoScoreIt) {
  Event e;
  e.set_type(Event::REVIEW_STAGE_OPENED);
  e.set_resource(context_.call.name());
  pv1::Call& call = *e.mutable_call();
  call = context_.call;
  call.add_stages()->set_display_name("書類審査");
  call.set_last_stage_display_name("プレゼンテーション審査");
  call.set_current_stage(1);
  pv1::Reviewer last_only, first, deleted;
  first.add_stages(1);
  deleted.add_stages(1);
  *deleted.mutable_delete_time() =
      common::store::ToTimestamp(Jst(2026, 1, 1, 0, 0));
  EXPECT_FALSE(MemberConcerned(e, last_only));
  EXPECT_TRUE(MemberConcerned(e, first));
  EXPECT_FALSE(MemberConcerned(e, deleted));
  context_.call = call;
  auto d = Compose(e, context_);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(absl::EndsWith(d->subject, "書類審査")) << d->subject;
  call.set_current_stage(2);
  EXPECT_TRUE(MemberConcerned(e, last_only));
  EXPECT_FALSE(MemberConcerned(e, first));
  context_.call = call;
  d = Compose(e, context_);
  EXPECT_TRUE(absl::EndsWith(d->subject, "プレゼンテーション審査"));
  // Results published: every member still on the committee.
  e.set_type(Event::RESULTS_PUBLISHED);
  EXPECT_TRUE(MemberConcerned(e, last_only));
  EXPECT_TRUE(MemberConcerned(e, first));
  EXPECT_FALSE(MemberConcerned(e, deleted));
  EXPECT_EQ(AudienceOf(e), Audience::kMembers);
  e.set_type(Event::CALL_DECIDED);
  EXPECT_EQ(AudienceOf(e), Audience::kNone);
  EXPECT_FALSE(Compose(e, context_).has_value());
}

}  // namespace
}  // namespace kyodo::notifier
