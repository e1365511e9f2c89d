// kyodoctl's connection to kyodo: one channel per service address, the
// bearer token on every call, a deadline on every call, and calls by method
// name with messages built from the linked descriptors (so `kyodoctl call`
// reaches any method of any service without code for it).
#ifndef KYODO_KYODOCTL_CLIENT_H_
#define KYODO_KYODOCTL_CLIENT_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace kyodo::ctl {

struct ClientOptions {
  // Where each service is reached; a gateway address serves all three.
  std::map<std::string, std::string> addresses;  // service full name -> addr
  std::string default_address;
  std::string token;
  absl::Duration timeout = absl::Seconds(30);
};

class Client {
 public:
  explicit Client(ClientOptions options) : options_(std::move(options)) {}

  // The method called `name`: a full name
  // ("kyodo.partner.v1.PartnerService.GetPartner"), Service.Method, or a
  // bare method name when only one service has it. NOT_FOUND otherwise.
  static absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(
      absl::string_view name);

  // A fresh request message of `method`'s input type.
  static std::unique_ptr<google::protobuf::Message> NewRequest(
      const google::protobuf::MethodDescriptor* method);

  // Calls `method` with `request`; fills `response` (of the output type).
  // The status is the server's, details included.
  absl::Status Call(const google::protobuf::MethodDescriptor* method,
                    const google::protobuf::Message& request,
                    google::protobuf::Message* response);

  // Call, routed to the address of `service` rather than the method's own
  // (health checks of each service's address).
  absl::Status CallVia(const std::string& service,
                       const google::protobuf::MethodDescriptor* method,
                       const google::protobuf::Message& request,
                       google::protobuf::Message* response);

  // Convenience for typed requests: Call by full method name.
  absl::Status Call(absl::string_view method,
                    const google::protobuf::Message& request,
                    google::protobuf::Message* response);

  std::string AddressOf(const std::string& service) const;

  // For streaming calls made with a typed stub: the channel of `service`
  // and a context with the token and the timeout.
  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& service);
  std::unique_ptr<grpc::ClientContext> NewContext() const;

 private:
  ClientOptions options_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

// Links every kyodo proto into the binary and returns its generated pool
// (descriptors of unreferenced files would otherwise be dropped by the
// linker).
const google::protobuf::DescriptorPool& KyodoPool();

}  // namespace kyodo::ctl

#endif  // KYODO_KYODOCTL_CLIENT_H_
