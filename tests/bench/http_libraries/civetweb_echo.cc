// One of the three candidates of tests/bench/http_libraries/run.sh:
// civetweb answering POST /echo with the request body as JSON.
#include <civetweb.h>
#include <unistd.h>

#include <string>

static int Echo(mg_connection* c, void*) {
  std::string body;
  char buf[4096];
  int n;
  while ((n = mg_read(c, buf, sizeof buf)) > 0) body.append(buf, n);
  mg_printf(c,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Content-Length: %zu\r\n\r\n",
            body.size());
  mg_write(c, body.data(), body.size());
  return 200;
}

int main(int argc, char** argv) {
  std::string port = std::string("127.0.0.1:") + argv[1];
  const char* options[] = {"listening_ports",
                           port.c_str(),
                           "num_threads",
                           "64",
                           "enable_keep_alive",
                           "yes",
                           "tcp_nodelay",
                           "1",
                           nullptr};
  mg_init_library(0);
  mg_context* ctx = mg_start(nullptr, nullptr, options);
  if (ctx == nullptr) return 1;
  mg_set_request_handler(ctx, "/echo", Echo, nullptr);
  pause();
}
