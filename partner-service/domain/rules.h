// The rules of partners, agreements and networks that need no database:
// what a valid record looks like. Pure functions over the API messages; the
// service calls them before it writes anything.
#ifndef KYODO_PARTNER_SERVICE_DOMAIN_RULES_H_
#define KYODO_PARTNER_SERVICE_DOMAIN_RULES_H_

#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "kyodo/partner/v1/partner_service.pb.h"

namespace kyodo::partner::domain {

// The check digit (first digit) of a 法人番号 whose other 12 digits are
// `base12` (National Tax Agency rule: 9 - (Σ Pn×Qn mod 9), Pn the n-th digit
// from the right, Qn 1 for odd n and 2 for even n).
int CorporateNumberCheckDigit(absl::string_view base12);

// 13 ASCII digits whose first is the check digit of the rest.
bool IsValidCorporateNumber(absl::string_view number);

// An empty corporate_number or parent means "none" (ValidatePartner accepts
// both); they are cleared, so that what a write answers is what a read
// returns: those columns are NULL for none
// (partner-service/schema/002_partner_columns.sql).
void ClearEmptyReferences(kyodo::partner::v1::Partner* partner);

// A partner as written by Create or Update (fields under `field`, e.g.
// "partner"): kind and display_name required, corporate number valid, a
// parent only on a CITY_UNIT and never itself, contacts and website well
// formed. INVALID_ARGUMENT naming the field, or FAILED_PRECONDITION
// PARENT_NOT_CITY_UNIT_CHILD when a non-city-unit has a parent.
absl::Status ValidatePartner(const kyodo::partner::v1::Partner& partner,
                             absl::string_view field);

// Fails with FAILED_PRECONDITION PARENT_CYCLE when making `parent_id` the
// parent of `id` closes a loop. `parent_of` returns an id's current parent
// (nullopt at a root).
absl::Status CheckNoParentCycle(
    absl::string_view id, absl::string_view parent_id,
    absl::FunctionRef<
        absl::StatusOr<std::optional<std::string>>(absl::string_view)>
        parent_of);

absl::Status ValidateAgreement(const kyodo::partner::v1::Agreement& agreement,
                               absl::string_view field);

// IN_FORCE until its end date has passed in Japan, then ENDED.
kyodo::partner::v1::Agreement::State AgreementState(
    const kyodo::partner::v1::Agreement& agreement, absl::CivilDay today);

absl::Status ValidateNetwork(const kyodo::partner::v1::Network& network,
                             absl::string_view field);

}  // namespace kyodo::partner::domain

#endif  // KYODO_PARTNER_SERVICE_DOMAIN_RULES_H_
