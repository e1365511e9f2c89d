#include "proposal-service/domain/continuation.h"

namespace kyodo::proposal::domain {

int ContinuationYear(int call_fiscal_year, const std::set<int>& adopted_years) {
  int year = 1;
  while (adopted_years.contains(call_fiscal_year - year)) ++year;
  return year;
}

}  // namespace kyodo::proposal::domain
