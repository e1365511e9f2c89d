// The gRPC side of documents: the bodies of a service's UploadDocument and
// DownloadDocument overrides, and of its three unary methods, around
// Documents (documents.h) and the service's Policy, through its RpcRunner.
#ifndef KYODO_COMMON_DOCUMENTS_SERVE_H_
#define KYODO_COMMON_DOCUMENTS_SERVE_H_

#include "common/documents/documents.h"
#include "common/server/rpc.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/sync_stream.h"
#include "kyodo/type/v1/document.pb.h"

namespace kyodo::common::documents {

// `documents` may be null (libmagic could not be loaded): every method is
// then UNAVAILABLE.
grpc::Status ServeUpload(
    const server::RpcRunner& rpc, const Documents* documents,
    const Policy& policy, grpc::ServerContext* context,
    grpc::ServerReader<kyodo::type::v1::UploadDocumentRequest>* reader,
    kyodo::type::v1::Document* response);

grpc::Status ServeDownload(
    const server::RpcRunner& rpc, const Documents* documents,
    const Policy& policy, grpc::ServerContext* context,
    const kyodo::type::v1::DownloadDocumentRequest* request,
    grpc::ServerWriter<kyodo::type::v1::DownloadDocumentResponse>* writer);

grpc::Status ServeList(const server::RpcRunner& rpc, const Documents* documents,
                       const Policy& policy, grpc::ServerContext* context,
                       const kyodo::type::v1::ListDocumentsRequest* request,
                       kyodo::type::v1::ListDocumentsResponse* response);
grpc::Status ServeGet(const server::RpcRunner& rpc, const Documents* documents,
                      const Policy& policy, grpc::ServerContext* context,
                      const kyodo::type::v1::GetDocumentRequest* request,
                      kyodo::type::v1::Document* response);
grpc::Status ServeDelete(const server::RpcRunner& rpc,
                         const Documents* documents, const Policy& policy,
                         grpc::ServerContext* context,
                         const kyodo::type::v1::DeleteDocumentRequest* request,
                         kyodo::type::v1::Document* response);

}  // namespace kyodo::common::documents

// The five overrides, declared in a service's class ...
#define KYODO_DOCUMENT_METHODS_DECLARE()                                       \
  grpc::Status UploadDocument(                                                 \
      grpc::ServerContext* context,                                            \
      grpc::ServerReader<kyodo::type::v1::UploadDocumentRequest>* reader,      \
      kyodo::type::v1::Document* response) override;                           \
  grpc::Status ListDocuments(                                                  \
      grpc::ServerContext* context,                                            \
      const kyodo::type::v1::ListDocumentsRequest* request,                    \
      kyodo::type::v1::ListDocumentsResponse* response) override;              \
  grpc::Status GetDocument(grpc::ServerContext* context,                       \
                           const kyodo::type::v1::GetDocumentRequest* request, \
                           kyodo::type::v1::Document* response) override;      \
  grpc::Status DownloadDocument(                                               \
      grpc::ServerContext* context,                                            \
      const kyodo::type::v1::DownloadDocumentRequest* request,                 \
      grpc::ServerWriter<kyodo::type::v1::DownloadDocumentResponse>* writer)   \
      override;                                                                \
  grpc::Status DeleteDocument(                                                 \
      grpc::ServerContext* context,                                            \
      const kyodo::type::v1::DeleteDocumentRequest* request,                   \
      kyodo::type::v1::Document* response) override;

// ... and defined in its service.cc, each calling the Serve* function of
// the same name with the service's RpcRunner, Documents and Policy
// (expressions valid inside a member function).
// NOLINTBEGIN(bugprone-macro-parentheses): Class is a type.
#define KYODO_DOCUMENT_METHODS_DEFINE(Class, Rpc, Store, Rules)                \
  grpc::Status Class::UploadDocument(                                          \
      grpc::ServerContext* context,                                            \
      grpc::ServerReader<kyodo::type::v1::UploadDocumentRequest>* reader,      \
      kyodo::type::v1::Document* response) {                                   \
    return ::kyodo::common::documents::ServeUpload((Rpc), (Store), (Rules),    \
                                                   context, reader, response); \
  }                                                                            \
  grpc::Status Class::ListDocuments(                                           \
      grpc::ServerContext* context,                                            \
      const kyodo::type::v1::ListDocumentsRequest* request,                    \
      kyodo::type::v1::ListDocumentsResponse* response) {                      \
    return ::kyodo::common::documents::ServeList((Rpc), (Store), (Rules),      \
                                                 context, request, response);  \
  }                                                                            \
  grpc::Status Class::GetDocument(                                             \
      grpc::ServerContext* context,                                            \
      const kyodo::type::v1::GetDocumentRequest* request,                      \
      kyodo::type::v1::Document* response) {                                   \
    return ::kyodo::common::documents::ServeGet((Rpc), (Store), (Rules),       \
                                                context, request, response);   \
  }                                                                            \
  grpc::Status Class::DownloadDocument(                                        \
      grpc::ServerContext* context,                                            \
      const kyodo::type::v1::DownloadDocumentRequest* request,                 \
      grpc::ServerWriter<kyodo::type::v1::DownloadDocumentResponse>* writer) { \
    return ::kyodo::common::documents::ServeDownload(                          \
        (Rpc), (Store), (Rules), context, request, writer);                    \
  }                                                                            \
  grpc::Status Class::DeleteDocument(                                          \
      grpc::ServerContext* context,                                            \
      const kyodo::type::v1::DeleteDocumentRequest* request,                   \
      kyodo::type::v1::Document* response) {                                   \
    return ::kyodo::common::documents::ServeDelete(                            \
        (Rpc), (Store), (Rules), context, request, response);                  \
  }
// NOLINTEND(bugprone-macro-parentheses)

#endif  // KYODO_COMMON_DOCUMENTS_SERVE_H_
