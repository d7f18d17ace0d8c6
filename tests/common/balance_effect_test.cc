#include "common/balance_effect.h"

#include <gtest/gtest.h>

#include <limits>
#include <utility>
#include <vector>

namespace bank {
namespace {

bank::v1::Event Deposited(int64_t amount) {
  bank::v1::Event event;
  event.set_account_id("acc");
  event.set_version(1);
  event.set_position(7);
  event.mutable_deposited()->set_amount(amount);
  return event;
}

bank::v1::Event Withdrawn(int64_t amount) {
  bank::v1::Event event = Deposited(0);
  event.mutable_withdrawn()->set_amount(amount);
  return event;
}

TEST(BalanceEffectTest, ADepositAddsItsAmountAndAWithdrawalTakesItAway) {
  EXPECT_EQ(BalanceChange(Deposited(100)), 100);
  EXPECT_EQ(BalanceChange(Withdrawn(40)), -40);
  EXPECT_EQ(BalanceChange(bank::v1::Event()), 0);
  EXPECT_EQ(*BalanceAfter(60, Deposited(100)), 160);
  EXPECT_EQ(*BalanceAfter(60, Withdrawn(60)), 0);
  EXPECT_EQ(*BalanceAfter(std::numeric_limits<int64_t>::max() - 1, Deposited(1)),
            std::numeric_limits<int64_t>::max());
}

TEST(BalanceEffectTest, AnEventNoCommandCouldHaveMadeIsDataLossNamingIt) {
  bank::v1::Event no_body = Deposited(1);
  no_body.clear_deposited();
  for (const auto& [balance, event] : std::vector<std::pair<int64_t, bank::v1::Event>>{
           {0, no_body},
           {0, Deposited(0)},
           {0, Deposited(-5)},
           {0, Withdrawn(-5)},
           {10, Withdrawn(11)},
           {std::numeric_limits<int64_t>::max(), Deposited(1)},
       }) {
    absl::StatusOr<int64_t> after = BalanceAfter(balance, event);
    EXPECT_EQ(after.status().code(), absl::StatusCode::kDataLoss) << event.DebugString();
    EXPECT_NE(after.status().message().find("position 7 (account acc, version 1)"),
              std::string::npos)
        << after.status();
  }
}

}  // namespace
}  // namespace bank
