// libFuzzer target: ValidateCommand against the contract's id rules and, for a
// valid command, Decide and Apply against any reachable account state.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <regex>
#include <string>

#include "absl/strings/match.h"
#include "command-service/account.h"
#include "command-service/command.h"
#include "common/balance_effect.h"
#include "common/ids.h"
#include "tests/fuzz/fuzz_check.h"

namespace bank::command {
namespace {

using ::bank::fuzz::Check;

// The contract's regexes, word for word: the reference the code must agree with.
bool MatchesAccountIdRule(const std::string& id) {
  static const std::regex rule("^[A-Za-z0-9._:-]{1,64}$");
  return std::regex_match(id, rule);
}
bool MatchesCommandIdRule(const std::string& id) {
  static const std::regex rule("^[A-Za-z0-9._:-]{1,128}$");
  return std::regex_match(id, rule);
}

// Ids are mostly drawn from the alphabet, so that long valid ones are common.
std::string ConsumeId(FuzzedDataProvider& input) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
  if (input.ConsumeBool()) return input.ConsumeRandomLengthString(160);
  std::string id(input.ConsumeIntegralInRange<size_t>(0, 140), 'a');
  for (char& c : id) c = kAlphabet[input.ConsumeIntegralInRange<size_t>(0, sizeof(kAlphabet) - 2)];
  if (!id.empty() && input.ConsumeBool()) {
    id[input.ConsumeIntegralInRange<size_t>(0, id.size() - 1)] = input.ConsumeIntegral<char>();
  }
  return id;
}

void CheckDecide(const AccountState& state, const Command& command) {
  absl::StatusOr<bank::v1::Event> event = Decide(state, command);
  const __int128 after = command.kind == CommandKind::kDeposit
                             ? __int128{state.balance} + command.amount
                             : __int128{state.balance} - command.amount;
  if (command.expected_version.has_value() && *command.expected_version != state.version) {
    Check(event.status().code() == absl::StatusCode::kAborted, "wrong version is ABORTED");
    return;
  }
  if (after < 0) {
    Check(event.status().code() == absl::StatusCode::kFailedPrecondition,
          "an overdraft is FAILED_PRECONDITION");
    return;
  }
  if (after > std::numeric_limits<int64_t>::max()) {
    Check(event.status().code() == absl::StatusCode::kOutOfRange, "an overflow is OUT_OF_RANGE");
    return;
  }
  Check(event.ok(), "every other valid command is decided");
  Check(event->account_id() == command.account_id && event->command_id() == command.command_id &&
            event->version() == state.version + 1,
        "the event names the account, the command and the next version");
  Check(EventKind(*event) == command.kind && AmountMoved(*event) == command.amount,
        "the event carries the command's kind and amount");
  const AccountState next = Apply(state, *event);
  Check(next.balance >= 0 && next.balance == after, "the balance after is exact and not negative");
  Check(next.version == state.version + 1, "the version goes up by one");
}

}  // namespace
}  // namespace bank::command

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bank::command;
  FuzzedDataProvider input(data, size);
  Command command;
  command.kind = input.ConsumeBool() ? CommandKind::kDeposit : CommandKind::kWithdraw;
  command.account_id = ConsumeId(input);
  command.command_id = input.ConsumeBool() ? "" : ConsumeId(input);
  switch (input.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      command.amount = input.ConsumeIntegral<int64_t>();
      break;
    case 1:
      command.amount = std::numeric_limits<int64_t>::max() - input.ConsumeIntegral<uint8_t>();
      break;
    default:
      command.amount = input.ConsumeIntegralInRange<int64_t>(-2, 100000);
  }
  // A reachable state: the balance is never negative, and the version counts
  // events, each with its own 64-bit position, so version + 1 never wraps.
  AccountState state;
  state.balance = input.ConsumeBool() ? input.ConsumeIntegralInRange<int64_t>(0, 100000)
                                      : input.ConsumeIntegralInRange<int64_t>(
                                            0, std::numeric_limits<int64_t>::max());
  state.version =
      input.ConsumeIntegralInRange<uint64_t>(0, std::numeric_limits<uint64_t>::max() - 1);
  if (input.ConsumeBool()) {
    command.expected_version =
        input.ConsumeBool() ? state.version : input.ConsumeIntegral<uint64_t>();
  }

  const bool account_ok = MatchesAccountIdRule(command.account_id);
  const bool command_id_ok = command.command_id.empty() || MatchesCommandIdRule(command.command_id);
  Check(bank::IsValidAccountId(command.account_id) == account_ok, "account id rule agrees");
  Check(bank::IsValidCommandId(command.command_id) == MatchesCommandIdRule(command.command_id),
        "command id rule agrees");

  const absl::Status valid = ValidateCommand(command);
  if (command.amount <= 0) {
    Check(absl::IsInvalidArgument(valid) && absl::StrContains(valid.message(), "amount"),
          "a non-positive amount is refused first");
  } else if (!account_ok) {
    Check(absl::IsInvalidArgument(valid) && absl::StartsWith(valid.message(), "account_id"),
          "then a bad account id");
  } else if (!command_id_ok) {
    Check(absl::IsInvalidArgument(valid) && absl::StartsWith(valid.message(), "command_id"),
          "then a bad command id");
  } else {
    Check(valid.ok(), "everything else is valid");
    CheckDecide(state, command);
  }
  return 0;
}
