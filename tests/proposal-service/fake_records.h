// A fake of what proposal-service asks partner- and project-service while
// screening (proposal-service/clients/records_client.h), for the service's
// own tests; the real services answer in the integration tests.
//
// Every partner not set otherwise is an ACTIVE CIVIC_GROUP based in 麻生区
// (the fixture's GoodFacts); there are no projects until added.
#ifndef KYODO_TESTS_PROPOSAL_SERVICE_FAKE_RECORDS_H_
#define KYODO_TESTS_PROPOSAL_SERVICE_FAKE_RECORDS_H_

#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "proposal-service/clients/records_client.h"

namespace kyodo::proposal {

class FakeRecords : public Records {
 public:
  // `partner` as partner-service would answer it; nullopt: it does not
  // exist.
  void SetPartner(const std::string& name,
                  std::optional<partner::v1::Partner> partner) {
    absl::MutexLock lock(&mu_);
    if (partner.has_value()) partner->set_name(name);
    partners_[name] = std::move(partner);
  }
  void AddProject(project::v1::Project project) {
    absl::MutexLock lock(&mu_);
    projects_[project.name()] = std::move(project);
  }
  // Removes the projects whose names start with `prefix`.
  void RemoveProjects(const std::string& prefix) {
    absl::MutexLock lock(&mu_);
    for (auto it = projects_.begin(); it != projects_.end();) {
      it = absl::StartsWith(it->first, prefix) ? projects_.erase(it)
                                               : std::next(it);
    }
  }
  void AddNetwork(partner::v1::Network network) {
    absl::MutexLock lock(&mu_);
    networks_.push_back(std::move(network));
  }
  // While set, every call answers `status` (e.g. UNAVAILABLE).
  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    failure_ = std::move(status);
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  absl::StatusOr<std::optional<partner::v1::Partner>> GetPartner(
      const common::server::CallContext&,
      const std::string& name) const override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    auto it = partners_.find(name);
    if (it != partners_.end()) return it->second;
    partner::v1::Partner p;
    p.set_name(name);
    p.set_kind(partner::v1::CIVIC_GROUP);
    p.set_state(partner::v1::Partner::ACTIVE);
    p.set_ward(type::v1::ASAO);
    return p;
  }

  // Understands the filters committee.h sends: `member = "..."`.
  absl::StatusOr<std::vector<partner::v1::Network>> ListNetworks(
      const common::server::CallContext&,
      const std::string& filter) const override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    const std::string member = Quoted(filter, "member = ");
    std::vector<partner::v1::Network> out;
    for (const partner::v1::Network& n : networks_) {
      for (const std::string& m : n.members()) {
        if (m == member) {
          out.push_back(n);
          break;
        }
      }
    }
    return out;
  }

  // Understands the filters committee.h sends: `parent = "..."`, over the
  // partners set with SetPartner.
  absl::StatusOr<std::vector<partner::v1::Partner>> ListPartners(
      const common::server::CallContext&,
      const std::string& filter) const override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    const std::string parent = Quoted(filter, "parent = ");
    std::vector<partner::v1::Partner> out;
    for (const auto& [name, p] : partners_) {
      if (p.has_value() && p->parent() == parent) out.push_back(*p);
    }
    return out;
  }

  absl::StatusOr<std::optional<project::v1::Project>> GetProject(
      const common::server::CallContext&,
      const std::string& name) const override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    auto it = projects_.find(name);
    if (it == projects_.end()) return std::nullopt;
    return it->second;
  }

 private:
  // `prefix"value"` -> value; "" for any other filter.
  static std::string Quoted(const std::string& filter,
                            absl::string_view prefix) {
    if (!absl::StartsWith(filter, prefix)) return "";
    std::string rest = filter.substr(prefix.size());
    if (rest.size() < 2 || rest.front() != '"' || rest.back() != '"') return "";
    return rest.substr(1, rest.size() - 2);
  }

  mutable absl::Mutex mu_;
  mutable int calls_ = 0;
  absl::Status failure_;
  std::map<std::string, std::optional<partner::v1::Partner>> partners_;
  std::map<std::string, project::v1::Project> projects_;
  std::vector<partner::v1::Network> networks_;
};

}  // namespace kyodo::proposal

#endif  // KYODO_TESTS_PROPOSAL_SERVICE_FAKE_RECORDS_H_
