// Paging through a downstream List method.
#ifndef KYODO_GATEWAY_CLIENTS_LIST_ALL_H_
#define KYODO_GATEWAY_CLIENTS_LIST_ALL_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kyodo::gateway {

// Calls `page(token, &items)` (which appends one page and returns the next
// token) until the last page or until `limit` items; returns at most
// `limit` items.
template <typename Item>
absl::StatusOr<std::vector<Item>> ListAll(
    int limit, const std::function<absl::StatusOr<std::string>(
                   const std::string& token, std::vector<Item>* items)>& page) {
  std::vector<Item> items;
  std::string token;
  do {
    absl::StatusOr<std::string> next = page(token, &items);
    if (!next.ok()) return next.status();
    token = *next;
  } while (!token.empty() && static_cast<int>(items.size()) < limit);
  if (static_cast<int>(items.size()) > limit) items.resize(limit);
  return items;
}

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_CLIENTS_LIST_ALL_H_
