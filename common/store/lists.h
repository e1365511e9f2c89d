// Child rows read in their parent's statement: a typed child table
// aggregated with GROUP_CONCAT into one column of the parent's row, items
// in order separated by ',' and the item's fields by ':'. Reading a parent
// and its children in one statement gives one snapshot without a
// transaction (sessions run READ COMMITTED, common/db/pool.h). Fields are
// numbers, ids or resource names, which hold neither separator; free text
// goes through HEX() and comes back through Unhex.
#ifndef KYODO_COMMON_STORE_LISTS_H_
#define KYODO_COMMON_STORE_LISTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/session.h"
#include "common/store/doc.h"

namespace kyodo::common::store {

// The items of column `column` of `row` (NULL: none), each split into its
// fields; DATA_LOSS (logged, BadStoredValue at `at`) when an item has fewer
// than `min_fields` or more than `max_fields` fields, and when the column is
// as long as the sessions' GROUP_CONCAT limit, so may have been cut.
absl::StatusOr<std::vector<std::vector<std::string>>> ReadList(
    const db::Row& row, size_t column, size_t min_fields, size_t max_fields,
    const StoredAt& at);

// A list of one number per item.
absl::StatusOr<std::vector<int64_t>> ReadNumberList(const db::Row& row,
                                                    size_t column,
                                                    const StoredAt& at);

// `field` as a number; DATA_LOSS (logged) when it is not one.
absl::StatusOr<int64_t> ListNumber(absl::string_view field, const StoredAt& at);

// The bytes of HEX() output `hex`; DATA_LOSS (logged) when it is not that.
absl::StatusOr<std::string> Unhex(absl::string_view hex, const StoredAt& at);

}  // namespace kyodo::common::store

#endif  // KYODO_COMMON_STORE_LISTS_H_
