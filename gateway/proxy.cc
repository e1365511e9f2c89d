#include "gateway/proxy.h"

#include <algorithm>
#include <chrono>

#include "absl/time/clock.h"
#include "common/log/log.h"
#include "grpcpp/generic/generic_stub.h"

namespace kyodo::gateway {
namespace {

// Metadata that describes the call itself and must not be copied.
bool Forwardable(const grpc::string_ref& key) {
  const std::string k(key.data(), key.size());
  return k != "grpc-timeout" && k != "content-type" && k != "te" &&
         k.rfind("grpc-", 0) != 0 && k.rfind(":", 0) != 0 && k != "user-agent";
}

// One forwarded unary call: read the request, call the service, answer.
class ForwardReactor final : public grpc::ServerGenericBidiReactor {
 public:
  ForwardReactor(grpc::GenericCallbackServerContext* server,
                 std::shared_ptr<grpc::Channel> channel,
                 absl::Duration default_deadline)
      : stub_(std::move(channel)), method_(server->method()) {
    service_ = method_.substr(1, method_.find('/', 1) - 1);
    auto deadline = server->deadline();
    const auto fallback = absl::ToChronoTime(absl::Now() + default_deadline);
    client_.set_deadline(
        std::min<std::chrono::system_clock::time_point>(deadline, fallback));
    for (const auto& [key, value] : server->client_metadata()) {
      if (Forwardable(key)) {
        client_.AddMetadata(std::string(key.data(), key.size()),
                            std::string(value.data(), value.size()));
      }
    }
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "the call carried no request message"));
      return;
    }
    stub_.UnaryCall(&client_, method_, grpc::StubOptions(), &request_,
                    &response_, [this](grpc::Status status) {
                      if (status.ok()) {
                        StartWriteAndFinish(&response_, grpc::WriteOptions(),
                                            status);
                      } else {
                        Finish(Sanitize(status));
                      }
                    });
  }

  void OnCancel() override { client_.TryCancel(); }

  // A failure the transport made up (no details from the service) names
  // internal addresses: say which service instead, and log the original.
  grpc::Status Sanitize(const grpc::Status& status) const {
    if (!status.error_details().empty()) return status;
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
        status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      return status;
    }
    common::log::Warning(
        "forwarded call failed",
        {{"method", method_}, {"error", status.error_message()}});
    return grpc::Status(status.error_code(),
                        status.error_code() == grpc::StatusCode::UNAVAILABLE
                            ? service_ + " is unavailable; retry later"
                            : service_ + " did not answer in time");
  }
  void OnDone() override { delete this; }

 private:
  grpc::GenericStub stub_;
  const std::string method_;  // outlives the call: gRPC keeps its c_str()
  std::string service_;
  grpc::ClientContext client_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

class RefuseReactor final : public grpc::ServerGenericBidiReactor {
 public:
  explicit RefuseReactor(const std::string& method) {
    Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        "the gateway does not serve " + method));
  }
  void OnDone() override { delete this; }
};

}  // namespace

std::shared_ptr<grpc::Channel> Proxy::Route(const std::string& method) const {
  // "/kyodo.partner.v1.PartnerService/GetPartner" -> the service name.
  if (method.size() < 2 || method[0] != '/') return nullptr;
  const size_t slash = method.find('/', 1);
  if (slash == std::string::npos) return nullptr;
  auto it = routes_.find(method.substr(1, slash - 1));
  return it == routes_.end() ? nullptr : it->second;
}

grpc::ServerGenericBidiReactor* Proxy::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  std::shared_ptr<grpc::Channel> channel = Route(context->method());
  if (channel == nullptr) return new RefuseReactor(context->method());
  return new ForwardReactor(context, std::move(channel), default_deadline_);
}

}  // namespace kyodo::gateway
