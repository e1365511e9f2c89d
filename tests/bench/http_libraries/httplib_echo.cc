// One of the three candidates of tests/bench/http_libraries/run.sh:
// cpp-httplib answering POST /echo with the request body as JSON.
#include <cstdlib>
#include <string>

#include "httplib.h"

int main(int argc, char** argv) {
  httplib::Server server;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 64;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  server.set_keep_alive_max_count(1000000);
  server.set_tcp_nodelay(true);  // else Nagle holds each answer ~40 ms
  server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "application/json");
  });
  server.listen("127.0.0.1", std::atoi(argv[1]));
}
