#include "kyodoctl/seed.h"

#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/idempotency/idempotency.h"
#include "google/protobuf/text_format.h"
#include "kyodo/seed/v1/seed.pb.h"

namespace kyodo::ctl {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr absl::string_view kRefPrefix = "ref:";

absl::StatusOr<std::string> Resolve(
    const std::string& value, const std::map<std::string, std::string>& refs) {
  if (!absl::StartsWith(value, kRefPrefix)) return value;
  auto it = refs.find(value.substr(kRefPrefix.size()));
  if (it == refs.end()) {
    return absl::NotFoundError(absl::StrCat("unknown ", value));
  }
  return it->second;
}

// Replaces every "ref:<key>" string in `message`, at any depth.
absl::Status ResolveRefs(Message* message,
                         const std::map<std::string, std::string>& refs) {
  const auto* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          auto value =
              Resolve(reflection->GetRepeatedString(*message, field, i), refs);
          if (!value.ok()) return value.status();
          reflection->SetRepeatedString(message, field, i, *value);
        }
      } else {
        auto value = Resolve(reflection->GetString(*message, field), refs);
        if (!value.ok()) return value.status();
        reflection->SetString(message, field, *value);
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          absl::Status s = ResolveRefs(
              reflection->MutableRepeatedMessage(message, field, i), refs);
          if (!s.ok()) return s;
        }
      } else {
        absl::Status s =
            ResolveRefs(reflection->MutableMessage(message, field), refs);
        if (!s.ok()) return s;
      }
    }
  }
  return absl::OkStatus();
}

// Sets each of `entry.times()` on `request` from `created` (the create_time
// seconds of earlier entries, by ref).
absl::Status SetRelativeTimes(const kyodo::seed::v1::SeedEntry& entry,
                              const std::map<std::string, int64_t>& created,
                              Message* request) {
  for (const auto& time : entry.times()) {
    const FieldDescriptor* field =
        request->GetDescriptor()->FindFieldByName(time.field());
    if (field == nullptr || field->is_repeated() ||
        field->message_type() == nullptr ||
        field->message_type()->full_name() != "google.protobuf.Timestamp") {
      return absl::InvalidArgumentError(absl::StrCat(
          "times: ", time.field(), " is no Timestamp field of the request"));
    }
    auto anchor = created.find(time.anchor());
    if (anchor == created.end()) {
      return absl::NotFoundError(absl::StrCat(
          "times: no earlier entry ", time.anchor(), " with a create_time"));
    }
    Message* stamp = request->GetReflection()->MutableMessage(request, field);
    const auto* descriptor = stamp->GetDescriptor();
    stamp->GetReflection()->SetInt64(stamp,
                                     descriptor->FindFieldByName("seconds"),
                                     anchor->second + time.offset_seconds());
    stamp->GetReflection()->SetInt32(stamp,
                                     descriptor->FindFieldByName("nanos"), 0);
  }
  return absl::OkStatus();
}

// The create_time seconds of `response`, if it has one.
std::optional<int64_t> CreateSeconds(const Message& response) {
  const FieldDescriptor* field =
      response.GetDescriptor()->FindFieldByName("create_time");
  if (field == nullptr || field->message_type() == nullptr ||
      !response.GetReflection()->HasField(response, field)) {
    return std::nullopt;
  }
  const Message& stamp = response.GetReflection()->GetMessage(response, field);
  const FieldDescriptor* seconds =
      stamp.GetDescriptor()->FindFieldByName("seconds");
  if (seconds == nullptr) return std::nullopt;
  return stamp.GetReflection()->GetInt64(stamp, seconds);
}

absl::StatusOr<kyodo::seed::v1::SeedFile> ReadSeedFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  kyodo::seed::v1::SeedFile file;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &file)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a SeedFile textproto"));
  }
  return file;
}

}  // namespace

std::string SeedRequestId(const std::string& ref) {
  return common::idempotency::DeriveRequestId(absl::StrCat("kyodo-seed:", ref));
}

absl::Status LoadSeedFile(Client& client, const std::string& path,
                          std::map<std::string, std::string>& refs,
                          const std::function<void(int, int)>& progress) {
  auto file = ReadSeedFile(path);
  if (!file.ok()) return file.status();
  const int total = file->entries_size();
  std::map<std::string, int64_t> created;  // create_time seconds, by ref
  for (int i = 0; i < total; ++i) {
    const auto& entry = file->entries(i);
    auto fail = [&](const absl::Status& s) {
      return absl::Status(
          s.code(), absl::StrCat(path, ": entry ", i + 1, " (ref ", entry.ref(),
                                 "): ", s.message()));
    };
    auto method = Client::FindMethod(entry.method());
    if (!method.ok()) return fail(method.status());
    std::unique_ptr<Message> request = Client::NewRequest(*method);
    if (entry.request().type_url() !=
        absl::StrCat("type.googleapis.com/",
                     request->GetDescriptor()->full_name())) {
      return fail(absl::InvalidArgumentError(absl::StrCat(
          "request must be a ", request->GetDescriptor()->full_name())));
    }
    request->ParseFromString(entry.request().value());
    if (absl::Status s = ResolveRefs(request.get(), refs); !s.ok())
      return fail(s);
    if (absl::Status s = SetRelativeTimes(entry, created, request.get());
        !s.ok()) {
      return fail(s);
    }
    if (const auto* id =
            request->GetDescriptor()->FindFieldByName("request_id")) {
      request->GetReflection()->SetString(request.get(), id,
                                          SeedRequestId(entry.ref()));
    }
    std::unique_ptr<Message> response(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype((*method)->output_type())
            ->New());
    if (absl::Status s = client.Call(*method, *request, response.get());
        !s.ok()) {
      return fail(s);
    }
    if (const auto* name = response->GetDescriptor()->FindFieldByName("name");
        name != nullptr &&
        name->cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
        !entry.ref().empty()) {
      refs[entry.ref()] = response->GetReflection()->GetString(*response, name);
    }
    if (auto seconds = CreateSeconds(*response); seconds.has_value()) {
      created[entry.ref()] = *seconds;
    }
    if (progress) progress(i + 1, total);
  }
  return absl::OkStatus();
}

}  // namespace kyodo::ctl
