#include "gateway/dossier_hints.h"

#include <utility>

namespace kyodo::gateway {

DossierHints::DossierHints(std::size_t max_bytes)
    : generation_bytes_(max_bytes / 2) {}

std::size_t DossierHints::Cost(const std::string& project, const Hint& hint) {
  // A string's header and a heap block's overhead; the slot, the Hint.
  constexpr std::size_t kString = 48;
  constexpr std::size_t kEntry = 96;
  std::size_t cost =
      kEntry + kString + project.size() + kString + hint.source_proposal.size();
  for (const std::string& party : hint.parties) cost += kString + party.size();
  return cost;
}

std::optional<DossierHints::Hint> DossierHints::Find(
    const std::string& project) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = newer_.find(project); it != newer_.end()) return it->second;
  auto it = older_.find(project);
  if (it == older_.end()) return std::nullopt;
  Hint hint = std::move(it->second);
  older_bytes_ -= Cost(project, hint);
  older_.erase(it);
  InsertLocked(project, Hint(hint));
  return hint;
}

void DossierHints::Put(const std::string& project, Hint hint) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = newer_.find(project); it != newer_.end()) {
    newer_bytes_ -= Cost(project, it->second);
    newer_.erase(it);
  } else if (auto old = older_.find(project); old != older_.end()) {
    older_bytes_ -= Cost(project, old->second);
    older_.erase(old);
  }
  InsertLocked(project, std::move(hint));
}

std::size_t DossierHints::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return newer_bytes_ + older_bytes_;
}

std::size_t DossierHints::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return newer_.size() + older_.size();
}

void DossierHints::InsertLocked(const std::string& project, Hint&& hint) {
  const std::size_t cost = Cost(project, hint);
  if (newer_bytes_ + cost > generation_bytes_ && !newer_.empty()) {
    older_ = std::move(newer_);
    older_bytes_ = newer_bytes_;
    newer_.clear();
    newer_bytes_ = 0;
  }
  newer_.emplace(project, std::move(hint));
  newer_bytes_ += cost;
}

}  // namespace kyodo::gateway
