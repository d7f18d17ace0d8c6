#include "common/balance_effect.h"

#include "absl/strings/str_cat.h"

namespace bank {
namespace {

int64_t AmountOf(const bank::v1::Event& event) {
  if (event.has_deposited()) return event.deposited().amount();
  if (event.has_withdrawn()) return event.withdrawn().amount();
  return 0;
}

}  // namespace

int64_t BalanceChange(const bank::v1::Event& event) {
  return event.has_withdrawn() ? -AmountOf(event) : AmountOf(event);
}

absl::StatusOr<int64_t> BalanceAfter(int64_t balance, const bank::v1::Event& event) {
  const auto named = [&event] {
    return absl::StrCat("event at position ", event.position(), " (account ", event.account_id(),
                        ", version ", event.version(), ")");
  };
  if (!event.has_deposited() && !event.has_withdrawn()) {
    return absl::DataLossError(absl::StrCat(named(), " has no known body"));
  }
  const int64_t amount = AmountOf(event);
  int64_t after = 0;
  if (amount <= 0 || __builtin_add_overflow(balance, BalanceChange(event), &after) || after < 0) {
    return absl::DataLossError(absl::StrCat(named(), " moves ", amount, " on a balance of ",
                                            balance, ", which no command could have done"));
  }
  return after;
}

}  // namespace bank
