#ifndef BANK_TOOLS_BANKCTL_COMMAND_LINE_H_
#define BANK_TOOLS_BANKCTL_COMMAND_LINE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace bank::bankctl {

// The subcommands of bankctl.
enum class Verb { kDeposit, kWithdraw, kTransfer, kBalance, kAccounts, kHistory, kWatch, kHealth };

// Which services `health` checks.
enum class HealthTarget { kBoth, kCommand, kQuery };

// One parsed subcommand with its positional arguments. Flags are not here:
// they are Abseil flags, read in main.cc.
struct Invocation {
  Verb verb = Verb::kHealth;
  std::string account_id;     // deposit, withdraw, balance, history; transfer's FROM
  std::string to_account_id;  // transfer's TO
  int64_t amount = 0;         // deposit, withdraw, transfer
  HealthTarget health_target = HealthTarget::kBoth;
};

// Parses `args`: the subcommand name followed by its arguments (everything
// after the flags). Pure. Returns INVALID_ARGUMENT with a one-line reason on
// an unknown subcommand, a wrong number of arguments or an AMOUNT that is not
// a decimal int64. AMOUNT's sign is not checked here: the server answers
// INVALID_ARGUMENT for amounts <= 0, and bankctl reports that like any refusal.
// ACCOUNT is not checked either: the server owns the rule.
absl::StatusOr<Invocation> ParseInvocation(absl::Span<const std::string> args);

}  // namespace bank::bankctl

#endif  // BANK_TOOLS_BANKCTL_COMMAND_LINE_H_
