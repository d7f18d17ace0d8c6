#include "common/balance_effect.h"

#include "absl/strings/str_cat.h"

namespace bank {
namespace {

using bank::v1::Transaction;

// What `event` does, from its body: the one switch over event bodies.
struct Effect {
  Transaction::Kind kind = Transaction::KIND_UNSPECIFIED;
  int64_t amount = 0;
  int direction = 0;  // +1 in, -1 out, 0 for no known body
};

Effect EffectOf(const bank::v1::Event& event) {
  switch (event.body_case()) {
    case bank::v1::Event::kDeposited:
      return {Transaction::DEPOSIT, event.deposited().amount(), +1};
    case bank::v1::Event::kWithdrawn:
      return {Transaction::WITHDRAWAL, event.withdrawn().amount(), -1};
    case bank::v1::Event::kTransferredOut:
      return {Transaction::TRANSFER_OUT, event.transferred_out().amount(), -1};
    case bank::v1::Event::kTransferredIn:
      return {Transaction::TRANSFER_IN, event.transferred_in().amount(), +1};
    case bank::v1::Event::BODY_NOT_SET:
      break;
  }
  return {};
}

}  // namespace

int64_t BalanceChange(const bank::v1::Event& event) {
  const Effect effect = EffectOf(event);
  return effect.direction * effect.amount;
}

int64_t AmountMoved(const bank::v1::Event& event) { return EffectOf(event).amount; }

bank::v1::Transaction::Kind TransactionKindOf(const bank::v1::Event& event) {
  return EffectOf(event).kind;
}

const std::string& CounterpartyOf(const bank::v1::Event& event) {
  if (event.has_transferred_out()) return event.transferred_out().to_account_id();
  return event.transferred_in().from_account_id();  // empty unless it is one
}

absl::StatusOr<int64_t> BalanceAfter(int64_t balance, const bank::v1::Event& event) {
  const auto named = [&event] {
    return absl::StrCat("event at position ", event.position(), " (account ", event.account_id(),
                        ", version ", event.version(), ")");
  };
  const Effect effect = EffectOf(event);
  if (effect.direction == 0) {
    return absl::DataLossError(absl::StrCat(named(), " has no known body"));
  }
  int64_t after = 0;
  if (effect.amount <= 0 ||
      __builtin_add_overflow(balance, effect.direction * effect.amount, &after) || after < 0) {
    return absl::DataLossError(absl::StrCat(named(), " moves ", effect.amount, " on a balance of ",
                                            balance, ", which no command could have done"));
  }
  return after;
}

}  // namespace bank
