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
