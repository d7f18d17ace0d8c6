#include "command-service/account.h"

#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/balance_effect.h"
#include "common/ids.h"

namespace bank::command {

namespace {

absl::Status CheckExpectedVersion(const AccountState& state, const Command& command) {
  if (command.expected_version.has_value() && *command.expected_version != state.version) {
    return absl::AbortedError(absl::StrCat(
        "account ", command.account_id, " is at version ", state.version, ", not the expected ",
        *command.expected_version, "; reload the account and decide again"));
  }
  return absl::OkStatus();
}

// Money leaving an account at `state`: never more than its balance.
absl::Status CheckOutflow(const AccountState& state, const Command& command) {
  if (command.amount > state.balance) {
    return absl::FailedPreconditionError(absl::StrCat("insufficient funds: balance ", state.balance,
                                                      ", ", CommandName(command.kind), " ",
                                                      command.amount));
  }
  return absl::OkStatus();
}

// Money arriving at `account_id` at `state`: never past INT64_MAX.
absl::Status CheckInflow(const AccountState& state, const Command& command,
                         absl::string_view account_id) {
  if (command.amount > std::numeric_limits<int64_t>::max() - state.balance) {
    return absl::OutOfRangeError(absl::StrCat(CommandName(command.kind), " of ", command.amount,
                                              " would take the balance of account ", account_id,
                                              " (", state.balance, ") past the largest amount, ",
                                              std::numeric_limits<int64_t>::max()));
  }
  return absl::OkStatus();
}

// The event `command` appends to `account_id` at `state`, with no body yet.
bank::v1::Event NextEvent(const AccountState& state, const std::string& account_id,
                          const Command& command) {
  bank::v1::Event event;
  event.set_account_id(account_id);
  event.set_version(state.version + 1);
  event.set_command_id(command.command_id);
  event.set_principal(command.principal);
  return event;
}

}  // namespace

absl::StatusOr<bank::v1::Event> Decide(const AccountState& state, const Command& command) {
  if (absl::Status version = CheckExpectedVersion(state, command); !version.ok()) return version;
  bank::v1::Event event = NextEvent(state, command.account_id, command);
  switch (command.kind) {
    case CommandKind::kWithdraw:
      if (absl::Status funds = CheckOutflow(state, command); !funds.ok()) return funds;
      event.mutable_withdrawn()->set_amount(command.amount);
      break;
    case CommandKind::kDeposit:
      if (absl::Status fits = CheckInflow(state, command, command.account_id); !fits.ok()) {
        return fits;
      }
      event.mutable_deposited()->set_amount(command.amount);
      break;
    case CommandKind::kTransfer:
      return absl::InternalError("a transfer is decided over its two accounts (DecideTransfer)");
  }
  return event;
}

absl::StatusOr<std::vector<bank::v1::Event>> DecideTransfer(const AccountState& from,
                                                            const AccountState& to,
                                                            const Command& command) {
  if (absl::Status version = CheckExpectedVersion(from, command); !version.ok()) return version;
  if (absl::Status funds = CheckOutflow(from, command); !funds.ok()) return funds;
  if (absl::Status fits = CheckInflow(to, command, command.to_account_id); !fits.ok()) return fits;
  std::vector<bank::v1::Event> legs;
  legs.push_back(NextEvent(from, command.account_id, command));
  bank::v1::TransferredOut* out = legs.back().mutable_transferred_out();
  out->set_amount(command.amount);
  out->set_to_account_id(command.to_account_id);
  legs.push_back(NextEvent(to, command.to_account_id, command));
  bank::v1::TransferredIn* in = legs.back().mutable_transferred_in();
  in->set_amount(command.amount);
  in->set_from_account_id(command.account_id);
  return legs;
}

AccountState Apply(AccountState state, const bank::v1::Event& event) {
  state.version = event.version();
  state.balance += BalanceChange(event);
  return state;
}

absl::Status CheckStoredIds(const bank::v1::Event& event) {
  // A checksum only proves the bytes are the ones written; ids that no
  // command could have carried must not reach the indexes.
  const bool transfer = event.has_transferred_out() || event.has_transferred_in();
  if (!IsValidAccountId(event.account_id()) ||
      (!event.command_id().empty() && !IsValidCommandId(event.command_id())) ||
      (transfer &&
       (!IsValidAccountId(CounterpartyOf(event)) || CounterpartyOf(event) == event.account_id()))) {
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

CommandKind EventKind(const bank::v1::Event& event) {
  switch (TransactionKindOf(event)) {
    case bank::v1::Transaction::WITHDRAWAL:
      return CommandKind::kWithdraw;
    case bank::v1::Transaction::TRANSFER_OUT:
    case bank::v1::Transaction::TRANSFER_IN:
      return CommandKind::kTransfer;
    default:
      return CommandKind::kDeposit;
  }
}

}  // namespace bank::command
