// The notifier: follows proposal-service's change feed (WatchEvents, from
// the position it recorded) and mails applicants and committee members
// (templates.h says who gets what).
//
// Each event is handled once: its mails are written to the notifier's own
// database in the same transaction as the position past it (mail_store.h),
// so a restart resumes after the last event handled and makes no mail
// twice. A sender then sends each mail, retrying with backoff, and records
// it SENT; a mail is never handed to the mail server twice (one the
// notifier was killed while sending stays UNCERTAIN, docs/OPERATIONS.md,
// "Mail").
#ifndef KYODO_NOTIFIER_NOTIFIER_H_
#define KYODO_NOTIFIER_NOTIFIER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/server/host.h"
#include "common/time/clock.h"
#include "grpcpp/client_context.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "notifier/mail.h"
#include "notifier/mail_store.h"
#include "notifier/transport.h"

namespace kyodo::notifier {

// The feed the notifier follows, as mail_store.h records it.
inline constexpr char kProposalFeed[] = "proposal";

struct NotifierOptions {
  Mailbox from;
  std::string console_url;  // linked in each mail; "" for none
  // Retries of a mail the server did not take: after retry_base, doubling
  // up to retry_max, at most max_attempts attempts in all.
  absl::Duration retry_base = absl::Minutes(1);
  absl::Duration retry_max = absl::Hours(1);
  int max_attempts = 8;
  // How often the sender looks for mails due when nothing wakes it.
  absl::Duration poll = absl::Seconds(5);
  // Sent, failed and uncertain mails are deleted this long after they were
  // made.
  absl::Duration retention = absl::Hours(24 * 90);
  // Each call to a service, and each database step.
  absl::Duration timeout = absl::Seconds(10);
  // Where a notifier without a recorded position starts: false for the
  // events after its first start ("now"), true for the oldest kept.
  bool start_at_oldest = false;
  // Told each send attempt's outcome ("sent", "retry", "failed",
  // "uncertain"): kyodo_mails_total (main.cc). May be empty.
  std::function<void(absl::string_view outcome)> observe;
};

// What the notifier reads from the services, with its own credential (role
// notifier).
class Directory {
 public:
  virtual ~Directory() = default;
  virtual absl::StatusOr<proposal::v1::Call> GetCall(
      const std::string& name) = 0;
  virtual absl::StatusOr<partner::v1::Partner> GetPartner(
      const std::string& name) = 0;
  // The live members of the call's committee.
  virtual absl::StatusOr<std::vector<proposal::v1::Reviewer>> Members(
      const std::string& call) = 0;
};

// Where a call's token comes from (read or renewed at each call).
using TokenSource = std::function<absl::StatusOr<std::string>()>;

class GrpcDirectory final : public Directory {
 public:
  GrpcDirectory(const std::shared_ptr<grpc::Channel>& proposals,
                const std::shared_ptr<grpc::Channel>& partners,
                TokenSource token, absl::Duration timeout);
  absl::StatusOr<proposal::v1::Call> GetCall(const std::string& name) override;
  absl::StatusOr<partner::v1::Partner> GetPartner(
      const std::string& name) override;
  absl::StatusOr<std::vector<proposal::v1::Reviewer>> Members(
      const std::string& call) override;
  // A context with the credential and `timeout` (zero: none).
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Context(
      absl::Duration timeout) const;
  proposal::v1::ProposalService::Stub& proposals() { return *proposals_; }

 private:
  std::unique_ptr<proposal::v1::ProposalService::Stub> proposals_;
  std::unique_ptr<partner::v1::PartnerService::Stub> partners_;
  TokenSource token_;
  absl::Duration timeout_;
};

class Notifier {
 public:
  Notifier(MailStore* store, Directory* directory, Transport* transport,
           const common::Clock* clock, NotifierOptions options)
      : store_(store),
        directory_(directory),
        transport_(transport),
        clock_(clock),
        options_(std::move(options)) {}

  // Records the mails of `event` with the position past it. An error (a
  // service unreachable) records nothing: the event is handled again.
  absl::Status Handle(const proposal::v1::Event& event);
  // Sends the mails due now, oldest first, one at a time, until none is
  // due or `stop()`. Returns how many it tried.
  absl::StatusOr<int> SendDue(const std::function<bool()>& stop);

  MailStore& store() { return *store_; }
  const NotifierOptions& options() const { return options_; }
  const common::Clock& clock() const { return *clock_; }

 private:
  absl::StatusOr<std::vector<NewMail>> MailsOf(
      const proposal::v1::Event& event);

  MailStore* store_;
  Directory* directory_;
  Transport* transport_;
  const common::Clock* clock_;
  const NotifierOptions options_;
};

// The notifier's two loops beside its (health-only) gRPC server: the
// follower (WatchEvents, Handle) and the sender (SendDue, woken by the
// follower or every options.poll), and the retention of old mails.
class NotifierCompanion final : public common::server::Companion {
 public:
  // `following` (may be null) is set false while the follower is stuck on
  // an error that will not pass by itself, true once it follows again:
  // main.cc makes the notifier NOT_SERVING meanwhile.
  NotifierCompanion(std::unique_ptr<Notifier> notifier,
                    GrpcDirectory* directory,
                    std::shared_ptr<std::atomic<bool>> following = nullptr)
      : notifier_(std::move(notifier)),
        directory_(directory),
        following_(std::move(following)) {}
  ~NotifierCompanion() override;

  absl::Status Start(grpc::Server* server) override;
  void StopAccepting(absl::Time deadline) override;
  void Stop() override;

 private:
  void Follow();
  // One WatchEvents stream from the recorded position, to its end.
  absl::Status FollowOnce();
  void Send();
  bool stopping() const { return stop_.HasBeenNotified(); }
  void Wake();

  std::unique_ptr<Notifier> notifier_;
  GrpcDirectory* directory_;
  std::shared_ptr<std::atomic<bool>> following_;
  absl::Notification stop_;
  std::mutex watch_mu_;
  grpc::ClientContext* watch_ = nullptr;  // the stream being read
  // std::mutex, which ThreadSanitizer sees (docs/RELIABILITY.md).
  std::mutex wake_mu_;
  std::condition_variable woken_;
  uint64_t wakes_ = 0;  // guarded by wake_mu_
  std::thread follower_;
  std::thread sender_;
};

}  // namespace kyodo::notifier

#endif  // KYODO_NOTIFIER_NOTIFIER_H_
