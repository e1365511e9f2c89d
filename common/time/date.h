// google.type.Date helpers: validation and conversion to civil days.
#ifndef KYODO_COMMON_TIME_DATE_H_
#define KYODO_COMMON_TIME_DATE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/type/date.pb.h"

namespace kyodo::common {

// A complete calendar date (year 1900..9999, real month and day), or
// INVALID_ARGUMENT naming `field`.
absl::Status ValidateDate(absl::string_view field, const google::type::Date& d);

// A date that may be partial as google.type.Date allows: a year with month
// and day, a year and month (day 0), or a year alone (month and day 0). For
// facts known only roughly, e.g. "signed in October 2013".
absl::Status ValidatePartialDate(absl::string_view field,
                                 const google::type::Date& d);

// The first day a (possibly partial) date can mean.
absl::CivilDay ToCivilDay(const google::type::Date& d);
google::type::Date FromCivilDay(absl::CivilDay day);
// "2026-04-01".
std::string FormatCivilDay(absl::CivilDay day);

// The calendar day in Japan at `t`.
absl::CivilDay JapanDay(absl::Time t);

// The fiscal year (年度, April to March, named by its starting year) of `day`.
int FiscalYearOf(absl::CivilDay day);

}  // namespace kyodo::common

#endif  // KYODO_COMMON_TIME_DATE_H_
