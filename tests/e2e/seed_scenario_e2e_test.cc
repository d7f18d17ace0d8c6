// Both real programs over real gRPC: the seed scenario with read-your-writes,
// and the query service following the command service across restarts.

#include <gtest/gtest.h>

#include <filesystem>

#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tests/e2e/running_service.h"

namespace bank {
namespace {

using ::bank::testing::In;
using ::bank::testing::RunningService;

class SeedScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/seed_e2e." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    StartCommand();
    StartQuery();
  }

  // The command service comes back on the same port, so the query service
  // (given that address once) can find it again.
  void StartCommand() {
    std::vector<std::string> args = {"--data_dir=" + root_ + "/command"};
    command_ = std::make_unique<RunningService>("command-service", args);
    command_stub_ = bank::v1::CommandService::NewStub(command_->channel());
  }
  void RestartCommandOnSamePort() {
    const std::string address = command_->address();
    ASSERT_EQ(command_->Stop(), 0);
    command_.reset();
    command_process_ = std::make_unique<::bank::testing::Subprocess>(
        ::bank::testing::ProgramPath("command-service"),
        std::vector<std::string>{"--data_dir=" + root_ + "/command", "--listen=" + address});
    ASSERT_FALSE(command_process_->WaitForListenAddress().empty()) << command_process_->Stderr();
    command_stub_ = bank::v1::CommandService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  }
  void StartQuery() {
    query_ = std::make_unique<RunningService>(
        "query-service", std::vector<std::string>{"--data_dir=" + root_ + "/query",
                                                  "--command_service=" + command_->address()});
    query_stub_ = bank::v1::QueryService::NewStub(query_->channel());
  }

  bank::v1::CommandReply Deposit(const std::string& account, int64_t amount) {
    bank::v1::CommandReply reply;
    grpc::Status status = ::bank::testing::CallDeposit(*command_stub_, account, amount, &reply);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return reply;
  }

  grpc::Status GetBalance(const std::string& account, uint64_t min_position,
                          bank::v1::AccountBalance* balance, int seconds = 10) {
    bank::v1::GetBalanceRequest request;
    request.set_account_id(account);
    request.set_min_position(min_position);
    grpc::ClientContext context;
    context.set_deadline(In(seconds));
    return query_stub_->GetBalance(&context, request, balance);
  }

  std::string root_;
  std::unique_ptr<RunningService> command_;
  std::unique_ptr<::bank::testing::Subprocess> command_process_;
  std::unique_ptr<RunningService> query_;
  std::unique_ptr<bank::v1::CommandService::Stub> command_stub_;
  std::unique_ptr<bank::v1::QueryService::Stub> query_stub_;
};

TEST_F(SeedScenarioTest, DepositWithdrawThenReadYourWriteAnswers60AtOnce) {
  Deposit("acc1", 100);
  bank::v1::CommandReply reply;
  ASSERT_TRUE(::bank::testing::CallWithdraw(*command_stub_, "acc1", 40, &reply).ok());
  bank::v1::AccountBalance balance;
  grpc::Status status = GetBalance("acc1", reply.position(), &balance);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(balance.balance(), 60);
  EXPECT_EQ(balance.version(), 2u);
  EXPECT_EQ(balance.last_position(), reply.position());
  EXPECT_GE(balance.as_of_position(), reply.position());
}

TEST_F(SeedScenarioTest, MinPositionNeverReachedIsDeadlineExceeded) {
  Deposit("acc1", 100);
  bank::v1::AccountBalance balance;
  EXPECT_EQ(GetBalance("acc1", 99, &balance, 1).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(SeedScenarioTest, QueryServiceReconnectsAndCatchesUpAfterCommandServiceRestarts) {
  Deposit("acc1", 100);
  RestartCommandOnSamePort();
  const bank::v1::CommandReply reply = Deposit("acc1", 5);
  bank::v1::AccountBalance balance;
  grpc::Status status = GetBalance("acc1", reply.position(), &balance, 20);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(balance.balance(), 105);
}

TEST_F(SeedScenarioTest, QueryServiceRestartResumesWithoutDoubleCounting) {
  Deposit("acc1", 100);
  bank::v1::CommandReply reply = Deposit("acc1", 1);
  bank::v1::AccountBalance balance;
  ASSERT_TRUE(GetBalance("acc1", reply.position(), &balance).ok());
  ASSERT_EQ(query_->Stop(), 0);
  reply = Deposit("acc1", 10);
  StartQuery();
  ASSERT_TRUE(GetBalance("acc1", reply.position(), &balance).ok());
  EXPECT_EQ(balance.balance(), 111);
  EXPECT_EQ(balance.version(), 3u);
}

TEST_F(SeedScenarioTest, DeletedReadModelIsRebuiltFromTheStream) {
  for (int i = 0; i < 50; ++i) Deposit("acc" + std::to_string(i % 5), 2);
  bank::v1::CommandReply reply = Deposit("acc0", 1);
  bank::v1::AccountBalance balance;
  ASSERT_TRUE(GetBalance("acc0", reply.position(), &balance).ok());
  ASSERT_EQ(query_->Stop(), 0);
  std::filesystem::remove_all(root_ + "/query");
  StartQuery();
  ASSERT_TRUE(GetBalance("acc0", reply.position(), &balance).ok());
  EXPECT_EQ(balance.balance(), 21);
}

}  // namespace
}  // namespace bank
