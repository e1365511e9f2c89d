// Test support: a Prometheus scrape of a kyodo process's /metrics
// (--metrics_listen), and one sample read from it.
#ifndef KYODO_TESTS_TESTING_SCRAPE_H_
#define KYODO_TESTS_TESTING_SCRAPE_H_

#include <string>
#include <vector>

namespace kyodo::testing {

// GET http://127.0.0.1:port/metrics; the body, or "" on any failure.
std::string Scrape(int port);

// The value of the first sample named `name` whose labels contain every one
// of `labels` (each `key="value"`); -1 when there is none.
double Sample(const std::string& text, const std::string& name,
              const std::vector<std::string>& labels);

}  // namespace kyodo::testing

#endif  // KYODO_TESTS_TESTING_SCRAPE_H_
