// The composed workflows of kyodo.gateway.v1.Gateway, one function per RPC,
// called by service.cc through RpcRunner. Internal to the gateway.
#ifndef KYODO_GATEWAY_HANDLERS_H_
#define KYODO_GATEWAY_HANDLERS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/server/rpc.h"
#include "common/time/clock.h"
#include "gateway/clients/partner_client.h"
#include "gateway/clients/project_client.h"
#include "gateway/clients/proposal_client.h"
#include "gateway/dossier_hints.h"
#include "gateway/fan_out.h"
#include "grpcpp/support/sync_stream.h"
#include "kyodo/gateway/v1/gateway.pb.h"

namespace kyodo::gateway {

struct GatewayDeps {
  PartnerClient* partners = nullptr;
  ProjectClient* projects = nullptr;
  ProposalClient* proposals = nullptr;
  const common::Clock* clock = nullptr;
  // The secret the request ids of the gateway's own steps are derived with
  // (HMAC; common/idempotency), so that nobody can compute them from the
  // public names they are keyed by. main.cc uses the gateway's service
  // token.
  std::string step_key;
  // The bound on the downstream calls the composed views make at once.
  FanOutLimit* fan_out = nullptr;
  // The longest an open-data export may stream (--export_deadline); zero =
  // the server's default deadline, as for every other call.
  absl::Duration export_deadline = absl::ZeroDuration();
  // What GetProjectDossier learnt of each project's links, to fetch them in
  // the project's own round (gateway/dossier_hints.h); null: no guesses,
  // the parties and the proposal are fetched once the project is read.
  DossierHints* dossier_hints = nullptr;
};

// The most calls one composed view makes at once (GetPartnerProfile): a
// --max_fanout_calls below it could never serve that view.
inline constexpr int kWidestFanOut = 5;

// The request id of one step of a composed workflow, e.g.
// StepRequestId(d, "finalize/decide/programmes/p/calls/c").
std::string StepRequestId(const GatewayDeps& d, absl::string_view step);

absl::Status SubmitProposal(const GatewayDeps& d,
                            const common::server::CallContext& call,
                            const v1::SubmitProposalRequest& r,
                            v1::SubmitProposalResponse* out);
absl::Status FinalizeCall(const GatewayDeps& d,
                          const common::server::CallContext& call,
                          const v1::FinalizeCallRequest& r,
                          v1::FinalizeCallResponse* out);
absl::Status PublishResults(const GatewayDeps& d,
                            const common::server::CallContext& call,
                            const v1::PublishResultsRequest& r,
                            v1::PublishResultsResponse* out);
absl::Status GetProjectDossier(const GatewayDeps& d,
                               const common::server::CallContext& call,
                               const v1::GetProjectDossierRequest& r,
                               v1::ProjectDossier* out);
absl::Status GetPartnerProfile(const GatewayDeps& d,
                               const common::server::CallContext& call,
                               const v1::GetPartnerProfileRequest& r,
                               v1::PartnerProfile* out);
absl::Status GetWardDashboard(const GatewayDeps& d,
                              const common::server::CallContext& call,
                              const v1::GetWardDashboardRequest& r,
                              v1::WardDashboard* out);
absl::Status ExportOpenData(const GatewayDeps& d,
                            const common::server::CallContext& call,
                            const v1::ExportOpenDataRequest& r,
                            grpc::ServerWriter<v1::ExportChunk>* writer);

}  // namespace kyodo::gateway

#endif  // KYODO_GATEWAY_HANDLERS_H_
