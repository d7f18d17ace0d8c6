#include "command-service/account.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "absl/strings/match.h"

namespace bank::command {
namespace {

// given(events) / when(command) / then(event or error), with no storage.
class AccountTest : public ::testing::Test {
 protected:
  void Given(const std::vector<bank::v1::Event>& events) {
    for (const bank::v1::Event& event : events) state_ = Apply(state_, event);
  }
  absl::StatusOr<bank::v1::Event> When(CommandKind kind, int64_t amount,
                                       std::optional<uint64_t> expected_version = std::nullopt) {
    return Decide(state_, Command{.kind = kind,
                                  .account_id = "acc1",
                                  .amount = amount,
                                  .command_id = "c1",
                                  .expected_version = expected_version,
                                  .principal = "teller-1",
                                  .to_account_id = ""});
  }

  AccountState state_;
};

bank::v1::Event Deposited(uint64_t version, int64_t amount) {
  bank::v1::Event event;
  event.set_account_id("acc1");
  event.set_version(version);
  event.mutable_deposited()->set_amount(amount);
  return event;
}

bank::v1::Event Withdrawn(uint64_t version, int64_t amount) {
  bank::v1::Event event;
  event.set_account_id("acc1");
  event.set_version(version);
  event.mutable_withdrawn()->set_amount(amount);
  return event;
}

TEST_F(AccountTest, DepositOnANewAccountIsVersionOne) {
  auto event = When(CommandKind::kDeposit, 100);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->version(), 1u);
  EXPECT_EQ(event->deposited().amount(), 100);
  EXPECT_EQ(event->account_id(), "acc1");
  EXPECT_EQ(event->command_id(), "c1");
}

TEST_F(AccountTest, WithdrawWithinTheBalance) {
  Given({Deposited(1, 100)});
  auto event = When(CommandKind::kWithdraw, 40);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->version(), 2u);
  EXPECT_EQ(event->withdrawn().amount(), 40);
  state_ = Apply(state_, *event);
  EXPECT_EQ(state_.balance, 60);
}

TEST_F(AccountTest, WithdrawTheWholeBalance) {
  Given({Deposited(1, 100), Withdrawn(2, 40)});
  EXPECT_TRUE(When(CommandKind::kWithdraw, 60).ok());
}

TEST_F(AccountTest, WithdrawMoreThanTheBalanceIsFailedPrecondition) {
  Given({Deposited(1, 40)});
  auto event = When(CommandKind::kWithdraw, 100);
  EXPECT_EQ(event.status(),
            absl::FailedPreconditionError("insufficient funds: balance 40, withdrawal 100"));
}

TEST_F(AccountTest, WithdrawFromAnAccountWithNoEventsIsFailedPrecondition) {
  EXPECT_EQ(When(CommandKind::kWithdraw, 1).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AccountTest, DepositPastInt64MaxIsOutOfRange) {
  Given({Deposited(1, std::numeric_limits<int64_t>::max() - 5)});
  EXPECT_TRUE(When(CommandKind::kDeposit, 5).ok());
  EXPECT_EQ(When(CommandKind::kDeposit, 6).status().code(), absl::StatusCode::kOutOfRange);
}

TEST_F(AccountTest, ExpectedVersionMustMatch) {
  Given({Deposited(1, 100)});
  EXPECT_TRUE(When(CommandKind::kDeposit, 1, 1).ok());
  EXPECT_EQ(When(CommandKind::kDeposit, 1, 0).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(When(CommandKind::kDeposit, 1, 2).status().code(), absl::StatusCode::kAborted);
}

TEST_F(AccountTest, ExpectedVersionIsCheckedBeforeFunds) {
  Given({Deposited(1, 10)});
  EXPECT_EQ(When(CommandKind::kWithdraw, 100, 5).status().code(), absl::StatusCode::kAborted);
}

TEST_F(AccountTest, TheEventNamesWhoIssuedTheCommand) {
  absl::StatusOr<bank::v1::Event> event = When(CommandKind::kDeposit, 1);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->principal(), "teller-1");
}

TEST_F(AccountTest, ExpectedVersionZeroMeansNoEventsYet) {
  EXPECT_TRUE(When(CommandKind::kDeposit, 1, 0).ok());
}

TEST(ValidateCommandTest, ChecksRunInTheContractsOrder) {
  Command command{CommandKind::kWithdraw, "bad id", 0, "", std::nullopt, "", ""};
  EXPECT_EQ(ValidateCommand(command).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(ValidateCommand(command).message(), "amount"));
  command.amount = 5;
  EXPECT_TRUE(absl::StrContains(ValidateCommand(command).message(), "account_id"));
  command.account_id = "ok";
  command.command_id = "bad id";
  EXPECT_TRUE(absl::StrContains(ValidateCommand(command).message(), "command_id"));
  command.command_id = "";
  EXPECT_TRUE(ValidateCommand(command).ok());
}

TEST(ValidateCommandTest, IdLengthsAndCharacters) {
  Command command{CommandKind::kDeposit, std::string(64, 'a'), 1, "", std::nullopt, "", ""};
  EXPECT_TRUE(ValidateCommand(command).ok());
  command.account_id = "A-z_0.9:x";
  EXPECT_TRUE(ValidateCommand(command).ok());
  command.account_id = std::string(65, 'a');
  EXPECT_FALSE(ValidateCommand(command).ok());
  command.account_id = "caf\xc3\xa9";
  EXPECT_FALSE(ValidateCommand(command).ok());
  command.account_id = "a";
  command.command_id = std::string(128, 'c');
  EXPECT_TRUE(ValidateCommand(command).ok());
  command.command_id = std::string(129, 'c');
  EXPECT_FALSE(ValidateCommand(command).ok());
  command.command_id = "a/b";
  EXPECT_FALSE(ValidateCommand(command).ok());
}

}  // namespace
}  // namespace bank::command
