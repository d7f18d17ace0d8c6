// A transfer's decision over its two accounts (account.h's DecideTransfer and
// ValidateCommand), row by row in the contract's order, with no storage.

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "absl/strings/match.h"
#include "command-service/account.h"
#include "command-service/command.h"

namespace bank::command {
namespace {

Command Transfer(const std::string& from, const std::string& to, int64_t amount,
                 std::optional<uint64_t> expected_from_version = std::nullopt,
                 const std::string& command_id = "t-1") {
  return Command{.kind = CommandKind::kTransfer,
                 .account_id = from,
                 .amount = amount,
                 .command_id = command_id,
                 .expected_version = expected_from_version,
                 .principal = "teller-1",
                 .to_account_id = to};
}

absl::StatusCode Validated(const Command& command) { return ValidateCommand(command).code(); }

TEST(TransferValidationTest, ChecksRunInTheContractsOrder) {
  // Every rule broken at once: the amount is named first.
  Command command = Transfer("bad id", "bad id", 0, std::nullopt, "bad id");
  EXPECT_EQ(Validated(command), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(ValidateCommand(command).message(), "amount"));
  command.amount = 5;
  EXPECT_TRUE(absl::StrContains(ValidateCommand(command).message(), "from_account_id"))
      << "the from account next: " << ValidateCommand(command);
  command.account_id = "a";
  EXPECT_TRUE(absl::StrContains(ValidateCommand(command).message(), "to_account_id"))
      << "then the to account: " << ValidateCommand(command);
  command.to_account_id = "a";
  EXPECT_TRUE(absl::StrContains(ValidateCommand(command).message(), "two different accounts"))
      << ValidateCommand(command);
  command.to_account_id = "b";
  EXPECT_TRUE(absl::StrContains(ValidateCommand(command).message(), "command_id"));
  command.command_id = "";
  EXPECT_TRUE(ValidateCommand(command).ok());
  command.to_account_id = std::string(65, 'b');
  EXPECT_EQ(Validated(command), absl::StatusCode::kInvalidArgument);
}

TEST(TransferDecisionTest, AcceptedIsAnOutLegOnFromAndAnInLegOnToAtTheirNextVersions) {
  const AccountState from{.balance = 100, .version = 3};
  const AccountState to{.balance = 7, .version = 0};
  absl::StatusOr<std::vector<bank::v1::Event>> legs =
      DecideTransfer(from, to, Transfer("a", "b", 60));
  ASSERT_TRUE(legs.ok()) << legs.status();
  ASSERT_EQ(legs->size(), 2u);
  const bank::v1::Event& out = (*legs)[0];
  const bank::v1::Event& in = (*legs)[1];
  EXPECT_EQ(out.account_id(), "a");
  EXPECT_EQ(out.version(), 4u);
  EXPECT_EQ(out.transferred_out().amount(), 60);
  EXPECT_EQ(out.transferred_out().to_account_id(), "b");
  EXPECT_EQ(in.account_id(), "b");
  EXPECT_EQ(in.version(), 1u);
  EXPECT_EQ(in.transferred_in().amount(), 60);
  EXPECT_EQ(in.transferred_in().from_account_id(), "a");
  for (const bank::v1::Event& leg : *legs) {
    EXPECT_EQ(leg.command_id(), "t-1");
    EXPECT_EQ(leg.principal(), "teller-1");
  }
  // And folded, money moved and none was made.
  EXPECT_EQ(Apply(from, out).balance, 40);
  EXPECT_EQ(Apply(to, in).balance, 67);
  EXPECT_EQ(EventKind(out), CommandKind::kTransfer);
  EXPECT_EQ(EventKind(in), CommandKind::kTransfer);
}

TEST(TransferDecisionTest, RefusalsComeInTheContractsOrder) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const AccountState poor{.balance = 10, .version = 2};
  const AccountState full{.balance = max, .version = 1};
  // Expected version, funds and overflow all broken: ABORTED first.
  EXPECT_EQ(DecideTransfer(poor, full, Transfer("a", "b", 20, 5)).status().code(),
            absl::StatusCode::kAborted);
  // Then the funds of `from`.
  absl::Status funds = DecideTransfer(poor, full, Transfer("a", "b", 20, 2)).status();
  EXPECT_EQ(funds.code(), absl::StatusCode::kFailedPrecondition) << funds;
  EXPECT_TRUE(absl::StrContains(funds.message(), "balance 10, transfer 20")) << funds;
  // Then `to` past INT64_MAX.
  absl::Status overflow = DecideTransfer(poor, full, Transfer("a", "b", 10)).status();
  EXPECT_EQ(overflow.code(), absl::StatusCode::kOutOfRange) << overflow;
  EXPECT_TRUE(absl::StrContains(overflow.message(), "account b")) << overflow;
  // Exactly the balance is fine; expected version 0 means no events yet.
  EXPECT_TRUE(DecideTransfer(poor, AccountState{}, Transfer("a", "b", 10, 2)).ok());
  EXPECT_EQ(DecideTransfer(AccountState{}, poor, Transfer("a", "b", 1, 0)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(TransferDecisionTest, StoredLegsAreCheckedLikeAnyStoredEvent) {
  absl::StatusOr<std::vector<bank::v1::Event>> legs = DecideTransfer(
      AccountState{.balance = 5, .version = 1}, AccountState{}, Transfer("a", "b", 5));
  ASSERT_TRUE(legs.ok());
  EXPECT_TRUE(ApplyStored(AccountState{.balance = 5, .version = 1}, (*legs)[0]).ok());
  EXPECT_TRUE(ApplyStored(AccountState{}, (*legs)[1]).ok());
  // An out leg that overdraws, and legs whose counterparty no command could
  // have named, are DATA_LOSS.
  EXPECT_EQ(ApplyStored(AccountState{.balance = 4, .version = 1}, (*legs)[0]).status().code(),
            absl::StatusCode::kDataLoss);
  bank::v1::Event self = (*legs)[1];
  self.mutable_transferred_in()->set_from_account_id("b");
  EXPECT_EQ(ApplyStored(AccountState{}, self).status().code(), absl::StatusCode::kDataLoss);
  bank::v1::Event bad = (*legs)[0];
  bad.mutable_transferred_out()->set_to_account_id("not an id");
  EXPECT_EQ(ApplyStored(AccountState{.balance = 5, .version = 1}, bad).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace bank::command
