// libFuzzer entry point of the "request" target; the fuzzed code is
// kyodo::fuzz::FuzzRequest (harness.h), which regressions_test.cc replays.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kyodo::fuzz::FuzzRequest(data, size);
  return 0;
}
