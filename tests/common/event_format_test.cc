#include "common/event_format.h"

#include <gtest/gtest.h>

namespace bank {
namespace {

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

TEST(EventFormatTest, TransactionHumanAndJson) {
  bank::v1::Transaction transaction = Withdrawal();
  transaction.set_principal("teller");
  EXPECT_EQ(FormatTransaction(transaction, Format::kHuman),
            "version 2, position 5: withdrawal 40, balance after 60, command_id c-2, by teller, "
            "at 2024-05-01T12:00:00Z");
  EXPECT_EQ(FormatTransaction(transaction, Format::kJson),
            R"({"version":2,"position":5,"kind":"WITHDRAWAL","amount":40,"balance_after":60,)"
            R"("command_id":"c-2","recorded_at":"2024-05-01T12:00:00Z","principal":"teller"})");
}

TEST(EventFormatTest, TransactionWithoutCommandIdCallerOrTimeLeavesThemOut) {
  bank::v1::Transaction transaction = Withdrawal();
  transaction.clear_command_id();
  transaction.clear_recorded_at();
  transaction.set_kind(bank::v1::Transaction::DEPOSIT);
  EXPECT_EQ(FormatTransaction(transaction, Format::kHuman),
            "version 2, position 5: deposit 40, balance after 60");
  EXPECT_EQ(FormatTransaction(transaction, Format::kJson),
            R"({"version":2,"position":5,"kind":"DEPOSIT","amount":40,"balance_after":60,)"
            R"("command_id":"","recorded_at":null,"principal":""})");
}

TEST(EventFormatTest, EventHumanAndJson) {
  EXPECT_EQ(FormatEvent(Deposited(), Format::kHuman),
            "position 5, acc1 version 2: deposit 40, at 2024-05-01T12:00:00.25Z");
  bank::v1::Event withdrawn = Deposited();
  withdrawn.mutable_withdrawn()->set_amount(7);
  withdrawn.set_command_id("c-9");
  withdrawn.set_principal("teller");
  EXPECT_EQ(FormatEvent(withdrawn, Format::kHuman),
            "position 5, acc1 version 2: withdrawal 7, command_id c-9, by teller, at "
            "2024-05-01T12:00:00.25Z");
  EXPECT_EQ(FormatEvent(withdrawn, Format::kJson),
            R"({"position":5,"account_id":"acc1","version":2,"kind":"WITHDRAWAL","amount":7,)"
            R"("command_id":"c-9","recorded_at":"2024-05-01T12:00:00.25Z","principal":"teller"})");
}

TEST(EventFormatTest, ATransfersLegsNameTheirOtherAccount) {
  bank::v1::Event out = Deposited();
  out.mutable_transferred_out()->set_amount(30);
  out.mutable_transferred_out()->set_to_account_id("acc2");
  EXPECT_EQ(FormatEvent(out, Format::kHuman),
            "position 5, acc1 version 2: transfer out 30 to acc2, at 2024-05-01T12:00:00.25Z");
  EXPECT_EQ(FormatEvent(out, Format::kJson),
            R"({"position":5,"account_id":"acc1","version":2,"kind":"TRANSFER_OUT","amount":30,)"
            R"("command_id":"","recorded_at":"2024-05-01T12:00:00.25Z","principal":"",)"
            R"("counterparty_account_id":"acc2"})");
  bank::v1::Transaction in = Withdrawal();
  in.set_kind(bank::v1::Transaction::TRANSFER_IN);
  in.set_counterparty_account_id("acc0");
  EXPECT_EQ(FormatTransaction(in, Format::kHuman),
            "version 2, position 5: transfer in 40 from acc0, balance after 60, command_id c-2, at "
            "2024-05-01T12:00:00Z");
  EXPECT_EQ(FormatTransaction(in, Format::kJson),
            R"({"version":2,"position":5,"kind":"TRANSFER_IN","amount":40,"balance_after":60,)"
            R"("command_id":"c-2","recorded_at":"2024-05-01T12:00:00Z","principal":"",)"
            R"("counterparty_account_id":"acc0"})");
}

TEST(EventFormatTest, EventWithUnknownBodyStillPrints) {
  bank::v1::Event event = Deposited();
  event.clear_body();
  EXPECT_EQ(FormatEvent(event, Format::kHuman),
            "position 5, acc1 version 2: unknown 0, at 2024-05-01T12:00:00.25Z");
}

}  // namespace
}  // namespace bank
