// Running a handful of independent downstream calls at once.
#ifndef KYODO_GATEWAY_PARALLEL_H_
#define KYODO_GATEWAY_PARALLEL_H_

#include <functional>
#include <thread>
#include <vector>

namespace kyodo::gateway {

// Runs every task and returns when all have finished: the first on the
// calling thread, the others on threads of their own. Tasks must not throw.
// For fan-outs of a few calls each bounded by a deadline; not a pool.
inline void RunParallel(std::vector<std::function<void()>> tasks) {
  std::vector<std::thread> threads;
  threads.reserve(tasks.size());
  for (size_t i = 1; i < tasks.size(); ++i)
    threads.emplace_back(std::move(tasks[i]));
  if (!tasks.empty()) tasks[0]();
  for (std::thread& t : threads) t.join();
}

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_PARALLEL_H_
