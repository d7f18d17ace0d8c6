#ifndef BANK_TESTS_COMMAND_HANDLER_TEST_UTIL_H_
#define BANK_TESTS_COMMAND_HANDLER_TEST_UTIL_H_

#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "bank/v1/command_service.pb.h"
#include "command-service/command.h"
#include "command-service/command_handler.h"

namespace bank::testing {

// Runs `command` on `handler` and blocks until it is answered. The callback
// may run on this thread or on another caller's (CommandHandler::Execute),
// so the reply comes back through a promise. Tests that must issue commands
// without waiting (to queue them behind a held commit) call Execute
// themselves.
inline absl::StatusOr<bank::v1::CommandReply> ExecuteAndWait(command::CommandHandler& handler,
                                                             command::Command command) {
  std::promise<absl::StatusOr<bank::v1::CommandReply>> done;
  handler.Execute(std::move(command), [&done](absl::StatusOr<bank::v1::CommandReply> reply) {
    done.set_value(std::move(reply));
  });
  return done.get_future().get();
}

// ExecuteAndWait for a transfer (CommandHandler::ExecuteTransfer).
inline absl::StatusOr<bank::v1::TransferReply> TransferAndWait(command::CommandHandler& handler,
                                                               command::Command command) {
  std::promise<absl::StatusOr<bank::v1::TransferReply>> done;
  handler.ExecuteTransfer(
      std::move(command),
      [&done](absl::StatusOr<bank::v1::TransferReply> reply) { done.set_value(std::move(reply)); });
  return done.get_future().get();
}

// A transfer of `amount` from `from` to `to`, with no expected version and no
// principal; a test that needs them sets them on the result.
inline command::Command TransferCommand(const std::string& from, const std::string& to,
                                        int64_t amount, const std::string& command_id = "") {
  return command::Command{.kind = command::CommandKind::kTransfer,
                          .account_id = from,
                          .amount = amount,
                          .command_id = command_id,
                          .expected_version = std::nullopt,
                          .principal = "",
                          .to_account_id = to};
}

}  // namespace bank::testing

#endif  // BANK_TESTS_COMMAND_HANDLER_TEST_UTIL_H_
