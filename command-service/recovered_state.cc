#include "command-service/recovered_state.h"

#include <utility>

namespace bank::command {

absl::StatusOr<RecoveredState> RecoverState(log::EventLogOptions options,
                                            uint64_t command_retention,
                                            const ReplayObserver& observe) {
  AccountBook book(command_retention);
  absl::StatusOr<std::unique_ptr<log::EventLog>> event_log =
      log::EventLog::Open(std::move(options), [&](const bank::v1::Event& event) {
        absl::Status replayed = book.Replay(event);
        if (replayed.ok() && observe) observe(event);
        return replayed;
      });
  if (!event_log.ok()) return event_log.status();
  if (absl::Status indexed =
          book.FinishReplay([&](uint64_t position) { return ReadEventAt(**event_log, position); });
      !indexed.ok()) {
    return indexed;
  }
  return RecoveredState{std::move(*event_log), std::move(book)};
}

}  // namespace bank::command
