#include "gateway/proxy.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/log/trace.h"
#include "common/server/rpc.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/client_callback.h"

namespace kyodo::gateway {
namespace {

// As common/documents/documents.h's kLongestTransfer (the gateway does not
// link the documents' library).
constexpr absl::Duration kLongestTransfer = absl::Minutes(10);

// Metadata that describes the call itself and must not be copied; the
// call id and the span are sent anew (the gateway's own).
bool Forwardable(const grpc::string_ref& key) {
  const std::string k(key.data(), key.size());
  return k != "grpc-timeout" && k != "content-type" && k != "te" &&
         k.rfind("grpc-", 0) != 0 && k.rfind(':', 0) != 0 &&
         k != "user-agent" && k != "x-request-id" && k != "traceparent";
}

// How `method` ("/pkg.Service/Method") streams.
struct Streaming {
  bool requests = false;  // the caller sends a stream (UploadDocument)
  bool answers = false;   // the service answers a stream (WatchEvents)
};
Streaming StreamingOf(const std::string& method) {
  const size_t slash = method.find('/', 1);
  if (slash == std::string::npos) return {};
  std::string full = method.substr(1);
  full[slash - 1] = '.';
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          full);
  if (descriptor == nullptr) return {};
  return {descriptor->client_streaming(), descriptor->server_streaming()};
}

// One forwarded call: read the request, call the service, answer. A
// streaming method is relayed message by message in each direction: an
// answer (ProposalService.WatchEvents, DownloadDocument) is read from the
// service only once the caller took the one before, and a request
// (UploadDocument) read from the caller only once the service took the one
// before, so a slow side slows the stream rather than filling memory.
class ForwardReactor final : public grpc::ServerGenericBidiReactor {
 public:
  ForwardReactor(grpc::GenericCallbackServerContext* server,
                 std::shared_ptr<grpc::Channel> channel,
                 absl::Duration default_deadline,
                 const common::server::CallObserver* observer)
      : stub_(std::move(channel)),
        method_(server->method()),
        observer_(observer),
        started_(absl::Now()),
        call_id_(common::server::CallIdOf(*server)),
        span_(common::server::SpanOf(*server)) {
    service_ = method_.substr(1, method_.find('/', 1) - 1);
    // "/kyodo.partner.v1.PartnerService/GetPartner" ->
    // "PartnerService.GetPartner": the method in logs and metrics, apart
    // from the gateway's own.
    const size_t dot = service_.rfind('.');
    label_ = absl::StrCat(service_.substr(dot + 1), ".",
                          method_.substr(method_.find('/', 1) + 1));
    // The same call id (x-request-id) and trace in the service's logs.
    server->AddInitialMetadata("x-request-id", call_id_);
    client_.AddMetadata("x-request-id", call_id_);
    client_.AddMetadata("traceparent", common::log::Traceparent(span_));
    auto deadline = server->deadline();
    // A document's transfer may take longer than a call: the services
    // allow it common/documents/documents.h's kLongestTransfer.
    const bool transfer = absl::EndsWith(method_, "/UploadDocument") ||
                          absl::EndsWith(method_, "/DownloadDocument");
    const auto fallback = absl::ToChronoTime(
        absl::Now() + (transfer ? std::max(default_deadline, kLongestTransfer)
                                : default_deadline));
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
    if (streaming_ && started_leg_) {
      // The next message of the caller's stream, or its end. Reads and
      // writes alternate (OnRequestSent starts the next read), so no other
      // reaction touches the leg's write side meanwhile.
      if (ok) {
        leg_.StartWrite(&request_);
      } else {
        leg_.StartWritesDone();
        leg_.RemoveHold();  // the write side's
      }
      return;
    }
    if (!ok) {
      Done(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the call carried no request message"));
      return;
    }
    if (streaming_) {
      started_leg_ = true;
      refs_.fetch_add(1);  // the leg's, dropped by its OnDone
      stub_.PrepareBidiStreamingCall(&client_, method_, grpc::StubOptions(),
                                     &leg_);
      leg_.StartWrite(&request_);
      if (streams_.requests) {
        // Held until the caller's stream ended (or the leg failed), so
        // that the leg stays open between one request and the next.
        leg_.AddHold();
      } else {
        leg_.StartWritesDone();
      }
      leg_.StartRead(&response_);
      // Held until no read follows, so the leg stays open between a read
      // and the next (its OnDone waits for RemoveHold).
      leg_.AddHold();
      leg_.StartCall();
      return;
    }
    stub_.UnaryCall(&client_, method_, grpc::StubOptions(), &request_,
                    &response_, [this](const grpc::Status& status) {
                      Done(status.ok() ? status : Sanitize(status));
                    });
  }

  // Counts and logs the forwarded call like the gateway's own calls
  // (common/server/rpc.h), then answers.
  void Done(const grpc::Status& status) {
    const absl::Duration latency = absl::Now() - started_;
    const absl::StatusCode code =
        static_cast<absl::StatusCode>(static_cast<int>(status.error_code()));
    {
      common::log::ScopedCallId scoped(call_id_);
      common::log::ScopedTrace traced(span_);
      common::log::Write(
          code == absl::StatusCode::kInternal ||
                  code == absl::StatusCode::kUnknown ||
                  code == absl::StatusCode::kDataLoss
              ? common::log::Level::kError
              : common::log::Level::kInfo,
          "rpc",
          {{"method", label_},
           {"forwarded", true},
           {"code", absl::StatusCodeToString(code)},
           {"ms", absl::ToDoubleMilliseconds(latency)},
           {"parent_span_id", span_.parent_id},
           {"error", status.ok() ? std::string() : status.error_message()}});
    }
    if (observer_ != nullptr && *observer_) (*observer_)(label_, code, latency);
    if (status.ok() && !streaming_) {
      StartWriteAndFinish(&response_, grpc::WriteOptions(), status);
    } else {
      Finish(status);
    }
  }

  void OnCancel() override { client_.TryCancel(); }

  // A request of the caller's stream taken by the service: read the next.
  // When the service stopped taking them (it answered, or failed), the
  // caller's remaining requests are not read; the leg's end answers.
  void OnRequestSent(bool ok) {
    if (!streams_.requests) return;  // the only request of a unary call
    if (ok) {
      StartRead(&request_);
    } else {
      leg_.RemoveHold();  // the write side's
    }
  }

  // A stream's message taken by the caller: read the next one.
  void OnWriteDone(bool ok) override {
    if (!ok) {
      client_.TryCancel();  // the caller is gone; the leg ends
      leg_.RemoveHold();
      return;
    }
    leg_.StartRead(&response_);
  }

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
  void OnDone() override { Unref(); }

 private:
  // The call to the service of a streaming method.
  class Leg final
      : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit Leg(ForwardReactor* up) : up_(up) {}
    void OnReadDone(bool ok) override {
      if (ok) {
        up_->StartWrite(&up_->response_);
      } else {
        RemoveHold();  // the stream ended: OnDone brings its status
      }
    }
    void OnWriteDone(bool ok) override { up_->OnRequestSent(ok); }
    void OnDone(const grpc::Status& status) override {
      up_->Done(status.ok() ? status : up_->Sanitize(status));
      up_->Unref();
    }

   private:
    ForwardReactor* up_;
  };

  // Deleted once the server side and the leg (if any) are both done.
  void Unref() {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  grpc::GenericStub stub_;
  const std::string method_;  // outlives the call: gRPC keeps its c_str()
  const common::server::CallObserver* observer_;  // may be null
  const absl::Time started_;
  const std::string call_id_;
  const common::log::TraceContext span_;
  std::string service_;
  std::string label_;
  grpc::ClientContext client_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  const Streaming streams_ = StreamingOf(method_);
  const bool streaming_ = streams_.requests || streams_.answers;
  bool started_leg_ = false;  // touched by the caller's reads only
  Leg leg_{this};
  std::atomic<int> refs_{1};
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
  return new ForwardReactor(context, std::move(channel), default_deadline_,
                            &observer_);
}

}  // namespace kyodo::gateway
