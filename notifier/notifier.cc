#include "notifier/notifier.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/macros.h"
#include "common/text/text.h"
#include "notifier/templates.h"

namespace kyodo::notifier {
namespace {

namespace pv1 = proposal::v1;
using pv1::Event;

// The call a proposal belongs to: "programmes/p/calls/c" of
// "programmes/p/calls/c/proposals/x".
std::string CallOf(const std::string& proposal) {
  const size_t at = proposal.find("/proposals/");
  return at == std::string::npos ? proposal : proposal.substr(0, at);
}

std::string DomainOf(const std::string& address) {
  return address.substr(address.rfind('@') + 1);
}

struct Recipient {
  std::string address;  // lower-cased
  std::string name;
};

}  // namespace

GrpcDirectory::GrpcDirectory(const std::shared_ptr<grpc::Channel>& proposals,
                             const std::shared_ptr<grpc::Channel>& partners,
                             TokenSource token, absl::Duration timeout)
    : proposals_(pv1::ProposalService::NewStub(proposals)),
      partners_(partner::v1::PartnerService::NewStub(partners)),
      token_(std::move(token)),
      timeout_(timeout) {}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> GrpcDirectory::Context(
    absl::Duration timeout) const {
  KYODO_ASSIGN_OR_RETURN(std::string token, token_());
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  if (timeout > absl::ZeroDuration()) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
  return context;
}

absl::StatusOr<pv1::Call> GrpcDirectory::GetCall(const std::string& name) {
  KYODO_ASSIGN_OR_RETURN(auto context, Context(timeout_));
  pv1::GetCallRequest request;
  request.set_name(name);
  pv1::Call call;
  KYODO_RETURN_IF_ERROR(common::FromGrpcStatus(
      proposals_->GetCall(context.get(), request, &call)));
  return call;
}

absl::StatusOr<partner::v1::Partner> GrpcDirectory::GetPartner(
    const std::string& name) {
  KYODO_ASSIGN_OR_RETURN(auto context, Context(timeout_));
  partner::v1::GetPartnerRequest request;
  request.set_name(name);
  partner::v1::Partner partner;
  KYODO_RETURN_IF_ERROR(common::FromGrpcStatus(
      partners_->GetPartner(context.get(), request, &partner)));
  return partner;
}

absl::StatusOr<std::vector<pv1::Reviewer>> GrpcDirectory::Members(
    const std::string& call) {
  std::vector<pv1::Reviewer> out;
  pv1::ListReviewersRequest request;
  request.set_parent(call);
  request.set_page_size(500);
  do {
    KYODO_ASSIGN_OR_RETURN(auto context, Context(timeout_));
    pv1::ListReviewersResponse page;
    KYODO_RETURN_IF_ERROR(common::FromGrpcStatus(
        proposals_->ListReviewers(context.get(), request, &page)));
    for (auto& r : *page.mutable_reviewers()) out.push_back(std::move(r));
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return out;
}

absl::StatusOr<std::vector<NewMail>> Notifier::MailsOf(const Event& event) {
  const Audience audience = AudienceOf(event);
  if (audience == Audience::kNone) return std::vector<NewMail>{};
  DraftContext context;
  context.console_url = options_.console_url;
  std::vector<Recipient> recipients;
  std::set<std::string> seen;
  int unusable = 0;
  auto add = [&](const std::string& address, const std::string& name) {
    if (address.empty()) return;
    if (!common::IsMailAddress(address)) {
      ++unusable;
      return;
    }
    std::string lower = absl::AsciiStrToLower(address);
    if (seen.insert(lower).second) recipients.push_back({lower, name});
  };
  if (audience == Audience::kApplicant) {
    auto call = directory_->GetCall(CallOf(event.resource()));
    if (absl::IsNotFound(call.status())) {
      // Gone for good (GetCall answers soft-deleted calls too, so this is a
      // call purged or never there): waiting would stop every later mail
      // behind this event.
      common::log::Warning(
          "notifier: the event's call is gone; no mail",
          {{"event", event.cursor()}, {"resource", event.resource()}});
      return std::vector<NewMail>{};
    }
    KYODO_RETURN_IF_ERROR(call.status());
    context.call = *std::move(call);
    auto partner = directory_->GetPartner(event.proposal().applicant());
    if (absl::IsNotFound(partner.status())) return std::vector<NewMail>{};
    KYODO_RETURN_IF_ERROR(partner.status());
    context.applicant_name = partner->display_name();
    for (const auto& contact : partner->contacts())
      add(contact.email(), contact.person_name());
  } else {
    context.call = event.call();
    auto members = directory_->Members(event.resource());
    KYODO_RETURN_IF_ERROR(members.status());
    for (const auto& member : *members) {
      if (MemberConcerned(event, member))
        add(member.email(), member.display_name());
    }
  }
  if (unusable > 0) {
    // Counted, never shown: an address is personal data.
    common::log::Warning("notifier: addresses kyodo cannot send to skipped",
                         {{"event", event.cursor()},
                          {"resource", event.resource()},
                          {"skipped", static_cast<int64_t>(unusable)}});
  }
  std::vector<NewMail> out;
  const std::string kind = Event::Type_Name(event.type());
  for (const Recipient& to : recipients) {
    context.recipient_name = to.name;
    std::optional<Draft> draft = Compose(event, context);
    if (!draft.has_value()) return std::vector<NewMail>{};
    Mail mail;
    mail.from = options_.from;
    mail.to = {to.address, to.name};
    mail.subject = draft->subject;
    mail.body = draft->body;
    mail.date = clock_->Now();
    mail.message_id = MessageIdOf(event.cursor(), kind, to.address,
                                  DomainOf(options_.from.address));
    out.push_back(NewMail{to.address, kind, event.resource(), mail.message_id,
                          Render(mail)});
  }
  return out;
}

absl::Status Notifier::Handle(const Event& event) {
  KYODO_ASSIGN_OR_RETURN(std::vector<NewMail> mails, MailsOf(event));
  KYODO_RETURN_IF_ERROR(store_->Record(event.cursor(), mails, clock_->Now(),
                                       absl::Now() + options_.timeout));
  if (!mails.empty()) {
    common::log::Info("notifier: mails made",
                      {{"event", event.cursor()},
                       {"type", Event::Type_Name(event.type())},
                       {"resource", event.resource()},
                       {"mails", static_cast<int64_t>(mails.size())}});
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Notifier::SendDue(const std::function<bool()>& stop) {
  int tried = 0;
  while (!stop()) {
    KYODO_ASSIGN_OR_RETURN(
        std::optional<OutgoingMail> mail,
        store_->Claim(clock_->Now(), absl::Now() + options_.timeout));
    if (!mail.has_value()) break;
    ++tried;
    const Delivery d =
        transport_->Send(options_.from.address, mail->recipient, mail->message);
    const absl::Time deadline = absl::Now() + options_.timeout;
    const int attempts = mail->attempts + 1;
    std::string outcome = "sent";
    if (d.outcome == Delivery::kSent) {
      // Recorded, or it would later count as interrupted (UNCERTAIN)
      // though it went out: a database hiccup gets a few more tries.
      absl::Status marked;
      for (int i = 0; i < 3; ++i) {
        marked = store_->MarkSent(mail->seq, clock_->Now(), deadline);
        if (marked.ok()) break;
      }
      KYODO_RETURN_IF_ERROR(marked);
    } else if (d.outcome == Delivery::kUncertain) {
      outcome = "uncertain";
      KYODO_RETURN_IF_ERROR(
          store_->MarkUncertain(mail->seq, d.detail, deadline));
    } else if (d.outcome == Delivery::kTransient &&
               attempts < options_.max_attempts) {
      outcome = "retry";
      KYODO_RETURN_IF_ERROR(store_->MarkRetry(
          mail->seq,
          clock_->Now() +
              RetryDelay(attempts, options_.retry_base, options_.retry_max),
          d.detail, deadline));
    } else {
      outcome = "failed";
      KYODO_RETURN_IF_ERROR(store_->MarkFailed(mail->seq, d.detail, deadline));
    }
    if (options_.observe) options_.observe(outcome);
    common::log::Write(outcome == "sent" ? common::log::Level::kInfo
                                         : common::log::Level::kWarning,
                       "notifier: mail",
                       {{"outcome", outcome},
                        {"event", mail->event_cursor},
                        {"kind", mail->kind},
                        {"attempt", static_cast<int64_t>(attempts)},
                        {"error", d.detail}});
  }
  return tried;
}

NotifierCompanion::~NotifierCompanion() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  Wake();
  if (follower_.joinable()) follower_.join();
  if (sender_.joinable()) sender_.join();
}

absl::Status NotifierCompanion::Start(grpc::Server*) {
  const absl::Time deadline = absl::Now() + notifier_->options().timeout;
  // Mails a notifier stopped while sending may have gone out: never again.
  KYODO_ASSIGN_OR_RETURN(int64_t interrupted,
                         notifier_->store().MarkInterrupted(deadline));
  if (interrupted > 0) {
    common::log::Warning(
        "notifier: mails left in the middle of a send are UNCERTAIN and will "
        "not be sent again",
        {{"mails", interrupted}});
  }
  follower_ = std::thread([this] { Follow(); });
  sender_ = std::thread([this] { Send(); });
  return absl::OkStatus();
}

void NotifierCompanion::StopAccepting(absl::Time) {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    if (watch_ != nullptr) watch_->TryCancel();
  }
  Wake();
  // The sender ends after the mail it is sending (bounded by the SMTP
  // timeout), the follower after the event it is recording.
  if (follower_.joinable()) follower_.join();
  if (sender_.joinable()) sender_.join();
}

void NotifierCompanion::Stop() {}

void NotifierCompanion::Wake() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    ++wakes_;
  }
  woken_.notify_all();
}

absl::Status NotifierCompanion::FollowOnce() {
  const absl::Duration timeout = notifier_->options().timeout;
  KYODO_ASSIGN_OR_RETURN(std::optional<std::string> position,
                         notifier_->store().Position(absl::Now() + timeout));
  if (!position.has_value()) {
    if (notifier_->options().start_at_oldest) {
      KYODO_RETURN_IF_ERROR(notifier_->store().Record(
          "", {}, notifier_->clock().Now(), absl::Now() + timeout));
      position = "";
    } else {
      // The first start: from the events after it; recorded at once, so
      // that what happens while it is down later is mailed after all.
      KYODO_ASSIGN_OR_RETURN(auto context, directory_->Context(timeout));
      pv1::ListEventsRequest request;
      request.set_after("now");
      pv1::ListEventsResponse now;
      KYODO_RETURN_IF_ERROR(common::FromGrpcStatus(
          directory_->proposals().ListEvents(context.get(), request, &now)));
      KYODO_RETURN_IF_ERROR(notifier_->store().Record(now.next_cursor(), {},
                                                      notifier_->clock().Now(),
                                                      absl::Now() + timeout));
      position = now.next_cursor();
      common::log::Info("notifier: first start, following from now",
                        {{"after", *position}});
    }
  } else {
    // The position moves only with the events it mails; past a quiet
    // spell longer than the feed's retention it would be "expired" though
    // nothing was missed. When nothing it mails follows it, it moves to
    // the newest event (what ListEvents' next_cursor says it may skip).
    KYODO_ASSIGN_OR_RETURN(auto context, directory_->Context(timeout));
    pv1::ListEventsRequest request;
    request.set_after(*position);
    request.set_page_size(1);
    for (Event::Type type : MailedTypes()) request.add_types(type);
    pv1::ListEventsResponse page;
    absl::Status listed = common::FromGrpcStatus(
        directory_->proposals().ListEvents(context.get(), request, &page));
    const bool expired =
        common::HasReason(listed, kyodo::type::v1::EVENTS_EXPIRED);
    if (!listed.ok() && !expired) return listed;  // the stream says why
    if (listed.ok() && page.events_size() == 0 &&
        page.next_cursor() != *position) {
      KYODO_RETURN_IF_ERROR(notifier_->store().Record(page.next_cursor(), {},
                                                      notifier_->clock().Now(),
                                                      absl::Now() + timeout));
      position = page.next_cursor();
    }
  }
  if (following_ != nullptr) *following_ = true;
  KYODO_ASSIGN_OR_RETURN(auto context,
                         directory_->Context(absl::ZeroDuration()));
  pv1::WatchEventsRequest request;
  request.set_after(*position);
  for (Event::Type type : MailedTypes()) request.add_types(type);
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    if (stopping()) return absl::OkStatus();
    watch_ = context.get();
  }
  auto stream = directory_->proposals().WatchEvents(context.get(), request);
  Event event;
  absl::Status handled;
  while (handled.ok() && stream->Read(&event)) {
    handled = notifier_->Handle(event);
    if (handled.ok()) Wake();
  }
  if (!handled.ok()) context->TryCancel();
  const grpc::Status finished = stream->Finish();
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    watch_ = nullptr;
  }
  if (!handled.ok()) return handled;
  absl::Status status = common::FromGrpcStatus(finished);
  auto info = common::GetErrorInfo(status);
  if (info.has_value() &&
      common::HasReason(status, kyodo::type::v1::EVENTS_EXPIRED)) {
    // The retention deleted events the notifier had not read: their mails
    // are lost. Said loudly, then on from the oldest kept.
    const std::string oldest = info->metadata().count("oldest_cursor")
                                   ? info->metadata().at("oldest_cursor")
                                   : "";
    common::log::Error(
        "notifier: events expired before they were mailed; going on from "
        "the oldest kept",
        {{"after", *position}, {"oldest_cursor", oldest}});
    KYODO_RETURN_IF_ERROR(notifier_->store().Record(
        oldest, {}, notifier_->clock().Now(), absl::Now() + timeout));
    return absl::OkStatus();
  }
  return status;
}

void NotifierCompanion::Follow() {
  absl::Duration backoff = absl::Seconds(1);
  while (!stopping()) {
    absl::Status status = FollowOnce();
    if (stopping()) break;
    if (status.ok()) {
      // The stream ended (max_watch_time, a drain): on at once.
      backoff = absl::Seconds(1);
      continue;
    }
    // What will not pass by itself (a credential the services refuse, a
    // position ahead of the feed after a restore: docs/OPERATIONS.md,
    // "Mail") makes the notifier NOT_SERVING and is logged as an error;
    // a service that is down is only waited for.
    const bool stuck =
        absl::IsPermissionDenied(status) || absl::IsUnauthenticated(status) ||
        absl::IsInvalidArgument(status) || absl::IsFailedPrecondition(status);
    if (stuck && following_ != nullptr) *following_ = false;
    common::log::Write(
        stuck ? common::log::Level::kError : common::log::Level::kWarning,
        "notifier: following the feed failed; again soon",
        {{"error", status.ToString()},
         {"in_ms", absl::ToInt64Milliseconds(backoff)}});
    stop_.WaitForNotificationWithTimeout(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(30));
  }
}

void NotifierCompanion::Send() {
  const NotifierOptions& options = notifier_->options();
  absl::Time next_cleanup = absl::InfinitePast();
  while (!stopping()) {
    uint64_t seen = 0;
    {
      std::lock_guard<std::mutex> lock(wake_mu_);
      seen = wakes_;
    }
    absl::StatusOr<int> sent =
        notifier_->SendDue([this] { return stopping(); });
    if (!sent.ok()) {
      common::log::Warning("notifier: sending failed; again soon",
                           {{"error", sent.status().ToString()}});
    }
    if (absl::Now() >= next_cleanup) {
      auto deleted = notifier_->store().DeleteOld(
          notifier_->clock().Now() - options.retention, 1000,
          absl::Now() + options.timeout);
      if (!deleted.ok()) {
        common::log::Warning("notifier: deleting old mails failed",
                             {{"error", deleted.status().ToString()}});
      } else if (*deleted > 0) {
        common::log::Info("notifier: old mails deleted", {{"mails", *deleted}});
      }
      next_cleanup = absl::Now() + absl::Hours(1);
    }
    // Until the follower made mails, a stop, or the poll interval.
    // (Stop notifies stop_ before it wakes.)
    std::unique_lock<std::mutex> lock(wake_mu_);
    woken_.wait_for(lock, absl::ToChronoNanoseconds(options.poll),
                    [&] { return wakes_ != seen || stopping(); });
  }
}

}  // namespace kyodo::notifier
