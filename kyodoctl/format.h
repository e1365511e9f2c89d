// How kyodoctl shows things: Japanese labels for enums, timestamps in Japan
// time, yen amounts, and JSON for scripts.
#ifndef KYODO_KYODOCTL_FORMAT_H_
#define KYODO_KYODOCTL_FORMAT_H_

#include <string>

#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "kyodo/type/v1/ward.pb.h"

namespace kyodo::ctl {

// One JSON object on one line, proto field names (for scripts).
std::string ToJson(const google::protobuf::Message& message);

std::string WardLabel(kyodo::type::v1::Ward ward);            // "麻生区"
std::string KindLabel(kyodo::partner::v1::PartnerKind kind);  // "大学等"
std::string PartnerStateLabel(kyodo::partner::v1::Partner::State state);
std::string ProjectStateLabel(int state);   // kyodo.project.v1.Project.State
std::string ProgrammeLabel(int programme);  // kyodo.project.v1.Programme
std::string CallStateLabel(int state);      // kyodo.proposal.v1.Call.State
std::string ProposalStateLabel(int state);  // kyodo.proposal.v1.Proposal.State
std::string ReasonLabel(int reason);        // ProposalResult.Reason
// "1,835,000円"
std::string Yen(int64_t amount);
// "2026-04-01 09:00" in Japan time, "" when unset.
std::string JapanTime(const google::protobuf::Timestamp& t);

}  // namespace kyodo::ctl

#endif  // KYODO_KYODOCTL_FORMAT_H_
