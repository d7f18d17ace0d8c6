#ifndef BANK_COMMAND_SERVICE_ACCOUNT_H_
#define BANK_COMMAND_SERVICE_ACCOUNT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bank/v1/event.pb.h"
#include "command-service/command.h"

namespace bank::command {

// The account aggregate as two pure functions over its state.
struct AccountState {
  int64_t balance = 0;   // cents; never negative
  uint64_t version = 0;  // the account's event count; 0 = no events yet
};

// Every business rule, in the contract's order after validation: the expected
// version (ABORTED), sufficient funds (FAILED_PRECONDITION) and a balance that
// fits in int64 (OUT_OF_RANGE). On success, the event to append with
// account_id, version, command_id and body set (the store adds position and
// recorded_at). `command` must have passed ValidateCommand.
absl::StatusOr<bank::v1::Event> Decide(const AccountState& state, const Command& command);

// A transfer's decision over its two accounts, `from` (command.account_id)
// and `to` (command.to_account_id), with the same rules in the contract's
// order: `from`'s expected version (ABORTED), `from`'s funds
// (FAILED_PRECONDITION), `to`'s balance fitting in int64 (OUT_OF_RANGE). On
// success, the group to append: TransferredOut on `from`, then TransferredIn
// on `to`, each at its account's next version. The caller holds both states
// still while it decides (see CommandHandler). `command` must have passed
// ValidateCommand.
absl::StatusOr<std::vector<bank::v1::Event>> DecideTransfer(const AccountState& from,
                                                            const AccountState& to,
                                                            const Command& command);

// Folds one event into the state. No rules, cannot fail: the event is a fact.
AccountState Apply(AccountState state, const bank::v1::Event& event);

// DATA_LOSS when a stored event carries an account or command id that breaks
// the contract's rules.
absl::Status CheckStoredIds(const bank::v1::Event& event);

// Folds an event read from a store, checking first that it is one Decide
// could have produced on `state`: DATA_LOSS when an id breaks the contract's
// rules, the version is not the account's next, or the amount is not
// positive, overdraws, or takes the balance past int64 (the store is
// inconsistent).
absl::StatusOr<AccountState> ApplyStored(AccountState state, const bank::v1::Event& event);

// The kind of command that produced the event (both of a transfer's legs:
// kTransfer).
CommandKind EventKind(const bank::v1::Event& event);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_ACCOUNT_H_
