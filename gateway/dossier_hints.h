// What the gateway last saw of a project's links: the partners it names and
// the proposal it was selected from. GetProjectDossier (view_handlers.cc)
// uses it as a guess, to fetch the parties and the proposal in the same
// round as the project itself; the project read in that round decides what
// the dossier holds, and whatever the guess missed is fetched after it
// (docs/BENCHMARKS.md, "Issue 15, fourth step"). A guess only ever names
// what to ask for with the caller's own token, so a stale or foreign guess
// costs a call, never a leak.
#ifndef KYODO_GATEWAY_DOSSIER_HINTS_H_
#define KYODO_GATEWAY_DOSSIER_HINTS_H_

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace kyodo::gateway {

class DossierHints {
 public:
  struct Hint {
    std::vector<std::string> parties;  // partner names, participant order
    std::string source_proposal;       // empty when there is none
    bool operator==(const Hint&) const = default;
  };

  // Holds hints of at most about `max_bytes` (Cost each): two generations
  // of max_bytes / 2; when the newer is full it becomes the older, and the
  // older is dropped. A hint found in the older moves to the newer, so the
  // projects read often stay.
  explicit DossierHints(std::size_t max_bytes);

  std::optional<Hint> Find(const std::string& project);
  void Put(const std::string& project, Hint hint);

  // The memory one hint is counted for: its strings and a fixed share for
  // the map's slot, the strings' headers and the vector.
  static std::size_t Cost(const std::string& project, const Hint& hint);
  std::size_t bytes() const;  // the Cost of every hint held
  std::size_t size() const;   // the hints held

 private:
  void InsertLocked(const std::string& project, Hint&& hint);

  const std::size_t generation_bytes_;
  mutable std::mutex mu_;  // std::mutex: see gateway/fan_out.h
  absl::flat_hash_map<std::string, Hint> newer_;  // guarded by mu_
  absl::flat_hash_map<std::string, Hint> older_;  // guarded by mu_
  std::size_t newer_bytes_ = 0;                   // guarded by mu_
  std::size_t older_bytes_ = 0;                   // guarded by mu_
};

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_DOSSIER_HINTS_H_
