// kyodoctl events [proposals|projects|partners]: a service's change feed
// (ListEvents, and with --follow WatchEvents, resumed from its last cursor
// whenever a stream ends, as docs/API.md "The change feed" asks of every
// follower). The three feeds have the same shape, so one template serves
// them.
#include <algorithm>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/grpc_status.h"
#include "common/text/enum_label.h"
#include "kyodo/partner/v1/partner_service.grpc.pb.h"
#include "kyodo/project/v1/project_service.grpc.pb.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "kyodoctl/commands.h"
#include "kyodoctl/format.h"

ABSL_FLAG(std::string, after, "",
          "events: start after this cursor (default: the oldest kept; "
          "\"now\": only new ones)");
ABSL_FLAG(std::string, on, "",
          "events: only this resource (a call: its proposals too)");
ABSL_FLAG(bool, follow, false,
          "events: keep following new events until interrupted");

namespace kyodo::ctl {
namespace {

// The messages and stub of one service's feed.
template <typename S, typename E, typename ListRequest, typename ListResponse,
          typename WatchRequest>
struct Feed {
  using Service = S;
  using Event = E;
  using List = ListRequest;
  using Listed = ListResponse;
  using Watch = WatchRequest;
  const char* service;  // full gRPC service name
};

template <typename F>
void Print(const Env& env, const typename F::Event& event) {
  if (env.json) {
    std::cout << ToJson(event) << "\n";
  } else {
    std::cout << event.cursor() << "\t" << JapanTime(event.time()) << "\t"
              << F::Event::Type_Name(event.type()) << " ("
              << common::EnumLabel(event.type()) << ")\t" << event.resource()
              << "\n";
  }
  std::cout.flush();
}

// Whether a stream that ended with `status` is resumed: it ended on its
// own (its time was up), or the service went away for a moment.
bool Resumable(const grpc::Status& status) {
  return status.ok() || status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

template <typename F>
int Run(const Env& env, const F& feed) {
  const std::string list_method = absl::StrCat(feed.service, ".ListEvents");
  std::string after = absl::GetFlag(FLAGS_after);
  const std::string resource = absl::GetFlag(FLAGS_on);
  if (!absl::GetFlag(FLAGS_follow)) {
    for (;;) {
      typename F::List request;
      request.set_after(after);
      request.set_resource(resource);
      request.set_page_size(500);
      typename F::Listed response;
      absl::Status status = env.client->Call(list_method, request, &response);
      if (!status.ok()) return Fail(status);
      for (const auto& event : response.events()) Print<F>(env, event);
      if (response.next_cursor() == after) return 0;
      after = response.next_cursor();
    }
  }
  if (after == "now") {
    // Resolved once, so that a stream that ends before any event resumes
    // where it began rather than at a later "now".
    typename F::List request;
    request.set_after("now");
    typename F::Listed response;
    absl::Status status = env.client->Call(list_method, request, &response);
    if (!status.ok()) return Fail(status);
    after = response.next_cursor();
  }
  auto stub = F::Service::NewStub(env.client->ChannelFor(feed.service));
  // Between attempts that fail (the gateway answers, the service behind it
  // does not), a wait that doubles up to 5 s; a stream that ends on its own
  // is resumed at once.
  absl::Duration backoff = absl::Milliseconds(100);
  for (;;) {
    auto context = env.client->NewContext();
    context->set_wait_for_ready(true);
    typename F::Watch request;
    request.set_after(after);
    request.set_resource(resource);
    auto stream = stub->WatchEvents(context.get(), request);
    typename F::Event event;
    while (stream->Read(&event)) {
      Print<F>(env, event);
      after = event.cursor();
      backoff = absl::Milliseconds(100);
    }
    const grpc::Status status = stream->Finish();
    if (!Resumable(status)) return Fail(common::FromGrpcStatus(status));
    if (!status.ok()) {
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(5));
    }
  }
}

}  // namespace

int CmdEvents(const Env& env) {
  const std::string which = env.args.empty() ? "proposals" : env.args[0];
  if (env.args.size() > 1 ||
      (which != "proposals" && which != "projects" && which != "partners")) {
    std::cerr << "usage: kyodoctl events [proposals|projects|partners] "
                 "[--after=CURSOR] [--on=NAME] [--follow]\n";
    return 2;
  }
  if (which == "projects") {
    namespace v1 = project::v1;
    return Run(env, Feed<v1::ProjectService, v1::Event, v1::ListEventsRequest,
                         v1::ListEventsResponse, v1::WatchEventsRequest>{
                        "kyodo.project.v1.ProjectService"});
  }
  if (which == "partners") {
    namespace v1 = partner::v1;
    return Run(env, Feed<v1::PartnerService, v1::Event, v1::ListEventsRequest,
                         v1::ListEventsResponse, v1::WatchEventsRequest>{
                        "kyodo.partner.v1.PartnerService"});
  }
  namespace v1 = proposal::v1;
  return Run(env, Feed<v1::ProposalService, v1::Event, v1::ListEventsRequest,
                       v1::ListEventsResponse, v1::WatchEventsRequest>{
                      "kyodo.proposal.v1.ProposalService"});
}

}  // namespace kyodo::ctl
