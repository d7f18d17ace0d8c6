#ifndef BANK_COMMAND_SERVICE_COMMAND_H_
#define BANK_COMMAND_SERVICE_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bank::command {

enum class CommandKind { kDeposit, kWithdraw };

// A request to change one account, as the domain sees it.
struct Command {
  CommandKind kind = CommandKind::kDeposit;
  std::string account_id;
  int64_t amount = 0;
  std::string command_id;                    // idempotency key; empty for none
  std::optional<uint64_t> expected_version;  // 0 = the account has no events yet
  std::string principal;                     // who issued it; empty without tokens
};

absl::string_view CommandName(CommandKind kind);

// The checks that need no state, in the contract's order: a positive amount,
// then the account id, then the command id. INVALID_ARGUMENT says which.
absl::Status ValidateCommand(const Command& command);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_H_
