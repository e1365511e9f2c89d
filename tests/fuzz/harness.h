// The fuzzed functions of kyodo, shared by the libFuzzer targets
// (tests/fuzz/*_fuzz.cc, built with clang when KYODO_FUZZ=ON) and by the
// replay of their corpus and crash inputs in the normal test suite
// (regressions_test.cc), so a crash found by fuzzing is replayed through
// exactly the code that found it.
//
// Each function takes arbitrary bytes, calls the real parser or validator
// the services run on untrusted input, and aborts (through Check) when an
// invariant the code promises does not hold: an error that is not
// INVALID_ARGUMENT / UNAUTHENTICATED, a round trip that loses data, a
// parameter count that does not match the SQL placeholders.
#ifndef KYODO_TESTS_FUZZ_HARNESS_H_
#define KYODO_TESTS_FUZZ_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"

namespace kyodo::fuzz {

// The fuzz targets, by the name of their corpus folder.
void FuzzFilter(const uint8_t* data, size_t size);     // "filter"
void FuzzPageToken(const uint8_t* data, size_t size);  // "page_token"
void FuzzToken(const uint8_t* data, size_t size);      // "jwt"
void FuzzNames(const uint8_t* data, size_t size);      // "names"
void FuzzRequest(const uint8_t* data, size_t size);    // "request"

struct Target {
  const char* name;
  void (*run)(const uint8_t* data, size_t size);
};
const std::vector<Target>& Targets();

// Every request message type of the four services' methods, from their
// service descriptors (health excluded), in a fixed order.
const std::vector<const google::protobuf::Descriptor*>& RequestTypes();

// FuzzRequest reads the type from the input's first two bytes (big endian):
// the tag of a type is a hash of its full name (salted when a type whose
// name sorts first has it), so a seed keeps its type when methods are added;
// a tag that is no type's picks one by position.
uint16_t RequestTag(const google::protobuf::Descriptor& type);
const google::protobuf::Descriptor* RequestTypeOfTag(uint16_t tag);

// The token key, issuer, audience and clock the JWT target verifies with
// (tokens minted at kTokenTime for an hour stay valid forever here).
inline constexpr char kFuzzJwtKey[] = "kyodo-fuzz-signing-key-0123456789abcdef";
inline constexpr char kFuzzIssuer[] = "kyodo-fuzz";
inline constexpr char kFuzzAudience[] = "kyodo";
absl::Time TokenTime();
// The page-token key of the page-token target.
inline constexpr char kFuzzPageKey[] = "kyodo-fuzz-page-token-key";

// Aborts with `what` when `condition` is false (also in release builds).
void Check(bool condition, const char* what);

}  // namespace kyodo::fuzz

#endif  // KYODO_TESTS_FUZZ_HARNESS_H_
