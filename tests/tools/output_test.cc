#include "tools/bankctl/output.h"

#include <gtest/gtest.h>

namespace bank::bankctl {
namespace {

bank::v1::CommandReply Reply() {
  bank::v1::CommandReply reply;
  reply.set_account_id("acc1");
  reply.set_balance(60);
  reply.set_version(2);
  reply.set_position(2);
  return reply;
}

bank::v1::AccountBalance Balance() {
  bank::v1::AccountBalance balance;
  balance.set_account_id("acc1");
  balance.set_balance(60);
  balance.set_version(2);
  balance.set_last_position(2);
  balance.set_as_of_position(7);
  return balance;
}

bank::v1::Transaction Withdrawal() {
  bank::v1::Transaction transaction;
  transaction.set_version(2);
  transaction.set_position(5);
  transaction.set_kind(bank::v1::Transaction::WITHDRAWAL);
  transaction.set_amount(40);
  transaction.set_balance_after(60);
  transaction.set_command_id("c-2");
  transaction.mutable_recorded_at()->set_seconds(1714564800);
  return transaction;
}

bank::v1::Event Deposited() {
  bank::v1::Event event;
  event.set_position(5);
  event.set_account_id("acc1");
  event.set_version(2);
  event.mutable_deposited()->set_amount(40);
  event.mutable_recorded_at()->set_seconds(1714564800);
  event.mutable_recorded_at()->set_nanos(250000000);
  return event;
}

TEST(OutputTest, CommandReplyHumanAndJson) {
  EXPECT_EQ(FormatCommandReply(Reply(), Format::kHuman), "acc1: balance 60, version 2, position 2");
  EXPECT_EQ(FormatCommandReply(Reply(), Format::kJson),
            R"({"account_id":"acc1","balance":60,"version":2,"position":2})");
}

TEST(OutputTest, NegativeAndExtremeAmountsPrintAsPlainIntegers) {
  bank::v1::CommandReply reply = Reply();
  reply.set_balance(INT64_MIN);
  EXPECT_EQ(FormatCommandReply(reply, Format::kHuman),
            "acc1: balance -9223372036854775808, version 2, position 2");
  reply.set_balance(INT64_MAX);
  EXPECT_EQ(FormatCommandReply(reply, Format::kJson),
            R"({"account_id":"acc1","balance":9223372036854775807,"version":2,"position":2})");
}

TEST(OutputTest, BalanceHumanAndJson) {
  EXPECT_EQ(FormatBalance(Balance(), Format::kHuman),
            "acc1: balance 60 (version 2, last position 2, as of position 7)");
  EXPECT_EQ(
      FormatBalance(Balance(), Format::kJson),
      R"({"account_id":"acc1","balance":60,"version":2,"last_position":2,"as_of_position":7})");
}

TEST(OutputTest, AccountLineOmitsAsOfInTextOnly) {
  EXPECT_EQ(FormatAccount(Balance(), Format::kHuman),
            "acc1: balance 60 (version 2, last position 2)");
  EXPECT_EQ(FormatAccount(Balance(), Format::kJson), FormatBalance(Balance(), Format::kJson));
}

TEST(OutputTest, TransactionHumanAndJson) {
  EXPECT_EQ(FormatTransaction(Withdrawal(), Format::kHuman),
            "version 2, position 5: withdrawal 40, balance after 60, command_id c-2, at "
            "2024-05-01T12:00:00Z");
  EXPECT_EQ(FormatTransaction(Withdrawal(), Format::kJson),
            R"({"version":2,"position":5,"kind":"WITHDRAWAL","amount":40,"balance_after":60,)"
            R"("command_id":"c-2","recorded_at":"2024-05-01T12:00:00Z"})");
}

TEST(OutputTest, TransactionWithoutCommandIdOrTimeLeavesThemOut) {
  bank::v1::Transaction transaction = Withdrawal();
  transaction.clear_command_id();
  transaction.clear_recorded_at();
  transaction.set_kind(bank::v1::Transaction::DEPOSIT);
  EXPECT_EQ(FormatTransaction(transaction, Format::kHuman),
            "version 2, position 5: deposit 40, balance after 60");
  EXPECT_EQ(FormatTransaction(transaction, Format::kJson),
            R"({"version":2,"position":5,"kind":"DEPOSIT","amount":40,"balance_after":60,)"
            R"("command_id":"","recorded_at":null})");
}

TEST(OutputTest, EventHumanAndJson) {
  EXPECT_EQ(FormatEvent(Deposited(), Format::kHuman),
            "position 5, acc1 version 2: deposit 40, at 2024-05-01T12:00:00.25Z");
  bank::v1::Event withdrawn = Deposited();
  withdrawn.mutable_withdrawn()->set_amount(7);
  withdrawn.set_command_id("c-9");
  EXPECT_EQ(FormatEvent(withdrawn, Format::kJson),
            R"({"position":5,"account_id":"acc1","version":2,"kind":"WITHDRAWAL","amount":7,)"
            R"("command_id":"c-9","recorded_at":"2024-05-01T12:00:00.25Z"})");
}

TEST(OutputTest, EventWithUnknownBodyStillPrints) {
  bank::v1::Event event = Deposited();
  event.clear_body();
  EXPECT_EQ(FormatEvent(event, Format::kHuman),
            "position 5, acc1 version 2: unknown 0, at 2024-05-01T12:00:00.25Z");
}

TEST(OutputTest, HeartbeatIsSilentInTextAndALineInJson) {
  EXPECT_EQ(FormatHeartbeat(7, Format::kHuman), "");
  EXPECT_EQ(FormatHeartbeat(7, Format::kJson), R"({"heartbeat":true,"head_position":7})");
}

TEST(OutputTest, HealthHumanAndJson) {
  EXPECT_EQ(FormatHealth("command", "127.0.0.1:50051", "SERVING", Format::kHuman),
            "command 127.0.0.1:50051: SERVING");
  EXPECT_EQ(FormatHealth("query", "h:2", "NOT_SERVING", Format::kJson),
            R"({"service":"query","address":"h:2","status":"NOT_SERVING"})");
}

TEST(OutputTest, ErrorIsCodeNameAndMessage) {
  EXPECT_EQ(FormatError(absl::FailedPreconditionError("insufficient funds: balance 40, "
                                                      "withdrawal 100")),
            "FAILED_PRECONDITION: insufficient funds: balance 40, withdrawal 100");
  EXPECT_EQ(FormatError(absl::UnavailableError("connection refused")),
            "UNAVAILABLE: connection refused");
}

TEST(OutputTest, JsonEscapesServerText) {
  bank::v1::CommandReply reply = Reply();
  reply.set_account_id("a\"b\n");
  EXPECT_EQ(FormatCommandReply(reply, Format::kJson),
            R"({"account_id":"a\"b\n","balance":60,"version":2,"position":2})");
}

}  // namespace
}  // namespace bank::bankctl
