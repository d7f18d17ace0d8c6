#include "command-service/command.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace bank::command {
namespace {

constexpr size_t kMaxAccountIdLength = 64;
constexpr size_t kMaxCommandIdLength = 128;

// [A-Za-z0-9._:-]
bool IsIdCharacter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

bool IsValidId(absl::string_view id, size_t max_length) {
  return !id.empty() && id.size() <= max_length && std::all_of(id.begin(), id.end(), IsIdCharacter);
}

}  // namespace

absl::string_view CommandName(CommandKind kind) {
  return kind == CommandKind::kDeposit ? "deposit" : "withdrawal";
}

absl::Status ValidateCommand(const Command& command) {
  if (command.amount <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(CommandName(command.kind), " amount must be a positive number of cents, got ",
                     command.amount));
  }
  if (!IsValidId(command.account_id, kMaxAccountIdLength)) {
    return absl::InvalidArgumentError(
        "account_id must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'");
  }
  if (!command.command_id.empty() && !IsValidId(command.command_id, kMaxCommandIdLength)) {
    return absl::InvalidArgumentError(
        "command_id must be empty or 1 to 128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'");
  }
  return absl::OkStatus();
}

}  // namespace bank::command
