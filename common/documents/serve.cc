#include "common/documents/serve.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/time/clock.h"

namespace kyodo::common::documents {
namespace {

// Cancels a call at `at` unless destroyed first: an upload whose caller
// set no deadline (or a later one) and stopped sending would otherwise
// hold its database session, and a slot of --document_max_uploads, for
// as long as its connection lives.
class Watchdog {
 public:
  Watchdog(grpc::ServerContext* context, absl::Time at)
      : thread_([this, context, at] {
          std::unique_lock<std::mutex> lock(mu_);
          if (!done_.wait_until(lock, absl::ToChronoTime(at),
                                [this] { return finished_; })) {
            context->TryCancel();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished_ = true;
    }
    done_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable done_;
  bool finished_ = false;
  std::thread thread_;  // last: started once the rest exists
};

absl::Status Unavailable() {
  return absl::UnavailableError(
      "documents are unavailable: libmagic's database could not be loaded");
}

}  // namespace

grpc::Status ServeUpload(
    const server::RpcRunner& rpc, const Documents* documents,
    const Policy& policy, grpc::ServerContext* context,
    grpc::ServerReader<kyodo::type::v1::UploadDocumentRequest>* reader,
    kyodo::type::v1::Document* response) {
  // The request checks run on the first message, in Documents::Upload.
  const absl::Time limit = absl::Now() + kLongestTransfer;
  std::optional<Watchdog> watchdog;
  if (absl::FromChrono(context->deadline()) > limit) {
    watchdog.emplace(context, limit);
  }
  return rpc.Run(
      context, kyodo::type::v1::UploadDocumentRequest(),
      [&](const server::CallContext& call) {
        if (documents == nullptr) return Unavailable();
        return documents->Upload(
            policy, call,
            [&](kyodo::type::v1::UploadDocumentRequest* m) {
              return reader->Read(m);
            },
            response);
      },
      kLongestTransfer);
}

grpc::Status ServeDownload(
    const server::RpcRunner& rpc, const Documents* documents,
    const Policy& policy, grpc::ServerContext* context,
    const kyodo::type::v1::DownloadDocumentRequest* request,
    grpc::ServerWriter<kyodo::type::v1::DownloadDocumentResponse>* writer) {
  return rpc.Run(
      context, *request,
      [&](const server::CallContext& call) {
        if (documents == nullptr) return Unavailable();
        return documents->Download(
            policy, call, *request,
            [&](const kyodo::type::v1::DownloadDocumentResponse& m) {
              return writer->Write(m);
            });
      },
      kLongestTransfer);
}

grpc::Status ServeList(const server::RpcRunner& rpc, const Documents* documents,
                       const Policy& policy, grpc::ServerContext* context,
                       const kyodo::type::v1::ListDocumentsRequest* request,
                       kyodo::type::v1::ListDocumentsResponse* response) {
  return rpc.Run(context, *request, [&](const server::CallContext& call) {
    if (documents == nullptr) return Unavailable();
    return documents->List(policy, call, *request, response);
  });
}

grpc::Status ServeGet(const server::RpcRunner& rpc, const Documents* documents,
                      const Policy& policy, grpc::ServerContext* context,
                      const kyodo::type::v1::GetDocumentRequest* request,
                      kyodo::type::v1::Document* response) {
  return rpc.Run(context, *request, [&](const server::CallContext& call) {
    if (documents == nullptr) return Unavailable();
    return documents->Get(policy, call, *request, response);
  });
}

grpc::Status ServeDelete(const server::RpcRunner& rpc,
                         const Documents* documents, const Policy& policy,
                         grpc::ServerContext* context,
                         const kyodo::type::v1::DeleteDocumentRequest* request,
                         kyodo::type::v1::Document* response) {
  return rpc.Run(context, *request, [&](const server::CallContext& call) {
    if (documents == nullptr) return Unavailable();
    return documents->Delete(policy, call, *request, response);
  });
}

}  // namespace kyodo::common::documents
