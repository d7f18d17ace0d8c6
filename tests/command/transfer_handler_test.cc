// Transfers through the command handler over a real file log: the contract's
// check order, idempotency shared with deposits and withdrawals (across a
// restart too), and opposite transfers from many threads.

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "command-service/command_handler.h"
#include "tests/command/handler_test_util.h"

namespace bank::command {
namespace {

using ::bank::testing::TransferAndWait;
using ::bank::testing::TransferCommand;

class TransferHandlerTest : public ::bank::testing::HandlerOnLogTest {
 protected:
  absl::StatusOr<bank::v1::TransferReply> Transfer(
      const std::string& from, const std::string& to, int64_t amount,
      const std::string& command_id = "", std::optional<uint64_t> expected_from = std::nullopt) {
    Command command = TransferCommand(from, to, amount, command_id);
    command.expected_version = expected_from;
    command.principal = "teller";
    return TransferAndWait(*handler_, std::move(command));
  }

  int64_t Balance(const std::string& account) {
    // A deposit of 1 shows the balance; take it back out at once.
    auto reply = Run(CommandKind::kDeposit, account, 1);
    EXPECT_TRUE(reply.ok()) << reply.status();
    EXPECT_TRUE(Run(CommandKind::kWithdraw, account, 1).ok());
    return reply.ok() ? reply->balance() - 1 : -1;
  }
};

TEST_F(TransferHandlerTest, MovesTheMoneyAsTwoEventsAtConsecutivePositions) {
  ASSERT_TRUE(Run(CommandKind::kDeposit, "alice", 100).ok());
  absl::StatusOr<bank::v1::TransferReply> reply = Transfer("alice", "bob", 60, "t-1");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->from_account().DebugString(),
            "account_id: \"alice\"\nversion: 2\nposition: 2\nbalance: 40\n");
  EXPECT_EQ(reply->to_account().DebugString(),
            "account_id: \"bob\"\nversion: 1\nposition: 3\nbalance: 60\n");
  std::vector<bank::v1::Event> events;
  ASSERT_TRUE(log_->ReadAfter(1, 1, &events).ok());
  ASSERT_EQ(events.size(), 2u) << "one group, read whole";
  EXPECT_EQ(events[0].transferred_out().to_account_id(), "bob");
  EXPECT_EQ(events[1].transferred_in().from_account_id(), "alice");
  EXPECT_EQ(events[1].command_id(), "t-1");
  EXPECT_EQ(events[1].principal(), "teller");
}

TEST_F(TransferHandlerTest, ChecksRunInTheContractsOrderAndARefusalRecordsNothing) {
  ASSERT_TRUE(Run(CommandKind::kDeposit, "alice", 100, "d-1").ok());
  ASSERT_TRUE(Run(CommandKind::kDeposit, "rich", std::numeric_limits<int64_t>::max()).ok());
  const auto code = [](const auto& answer) { return answer.status().code(); };
  EXPECT_EQ(code(Transfer("alice", "bob", 0)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Transfer("bad id", "bob", 1)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Transfer("alice", "bad id", 1)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Transfer("alice", "alice", 1)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Transfer("alice", "bob", 1, "bad id")), absl::StatusCode::kInvalidArgument);
  // A deposit's id, whatever else is wrong: ALREADY_EXISTS before any state.
  EXPECT_EQ(code(Transfer("alice", "bob", 1000, "d-1", 9)), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(code(Transfer("alice", "rich", 1000, "", 9)), absl::StatusCode::kAborted);
  absl::StatusOr<bank::v1::TransferReply> poor = Transfer("alice", "rich", 101, "", 1);
  EXPECT_EQ(poor.status(),
            absl::FailedPreconditionError("insufficient funds: balance 100, transfer 101"));
  EXPECT_EQ(code(Transfer("alice", "rich", 100)), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(log_->durable_head(), 2u);
}

TEST_F(TransferHandlerTest, IdsAreSharedWithDepositsAndARetryGetsTheOriginalEvenAfterARestart) {
  ASSERT_TRUE(Run(CommandKind::kDeposit, "alice", 100).ok());
  absl::StatusOr<bank::v1::TransferReply> original = Transfer("alice", "bob", 30, "t-1");
  ASSERT_TRUE(original.ok()) << original.status();
  ASSERT_TRUE(Transfer("alice", "bob", 70).ok());  // alice is empty now
  for (int restart = 0; restart < 2; ++restart) {
    // expected_from_version is not compared on a retry.
    absl::StatusOr<bank::v1::TransferReply> retry = Transfer("alice", "bob", 30, "t-1", 42);
    ASSERT_TRUE(retry.ok()) << retry.status();
    EXPECT_EQ(retry->SerializeAsString(), original->SerializeAsString()) << restart;
    EXPECT_EQ(Transfer("alice", "carol", 30, "t-1").status().code(),
              absl::StatusCode::kAlreadyExists);
    EXPECT_EQ(Transfer("alice", "bob", 31, "t-1").status().code(),
              absl::StatusCode::kAlreadyExists);
    absl::Status deposit = Run(CommandKind::kDeposit, "alice", 30, "t-1").status();
    EXPECT_EQ(deposit.code(), absl::StatusCode::kAlreadyExists);
    EXPECT_TRUE(absl::StrContains(deposit.message(), "transfer of 30 from account alice to bob"))
        << deposit;
    EXPECT_EQ(log_->durable_head(), 5u);
    Open();
  }
}

TEST_F(TransferHandlerTest, OppositeTransfersFromSixteenThreadsConserveMoneyAndNeverOverdraw) {
  ASSERT_TRUE(Run(CommandKind::kDeposit, "a", 500).ok());
  ASSERT_TRUE(Run(CommandKind::kDeposit, "b", 500).ok());
  constexpr int kThreads = 16;
  constexpr int kTransfers = 50;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string from = t % 2 == 0 ? "a" : "b";
      const std::string to = t % 2 == 0 ? "b" : "a";
      for (int i = 0; i < kTransfers; ++i) {
        absl::StatusOr<bank::v1::TransferReply> reply = Transfer(from, to, 1 + (t + i) % 40);
        if (reply.ok()) {
          EXPECT_GE(reply->from_account().balance(), 0);
          ++accepted;
        } else {
          EXPECT_EQ(reply.status().code(), absl::StatusCode::kFailedPrecondition);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_GT(accepted.load(), 0);
  EXPECT_EQ(log_->durable_head(), 2u + 2u * accepted.load());
  EXPECT_EQ(Balance("a") + Balance("b"), 1000);
  Open();  // the replayed balances agree
  EXPECT_EQ(Balance("a") + Balance("b"), 1000);
}

}  // namespace
}  // namespace bank::command
