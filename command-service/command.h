#ifndef BANK_COMMAND_SERVICE_COMMAND_H_
#define BANK_COMMAND_SERVICE_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bank::command {

enum class CommandKind { kDeposit, kWithdraw, kTransfer };

// A request to change an account, as the domain sees it. A transfer moves
// money from `account_id` to `to_account_id`.
struct Command {
  CommandKind kind = CommandKind::kDeposit;
  std::string account_id;
  int64_t amount = 0;
  std::string command_id;                    // idempotency key; empty for none
  std::optional<uint64_t> expected_version;  // of account_id; 0 = no events yet
  std::string principal;                     // who issued it; empty without tokens
  std::string to_account_id;                 // a transfer's receiving account; else empty
};

absl::string_view CommandName(CommandKind kind);

// The checks that need no state, in the contract's order: a positive amount,
// then the account id (a transfer's two, and that they differ), then the
// command id. INVALID_ARGUMENT says which.
absl::Status ValidateCommand(const Command& command);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_COMMAND_H_
