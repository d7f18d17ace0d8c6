#include "command-service/account.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/balance_effect.h"
#include "common/ids.h"

namespace bank::command {

absl::StatusOr<bank::v1::Event> Decide(const AccountState& state, const Command& command) {
  if (command.expected_version.has_value() && *command.expected_version != state.version) {
    return absl::AbortedError(absl::StrCat(
        "account ", command.account_id, " is at version ", state.version, ", not the expected ",
        *command.expected_version, "; reload the account and decide again"));
  }
  bank::v1::Event event;
  event.set_account_id(command.account_id);
  event.set_version(state.version + 1);
  event.set_command_id(command.command_id);
  event.set_principal(command.principal);
  switch (command.kind) {
    case CommandKind::kWithdraw:
      if (command.amount > state.balance) {
        return absl::FailedPreconditionError(absl::StrCat(
            "insufficient funds: balance ", state.balance, ", withdrawal ", command.amount));
      }
      event.mutable_withdrawn()->set_amount(command.amount);
      break;
    case CommandKind::kDeposit:
      if (command.amount > std::numeric_limits<int64_t>::max() - state.balance) {
        return absl::OutOfRangeError(absl::StrCat(
            "deposit of ", command.amount, " would take the balance of ", state.balance,
            " past the largest amount, ", std::numeric_limits<int64_t>::max()));
      }
      event.mutable_deposited()->set_amount(command.amount);
      break;
  }
  return event;
}

AccountState Apply(AccountState state, const bank::v1::Event& event) {
  state.version = event.version();
  state.balance += BalanceChange(event);
  return state;
}

absl::Status CheckStoredIds(const bank::v1::Event& event) {
  // A checksum only proves the bytes are the ones written; ids that no
  // command could have carried must not reach the indexes.
  if (!IsValidAccountId(event.account_id()) ||
      (!event.command_id().empty() && !IsValidCommandId(event.command_id()))) {
    return absl::DataLossError(absl::StrCat("event at version ", event.version(),
                                            " carries an account or command id that no command "
                                            "could have had"));
  }
  return absl::OkStatus();
}

absl::StatusOr<AccountState> ApplyStored(AccountState state, const bank::v1::Event& event) {
  if (absl::Status ids = CheckStoredIds(event); !ids.ok()) return ids;
  if (event.version() != state.version + 1) {
    return absl::DataLossError(absl::StrCat("event for account ", event.account_id(),
                                            " has version ", event.version(), " where ",
                                            state.version + 1, " was expected"));
  }
  // Nor may an event no command could have produced reach Apply's arithmetic.
  absl::StatusOr<int64_t> balance = BalanceAfter(state.balance, event);
  if (!balance.ok()) return balance.status();
  return AccountState{.balance = *balance, .version = event.version()};
}

int64_t EventAmount(const bank::v1::Event& event) {
  return event.has_deposited() ? event.deposited().amount() : event.withdrawn().amount();
}

CommandKind EventKind(const bank::v1::Event& event) {
  return event.has_withdrawn() ? CommandKind::kWithdraw : CommandKind::kDeposit;
}

}  // namespace bank::command
