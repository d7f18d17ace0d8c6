#include "tools/bankctl/command_line.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace bank::bankctl {
namespace {

struct VerbSpec {
  const char* name;
  Verb verb;
  const char* arguments;  // as shown in error messages
  size_t min_args;
  size_t max_args;
};

constexpr VerbSpec kVerbs[] = {
    {"deposit", Verb::kDeposit, "ACCOUNT AMOUNT", 2, 2},
    {"withdraw", Verb::kWithdraw, "ACCOUNT AMOUNT", 2, 2},
    {"transfer", Verb::kTransfer, "FROM TO AMOUNT", 3, 3},
    {"balance", Verb::kBalance, "ACCOUNT", 1, 1},
    {"accounts", Verb::kAccounts, "", 0, 0},
    {"history", Verb::kHistory, "ACCOUNT", 1, 1},
    {"watch", Verb::kWatch, "", 0, 0},
    {"health", Verb::kHealth, "[command|query]", 0, 1},
};

absl::StatusOr<int64_t> ParseAmount(const std::string& text) {
  int64_t amount = 0;
  // SimpleAtoi accepts surrounding whitespace; an amount is digits only.
  const bool trimmed =
      !text.empty() && !absl::ascii_isspace(text.front()) && !absl::ascii_isspace(text.back());
  if (!trimmed || !absl::SimpleAtoi(text, &amount)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "AMOUNT must be an integer number of minor units (cents), got \"", text, "\""));
  }
  return amount;
}

absl::StatusOr<HealthTarget> ParseHealthTarget(const std::string& text) {
  if (text == "command") return HealthTarget::kCommand;
  if (text == "query") return HealthTarget::kQuery;
  return absl::InvalidArgumentError(
      absl::StrCat("health takes command, query or nothing, got \"", text, "\""));
}

}  // namespace

absl::StatusOr<Invocation> ParseInvocation(absl::Span<const std::string> args) {
  if (args.empty()) return absl::InvalidArgumentError("no subcommand given");
  const VerbSpec* spec = nullptr;
  for (const VerbSpec& candidate : kVerbs) {
    if (args[0] == candidate.name) spec = &candidate;
  }
  if (spec == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown subcommand \"", args[0], "\""));
  }
  const absl::Span<const std::string> operands = args.subspan(1);
  if (operands.size() < spec->min_args || operands.size() > spec->max_args) {
    std::string shown = absl::StrJoin(operands, " ");
    return absl::InvalidArgumentError(
        absl::StrCat("usage: ", spec->name, spec->arguments[0] != '\0' ? " " : "", spec->arguments,
                     " (got ", operands.size(), " argument", operands.size() == 1 ? "" : "s",
                     shown.empty() ? "" : ": ", shown, "; flags go before the subcommand)"));
  }

  Invocation invocation;
  invocation.verb = spec->verb;
  switch (spec->verb) {
    case Verb::kDeposit:
    case Verb::kWithdraw: {
      absl::StatusOr<int64_t> amount = ParseAmount(operands[1]);
      if (!amount.ok()) return amount.status();
      invocation.amount = *amount;
      invocation.account_id = operands[0];
      break;
    }
    case Verb::kTransfer: {
      absl::StatusOr<int64_t> amount = ParseAmount(operands[2]);
      if (!amount.ok()) return amount.status();
      invocation.amount = *amount;
      invocation.account_id = operands[0];
      invocation.to_account_id = operands[1];
      break;
    }
    case Verb::kBalance:
    case Verb::kHistory:
      invocation.account_id = operands[0];
      break;
    case Verb::kHealth:
      if (!operands.empty()) {
        absl::StatusOr<HealthTarget> target = ParseHealthTarget(operands[0]);
        if (!target.ok()) return target.status();
        invocation.health_target = *target;
      }
      break;
    case Verb::kAccounts:
    case Verb::kWatch:
      break;
  }
  return invocation;
}

}  // namespace bank::bankctl
