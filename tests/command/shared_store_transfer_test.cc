// Transfers on a store shared by replicas: two CommandHandlers on one
// MemoryEventStore, each with its own cache, as in shared_store_handler_test.
// Every test is a way a replica's view of either account goes stale.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "command-service/command_handler.h"
#include "command-service/store/memory_event_store.h"
#include "tests/command/handler_test_util.h"

namespace bank::command {
namespace {

using ::bank::store::MemoryEventStore;
using ::bank::testing::ExecuteAndWait;
using ::bank::testing::TransferAndWait;
using ::bank::testing::TransferCommand;

absl::StatusOr<bank::v1::CommandReply> RunCommand(CommandHandler& handler, CommandKind kind,
                                                  const std::string& account, int64_t amount) {
  return ExecuteAndWait(handler, Command{kind, account, amount, "", std::nullopt, "", ""});
}

absl::StatusOr<bank::v1::TransferReply> Transfer(CommandHandler& handler, const std::string& from,
                                                 const std::string& to, int64_t amount,
                                                 const std::string& id = "") {
  return TransferAndWait(handler, TransferCommand(from, to, amount, id));
}

int64_t StoredTotal(const MemoryEventStore& store) {
  std::vector<bank::v1::Event> events;
  EXPECT_TRUE(store.ReadAfter(0, 1 << 20, &events).ok());
  int64_t total = 0;
  for (const bank::v1::Event& event : events) {
    if (event.has_deposited()) total += event.deposited().amount();
    if (event.has_withdrawn()) total -= event.withdrawn().amount();
  }
  return total;
}

class SharedStoreTransferTest : public ::testing::Test {
 protected:
  int64_t Balance(CommandHandler& handler, const std::string& account) {
    auto reply = RunCommand(handler, CommandKind::kDeposit, account, 1);
    EXPECT_TRUE(reply.ok()) << reply.status();
    EXPECT_TRUE(RunCommand(handler, CommandKind::kWithdraw, account, 1).ok());
    return reply.ok() ? reply->balance() - 1 : -1;
  }

  MemoryEventStore store_;
  CommandHandler a_{store_, 1000};
  CommandHandler b_{store_, 1000};
};

TEST_F(SharedStoreTransferTest, ATransferOnAccountsAReplicaNeverSawIsDecidedOnTheStore) {
  ASSERT_TRUE(RunCommand(a_, CommandKind::kDeposit, "alice", 100).ok());
  ASSERT_TRUE(RunCommand(a_, CommandKind::kDeposit, "bob", 5).ok());
  // b caches neither: its refusal on empty accounts is made again on the store.
  absl::StatusOr<bank::v1::TransferReply> reply = Transfer(b_, "alice", "bob", 60, "t-1");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->from_account().balance(), 40);
  EXPECT_EQ(reply->from_account().version(), 2u);
  EXPECT_EQ(reply->from_account().position(), 3u);
  EXPECT_EQ(reply->to_account().balance(), 65);
  EXPECT_EQ(reply->to_account().version(), 2u);
  EXPECT_EQ(reply->to_account().position(), 4u);

  // Its retry on the other replica gets the original reply, and the id is
  // taken for anything else.
  ASSERT_TRUE(RunCommand(a_, CommandKind::kDeposit, "bob", 1).ok());
  absl::StatusOr<bank::v1::TransferReply> retry = Transfer(a_, "alice", "bob", 60, "t-1");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->SerializeAsString(), reply->SerializeAsString());
  EXPECT_EQ(Transfer(a_, "alice", "bob", 61, "t-1").status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(SharedStoreTransferTest, AnAcceptanceOnAStaleFromAccountIsDecidedAgainInTheCommit) {
  ASSERT_TRUE(RunCommand(a_, CommandKind::kDeposit, "alice", 100).ok());  // a caches 100
  ASSERT_TRUE(RunCommand(b_, CommandKind::kWithdraw, "alice", 80).ok());
  // On a's cache 50 fits; on the store's 20 it does not.
  absl::StatusOr<bank::v1::TransferReply> refused = Transfer(a_, "alice", "bob", 50);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  absl::StatusOr<bank::v1::TransferReply> fits = Transfer(a_, "alice", "bob", 20);
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_EQ(fits->from_account().balance(), 0);
  EXPECT_EQ(fits->from_account().version(), 3u);
}

TEST_F(SharedStoreTransferTest, AStaleToAccountIsDecidedAgainToo) {
  ASSERT_TRUE(RunCommand(a_, CommandKind::kDeposit, "alice", 100).ok());
  ASSERT_TRUE(RunCommand(a_, CommandKind::kDeposit, "bob", 1).ok());  // a caches bob at version 1
  ASSERT_TRUE(RunCommand(b_, CommandKind::kDeposit, "bob", 10).ok());
  absl::StatusOr<bank::v1::TransferReply> reply = Transfer(a_, "alice", "bob", 30);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->to_account().version(), 3u);
  EXPECT_EQ(reply->to_account().balance(), 41);
}

TEST_F(SharedStoreTransferTest, OppositeTransfersOverTwoReplicasConserveMoneyAndNeverOverdraw) {
  ASSERT_TRUE(RunCommand(a_, CommandKind::kDeposit, "x", 300).ok());
  ASSERT_TRUE(RunCommand(b_, CommandKind::kDeposit, "y", 300).ok());
  constexpr int kThreads = 16;
  constexpr int kTransfers = 40;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CommandHandler& replica = t % 4 < 2 ? a_ : b_;
      const bool x_to_y = t % 2 == 0;
      for (int i = 0; i < kTransfers; ++i) {
        absl::StatusOr<bank::v1::TransferReply> reply =
            Transfer(replica, x_to_y ? "x" : "y", x_to_y ? "y" : "x", 1 + (t + i) % 30);
        if (reply.ok()) {
          EXPECT_GE(reply->from_account().balance(), 0);
          ++accepted;
        } else {
          EXPECT_EQ(reply.status().code(), absl::StatusCode::kFailedPrecondition) << reply.status();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_GT(accepted.load(), 0);
  EXPECT_EQ(store_.durable_head(), 2u + 2u * accepted.load());
  EXPECT_EQ(Balance(a_, "x") + Balance(b_, "y"), 600);
  EXPECT_EQ(StoredTotal(store_), 600);
}

}  // namespace
}  // namespace bank::command
