// Small helpers shared by the proposal-service stores.
#ifndef KYODO_PROPOSAL_SERVICE_STORE_IDS_H_
#define KYODO_PROPOSAL_SERVICE_STORE_IDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kyodo::proposal::store {

// The last segment of a resource name: "programmes/a/calls/b" -> "b",
// "partners/x" -> "x"; "" for "".
inline std::string IdOf(absl::string_view name) {
  const size_t slash = name.rfind('/');
  return std::string(slash == absl::string_view::npos ? name
                                                      : name.substr(slash + 1));
}

// Row lock taken by a read.
enum class Lock { kNone, kShare, kUpdate };

inline const char* LockClause(Lock lock) {
  switch (lock) {
    case Lock::kNone:
      return "";
    case Lock::kShare:
      return " LOCK IN SHARE MODE";
    case Lock::kUpdate:
      return " FOR UPDATE";
  }
  return "";
}

}  // namespace kyodo::proposal::store

#endif  // KYODO_PROPOSAL_SERVICE_STORE_IDS_H_
