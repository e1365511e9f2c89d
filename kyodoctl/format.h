// How kyodoctl shows things: timestamps in Japan time, yen amounts, and JSON
// for scripts. Enum values are shown in the words of their label option
// (common/text/enum_label.h).
#ifndef KYODO_KYODOCTL_FORMAT_H_
#define KYODO_KYODOCTL_FORMAT_H_

#include <string>

#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace kyodo::ctl {

// One JSON object on one line, proto field names (for scripts).
std::string ToJson(const google::protobuf::Message& message);

// "1,835,000円"
std::string Yen(int64_t amount);
// "2026-04-01 09:00" in Japan time, "" when unset.
std::string JapanTime(const google::protobuf::Timestamp& t);

}  // namespace kyodo::ctl

#endif  // KYODO_KYODOCTL_FORMAT_H_
