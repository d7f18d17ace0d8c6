#include "tests/e2e/reflection_client.h"

#include <google/protobuf/descriptor.pb.h>

#include <chrono>

#include "absl/strings/str_cat.h"

namespace bank::testing {
namespace {

using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;

grpc::ByteBuffer ToBuffer(const google::protobuf::Message& message) {
  grpc::Slice slice(message.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

bool FromBuffer(const grpc::ByteBuffer& buffer, google::protobuf::Message* message) {
  grpc::Slice slice;
  return buffer.DumpToSingleSlice(&slice).ok() &&
         message->ParseFromArray(slice.begin(), static_cast<int>(slice.size()));
}

std::chrono::system_clock::time_point TenSecondsFromNow() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

}  // namespace

ReflectionStream::ReflectionStream(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& package,
                                   const std::vector<std::pair<std::string, std::string>>& metadata)
    : stub_(channel) {
  context_.set_deadline(TenSecondsFromNow());
  for (const auto& [key, value] : metadata) context_.AddMetadata(key, value);
  call_ = stub_.PrepareCall(
      &context_, absl::StrCat("/", package, ".ServerReflection/ServerReflectionInfo"), &queue_);
  broken_ = !Step([this](void* tag) { call_->StartCall(tag); });
}

ReflectionStream::~ReflectionStream() {
  if (!finished_) Finish();
  queue_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
  }
}

bool ReflectionStream::Step(const std::function<void(void* tag)>& start) {
  int tag_value = 0;
  start(&tag_value);
  void* tag = nullptr;
  bool ok = false;
  return queue_.Next(&tag, &ok) && ok;
}

std::optional<ServerReflectionResponse> ReflectionStream::Ask(
    const ServerReflectionRequest& request) {
  const grpc::ByteBuffer out = ToBuffer(request);
  grpc::ByteBuffer in;
  ServerReflectionResponse response;
  if (broken_ || !Step([&](void* tag) { call_->Write(out, tag); }) ||
      !Step([&](void* tag) { call_->Read(&in, tag); }) || !FromBuffer(in, &response)) {
    broken_ = true;
    return std::nullopt;
  }
  return response;
}

std::optional<ServerReflectionResponse> ReflectionStream::ListServices() {
  ServerReflectionRequest request;
  request.set_list_services("");
  return Ask(request);
}

std::optional<ServerReflectionResponse> ReflectionStream::FileContainingSymbol(
    const std::string& symbol) {
  ServerReflectionRequest request;
  request.set_file_containing_symbol(symbol);
  return Ask(request);
}

std::optional<ServerReflectionResponse> ReflectionStream::FileByFilename(const std::string& name) {
  ServerReflectionRequest request;
  request.set_file_by_filename(name);
  return Ask(request);
}

grpc::Status ReflectionStream::Finish() {
  finished_ = true;
  grpc::Status status;
  if (!broken_) Step([&](void* tag) { call_->WritesDone(tag); });
  Step([&](void* tag) { call_->Finish(&status, tag); });
  return status;
}

std::vector<std::string> FileNames(const ServerReflectionResponse& response) {
  std::vector<std::string> names;
  for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    names.push_back(file.ParseFromString(bytes) ? file.name() : "<unparsable>");
  }
  return names;
}

bool ReflectedPool::Add(const ServerReflectionResponse& response) {
  for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    if (!file.ParseFromString(bytes)) return false;
    // A stream sends the file asked for every time: one copy is kept.
    google::protobuf::FileDescriptorProto known;
    if (database_.FindFileByName(file.name(), &known)) continue;
    if (!database_.Add(file)) return false;
  }
  return true;
}

grpc::Status CallGeneric(const std::shared_ptr<grpc::Channel>& channel,
                         const google::protobuf::MethodDescriptor& method,
                         const google::protobuf::Message& request,
                         google::protobuf::Message* response) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.set_deadline(TenSecondsFromNow());
  const std::string path = absl::StrCat("/", method.service()->full_name(), "/", method.name());
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(&context, path, ToBuffer(request), &queue);
  call->StartCall();
  grpc::ByteBuffer answer;
  grpc::Status status;
  int tag_value = 0;
  call->Finish(&answer, &status, &tag_value);
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  if (status.ok() && !FromBuffer(answer, response)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "the answer does not parse");
  }
  return status;
}

}  // namespace bank::testing
