// Logs written by earlier releases, committed under tests/data: every later
// build must read them to the same state. golden-v1: the first release
// (deposits and withdrawals); golden-v2: the release that added transfers
// (group records, log_format.h).

#include <gtest/gtest.h>

#include <filesystem>

#include "command-service/command_handler.h"
#include "command-service/recovered_state.h"
#include "tests/command/handler_test_util.h"
#include "tests/command/log_test_util.h"

namespace bank::command {
namespace {

TEST(GoldenLogTest, Version1LogReadsToTheSameBalancesAndReplies) {
  // Opened from a copy: recovery may write (cut a tail), the golden file never changes.
  const std::string dir = ::bank::testing::FreshDir("golden");
  std::filesystem::copy(BANK_SOURCE_DIR "/tests/data/golden-v1", dir);
  auto recovered = RecoverState({.dir = dir, .segment_bytes = 600});
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  auto& log = recovered->log;
  auto& book = recovered->book;
  EXPECT_EQ(log->durable_head(), 17u);
  EXPECT_EQ(book.Get("alice").balance, 8766);
  EXPECT_EQ(book.Get("alice").version, 13u);
  EXPECT_EQ(book.Get("bob").balance, 0);
  EXPECT_EQ(book.Get("bob").version, 2u);
  EXPECT_EQ(book.Get("carol:01").balance, 0);
  EXPECT_EQ(book.account_count(), 3u);
  EXPECT_EQ(book.command_count(), 5u);
  auto withdrawal =
      book.FindCommand("g-3", [&log](uint64_t position) { return ReadEventAt(*log, position); });
  ASSERT_TRUE(withdrawal.ok()) << withdrawal.status();
  ASSERT_TRUE(withdrawal->has_value());
  EXPECT_EQ(ReplyOf(**withdrawal).DebugString(),
            "account_id: \"alice\"\nversion: 2\nposition: 3\nbalance: 8766\n");
  EXPECT_EQ((*withdrawal)->kind, CommandKind::kWithdraw);
  EXPECT_EQ((*withdrawal)->amount, 1234);

  // And the log goes on from where the old release stopped.
  CommandHandler handler(*log, std::move(book));
  auto reply = ::bank::testing::ExecuteAndWait(
      handler, {CommandKind::kDeposit, "bob", 7, "", std::nullopt, "", ""});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->position(), 18u);
  EXPECT_EQ(reply->version(), 3u);
}

TEST(GoldenLogTest, Version2LogWithTransfersReadsToTheSameBalancesAndReplies) {
  const std::string dir = ::bank::testing::FreshDir("golden-v2");
  std::filesystem::copy(BANK_SOURCE_DIR "/tests/data/golden-v2", dir);
  auto recovered = RecoverState({.dir = dir, .segment_bytes = 600});
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  auto& log = recovered->log;
  auto& book = recovered->book;
  EXPECT_EQ(log->durable_head(), 12u);
  EXPECT_EQ(book.Get("alice").balance, 9494);
  EXPECT_EQ(book.Get("alice").version, 4u);
  EXPECT_EQ(book.Get("bob").balance, 7);
  EXPECT_EQ(book.Get("bob").version, 5u);
  EXPECT_EQ(book.Get("carol:01").balance, 0);
  EXPECT_EQ(book.Get("carol:01").version, 3u);
  EXPECT_EQ(book.command_count(), 6u) << "a transfer's id once, not once a leg";
  const auto read = [&log](uint64_t position) { return ReadEventAt(*log, position); };
  auto transfer = book.FindCommand("v2-3", read);
  ASSERT_TRUE(transfer.ok()) << transfer.status();
  ASSERT_TRUE(transfer->has_value());
  EXPECT_EQ(TransferReplyOf(**transfer).DebugString(),
            "from_account {\n  account_id: \"alice\"\n  version: 2\n  position: 3\n  balance: "
            "7500\n}\nto_account {\n  account_id: \"bob\"\n  version: 2\n  position: 4\n  "
            "balance: 3000\n}\n");
  // The transfer whose two events close the first segment.
  auto closing = book.FindCommand("v2-6", read);
  ASSERT_TRUE(closing.ok() && closing->has_value());
  EXPECT_EQ((*closing)->to_account_id, "alice");
  EXPECT_EQ((*closing)->to_balance_after, 9501);

  CommandHandler handler(*log, std::move(book));
  auto reply = ::bank::testing::ExecuteAndWait(
      handler, {CommandKind::kDeposit, "bob", 7, "", std::nullopt, "", ""});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->position(), 13u);
  EXPECT_EQ(reply->balance(), 14);
}

}  // namespace
}  // namespace bank::command
