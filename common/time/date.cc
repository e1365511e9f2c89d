#include "common/time/date.h"

#include <algorithm>

#include "common/status/errors.h"
#include "common/time/clock.h"

namespace kyodo::common {

absl::Status ValidateDate(absl::string_view field,
                          const google::type::Date& d) {
  if (d.year() < 1900 || d.year() > 9999) {
    return InvalidArgumentError(field, "year must be 1900..9999");
  }
  const absl::CivilDay day(d.year(), d.month(), d.day());
  if (d.month() < 1 || d.month() > 12 || d.day() < 1 ||
      day.month() != d.month() || day.day() != d.day()) {
    return InvalidArgumentError(field, "is not a calendar date");
  }
  return absl::OkStatus();
}

absl::Status ValidatePartialDate(absl::string_view field,
                                 const google::type::Date& d) {
  if (d.day() != 0) return ValidateDate(field, d);
  if (d.year() < 1900 || d.year() > 9999) {
    return InvalidArgumentError(field, "year must be 1900..9999");
  }
  if (d.month() < 0 || d.month() > 12) {
    return InvalidArgumentError(field, "month must be 0 (unknown) or 1..12");
  }
  return absl::OkStatus();
}

absl::CivilDay ToCivilDay(const google::type::Date& d) {
  return absl::CivilDay(d.year(), std::max(d.month(), 1), std::max(d.day(), 1));
}

google::type::Date FromCivilDay(absl::CivilDay day) {
  google::type::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

std::string FormatCivilDay(absl::CivilDay day) {
  return absl::FormatCivilTime(day);
}

absl::CivilDay JapanDay(absl::Time t) {
  return absl::ToCivilDay(t, JapanTime());
}

int FiscalYearOf(absl::CivilDay day) {
  return static_cast<int>(day.month() >= 4 ? day.year() : day.year() - 1);
}

}  // namespace kyodo::common
