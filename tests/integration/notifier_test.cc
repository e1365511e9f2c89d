// Issue 17: the notifier (notifier/) through a whole round against a real
// local SMTP server (Debian's python3-aiosmtpd, tests/integration/
// smtp_server.py), restarted in the middle of the round: each expected mail
// (recipient, subject, body, encoding) arrives exactly once.
//
// The round is RoundTest's (round_fixture.h) with addresses: the six
// applicants' contacts (海風の森 has two) and the three members'. A
// correction is added: 富士通 is returned, then resubmits.
#include <dirent.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/database.h"
#include "common/store/doc.h"
#include "notifier/mail_store.h"
#include "notifier/templates.h"
#include "notifier_migrations.h"
#include "tests/integration/round_fixture.h"
#include "tests/notifier/mime.h"
#include "tests/testing/auth.h"
#include "tests/testing/database.h"
#include "tests/testing/process.h"
#include "tests/testing/scrape.h"

namespace kyodo::integration {
namespace {

using testing::Context;
using testing::Service;

constexpr char kFrom[] = "noreply@city.kawasaki.example";

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path);
  out << content;
}

// Every message in the Maildir's new/ folder.
std::vector<std::string> Delivered(const std::string& maildir) {
  std::vector<std::string> out;
  const std::string dir = maildir + "/new";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* entry = readdir(d)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream in(dir + "/" + entry->d_name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(text.str());
  }
  closedir(d);
  return out;
}

class NotifierRoundTest : public RoundTest {
 protected:
  NotifierRoundTest() : database_("notifier") {
    database_.Migrate(
        {common::server::CommonMigrations(), KyodoNotifierMigrations()});
    pool_ = database_.NewPool(2);
    store_ = std::make_unique<notifier::MailStore>(pool_.get(), "proposal");
    dir_ = cluster_->log_dir();
    maildir_ = dir_ + "/maildir";
    smtp_ = std::make_unique<testing::ChildProcess>(
        "/usr/bin/python3",
        std::vector<std::string>{
            absl::StrCat(KYODO_SOURCE_DIR, "/tests/integration/smtp_server.py"),
            maildir_},
        dir_ + "/smtp.log");
    EXPECT_TRUE(smtp_->Start());
    smtp_port_ = smtp_->WaitForLoggedPort("serving", absl::Seconds(30));
    EXPECT_NE(smtp_port_, 0) << smtp_->LogTail();
  }
  ~NotifierRoundTest() override {
    if (notifier_ != nullptr) notifier_->Signal(SIGTERM);
    if (notifier_ != nullptr) notifier_->Wait(absl::Seconds(10));
    if (smtp_ != nullptr) smtp_->Signal(SIGTERM);
  }

  // The notifier as a process: its own schema, the notifier's credential
  // (role notifier, which the services check themselves), the SMTP server.
  void StartNotifier() {
    WriteFile(dir_ + "/notifier.token",
              testing::TokenFor({"notifier", common::auth::Role::kNotifier},
                                absl::Hours(24)));
    WriteFile(dir_ + "/notifier-db.password",
              testing::TestServingServer().password);
    std::vector<std::string> args;
    for (const std::string& flag : cluster_->Flags(Service::kProposal)) {
      for (const char* keep :
           {"--jwt_", "--drain=", "--shutdown_grace=", "--test_clock_file=",
            "--page_token_key_file=", "--db_host=", "--db_port="}) {
        if (absl::StartsWith(flag, keep)) args.push_back(flag);
      }
    }
    const common::db::PoolOptions serving = database_.ServingOptions();
    args.insert(
        args.end(),
        {"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0",
         absl::StrCat("--db_user=", serving.user),
         absl::StrCat("--db_name=", serving.database),
         absl::StrCat("--db_password_file=", dir_, "/notifier-db.password"),
         "--migrate=false",
         absl::StrCat("--proposal_addr=",
                      cluster_->Address(Service::kProposal)),
         absl::StrCat("--partner_addr=", cluster_->Address(Service::kPartner)),
         absl::StrCat("--service_token_file=", dir_, "/notifier.token"),
         absl::StrCat("--smtp_url=smtp://127.0.0.1:", smtp_port_),
         absl::StrCat("--mail_from=", kFrom),
         "--console_url=https://kyodo.city.kawasaki.example/",
         "--mail_poll_interval=100ms", "--mail_retry_base=1s"});
    notifier_ = std::make_unique<testing::ChildProcess>(
        testing::ChildProcess::Binary("notifier"), args,
        dir_ + "/notifier.log");
    ASSERT_TRUE(notifier_->Start());
    ASSERT_NE(notifier_->WaitForLoggedPort("serving", absl::Seconds(60)), 0)
        << notifier_->LogTail();
  }

  // Waits until the notifier recorded a position (its first start fixed
  // where it follows from).
  void WaitForPosition() {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      auto position = store_->Position(absl::Now() + absl::Seconds(5));
      ASSERT_TRUE(position.ok()) << position.status();
      if (position->has_value()) return;
      ASSERT_TRUE(notifier_->Running()) << notifier_->LogTail();
      absl::SleepFor(absl::Milliseconds(20));  // polling the database
    }
    FAIL() << "no position recorded: " << notifier_->LogTail();
  }

  // Waits until `n` mails are SENT and none is waiting; their states.
  std::map<std::string, int64_t> WaitForSent(int64_t n) {
    std::map<std::string, int64_t> counts;
    const absl::Time give_up = absl::Now() + absl::Seconds(90);
    while (absl::Now() < give_up) {
      auto read = store_->CountByState(absl::Now() + absl::Seconds(5));
      EXPECT_TRUE(read.ok()) << read.status();
      if (!read.ok()) return counts;
      counts = *read;
      auto count = [&](const std::string& state) {
        auto it = counts.find(state);
        return it == counts.end() ? int64_t{0} : it->second;
      };
      if (count("SENT") >= n && count("PENDING") == 0 &&
          count("SENDING") == 0) {
        return counts;
      }
      absl::SleepFor(absl::Milliseconds(50));  // polling the database
    }
    ADD_FAILURE() << "mails never all sent: " << notifier_->LogTail();
    return counts;
  }

  // Addresses: each applicant's contact, 海風の森's two; each member's.
  void GiveAddresses() {
    for (const auto& [ref, name] : refs_) {
      if (ref != "umikaze" && ref != "himawari" && ref != "bunkadamashii" &&
          ref != "sozo" && ref != "fujitsu" && ref != "tama-shotengai") {
        continue;
      }
      partner::v1::UpdatePartnerRequest update;
      update.mutable_partner()->set_name(name);
      auto* contact = update.mutable_partner()->add_contacts();
      contact->set_person_name(absl::StrCat("担当 ", ref));
      contact->set_email(absl::StrCat(ref, "@example.jp"));
      if (ref == "umikaze") {
        auto* second = update.mutable_partner()->add_contacts();
        second->set_person_name("海野 凪");
        second->set_email("Nagi.Umino@Example.jp");
      }
      update.mutable_update_mask()->add_paths("contacts");
      partner::v1::Partner out;
      grpc::Status status = partners_->UpdatePartner(
          Context(testing::AdminToken("setup")).get(), update, &out);
      ASSERT_TRUE(status.ok()) << ref << ": " << status.error_message();
    }
    for (const auto& [i, name] : reviewer_of_) {
      proposal::v1::UpdateReviewerRequest update;
      update.mutable_reviewer()->set_name(name);
      update.mutable_reviewer()->set_email(
          absl::StrCat("member-", i, "@example.jp"));
      update.mutable_update_mask()->add_paths("email");
      proposal::v1::Reviewer out;
      grpc::Status status =
          proposals_->UpdateReviewer(Context(Staff()).get(), update, &out);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }

  testing::TestDatabase database_;
  std::unique_ptr<common::db::ConnectionPool> pool_;
  std::unique_ptr<notifier::MailStore> store_;
  std::string dir_;
  std::string maildir_;
  std::unique_ptr<testing::ChildProcess> smtp_;
  int smtp_port_ = 0;
  std::unique_ptr<testing::ChildProcess> notifier_;
};

struct Expected {
  std::string to;
  std::string subject;
  std::vector<std::string> body;  // each must be in the body
};

TEST_F(NotifierRoundTest, EachMailOfAWholeRoundArrivesExactlyOnce) {
  ASSERT_NE(smtp_port_, 0);
  ASSERT_NO_FATAL_FAILURE(CreateProgrammeAndHistory());
  ASSERT_NO_FATAL_FAILURE(CreateOpenCall());
  ASSERT_NO_FATAL_FAILURE(GiveAddresses());
  ASSERT_NO_FATAL_FAILURE(StartNotifier());
  ASSERT_NO_FATAL_FAILURE(WaitForPosition());
  ASSERT_NO_FATAL_FAILURE(SubmitAll());

  // 富士通 is returned for correction and resubmits.
  const absl::Time deadline =
      absl::FromUnixSeconds(absl::ToUnixSeconds(cluster_->Now())) +
      absl::Hours(48);
  proposal::v1::ReturnProposalRequest give_back;
  give_back.set_name(proposal_of_["fujitsu"]);
  give_back.set_note("団体の種類を確認できる書類を添えてください。");
  *give_back.mutable_deadline() = common::store::ToTimestamp(deadline);
  proposal::v1::Proposal returned;
  grpc::Status status =
      proposals_->ReturnProposal(Context(Staff()).get(), give_back, &returned);
  ASSERT_TRUE(status.ok()) << status.error_message();
  gv1::SubmitProposalRequest again;
  again.set_name(proposal_of_["fujitsu"]);
  again.set_request_id(testing::NewRequestId());
  gv1::SubmitProposalResponse resubmitted;
  status = gateway_->SubmitProposal(Context(Applicant("fujitsu")).get(), again,
                                    &resubmitted);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // Restarted in the middle of the round, while it may still be mailing
  // the submissions: it drains and stops; what happens while it is down
  // is mailed when it is back.
  notifier_->Signal(SIGTERM);
  int exit_status = -1;
  ASSERT_TRUE(notifier_->Wait(absl::Seconds(30), &exit_status))
      << notifier_->LogTail();
  EXPECT_EQ(exit_status, 0) << notifier_->LogTail();
  // What the first process sent (its drain finished the mail in progress:
  // nothing is left SENDING).
  auto first = store_->CountByState(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->count("SENDING"), 0u);
  const int64_t sent_before = first->count("SENT") ? first->at("SENT") : 0;
  ASSERT_NO_FATAL_FAILURE(CloseAndStartReview());
  ASSERT_TRUE(notifier_->Start());
  ASSERT_NE(notifier_->WaitForLoggedPort("serving", absl::Seconds(60)), 0)
      << notifier_->LogTail();
  const int metrics_port =
      notifier_->WaitForLoggedPort("serving metrics", absl::Seconds(10));
  ASSERT_NE(metrics_port, 0);
  ASSERT_NO_FATAL_FAILURE(ReviewAll());
  gv1::FinalizeCallResponse finalized;
  status = FinalizeAsStaff(call_, &finalized);
  ASSERT_TRUE(status.ok()) << status.error_message();
  gv1::PublishResultsResponse published;
  status = PublishAsStaff(call_, &published);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // What each should get.
  const std::string prefix = "【川崎市 協働】";
  auto title = [](const std::string& ref) {
    return absl::StrCat(ref, " の提案");
  };
  std::map<std::string, std::vector<std::string>> applicant_to;
  for (const char* ref : {"umikaze", "himawari", "bunkadamashii", "sozo",
                          "fujitsu", "tama-shotengai"}) {
    applicant_to[ref] = {absl::StrCat(ref, "@example.jp")};
  }
  applicant_to["umikaze"].push_back("nagi.umino@example.jp");
  std::vector<Expected> expected;
  for (const auto& [ref, addresses] : applicant_to) {
    const bool eligible =
        ref == "umikaze" || ref == "himawari" || ref == "bunkadamashii";
    for (const std::string& to : addresses) {
      expected.push_back({to,
                          prefix + "提案を受け付けました「" + title(ref) + "」",
                          {"受付日時: ", "申請額: "}});
      expected.push_back(
          {to,
           prefix + "要件確認の結果「" + title(ref) +
               "」: " + (eligible ? "要件適合" : "要件不適合"),
           {eligible ? "審査会での審査に進みます" : "KIND_NOT_ELIGIBLE"}});
    }
  }
  // The ineligible ones name their rule.
  for (Expected& e : expected) {
    if (absl::StrContains(e.subject, "sozo") &&
        absl::StrContains(e.subject, "要件不適合"))
      e.body = {"(AMOUNT_OVER_CAP)"};
    if (absl::StrContains(e.subject, "tama-shotengai") &&
        absl::StrContains(e.subject, "要件不適合"))
      e.body = {"(CONTINUATION_YEARS_EXCEEDED)"};
  }
  expected.push_back({"fujitsu@example.jp",
                      prefix + "提案の補正のお願い「" + title("fujitsu") + "」",
                      {"団体の種類を確認できる書類を添えてください。",
                       "補正期限: " + notifier::JapaneseTime(deadline)}});
  expected.push_back(
      {"fujitsu@example.jp",
       prefix + "補正後の提案を受け付けました「" + title("fujitsu") + "」",
       {}});
  // Screened again after the resubmission: the same subject a second time.
  expected.push_back(
      {"fujitsu@example.jp",
       prefix + "要件確認の結果「" + title("fujitsu") + "」: 要件不適合",
       {"(KIND_NOT_ELIGIBLE)"}});
  const std::string call_title = "令和8年度 川崎区市民提案型事業 公募";
  for (int i = 1; i <= 3; ++i) {
    const std::string to = absl::StrCat("member-", i, "@example.jp");
    expected.push_back({to,
                        prefix + "審査が始まりました「" + call_title + "」審査",
                        {absl::StrCat("審査委員", i, " 様")}});
    expected.push_back(
        {to, prefix + "選考結果が公表されました「" + call_title + "」", {}});
  }
  for (const std::string& to : applicant_to["umikaze"]) {
    expected.push_back(
        {to,
         prefix + "選考結果のお知らせ「" + title("umikaze") + "」: 採択",
         {"採択額: 362,100円", "順位: 1位 (評点 93.3333)"}});
  }
  expected.push_back(
      {"himawari@example.jp",
       prefix + "選考結果のお知らせ「" + title("himawari") + "」: 採択",
       {"採択額: 75,000円"}});
  expected.push_back(
      {"bunkadamashii@example.jp",
       prefix + "選考結果のお知らせ「" + title("bunkadamashii") + "」: 不採択",
       {"理由: 予算の残りが足りず"}});
  ASSERT_EQ(expected.size(), 27u);

  const std::map<std::string, int64_t> states = WaitForSent(27);
  EXPECT_EQ(states, (std::map<std::string, int64_t>{{"SENT", 27}}));
  // The second process counted the rest (kyodo_mails_total, per process).
  EXPECT_EQ(testing::Sample(testing::Scrape(metrics_port), "kyodo_mails_total",
                            {"outcome=\"sent\"", "service=\"notifier\""}),
            static_cast<double>(27 - sent_before))
      << "sent before the restart: " << sent_before;
  // The outcomes that did not happen are there too, at 0, so that the
  // first failure raises the alert's increase() (KyodoMailsNotDelivered).
  for (const char* outcome : {"failed", "uncertain"}) {
    EXPECT_EQ(
        testing::Sample(testing::Scrape(metrics_port), "kyodo_mails_total",
                        {absl::StrCat("outcome=\"", outcome, "\"")}),
        0.0)
        << outcome;
  }

  // What arrived: every expected mail once, nothing else.
  std::multiset<std::pair<std::string, std::string>> want, got;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>>
      bodies;
  for (const Expected& e : expected) {
    want.insert({e.to, e.subject});
    bodies[{e.to, e.subject}] = e.body;
  }
  std::set<std::string> message_ids;
  const std::vector<std::string> delivered = Delivered(maildir_);
  for (const std::string& text : delivered) {
    auto mail = testing::ParseMail(text);
    ASSERT_TRUE(mail.ok()) << mail.status() << "\n" << text;
    const std::string to = mail->headers["x-rcptto"];
    const std::string subject = mail->headers["subject"];
    got.insert({to, subject});
    EXPECT_TRUE(message_ids.insert(mail->headers["message-id"]).second)
        << "a Message-ID twice: " << mail->headers["message-id"];
    EXPECT_EQ(mail->headers["x-mailfrom"], kFrom);
    EXPECT_TRUE(absl::EndsWith(mail->headers["to"], "<" + to + ">"))
        << mail->headers["to"];
    EXPECT_EQ(mail->headers["content-type"], "text/plain; charset=UTF-8");
    EXPECT_EQ(mail->headers["content-transfer-encoding"], "base64");
    EXPECT_EQ(mail->headers["mime-version"], "1.0");
    EXPECT_TRUE(absl::StrContains(mail->raw["subject"], "=?UTF-8?B?"));
    // RFC 2047's 76 for lines with encoded-words; aiosmtpd's own X-
    // headers (the envelope) are short.
    EXPECT_LE(mail->longest_line, 76u);
    EXPECT_TRUE(
        absl::StrContains(mail->body, "https://kyodo.city.kawasaki.example/"));
    EXPECT_TRUE(absl::StrContains(mail->body, "川崎区役所"));
    auto it = bodies.find({to, subject});
    if (it == bodies.end()) continue;
    for (const std::string& part : it->second) {
      EXPECT_TRUE(absl::StrContains(mail->body, part))
          << subject << " to " << to << " lacks " << part << ":\n"
          << mail->body;
    }
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(delivered.size(), 27u);
}

}  // namespace
}  // namespace kyodo::integration
