#include "command-service/account.h"

#include <limits>

#include "absl/strings/str_cat.h"

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
  if (event.has_deposited()) state.balance += event.deposited().amount();
  if (event.has_withdrawn()) state.balance -= event.withdrawn().amount();
  return state;
}

int64_t EventAmount(const bank::v1::Event& event) {
  return event.has_deposited() ? event.deposited().amount() : event.withdrawn().amount();
}

CommandKind EventKind(const bank::v1::Event& event) {
  return event.has_withdrawn() ? CommandKind::kWithdraw : CommandKind::kDeposit;
}

}  // namespace bank::command
