#include "common/documents/serve.h"

namespace kyodo::common::documents {
namespace {

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
