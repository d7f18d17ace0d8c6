// GrpcServer in-process: health for the server and for each service by name,
// and NOT_SERVING on all of them at once (what command-service does when its
// log fails: the real program has no seam to fail its store from a test).

#include "common/grpc_server.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bank {
namespace {

using grpc::health::v1::HealthCheckResponse;

class GrpcServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<GrpcServer>> server =
        GrpcServer::Start("127.0.0.1:0", {&service_}, security::ServerSecurity());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    health_ = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  // The status's name, or the call's gRPC code.
  std::string Check(const std::string& service) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    const grpc::Status status = health_->Check(&context, request, &response);
    if (!status.ok()) return absl::StrCat("code ", status.error_code());
    return HealthCheckResponse::ServingStatus_Name(response.status());
  }

  bank::v1::CommandService::CallbackService service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

TEST_F(GrpcServerTest, HealthAnswersForTheServerAndForEachServiceByItsFullName) {
  EXPECT_EQ(Check(""), "NOT_SERVING");
  EXPECT_EQ(Check("bank.v1.CommandService"), "NOT_SERVING");
  server_->SetServing(true);
  EXPECT_EQ(Check(""), "SERVING");
  EXPECT_EQ(Check("bank.v1.CommandService"), "SERVING");
  const std::string not_found = absl::StrCat("code ", grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Check("bank.v1.QueryService"), not_found);
  EXPECT_EQ(Check("CommandService"), not_found);
}

TEST_F(GrpcServerTest, NotServingCoversTheServerAndEveryServiceName) {
  server_->SetServing(true);
  server_->SetServing(false);
  EXPECT_EQ(Check(""), "NOT_SERVING");
  EXPECT_EQ(Check("bank.v1.CommandService"), "NOT_SERVING");
}

}  // namespace
}  // namespace bank
