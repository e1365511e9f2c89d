#include "gateway/http/invoker.h"

#include <latch>
#include <vector>

#include "grpcpp/support/byte_buffer.h"

namespace kyodo::gateway::http {
namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

void Prepare(grpc::ClientContext& context, const CallOptions& options) {
  for (const auto& [key, value] : options.metadata)
    context.AddMetadata(key, value);
  if (options.deadline != absl::InfiniteFuture())
    context.set_deadline(absl::ToChronoTime(options.deadline));
}

std::string RequestId(const grpc::ClientContext& context) {
  for (const auto* metadata : {&context.GetServerInitialMetadata(),
                               &context.GetServerTrailingMetadata()}) {
    auto it = metadata->find("x-request-id");
    if (it != metadata->end())
      return std::string(it->second.data(), it->second.size());
  }
  return "";
}

}  // namespace

CallResult Invoker::Unary(const std::string& method, const std::string& request,
                          const CallOptions& options) {
  grpc::ClientContext context;
  Prepare(context, options);
  grpc::ByteBuffer in = ToBuffer(request);
  grpc::ByteBuffer out;
  // A std::latch, not absl::Notification: the hand-over of `result` from
  // gRPC's thread must be visible to ThreadSanitizer, which does not see
  // inside Debian's uninstrumented Abseil (docs/RELIABILITY.md,
  // "ThreadSanitizer").
  std::latch done(1);
  CallResult result;
  stub_.UnaryCall(&context, method, grpc::StubOptions(), &in, &out,
                  [&](grpc::Status status) {
                    result.status = std::move(status);
                    done.count_down();
                  });
  done.wait();
  if (result.status.ok()) result.response = FromBuffer(out);
  result.request_id = RequestId(context);
  return result;
}

std::unique_ptr<ServerStream> Invoker::Stream(const std::string& method,
                                              const std::string& request,
                                              const CallOptions& options) {
  std::unique_ptr<ServerStream> stream(new ServerStream());
  Prepare(stream->context_, options);
  stream->call_ = stub_.PrepareCall(&stream->context_, method, &stream->queue_);
  stream->call_->StartCall(nullptr);
  stream->started_ = true;
  if (!stream->Wait()) return stream;  // Read fails; Finish says why
  grpc::ByteBuffer in = ToBuffer(request);
  stream->call_->WriteLast(in, grpc::WriteOptions(), nullptr);
  stream->Wait();
  return stream;
}

std::unique_ptr<ServerStream> Invoker::Open(const std::string& method,
                                            const CallOptions& options) {
  std::unique_ptr<ServerStream> stream(new ServerStream());
  Prepare(stream->context_, options);
  stream->call_ = stub_.PrepareCall(&stream->context_, method, &stream->queue_);
  stream->call_->StartCall(nullptr);
  stream->started_ = true;
  stream->open_ = stream->Wait();
  return stream;
}

bool ServerStream::Write(const std::string& message) {
  if (!open_ || finished_) return false;
  grpc::ByteBuffer buffer = ToBuffer(message);
  call_->Write(buffer, nullptr);
  open_ = Wait();
  return open_;
}

void ServerStream::WritesDone() {
  if (!open_ || finished_) return;
  call_->WritesDone(nullptr);
  Wait();
  open_ = false;
}

bool ServerStream::Wait() {
  void* tag = nullptr;
  bool ok = false;
  return queue_.Next(&tag, &ok) && ok;
}

bool ServerStream::Read(std::string* message) {
  if (finished_) return false;
  grpc::ByteBuffer buffer;
  call_->Read(&buffer, nullptr);
  if (!Wait()) return false;
  if (request_id_.empty()) request_id_ = RequestId(context_);
  *message = FromBuffer(buffer);
  return true;
}

grpc::Status ServerStream::Finish() {
  if (finished_) return status_;
  finished_ = true;
  call_->Finish(&status_, nullptr);
  Wait();
  if (request_id_.empty()) request_id_ = RequestId(context_);
  return status_;
}

ServerStream::~ServerStream() {
  if (started_ && !finished_) {
    context_.TryCancel();
    Finish();
  }
  queue_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
  }
}

}  // namespace kyodo::gateway::http
