// What the notifier writes, in Japanese, for each event of
// proposal-service's change feed it mails about (docs/OPERATIONS.md,
// "Mail"):
//   PROPOSAL_SUBMITTED         to the applicant: 提案の受付 (or 再提出の受付)
//   PROPOSAL_SCREENED          to the applicant: 要件確認の結果
//   PROPOSAL_RETURNED          to the applicant: 補正のお願い, with the note
//                              and the deadline
//   REVIEW_STAGE_OPENED        to the members who score that stage
//   PROPOSAL_RESULT_PUBLISHED  to the applicant of a proposal that took part
//                              in the selection (ADOPTED, NOT_ADOPTED): 採択 or
//                              不採択 (a withdrawn or ineligible one was told
//                              at its withdrawal or screening)
//   RESULTS_PUBLISHED          to every member of the committee
// Pure functions of the event as the notifier may read it (role notifier,
// proposal-service/access.h): no outcome before the ward publishes it.
#ifndef KYODO_NOTIFIER_TEMPLATES_H_
#define KYODO_NOTIFIER_TEMPLATES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"

namespace kyodo::notifier {

// Who an event is mailed to.
enum class Audience {
  kNone,       // no one
  kApplicant,  // the contacts of the proposal's applicant
  kMembers,    // members of the call's committee (MemberConcerned)
};
Audience AudienceOf(const proposal::v1::Event& event);

// The event types the notifier asks the feed for.
std::vector<proposal::v1::Event::Type> MailedTypes();

// Whether member `r` gets a kMembers event: REVIEW_STAGE_OPENED to those
// who score the opened stage (Reviewer.stages; empty = the last), and
// RESULTS_PUBLISHED to all; never to a deleted member.
bool MemberConcerned(const proposal::v1::Event& event,
                     const proposal::v1::Reviewer& r);

struct Draft {
  std::string subject;
  std::string body;
};

struct DraftContext {
  // The call the event is about or under (GetCall).
  proposal::v1::Call call;
  // The applicant's display name (kApplicant events).
  std::string applicant_name;
  // The person the mail is addressed to ("" when unnamed).
  std::string recipient_name;
  // Where the console is, for a link ("" for none).
  std::string console_url;
};

// The mail about `event`, or nullopt when the event is not mailed.
std::optional<Draft> Compose(const proposal::v1::Event& event,
                             const DraftContext& context);

// "2026年12月7日(月) 10:15" in Japan time.
std::string JapaneseTime(absl::Time t);

}  // namespace kyodo::notifier

#endif  // KYODO_NOTIFIER_TEMPLATES_H_
