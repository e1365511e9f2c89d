// A fake of proposal-service as project-service asks it about a project's
// source_proposal (project-service/clients/proposal_client.h), for the
// service's own tests; the real service answers in the integration tests.
// A proposal not added does not exist.
#ifndef KYODO_TESTS_PROJECT_SERVICE_FAKE_SOURCES_H_
#define KYODO_TESTS_PROJECT_SERVICE_FAKE_SOURCES_H_

#include <map>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "project-service/clients/proposal_client.h"

namespace kyodo::project {

class FakeSources : public SourceProposals {
 public:
  // `name` as an ADOPTED proposal of `applicant` in a call of
  // `fiscal_year`, adopted for `amount_yen`.
  void Adopt(const std::string& name, const std::string& applicant,
             int32_t fiscal_year, int64_t amount_yen = 10'000'000) {
    domain::SourceProposal source;
    source.proposal.set_name(name);
    source.proposal.set_applicant(applicant);
    source.proposal.set_state(kyodo::proposal::v1::Proposal::ADOPTED);
    source.proposal.mutable_result()->set_adopted_amount_yen(amount_yen);
    source.fiscal_year = fiscal_year;
    Set(name, source);
  }
  void Set(const std::string& name, domain::SourceProposal source) {
    absl::MutexLock lock(&mu_);
    sources_[name] = std::move(source);
  }

  absl::StatusOr<std::optional<domain::SourceProposal>> Get(
      const common::server::CallContext&,
      const std::string& name) const override {
    absl::MutexLock lock(&mu_);
    auto it = sources_.find(name);
    if (it == sources_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, domain::SourceProposal> sources_;
};

}  // namespace kyodo::project

#endif  // KYODO_TESTS_PROJECT_SERVICE_FAKE_SOURCES_H_
