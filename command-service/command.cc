#include "command-service/command.h"

#include "absl/strings/str_cat.h"
#include "common/ids.h"

namespace bank::command {

absl::string_view CommandName(CommandKind kind) {
  return kind == CommandKind::kDeposit ? "deposit" : "withdrawal";
}

absl::Status ValidateCommand(const Command& command) {
  if (command.amount <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(CommandName(command.kind), " amount must be a positive number of cents, got ",
                     command.amount));
  }
  if (absl::Status account = ValidateAccountId(command.account_id); !account.ok()) return account;
  return ValidateOptionalCommandId(command.command_id);
}

}  // namespace bank::command
