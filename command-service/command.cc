#include "command-service/command.h"

#include "absl/strings/str_cat.h"
#include "common/ids.h"

namespace bank::command {

absl::string_view CommandName(CommandKind kind) {
  switch (kind) {
    case CommandKind::kDeposit:
      return "deposit";
    case CommandKind::kWithdraw:
      return "withdrawal";
    case CommandKind::kTransfer:
      return "transfer";
  }
  return "command";
}

absl::Status ValidateCommand(const Command& command) {
  if (command.amount <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(CommandName(command.kind), " amount must be a positive number of cents, got ",
                     command.amount));
  }
  const bool transfer = command.kind == CommandKind::kTransfer;
  if (absl::Status account =
          ValidateAccountId(command.account_id, transfer ? "from_account_id" : "account_id");
      !account.ok()) {
    return account;
  }
  if (transfer) {
    if (absl::Status to = ValidateAccountId(command.to_account_id, "to_account_id"); !to.ok()) {
      return to;
    }
    if (command.to_account_id == command.account_id) {
      return absl::InvalidArgumentError(
          absl::StrCat("a transfer needs two different accounts; both are ", command.account_id));
    }
  }
  return ValidateOptionalCommandId(command.command_id);
}

}  // namespace bank::command
