// Both real programs driven by server reflection alone, as grpcurl, Postman
// and grpcui drive them: list the services, describe each from the files
// reflection sends, and call health's Check from those descriptors only (a
// DynamicMessage over a generic stub), over grpc.reflection.v1 and v1alpha.
// grpcurl is not packaged for Debian 12; these are the questions it asks.

#include <gmock/gmock.h>
#include <google/protobuf/dynamic_message.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/e2e/reflection_client.h"
#include "tests/e2e/running_service.h"

namespace bank {
namespace {

using ::bank::testing::FileNames;
using ::bank::testing::ReflectedPool;
using ::bank::testing::ReflectionStream;
using ::bank::testing::RunningService;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr char kHealth[] = "grpc.health.v1.Health";

// The two real programs on fresh data directories.
class ReflectionTest : public ::testing::TestWithParam<std::string> {
 protected:
  ReflectionTest()
      : root_(::testing::TempDir() + "/reflection." + std::to_string(::getpid())),
        command_("command-service", {"--data_dir=" + Fresh(root_ + "/command")}),
        query_("query-service",
               {"--data_dir=" + root_ + "/query", "--command_service=" + command_.address()}) {}

  static std::string Fresh(const std::string& dir) {
    std::filesystem::remove_all(dir);
    return dir;
  }

  const std::string& package() const { return GetParam(); }

  std::string root_;
  RunningService command_;
  RunningService query_;
};

std::vector<std::string> ServiceNames(const grpc::reflection::v1::ServerReflectionResponse& r) {
  std::vector<std::string> names;
  for (const auto& service : r.list_services_response().service()) names.push_back(service.name());
  return names;
}

// Health's Check of `service` built and read from reflected descriptors
// only: the status's enum name, or the call's gRPC code.
std::string CheckByReflection(const std::shared_ptr<grpc::Channel>& channel,
                              const google::protobuf::DescriptorPool& pool,
                              const std::string& service) {
  const google::protobuf::MethodDescriptor* check =
      pool.FindMethodByName(std::string(kHealth) + ".Check");
  if (check == nullptr) return "no Check in the reflected pool";
  google::protobuf::DynamicMessageFactory factory(&pool);
  std::unique_ptr<google::protobuf::Message> request(
      factory.GetPrototype(check->input_type())->New());
  request->GetReflection()->SetString(request.get(),
                                      check->input_type()->FindFieldByName("service"), service);
  std::unique_ptr<google::protobuf::Message> response(
      factory.GetPrototype(check->output_type())->New());
  const grpc::Status status = testing::CallGeneric(channel, *check, *request, response.get());
  if (!status.ok()) return "code " + std::to_string(status.error_code());
  return response->GetReflection()
      ->GetEnum(*response, check->output_type()->FindFieldByName("status"))
      ->name();
}

// What a grpcurl user does first: list, describe every service listed, then
// call health for the server and for the service by name.
void ListDescribeAndCheck(const RunningService& service, const std::string& package,
                          const std::string& own_service) {
  SCOPED_TRACE(own_service + " over " + package);
  ReflectionStream stream(service.channel(), package);
  auto listed = stream.ListServices();
  ASSERT_TRUE(listed.has_value());
  const std::vector<std::string> names = ServiceNames(*listed);
  EXPECT_THAT(names,
              UnorderedElementsAre(own_service, kHealth, "grpc.reflection.v1.ServerReflection",
                                   "grpc.reflection.v1alpha.ServerReflection"));
  ReflectedPool reflected;
  for (const std::string& name : names) {
    auto described = stream.FileContainingSymbol(name);
    ASSERT_TRUE(described.has_value()) << name;
    ASSERT_FALSE(described->has_error_response())
        << name << ": " << described->error_response().error_message();
    ASSERT_TRUE(reflected.Add(*described)) << name;
    const google::protobuf::ServiceDescriptor* descriptor =
        reflected.pool().FindServiceByName(name);
    ASSERT_NE(descriptor, nullptr) << name;
    ASSERT_GT(descriptor->method_count(), 0) << name;
    for (int i = 0; i < descriptor->method_count(); ++i) {
      EXPECT_NE(descriptor->method(i)->input_type(), nullptr);
      EXPECT_NE(descriptor->method(i)->output_type(), nullptr);
    }
  }
  EXPECT_EQ(stream.Finish().error_code(), grpc::StatusCode::OK);

  const google::protobuf::ServiceDescriptor* health = reflected.pool().FindServiceByName(kHealth);
  ASSERT_NE(health, nullptr);
  EXPECT_NE(health->FindMethodByName("Watch"), nullptr);
  EXPECT_TRUE(health->FindMethodByName("Watch")->server_streaming());
  EXPECT_EQ(CheckByReflection(service.channel(), reflected.pool(), ""), "SERVING");
  EXPECT_EQ(CheckByReflection(service.channel(), reflected.pool(), own_service), "SERVING");
  EXPECT_EQ(CheckByReflection(service.channel(), reflected.pool(), "no.such.Service"),
            "code " + std::to_string(grpc::StatusCode::NOT_FOUND));
}

TEST_P(ReflectionTest, BothServicesAreListedDescribedAndHealthCheckedByReflectionAlone) {
  ListDescribeAndCheck(command_, package(), "bank.v1.CommandService");
  ListDescribeAndCheck(query_, package(), "bank.v1.QueryService");
}

TEST_P(ReflectionTest, EachAnswerHoldsTheFileAskedForAndOnlyDependenciesNotSentYet) {
  ReflectionStream stream(command_.channel(), package());
  auto first = stream.FileContainingSymbol("bank.v1.CommandService");
  ASSERT_TRUE(first.has_value());
  EXPECT_THAT(FileNames(*first), ElementsAre("bank/v1/command_service.proto", "bank/v1/event.proto",
                                             "google/protobuf/timestamp.proto"));
  auto again = stream.FileContainingSymbol("bank.v1.CommandService");
  ASSERT_TRUE(again.has_value());
  EXPECT_THAT(FileNames(*again), ElementsAre("bank/v1/command_service.proto"));
  auto health = stream.FileByFilename("grpc/health/v1/health.proto");
  ASSERT_TRUE(health.has_value());
  EXPECT_THAT(FileNames(*health), ElementsAre("grpc/health/v1/health.proto"));
  for (int i = 0; i < 2; ++i) {
    auto timestamp = stream.FileContainingSymbol("google.protobuf.Timestamp");
    ASSERT_TRUE(timestamp.has_value());
    EXPECT_THAT(FileNames(*timestamp), ElementsAre("google/protobuf/timestamp.proto"));
  }
  EXPECT_EQ(stream.Finish().error_code(), grpc::StatusCode::OK);

  // A new stream has sent nothing yet: a field's file comes with its imports.
  ReflectionStream fresh(command_.channel(), package());
  auto field = fresh.FileContainingSymbol("bank.v1.Event.recorded_at");
  ASSERT_TRUE(field.has_value());
  EXPECT_THAT(FileNames(*field),
              ElementsAre("bank/v1/event.proto", "google/protobuf/timestamp.proto"));
  auto method = fresh.FileContainingSymbol("bank.v1.CommandService.Deposit");
  ASSERT_TRUE(method.has_value());
  EXPECT_THAT(FileNames(*method), ElementsAre("bank/v1/command_service.proto"));
  auto enum_value = fresh.FileContainingSymbol("grpc.health.v1.HealthCheckResponse.SERVING");
  ASSERT_TRUE(enum_value.has_value());
  EXPECT_THAT(FileNames(*enum_value), ElementsAre("grpc/health/v1/health.proto"));
  auto unknown = fresh.FileContainingSymbol("bank.v1.NoSuchThing");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->error_response().error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown->original_request().file_containing_symbol(), "bank.v1.NoSuchThing");
  EXPECT_EQ(fresh.Finish().error_code(), grpc::StatusCode::OK);
}

INSTANTIATE_TEST_SUITE_P(BothPackages, ReflectionTest,
                         ::testing::Values("grpc.reflection.v1", "grpc.reflection.v1alpha"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param == "grpc.reflection.v1" ? "v1" : "v1alpha";
                         });

}  // namespace
}  // namespace bank
