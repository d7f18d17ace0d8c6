// common/reflection/ in-process, behind GrpcServer: the answers to requests
// that name nothing, garbage or too much, and the extension queries. The
// real programs' answers over both packages are in tests/e2e.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "common/grpc_server.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"

namespace bank {
namespace {

using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;

class ReflectionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<GrpcServer>> server =
        GrpcServer::Start("127.0.0.1:0", {&service_}, security::ServerSecurity());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = grpc::reflection::v1::ServerReflection::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    stream_ = stub_->ServerReflectionInfo(&context_);
  }

  // One request and its answer on the test's stream.
  ServerReflectionResponse Ask(const ServerReflectionRequest& request) {
    ServerReflectionResponse response;
    EXPECT_TRUE(stream_->Write(request));
    EXPECT_TRUE(stream_->Read(&response));
    return response;
  }

  ServerReflectionResponse AskSymbol(const std::string& symbol) {
    ServerReflectionRequest request;
    request.set_file_containing_symbol(symbol);
    return Ask(request);
  }

  bank::v1::CommandService::CallbackService service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<grpc::reflection::v1::ServerReflection::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<ServerReflectionRequest, ServerReflectionResponse>>
      stream_;
};

TEST_F(ReflectionServiceTest, ARequestThatSetsNothingIsInvalidArgumentAndTheStreamGoesOn) {
  ServerReflectionRequest empty;
  empty.set_host("somewhere");
  const ServerReflectionResponse answer = Ask(empty);
  EXPECT_EQ(answer.error_response().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(answer.error_response().error_message().find("list_services"), std::string::npos);
  EXPECT_EQ(answer.valid_host(), "somewhere");
  EXPECT_EQ(
      AskSymbol("bank.v1.CommandService").file_descriptor_response().file_descriptor_proto_size(),
      3);
}

TEST_F(ReflectionServiceTest, BytesThatAreNotUtf8AreInvalidArgumentAndTheStreamGoesOn) {
  ServerReflectionRequest bad;
  bad.set_file_containing_symbol(std::string("bank.v1.\xff\xfe", 10));
  const ServerReflectionResponse answer = Ask(bad);
  EXPECT_EQ(answer.error_response().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(answer.error_response().error_message().find("UTF-8"), std::string::npos);
  EXPECT_EQ(AskSymbol("bank.v1.Event").file_descriptor_response().file_descriptor_proto_size(), 2);
}

TEST_F(ReflectionServiceTest, GarbageAndHugeNamesAreNotFoundWithAShortMessage) {
  for (const std::string& name : {std::string(""), std::string("."), std::string("bank..v1"),
                                  std::string("bank.v1.CommandService.NoSuchMethod"),
                                  std::string(".bank.v1.Event"), std::string(900'000, 'x')}) {
    const ServerReflectionResponse answer = AskSymbol(name);
    EXPECT_EQ(answer.error_response().error_code(), grpc::StatusCode::NOT_FOUND) << name.size();
    EXPECT_LT(answer.error_response().error_message().size(), 200u);
    EXPECT_FALSE(answer.has_file_descriptor_response());
  }
  ServerReflectionRequest file;
  file.set_file_by_filename("../../etc/passwd");
  EXPECT_EQ(Ask(file).error_response().error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(AskSymbol("bank.v1.Event").file_descriptor_response().file_descriptor_proto_size(), 2);
}

TEST_F(ReflectionServiceTest, ExtensionQueriesOfAMessageWithoutExtensionsAndOfUnknownTypes) {
  ServerReflectionRequest numbers;
  numbers.set_all_extension_numbers_of_type("bank.v1.Event");
  const ServerReflectionResponse none = Ask(numbers);
  ASSERT_TRUE(none.has_all_extension_numbers_response());
  EXPECT_EQ(none.all_extension_numbers_response().base_type_name(), "bank.v1.Event");
  EXPECT_EQ(none.all_extension_numbers_response().extension_number_size(), 0);

  numbers.set_all_extension_numbers_of_type("bank.v1.NoSuchType");
  EXPECT_EQ(Ask(numbers).error_response().error_code(), grpc::StatusCode::NOT_FOUND);
  ServerReflectionRequest extension;
  extension.mutable_file_containing_extension()->set_containing_type("bank.v1.Event");
  extension.mutable_file_containing_extension()->set_extension_number(100);
  EXPECT_EQ(Ask(extension).error_response().error_code(), grpc::StatusCode::NOT_FOUND);
  extension.mutable_file_containing_extension()->set_containing_type("no.Such");
  EXPECT_EQ(Ask(extension).error_response().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReflectionServiceTest, ListsTheServicesTheServerRegisters) {
  ServerReflectionRequest list;
  list.set_list_services("*");
  const ServerReflectionResponse answer = Ask(list);
  std::vector<std::string> names;
  for (const auto& service : answer.list_services_response().service()) {
    names.push_back(service.name());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"bank.v1.CommandService", "grpc.health.v1.Health",
                                             "grpc.reflection.v1.ServerReflection",
                                             "grpc.reflection.v1alpha.ServerReflection"}));
}

}  // namespace
}  // namespace bank
