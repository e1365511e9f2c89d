// Which year of funding a proposal would be (継続年数), from the fiscal
// years in which the applicant's project under the same programme was
// adopted. Pure.
#ifndef KYODO_PROPOSAL_SERVICE_DOMAIN_CONTINUATION_H_
#define KYODO_PROPOSAL_SERVICE_DOMAIN_CONTINUATION_H_

#include <set>

namespace kyodo::proposal::domain {

// 1 + the number of consecutive fiscal years ending with the one before
// `call_fiscal_year` that appear in `adopted_years`. A gap resets the count;
// years at or after the call's own are ignored.
int ContinuationYear(int call_fiscal_year, const std::set<int>& adopted_years);

}  // namespace kyodo::proposal::domain

#endif  // KYODO_PROPOSAL_SERVICE_DOMAIN_CONTINUATION_H_
