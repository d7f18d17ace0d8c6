#include "command-service/command_handler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "tests/command/handler_test_util.h"

namespace bank::command {
namespace {

// HandlerOnLogTest with a verb for each of the two commands it runs.
class CommandHandlerTest : public ::bank::testing::HandlerOnLogTest {
 protected:
  absl::StatusOr<bank::v1::CommandReply> Deposit(const std::string& account, int64_t amount,
                                                 const std::string& command_id = "") {
    return Run(CommandKind::kDeposit, account, amount, command_id);
  }
  absl::StatusOr<bank::v1::CommandReply> Withdraw(const std::string& account, int64_t amount,
                                                  const std::string& command_id = "") {
    return Run(CommandKind::kWithdraw, account, amount, command_id);
  }
};

TEST_F(CommandHandlerTest, SeedScenarioDepositThenWithdraw) {
  auto deposit = Deposit("acc1", 100);
  ASSERT_TRUE(deposit.ok()) << deposit.status();
  EXPECT_EQ(deposit->account_id(), "acc1");
  EXPECT_EQ(deposit->version(), 1u);
  EXPECT_EQ(deposit->position(), 1u);
  EXPECT_EQ(deposit->balance(), 100);
  auto withdraw = Withdraw("acc1", 40);
  ASSERT_TRUE(withdraw.ok());
  EXPECT_EQ(withdraw->version(), 2u);
  EXPECT_EQ(withdraw->position(), 2u);
  EXPECT_EQ(withdraw->balance(), 60);
}

TEST_F(CommandHandlerTest, BehaviourTableCodesAndAnUnchangedLog) {
  ASSERT_TRUE(Deposit("acc1", 100, "first").ok());
  EXPECT_EQ(Deposit("acc1", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Deposit("acc1", -5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Withdraw("bad id", 1000).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Deposit("acc1", 1, "bad id").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Deposit("acc2", 100, "first").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Withdraw("acc1", 100, "first").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Deposit("acc1", 101, "first").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Run(CommandKind::kDeposit, "acc1", 1, "", 0).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(Withdraw("acc1", 101).status(),
            absl::FailedPreconditionError("insufficient funds: balance 100, withdrawal 101"));
  EXPECT_EQ(Withdraw("nobody", 1).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Deposit("acc1", std::numeric_limits<int64_t>::max()).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(log_->durable_head(), 1u);
}

TEST_F(CommandHandlerTest, RetryGetsTheOriginalReplyHoweverTheAccountChanged) {
  auto original = Withdraw("acc1", 10, "w1");
  EXPECT_EQ(original.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Deposit("acc1", 100, "d1").ok());
  // A rejected command recorded nothing: its retry is judged afresh.
  auto accepted = Withdraw("acc1", 10, "w1");
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->balance(), 90);
  ASSERT_TRUE(Withdraw("acc1", 90).ok());
  // expected_version is not compared on a retry; the account is empty now.
  auto retry = Run(CommandKind::kWithdraw, "acc1", 10, "w1", 77);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->SerializeAsString(), accepted->SerializeAsString());
  EXPECT_EQ(log_->durable_head(), 3u);
}

TEST_F(CommandHandlerTest, IdempotencyHoldsAcrossReopen) {
  auto original = Deposit("acc1", 100, "d1");
  ASSERT_TRUE(original.ok());
  ASSERT_TRUE(Deposit("acc1", 5).ok());
  Open();
  auto retry = Deposit("acc1", 100, "d1");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->SerializeAsString(), original->SerializeAsString());
  EXPECT_EQ(Deposit("acc9", 100, "d1").status().code(), absl::StatusCode::kAlreadyExists);
  auto next = Withdraw("acc1", 105);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->position(), 3u);
  EXPECT_EQ(next->balance(), 0);
}

TEST_F(CommandHandlerTest, ConcurrentRetriesAllGetTheOneOriginalReply) {
  constexpr int kThreads = 8;
  std::vector<std::future<absl::StatusOr<bank::v1::CommandReply>>> replies;
  for (int i = 0; i < kThreads; ++i) {
    replies.push_back(
        std::async(std::launch::async, [this] { return Deposit("acc1", 7, "same"); }));
  }
  std::string first;
  for (auto& reply : replies) {
    auto result = reply.get();
    ASSERT_TRUE(result.ok()) << result.status();
    if (first.empty()) first = result->SerializeAsString();
    EXPECT_EQ(result->SerializeAsString(), first);
  }
  EXPECT_EQ(log_->durable_head(), 1u);
}

TEST_F(CommandHandlerTest, SixteenThreadsRacingWithdrawalsNeverOverdraw) {
  ASSERT_TRUE(Deposit("acc1", 1000).ok());
  constexpr int kThreads = 16;
  constexpr int kAttempts = 100;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAttempts; ++i) {
        auto reply = Withdraw("acc1", 1);
        if (reply.ok()) {
          EXPECT_GE(reply->balance(), 0);
          ++accepted;
        } else {
          EXPECT_EQ(reply.status().code(), absl::StatusCode::kFailedPrecondition);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 1000);
  EXPECT_EQ(log_->durable_head(), 1001u);
  Open();  // the replayed balance agrees
  EXPECT_EQ(Withdraw("acc1", 1).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace bank::command
