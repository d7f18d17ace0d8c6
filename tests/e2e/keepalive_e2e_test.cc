// An idle client that keeps its connection alive with pings every 10 s, as
// grpcurl, Postman and many long-lived clients do, keeps it on both services.
// With gRPC's default server policy it was cut with GOAWAY too_many_pings
// after about 30-40 s. The one long test here (45 s idle): kept out of the
// sanitizer presets.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tests/e2e/running_service.h"

namespace bank {
namespace {

using ::bank::testing::In;
using ::bank::testing::RunningService;

// Longer than the default policy lets such a client live: its third early
// ping (at 30 s) is answered with GOAWAY.
constexpr int kIdleSeconds = 45;

std::shared_ptr<grpc::Channel> PingingChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // gRPC C++ clients otherwise stop after two pings without data, and space
  // pings without data 5 minutes apart; Go's (grpcurl's) do neither.
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_HTTP2_MIN_SENT_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

bool CommandServiceAnswers(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = bank::v1::CommandService::NewStub(channel);
  bank::v1::CommandReply reply;
  return testing::CallDeposit(*stub, "keepalive", 1, &reply).ok();
}

bool QueryServiceAnswers(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = bank::v1::QueryService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(In(10));
  bank::v1::GetStatusRequest request;
  bank::v1::ProjectionStatus status;
  return stub->GetStatus(&context, request, &status).ok();
}

TEST(KeepaliveTest, IdleClientPingingEveryTenSecondsKeepsItsConnectionOnBothServices) {
  const std::string root = ::testing::TempDir() + "/keepalive." + std::to_string(::getpid());
  std::filesystem::remove_all(root);
  RunningService command("command-service", {"--data_dir=" + root + "/command"});
  RunningService query("query-service",
                       {"--data_dir=" + root + "/query", "--command_service=" + command.address()});
  const std::shared_ptr<grpc::Channel> to_command = PingingChannel(command.address());
  const std::shared_ptr<grpc::Channel> to_query = PingingChannel(query.address());
  ASSERT_TRUE(CommandServiceAnswers(to_command));
  ASSERT_TRUE(QueryServiceAnswers(to_query));
  ASSERT_EQ(to_command->GetState(false), GRPC_CHANNEL_READY);
  ASSERT_EQ(to_query->GetState(false), GRPC_CHANNEL_READY);

  // Both channels watched at once, idle: a GOAWAY would take a channel out
  // of READY (to IDLE), and nothing here would bring it back.
  grpc::CompletionQueue queue;
  bool command_tag = false;
  bool query_tag = false;
  const auto deadline = In(kIdleSeconds);
  to_command->NotifyOnStateChange(GRPC_CHANNEL_READY, deadline, &queue, &command_tag);
  to_query->NotifyOnStateChange(GRPC_CHANNEL_READY, deadline, &queue, &query_tag);
  for (int i = 0; i < 2; ++i) {
    void* tag = nullptr;
    bool changed = false;
    ASSERT_TRUE(queue.Next(&tag, &changed));
    // `changed` is false when the deadline passed with the state unchanged.
    EXPECT_FALSE(changed) << (tag == &command_tag ? "command" : "query")
                          << " channel left READY while idle";
  }
  queue.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) {
  }
  EXPECT_EQ(to_command->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_EQ(to_query->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_TRUE(CommandServiceAnswers(to_command));
  EXPECT_TRUE(QueryServiceAnswers(to_query));
}

}  // namespace
}  // namespace bank
