// Support of the security tests: the whole suite as processes (Cluster),
// a small world of real records seeded through the gateway so that every
// method can be called on something that exists, a token for each kind of
// caller, and one way to call any method of any service by its descriptor.
//
// The world (ward A = 麻生区 ASAO, ward B = 多摩区 TAMA):
//   partners   city_a (CITY_UNIT, ASAO), city_b (CITY_UNIT, TAMA),
//              civic_a (CIVIC_GROUP, ASAO, with contacts) = the applicant,
//              civic_b (CIVIC_GROUP, ASAO) = the other applicant
//   agreement  civic_a + city_a;  network convened by city_a
//   project    civic_a LEAD + city_a CITY (a ward-A project)
//   programme  ward A, consigning unit city_a, and its calls:
//     call_open       OPEN (window open): committee member_open (rev-a);
//                     proposal_draft (civic_a, DRAFT), proposal_submitted
//                     (civic_a, SUBMITTED)
//     call_other      OPEN: committee of rev-x only (the other reviewer)
//     call_draft      DRAFT
//     call_review     UNDER_REVIEW: member_review (rev-a), proposal_review
//                     (civic_a, ELIGIBLE) with rev-a's review
//   documents  document_draft of proposal_draft, document_review of
//              proposal_review; document_project and document_agreement
//              (not public)
//     call_decided    DECIDED (committee rev-a, proposal of civic_a)
//     call_published  PUBLISHED (committee rev-a, proposal of civic_a)
#ifndef KYODO_TESTS_SECURITY_WORLD_H_
#define KYODO_TESTS_SECURITY_WORLD_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"
#include "tests/testing/cluster.h"

namespace kyodo::security {

// The callers of the matrix, in its column order.
enum Who {
  kAdmin,
  kStaffA,          // ward_staff of ward A (the world's ward)
  kStaffB,          // ward_staff of ward B
  kReviewer,        // rev-a: sits on the world's calls
  kReviewerOther,   // rev-x: sits on call_other only
  kApplicant,       // civic_a: owns the world's proposals
  kApplicantOther,  // civic_b
  kViewer,
  kWhoCount
};
const char* WhoName(Who who);

// The contact values of civic_a (personal data: never in a log).
inline constexpr char kContactPerson[] = "秘匿 花子 QZX";
inline constexpr char kContactEmail[] = "hanako.qzx.secret@example.jp";
inline constexpr char kContactPhone[] = "090-7311-4529";

struct World {
  std::string city_a, city_b, civic_a, civic_b;
  std::string agreement, network, project;
  std::string programme;
  std::string call_open, call_other, call_draft, call_review, call_decided,
      call_published;
  std::string member_open, member_review;
  std::string proposal_draft, proposal_submitted, proposal_review,
      proposal_decided, proposal_published;
  std::string review;  // rev-a's review of proposal_review
  // civic_a's 企画書 of proposal_draft and of proposal_review (attached
  // before its submission).
  std::string document_draft, document_review;
  // Documents not marked public of the project and of the agreement.
  std::string document_project, document_agreement;
  std::array<std::string, kWhoCount> tokens;

  const std::string& token(Who who) const { return tokens[who]; }
};

// Seeds `world` through the cluster's gateway (admin token), asserting each
// step.
void Seed(const testing::Cluster& cluster, World* world);

// Every method of the four kyodo services, from their descriptors (the
// gateway's own methods included; health is not a kyodo service).
std::vector<const google::protobuf::MethodDescriptor*> AllMethods();

// The process that serves `method`'s service.
testing::Service ServiceOf(const google::protobuf::MethodDescriptor* method);

// A fresh, empty request of `method`'s input type.
std::unique_ptr<google::protobuf::Message> NewRequest(
    const google::protobuf::MethodDescriptor* method);

struct Outcome {
  grpc::Status status;
  // The serialized responses (one for a unary method).
  std::vector<std::string> responses;
};

// Calls `method` on `channel` with `request`, as bearer `token` (none when
// empty), unary or server-streaming alike.
Outcome Invoke(const std::shared_ptr<grpc::Channel>& channel,
               const google::protobuf::MethodDescriptor* method,
               const google::protobuf::Message& request,
               const std::string& token,
               absl::Duration deadline = absl::Seconds(20));

// An etag no record has (so an authorised change stops at ABORTED).
inline constexpr char kStaleEtag[] = "W/\"999999\"";

}  // namespace kyodo::security

#endif  // KYODO_TESTS_SECURITY_WORLD_H_
