#include "kyodoctl/client.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/status/grpc_status.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "kyodo/gateway/v1/gateway.pb.h"
#include "kyodo/partner/v1/partner_service.pb.h"
#include "kyodo/project/v1/project_service.pb.h"
#include "kyodo/proposal/v1/proposal_service.pb.h"
#include "kyodo/seed/v1/seed.pb.h"

namespace kyodo::ctl {

const google::protobuf::DescriptorPool& KyodoPool() {
  // Touch one message of each file so the linker keeps them.
  static const bool linked = [] {
    (void)kyodo::gateway::v1::ProjectDossier::descriptor();
    (void)kyodo::partner::v1::Partner::descriptor();
    (void)kyodo::project::v1::Project::descriptor();
    (void)kyodo::proposal::v1::Proposal::descriptor();
    (void)kyodo::seed::v1::SeedFile::descriptor();
    (void)grpc::health::v1::HealthCheckRequest::descriptor();
    return true;
  }();
  (void)linked;
  return *google::protobuf::DescriptorPool::generated_pool();
}

namespace {

constexpr const char* kServices[] = {
    "kyodo.partner.v1.PartnerService",
    "kyodo.project.v1.ProjectService",
    "kyodo.proposal.v1.ProposalService",
    "kyodo.gateway.v1.Gateway",
};

}  // namespace

absl::StatusOr<const google::protobuf::MethodDescriptor*> Client::FindMethod(
    absl::string_view name) {
  const auto& pool = KyodoPool();
  if (const auto* m = pool.FindMethodByName(std::string(name))) return m;
  std::vector<const google::protobuf::MethodDescriptor*> matches;
  for (const char* service_name : kServices) {
    const auto* service = pool.FindServiceByName(service_name);
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* m = service->method(i);
      if (m->name() == name ||
          absl::StrCat(service->name(), ".", m->name()) == name) {
        matches.push_back(m);
      }
    }
  }
  if (matches.size() == 1) return matches.front();
  if (matches.empty()) {
    return absl::NotFoundError(absl::StrCat("no method named ", name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(name, " is ambiguous; use Service.Method"));
}

std::unique_ptr<google::protobuf::Message> Client::NewRequest(
    const google::protobuf::MethodDescriptor* method) {
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method->input_type())
          ->New());
}

std::string Client::AddressOf(const std::string& service) const {
  auto it = options_.addresses.find(service);
  if (it != options_.addresses.end() && !it->second.empty()) return it->second;
  return options_.default_address;
}

std::shared_ptr<grpc::Channel> Client::ChannelFor(const std::string& service) {
  const std::string address = AddressOf(service);
  auto& channel = channels_[address];
  if (channel == nullptr) {
    channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  }
  return channel;
}

std::unique_ptr<grpc::ClientContext> Client::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  if (!options_.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + options_.token);
  }
  return context;
}

absl::Status Client::Call(const google::protobuf::MethodDescriptor* method,
                          const google::protobuf::Message& request,
                          google::protobuf::Message* response) {
  return CallVia(method->service()->full_name(), method, request, response);
}

absl::Status Client::CallVia(const std::string& service,
                             const google::protobuf::MethodDescriptor* method,
                             const google::protobuf::Message& request,
                             google::protobuf::Message* response) {
  grpc::GenericStub stub(ChannelFor(service));
  std::unique_ptr<grpc::ClientContext> context = NewContext();
  std::string bytes;
  request.SerializeToString(&bytes);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer in(&slice, 1);
  grpc::ByteBuffer out;
  grpc::CompletionQueue cq;
  const std::string path =
      absl::StrCat("/", method->service()->full_name(), "/", method->name());
  auto call = stub.PrepareUnaryCall(context.get(), path, in, &cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(&out, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  if (!status.ok()) return common::FromGrpcStatus(status);
  std::vector<grpc::Slice> slices;
  out.Dump(&slices);
  std::string received;
  for (const auto& s : slices) {
    received.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  if (!response->ParseFromString(received)) {
    return absl::InternalError("cannot parse the response");
  }
  return absl::OkStatus();
}

absl::Status Client::Call(absl::string_view method,
                          const google::protobuf::Message& request,
                          google::protobuf::Message* response) {
  auto descriptor = FindMethod(method);
  if (!descriptor.ok()) return descriptor.status();
  return Call(*descriptor, request, response);
}

}  // namespace kyodo::ctl
