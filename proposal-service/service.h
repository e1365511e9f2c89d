// kyodo.proposal.v1.ProposalService: handlers that validate, authorise, run
// the domain rules and the store inside one transaction, and shape the
// answer. No SQL here (store/), no rules that need no database (domain/).
//
// Permissions (docs/API.md; access.h has the details):
// - admins, and ward staff of the programme's ward ("managers"), write
//   programmes, calls, reviewers, screenings, returns for correction,
//   decisions and publication, and read everything, reviews included;
// - ward staff of other wards read everything too (docs/API.md: "read all"),
//   reviews included, but may not preview a decision (a step of the
//   decision, which is the programme's ward's);
// - a reviewer (token `reviewer` claim = a live Reviewer.principal of the
//   call) reads the call's submitted proposals, its committee, the review
//   progress (ListReviewProgress: who scored what, never a score) and, once
//   decided, the decision; declares its own conflicts; writes and reads its
//   OWN reviews (of the proposals assigned to it) until the decision;
// - an applicant (token `partner` claim) creates, edits, submits and
//   withdraws its own proposals (and corrects and resubmits one returned to
//   it) and reads them, with their result once the call is PUBLISHED;
// - everyone (viewers too) reads programmes, non-draft calls, and the
//   public fields and results of proposals of PUBLISHED calls.
// PERMISSION_DENIED comes before NOT_FOUND: a caller that may not see a
// record cannot tell whether it exists. DRAFT calls count as not existing
// for callers other than admins and ward staff.
#ifndef KYODO_PROPOSAL_SERVICE_SERVICE_H_
#define KYODO_PROPOSAL_SERVICE_SERVICE_H_

#include <memory>
#include <set>
#include <string>

#include "common/db/pool.h"
#include "common/documents/documents.h"
#include "common/documents/serve.h"
#include "common/events/outbox.h"
#include "common/paging/page_token.h"
#include "common/server/rpc.h"
#include "kyodo/proposal/v1/proposal_service.grpc.pb.h"
#include "proposal-service/clients/records_client.h"

namespace kyodo::proposal {

struct ServiceDeps {
  common::db::ConnectionPool* pool = nullptr;
  const common::server::RpcRunner* rpc = nullptr;
  const common::paging::PageTokenCodec* pages = nullptr;
  // Partner- and project-service, asked by ScreenProposal for its facts.
  const Records* records = nullptr;
  // The change feed's options and streams (events.h); ProposalServiceImpl
  // makes one with the default options when it is not given.
  common::events::Feed* feed = nullptr;
  // Proposals' documents (common/documents/documents.h); made with the
  // default limits when not given.
  const common::documents::Documents* documents = nullptr;
};

// The only methods a `notifier` token may call (RpcRunner, set by main.cc):
// the feed it follows, the call it names in a mail, and the committee's
// addresses (notifier/; docs/API.md, "Mail").
inline std::set<std::string> NotifierMethods() {
  return {"ListEvents", "WatchEvents", "GetCall", "ListReviewers"};
}

// Every RPC of the service as X(Method, Request, Response): service.h
// declares the overrides, service.cc wires them to RpcRunner, handlers.h
// declares the handler bodies, all from this one list.
#define KYODO_PROPOSAL_RPCS(X)                                              \
  X(GetProgramme, v1::GetProgrammeRequest, v1::Programme)                   \
  X(ListProgrammes, v1::ListProgrammesRequest, v1::ListProgrammesResponse)  \
  X(CreateProgramme, v1::CreateProgrammeRequest, v1::Programme)             \
  X(UpdateProgramme, v1::UpdateProgrammeRequest, v1::Programme)             \
  X(DeleteProgramme, v1::DeleteProgrammeRequest, v1::Programme)             \
  X(GetCall, v1::GetCallRequest, v1::Call)                                  \
  X(ListCalls, v1::ListCallsRequest, v1::ListCallsResponse)                 \
  X(CreateCall, v1::CreateCallRequest, v1::Call)                            \
  X(UpdateCall, v1::UpdateCallRequest, v1::Call)                            \
  X(DeleteCall, v1::DeleteCallRequest, v1::Call)                            \
  X(OpenCall, v1::OpenCallRequest, v1::Call)                                \
  X(CloseCall, v1::CloseCallRequest, v1::Call)                              \
  X(StartReview, v1::StartReviewRequest, v1::Call)                          \
  X(AdvanceStage, v1::AdvanceStageRequest, v1::AdvanceStageResponse)        \
  X(PreviewDecision, v1::PreviewDecisionRequest, v1::Decision)              \
  X(DecideCall, v1::DecideCallRequest, v1::Decision)                        \
  X(GetDecision, v1::GetDecisionRequest, v1::Decision)                      \
  X(PublishResults, v1::PublishResultsRequest, v1::Call)                    \
  X(GetReviewer, v1::GetReviewerRequest, v1::Reviewer)                      \
  X(ListReviewers, v1::ListReviewersRequest, v1::ListReviewersResponse)     \
  X(CreateReviewer, v1::CreateReviewerRequest, v1::Reviewer)                \
  X(UpdateReviewer, v1::UpdateReviewerRequest, v1::Reviewer)                \
  X(DeleteReviewer, v1::DeleteReviewerRequest, v1::Reviewer)                \
  X(DeclareConflict, v1::DeclareConflictRequest, v1::Reviewer)              \
  X(GetProposal, v1::GetProposalRequest, v1::Proposal)                      \
  X(ListProposals, v1::ListProposalsRequest, v1::ListProposalsResponse)     \
  X(SummarizeProposals, v1::SummarizeProposalsRequest, v1::ProposalSummary) \
  X(CreateProposal, v1::CreateProposalRequest, v1::Proposal)                \
  X(UpdateProposal, v1::UpdateProposalRequest, v1::Proposal)                \
  X(DeleteProposal, v1::DeleteProposalRequest, v1::Proposal)                \
  X(SubmitProposal, v1::SubmitProposalRequest, v1::Proposal)                \
  X(WithdrawProposal, v1::WithdrawProposalRequest, v1::Proposal)            \
  X(ReturnProposal, v1::ReturnProposalRequest, v1::Proposal)                \
  X(ScreenProposal, v1::ScreenProposalRequest, v1::Proposal)                \
  X(LinkProject, v1::LinkProjectRequest, v1::Proposal)                      \
  X(GetReview, v1::GetReviewRequest, v1::Review)                            \
  X(ListReviews, v1::ListReviewsRequest, v1::ListReviewsResponse)           \
  X(SubmitReview, v1::SubmitReviewRequest, v1::Review)                      \
  X(ListReviewProgress, v1::ListReviewProgressRequest,                      \
    v1::ListReviewProgressResponse)                                         \
  X(ListAuditEvents, kyodo::type::v1::ListAuditEventsRequest,               \
    kyodo::type::v1::ListAuditEventsResponse)                               \
  X(ListEvents, v1::ListEventsRequest, v1::ListEventsResponse)

class ProposalServiceImpl final : public v1::ProposalService::Service {
 public:
  explicit ProposalServiceImpl(ServiceDeps deps);

// NOLINTBEGIN(bugprone-macro-parentheses): Request and Response are
// types, which cannot be parenthesized.
#define KYODO_PROPOSAL_DECLARE_RPC(Method, Request, Response)               \
  grpc::Status Method(grpc::ServerContext* context, const Request* request, \
                      Response* response) override;
  // NOLINTEND(bugprone-macro-parentheses)
  KYODO_PROPOSAL_RPCS(KYODO_PROPOSAL_DECLARE_RPC)
#undef KYODO_PROPOSAL_DECLARE_RPC

  // The one streaming method of the change feed (event_handlers.cc).
  grpc::Status WatchEvents(grpc::ServerContext* context,
                           const v1::WatchEventsRequest* request,
                           grpc::ServerWriter<v1::Event>* writer) override;

  // A proposal's documents (document_handlers.cc).
  KYODO_DOCUMENT_METHODS_DECLARE()

 private:
  std::unique_ptr<common::events::Feed> own_feed_;
  std::shared_ptr<const common::documents::Documents> own_documents_;
  ServiceDeps deps_;
};

}  // namespace kyodo::proposal

#endif  // KYODO_PROPOSAL_SERVICE_SERVICE_H_
