#include "tools/bankctl/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bank::bankctl {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<Invocation> Parse(std::vector<std::string> args) { return ParseInvocation(args); }

TEST(ParseInvocationTest, DepositTakesAccountAndAmount) {
  absl::StatusOr<Invocation> invocation = Parse({"deposit", "acc1", "250"});
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->verb, Verb::kDeposit);
  EXPECT_EQ(invocation->account_id, "acc1");
  EXPECT_EQ(invocation->amount, 250);
}

TEST(ParseInvocationTest, WithdrawTakesAccountAndAmount) {
  absl::StatusOr<Invocation> invocation = Parse({"withdraw", "acc:2", "9223372036854775807"});
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->verb, Verb::kWithdraw);
  EXPECT_EQ(invocation->account_id, "acc:2");
  EXPECT_EQ(invocation->amount, INT64_MAX);
}

TEST(ParseInvocationTest, NonPositiveAmountsAreLeftToTheServer) {
  absl::StatusOr<Invocation> negative = Parse({"withdraw", "acc1", "-5"});
  ASSERT_TRUE(negative.ok()) << negative.status();
  EXPECT_EQ(negative->amount, -5);
  absl::StatusOr<Invocation> zero = Parse({"deposit", "acc1", "0"});
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_EQ(zero->amount, 0);
}

TEST(ParseInvocationTest, AmountThatIsNotAnInt64IsAUsageError) {
  for (const char* amount :
       {"", "abc", "1.5", "10x", " 10", "10 ", "0x10", "1e3", "9223372036854775808"}) {
    absl::StatusOr<Invocation> invocation = Parse({"deposit", "acc1", amount});
    EXPECT_EQ(invocation.status().code(), absl::StatusCode::kInvalidArgument) << amount;
    EXPECT_THAT(invocation.status().message(), HasSubstr("AMOUNT")) << amount;
  }
}

TEST(ParseInvocationTest, ReadsTakeAnAccount) {
  absl::StatusOr<Invocation> balance = Parse({"balance", "acc1"});
  ASSERT_TRUE(balance.ok());
  EXPECT_EQ(balance->verb, Verb::kBalance);
  EXPECT_EQ(balance->account_id, "acc1");
  absl::StatusOr<Invocation> history = Parse({"history", "acc1"});
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->verb, Verb::kHistory);
  EXPECT_EQ(history->account_id, "acc1");
}

TEST(ParseInvocationTest, ListingsTakeNoArguments) {
  EXPECT_EQ(Parse({"accounts"})->verb, Verb::kAccounts);
  EXPECT_EQ(Parse({"watch"})->verb, Verb::kWatch);
  EXPECT_EQ(Parse({"accounts", "x"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Parse({"watch", "5"}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseInvocationTest, HealthChecksBothUnlessOneIsNamed) {
  EXPECT_EQ(Parse({"health"})->health_target, HealthTarget::kBoth);
  EXPECT_EQ(Parse({"health", "command"})->health_target, HealthTarget::kCommand);
  EXPECT_EQ(Parse({"health", "query"})->health_target, HealthTarget::kQuery);
  EXPECT_EQ(Parse({"health", "both"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Parse({"health", "command", "query"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseInvocationTest, WrongArgumentCountNamesTheSubcommandsUsage) {
  absl::StatusOr<Invocation> missing = Parse({"deposit", "acc1"});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("usage: deposit ACCOUNT AMOUNT"));
  absl::StatusOr<Invocation> extra = Parse({"balance", "acc1", "--json"});
  EXPECT_EQ(extra.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(extra.status().message(), HasSubstr("flags go before the subcommand"));
}

TEST(ParseInvocationTest, UnknownOrMissingSubcommandIsAUsageError) {
  EXPECT_EQ(Parse({}).status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Invocation> unknown = Parse({"refund", "a", "1"});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown subcommand \"refund\""));
}

TEST(ParseInvocationTest, TransferTakesFromToAndAnAmount) {
  absl::StatusOr<Invocation> transfer = Parse({"transfer", "acc1", "acc2", "250"});
  ASSERT_TRUE(transfer.ok()) << transfer.status();
  EXPECT_EQ(transfer->verb, Verb::kTransfer);
  EXPECT_EQ(transfer->account_id, "acc1");
  EXPECT_EQ(transfer->to_account_id, "acc2");
  EXPECT_EQ(transfer->amount, 250);
  absl::StatusOr<Invocation> missing = Parse({"transfer", "acc1", "250"});
  EXPECT_THAT(missing.status().message(), HasSubstr("usage: transfer FROM TO AMOUNT"));
  EXPECT_THAT(Parse({"transfer", "a", "b", "2.5"}).status().message(), HasSubstr("AMOUNT"));
}

}  // namespace
}  // namespace bank::bankctl
