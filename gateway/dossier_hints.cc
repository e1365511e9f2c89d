#include "gateway/dossier_hints.h"

#include <algorithm>
#include <utility>

namespace kyodo::gateway {

DossierHints::DossierHints(std::size_t capacity)
    : generation_(std::max<std::size_t>(capacity / 2, 1)) {}

std::optional<DossierHints::Hint> DossierHints::Find(
    const std::string& project) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = newer_.find(project); it != newer_.end()) return it->second;
  auto it = older_.find(project);
  if (it == older_.end()) return std::nullopt;
  Hint hint = std::move(it->second);
  older_.erase(it);
  InsertLocked(project, Hint(hint));
  return hint;
}

void DossierHints::Put(const std::string& project, Hint hint) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = newer_.find(project); it != newer_.end()) {
    it->second = std::move(hint);
    return;
  }
  older_.erase(project);
  InsertLocked(project, std::move(hint));
}

std::size_t DossierHints::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return newer_.size() + older_.size();
}

void DossierHints::InsertLocked(const std::string& project, Hint&& hint) {
  if (newer_.size() >= generation_) {
    older_ = std::move(newer_);
    newer_.clear();
  }
  newer_.emplace(project, std::move(hint));
}

}  // namespace kyodo::gateway
