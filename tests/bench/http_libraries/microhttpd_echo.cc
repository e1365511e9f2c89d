// One of the three candidates of tests/bench/http_libraries/run.sh:
// libmicrohttpd (a thread per connection) answering POST /echo with the
// request body as JSON.
#include <microhttpd.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

static MHD_Result Answer(void*, MHD_Connection* c, const char*, const char*,
                         const char*, const char* data, size_t* size,
                         void** state) {
  auto* body = static_cast<std::string*>(*state);
  if (body == nullptr) {
    *state = new std::string;
    return MHD_YES;
  }
  if (*size != 0) {
    body->append(data, *size);
    *size = 0;
    return MHD_YES;
  }
  MHD_Response* r = MHD_create_response_from_buffer(body->size(), body->data(),
                                                    MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(r, "Content-Type", "application/json");
  MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ok;
}

static void Done(void*, MHD_Connection*, void** state,
                 MHD_RequestTerminationCode) {
  delete static_cast<std::string*>(*state);
}

int main(int argc, char** argv) {
  MHD_Daemon* d = MHD_start_daemon(
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
          MHD_USE_POLL,
      std::atoi(argv[1]), nullptr, nullptr, &Answer, nullptr,
      MHD_OPTION_NOTIFY_COMPLETED, &Done, nullptr, MHD_OPTION_END);
  if (d == nullptr) return 1;
  pause();
}
