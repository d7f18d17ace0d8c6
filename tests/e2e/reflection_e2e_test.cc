// Server reflection answers on both real programs, so `grpcurl -plaintext
// HOST:PORT list` works. grpcurl is not packaged for Debian 12; this asks the
// same question it asks, over a generic bidi stream.

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "tests/e2e/running_service.h"

namespace bank {
namespace {

using ::bank::testing::In;
using ::bank::testing::RunningService;

// ServerReflectionRequest{list_services: ""} (field 7) on one stream; returns
// the raw ServerReflectionResponse, which holds the service names as strings.
std::string ListServices(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.set_deadline(In(10));
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
  auto step = [&queue](auto start) {
    start();
    void* tag = nullptr;
    bool ok = false;
    return queue.Next(&tag, &ok) && ok;
  };
  std::string answer;
  grpc::Slice request_slice(std::string("\x3a\x00", 2));
  grpc::ByteBuffer request(&request_slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  if (step([&] { call->StartCall(nullptr); }) && step([&] { call->Write(request, nullptr); }) &&
      step([&] { call->WritesDone(nullptr); }) && step([&] { call->Read(&response, nullptr); })) {
    std::vector<grpc::Slice> slices;
    (void)response.Dump(&slices);
    for (const grpc::Slice& slice : slices) {
      answer.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
  }
  step([&] { call->Finish(&status, nullptr); });
  queue.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) {
  }
  return answer;
}

TEST(ReflectionTest, BothServicesListTheirServicesHealthAndReflection) {
  const std::string root = ::testing::TempDir() + "/reflection." + std::to_string(::getpid());
  std::filesystem::remove_all(root);
  RunningService command("command-service", {"--data_dir=" + root + "/command"});
  RunningService query("query-service",
                       {"--data_dir=" + root + "/query", "--command_service=" + command.address()});
  const std::string command_services = ListServices(command.channel());
  EXPECT_TRUE(absl::StrContains(command_services, "bank.v1.CommandService")) << command_services;
  EXPECT_TRUE(absl::StrContains(command_services, "grpc.health.v1.Health"));
  EXPECT_TRUE(absl::StrContains(command_services, "grpc.reflection.v1alpha.ServerReflection"));
  const std::string query_services = ListServices(query.channel());
  EXPECT_TRUE(absl::StrContains(query_services, "bank.v1.QueryService")) << query_services;
  EXPECT_TRUE(absl::StrContains(query_services, "grpc.health.v1.Health"));
}

}  // namespace
}  // namespace bank
