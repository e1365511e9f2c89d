// Resource names (AIP-122) and the ids inside them.
//
// Ids are server-generated: 12 characters of lowercase base32 (a-z, 2-7),
// 60 random bits, so they are URL-safe, case-insensitive-safe and carry no
// Japanese (which belongs in display_name). Names are "<collection>/<id>"
// with nested collections for children.
#ifndef KYODO_COMMON_RESOURCE_NAMES_H_
#define KYODO_COMMON_RESOURCE_NAMES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kyodo::common {

// A fresh random id.
std::string NewId();

// True for a well-formed id: 1..63 characters of [a-z0-9-], starting with a
// letter or digit.
bool IsValidId(absl::string_view id);

// The id in `name` = "<collection>/<id>". INVALID_ARGUMENT naming `field`
// when `name` is empty, of another collection, or malformed.
absl::StatusOr<std::string> ParseName(absl::string_view field,
                                      absl::string_view name,
                                      absl::string_view collection);

// The ids in a nested name, matched against `pattern` such as
// "programmes/*/calls/*": returns {programme, call}.
absl::StatusOr<std::vector<std::string>> ParseNestedName(
    absl::string_view field, absl::string_view name, absl::string_view pattern);

}  // namespace kyodo::common

#endif  // KYODO_COMMON_RESOURCE_NAMES_H_
