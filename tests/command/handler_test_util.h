#ifndef BANK_TESTS_COMMAND_HANDLER_TEST_UTIL_H_
#define BANK_TESTS_COMMAND_HANDLER_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "bank/v1/command_service.pb.h"
#include "command-service/command.h"
#include "command-service/command_handler.h"
#include "command-service/recovered_state.h"
#include "command-service/store/file/event_log.h"
#include "tests/command/log_test_util.h"

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

// A command handler over a real event log in a fresh directory named after
// the test. Open() closes both and recovers them from the directory, as a
// restart does. The handler is destroyed before the log it writes to.
class HandlerOnLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    Open();
  }

  void Open() {
    handler_.reset();
    log_.reset();
    auto recovered = command::RecoverState({.dir = dir_});
    ASSERT_TRUE(recovered.ok()) << recovered.status();
    log_ = std::move(recovered->log);
    handler_ = std::make_unique<command::CommandHandler>(*log_, std::move(recovered->book));
  }

  // A deposit or withdrawal, answered.
  absl::StatusOr<bank::v1::CommandReply> Run(command::CommandKind kind, const std::string& account,
                                             int64_t amount, const std::string& command_id = "",
                                             std::optional<uint64_t> expected = std::nullopt) {
    return ExecuteAndWait(*handler_, command::Command{.kind = kind,
                                                      .account_id = account,
                                                      .amount = amount,
                                                      .command_id = command_id,
                                                      .expected_version = expected,
                                                      .principal = "",
                                                      .to_account_id = ""});
  }

  std::string dir_;
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<command::CommandHandler> handler_;
};

}  // namespace bank::testing

#endif  // BANK_TESTS_COMMAND_HANDLER_TEST_UTIL_H_
