#ifndef BANK_TESTS_E2E_REFLECTION_CLIENT_H_
#define BANK_TESTS_E2E_REFLECTION_CLIENT_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "grpc/reflection/v1/reflection.pb.h"

namespace bank::testing {

// One ServerReflectionInfo stream of `package` (grpc.reflection.v1 or
// grpc.reflection.v1alpha), spoken as grpcurl speaks it: a generic call,
// one request then its answer. Requests and answers are encoded with the v1
// messages: both packages' messages are the same on the wire. Not
// thread-safe; a 10 s deadline for the whole stream.
class ReflectionStream {
 public:
  // `metadata` goes with the call (a token: {"authorization", "Bearer TOKEN"}).
  ReflectionStream(const std::shared_ptr<grpc::Channel>& channel, const std::string& package,
                   const std::vector<std::pair<std::string, std::string>>& metadata = {});
  // Half-closes and ends the stream if Finish() was not called.
  ~ReflectionStream();

  // The answer, or nullopt when the stream broke.
  std::optional<grpc::reflection::v1::ServerReflectionResponse> Ask(
      const grpc::reflection::v1::ServerReflectionRequest& request);

  // The convenience forms, and the file names of a file answer, in order
  // (empty for any other answer).
  std::optional<grpc::reflection::v1::ServerReflectionResponse> ListServices();
  std::optional<grpc::reflection::v1::ServerReflectionResponse> FileContainingSymbol(
      const std::string& symbol);
  std::optional<grpc::reflection::v1::ServerReflectionResponse> FileByFilename(
      const std::string& name);

  // Half-closes, and returns the stream's status.
  grpc::Status Finish();

 private:
  bool Step(const std::function<void(void* tag)>& start);

  grpc::CompletionQueue queue_;
  grpc::ClientContext context_;
  grpc::GenericStub stub_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  bool broken_ = false;
  bool finished_ = false;
};

// The names of the files in a file_descriptor_response, in order.
std::vector<std::string> FileNames(const grpc::reflection::v1::ServerReflectionResponse& response);

// A descriptor pool made only of what reflection sent, as a client without
// compiled-in types builds one.
class ReflectedPool {
 public:
  // Adds every file of a file_descriptor_response not added yet; false if
  // one does not parse.
  bool Add(const grpc::reflection::v1::ServerReflectionResponse& response);
  const google::protobuf::DescriptorPool& pool() const { return pool_; }

 private:
  google::protobuf::SimpleDescriptorDatabase database_;
  google::protobuf::DescriptorPool pool_{&database_};
};

// Calls unary `method` with `request` over a generic stub, parses the answer
// as `response` (both built from reflected descriptors).
grpc::Status CallGeneric(const std::shared_ptr<grpc::Channel>& channel,
                         const google::protobuf::MethodDescriptor& method,
                         const google::protobuf::Message& request,
                         google::protobuf::Message* response);

}  // namespace bank::testing

#endif  // BANK_TESTS_E2E_REFLECTION_CLIENT_H_
