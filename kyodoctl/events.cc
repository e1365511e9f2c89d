// kyodoctl events: proposal-service's change feed (ListEvents, and with
// --follow WatchEvents, resumed from its last cursor whenever a stream
// ends, as docs/API.md "The change feed" asks of every follower).
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/status/grpc_status.h"
#include "common/text/enum_label.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "kyodoctl/commands.h"
#include "kyodoctl/format.h"

ABSL_FLAG(std::string, after, "",
          "events: start after this cursor (default: the oldest kept; "
          "\"now\": only new ones)");
ABSL_FLAG(std::string, on, "",
          "events: only this call or proposal (a call: its proposals too)");
ABSL_FLAG(bool, follow, false,
          "events: keep following new events until interrupted");

namespace kyodo::ctl {
namespace {

namespace pv1 = proposal::v1;

void Print(const Env& env, const pv1::Event& event) {
  if (env.json) {
    std::cout << ToJson(event) << "\n";
  } else {
    std::cout << event.cursor() << "\t" << JapanTime(event.time()) << "\t"
              << pv1::Event::Type_Name(event.type()) << " ("
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

}  // namespace

int CmdEvents(const Env& env) {
  if (!env.args.empty()) {
    std::cerr << "usage: kyodoctl events [--after=CURSOR] [--on=NAME] "
                 "[--follow]\n";
    return 2;
  }
  std::string after = absl::GetFlag(FLAGS_after);
  const std::string resource = absl::GetFlag(FLAGS_on);
  if (!absl::GetFlag(FLAGS_follow)) {
    for (;;) {
      pv1::ListEventsRequest request;
      request.set_after(after);
      request.set_resource(resource);
      request.set_page_size(500);
      pv1::ListEventsResponse response;
      absl::Status status = env.client->Call(
          "kyodo.proposal.v1.ProposalService.ListEvents", request, &response);
      if (!status.ok()) return Fail(status);
      for (const pv1::Event& event : response.events()) Print(env, event);
      if (response.next_cursor() == after) return 0;
      after = response.next_cursor();
    }
  }
  if (after == "now") {
    // Resolved once, so that a stream that ends before any event resumes
    // where it began rather than at a later "now".
    pv1::ListEventsRequest request;
    request.set_after("now");
    pv1::ListEventsResponse response;
    absl::Status status = env.client->Call(
        "kyodo.proposal.v1.ProposalService.ListEvents", request, &response);
    if (!status.ok()) return Fail(status);
    after = response.next_cursor();
  }
  auto stub = pv1::ProposalService::NewStub(
      env.client->ChannelFor("kyodo.proposal.v1.ProposalService"));
  for (;;) {
    auto context = env.client->NewContext();
    context->set_wait_for_ready(true);
    pv1::WatchEventsRequest request;
    request.set_after(after);
    request.set_resource(resource);
    auto stream = stub->WatchEvents(context.get(), request);
    pv1::Event event;
    while (stream->Read(&event)) {
      Print(env, event);
      after = event.cursor();
    }
    const grpc::Status status = stream->Finish();
    if (!Resumable(status)) return Fail(common::FromGrpcStatus(status));
  }
}

}  // namespace kyodo::ctl
