// A deliberate data race, built only in the ThreadSanitizer tree
// (tests/sanitize/run.sh): two threads add to one int with no lock.
// sanitize.tsan_reports_a_race runs it and checks that the report it leaves
// fails the run, so a TSan build that stopped reporting would be noticed.
#include <thread>

int main() {
  int counter = 0;
  auto add = [&counter] {
    for (int i = 0; i < 1000; ++i) ++counter;
  };
  std::thread a(add);
  std::thread b(add);
  a.join();
  b.join();
  return counter > 0 ? 0 : 1;
}
