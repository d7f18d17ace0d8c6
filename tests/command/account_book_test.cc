#include "command-service/account_book.h"

#include <gtest/gtest.h>

#include <string>

namespace bank::command {
namespace {

bank::v1::Event Deposit(const std::string& account, uint64_t version,
                        const std::string& command_id) {
  bank::v1::Event event;
  event.set_account_id(account);
  event.set_version(version);
  event.set_command_id(command_id);
  event.mutable_deposited()->set_amount(10);
  return event;
}

TEST(AccountBookTest, RecordsStateAndTheOriginalReplyOfEachCommand) {
  AccountBook book;
  ASSERT_TRUE(book.Apply(Deposit("acc1", 1, "c1"), 7).ok());
  ASSERT_TRUE(book.Apply(Deposit("acc1", 2, ""), 8).ok());
  EXPECT_EQ(book.Get("acc1").balance, 20);
  EXPECT_EQ(book.Get("acc1").version, 2u);
  EXPECT_EQ(ReplyOf(*book.FindCommand("c1")).DebugString(),
            "account_id: \"acc1\"\nversion: 1\nposition: 7\nbalance: 10\n");
  EXPECT_EQ(book.command_count(), 1u);
}

TEST(AccountBookTest, IdsNoCommandCouldHaveCarriedAreDataLoss) {
  AccountBook book;
  EXPECT_EQ(book.Apply(Deposit("acc1", 1, std::string(300, 'c')), 1).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(book.Apply(Deposit("bad id", 1, ""), 1).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(book.Apply(Deposit("acc1", 1, "c/1"), 1).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(book.account_count(), 0u);
}

TEST(AccountBookTest, ACommandIdOnTwoEventsIsDataLoss) {
  AccountBook book;
  ASSERT_TRUE(book.Apply(Deposit("acc1", 1, "c1"), 1).ok());
  EXPECT_EQ(book.Apply(Deposit("acc2", 1, "c1"), 2).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace bank::command
