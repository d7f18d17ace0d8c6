#ifndef BANK_COMMON_BALANCE_EFFECT_H_
#define BANK_COMMON_BALANCE_EFFECT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "bank/v1/event.pb.h"
#include "bank/v1/query_service.pb.h"

namespace bank {

// What one event does to its account's balance, the one definition both
// sides fold with (the aggregate on the write side, the projection on the
// read side): a deposit and a transfer's incoming leg add their amount, a
// withdrawal and a transfer's outgoing leg take it away.

// The change `event` makes to the balance: +amount or -amount; 0 for an
// event with no known body.
int64_t BalanceChange(const bank::v1::Event& event);

// The amount `event` moves, positive whichever way; 0 with no known body.
int64_t AmountMoved(const bank::v1::Event& event);

// The kind of transaction `event` records, in the query API's words (and
// numbers: the read model stores them); KIND_UNSPECIFIED with no known body.
bank::v1::Transaction::Kind TransactionKindOf(const bank::v1::Event& event);

// The other account of a transfer's leg (where the money went, or came
// from); empty for any other event.
const std::string& CounterpartyOf(const bank::v1::Event& event);

// The balance after `event`, checking first that a command could have
// produced it on `balance`: DATA_LOSS for an event with no known body, an
// amount that is not positive, a balance taken below zero or past INT64_MAX.
// The message names the event by account, version and position.
absl::StatusOr<int64_t> BalanceAfter(int64_t balance, const bank::v1::Event& event);

}  // namespace bank

#endif  // BANK_COMMON_BALANCE_EFFECT_H_
