#include "common/resource/names.h"

#include <openssl/rand.h>

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace kyodo::common {

std::string NewId() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  unsigned char bytes[12];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // OpenSSL's CSPRNG does not fail on Linux once seeded; if it ever does,
    // crashing beats issuing predictable ids.
    std::abort();
  }
  std::string id(12, 'a');
  for (int i = 0; i < 12; ++i) id[i] = kAlphabet[bytes[i] & 31];
  return id;
}

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || id.front() == '-') return false;
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (std::islower(u) == 0 && std::isdigit(u) == 0 && c != '-') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> ParseName(absl::string_view field,
                                      absl::string_view name,
                                      absl::string_view collection) {
  auto ids = ParseNestedName(field, name, absl::StrCat(collection, "/*"));
  if (!ids.ok()) return ids.status();
  return (*ids)[0];
}

absl::StatusOr<std::vector<std::string>> ParseNestedName(
    absl::string_view field, absl::string_view name,
    absl::string_view pattern) {
  if (name.empty()) {
    return InvalidArgumentError(field, "required",
                                kyodo::type::v1::FIELD_REQUIRED);
  }
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  std::vector<absl::string_view> want = absl::StrSplit(pattern, '/');
  std::vector<std::string> ids;
  bool ok = parts.size() == want.size();
  for (size_t i = 0; ok && i < parts.size(); ++i) {
    if (want[i] == "*") {
      ok = IsValidId(parts[i]);
      ids.emplace_back(parts[i]);
    } else {
      ok = parts[i] == want[i];
    }
  }
  if (!ok) {
    return InvalidArgumentError(
        field, absl::StrCat("must be a resource name like ", pattern));
  }
  return ids;
}

}  // namespace kyodo::common
