#ifndef BANK_COMMAND_SERVICE_RECOVERED_STATE_H_
#define BANK_COMMAND_SERVICE_RECOVERED_STATE_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "command-service/account_book.h"
#include "command-service/store/file/event_log.h"

namespace bank::command {

// The command side as start-up leaves it: the recovered log and the state
// rebuilt from it.
struct RecoveredState {
  std::unique_ptr<log::EventLog> log;
  AccountBook book;
  uint64_t snapshot_position = 0;  // of the snapshot it began from; 0 if none
};

// Sees each event as start-up replays it (tests and the fuzzer check what
// recovery found).
using ReplayObserver = std::function<void(const bank::v1::Event& event)>;

// Recovers the log in `options.dir` (see EventLog::Open) and rebuilds the
// state in an AccountBook that remembers the newest `command_retention`
// command ids: from the newest valid snapshot in the directory (see
// LoadNewestSnapshot; none, damaged or past the log's head, an older one or
// none is used) and the events after it, each shown to `observe` if set.
// DATA_LOSS, with nothing changed, when an event breaks the contract's rules.
absl::StatusOr<RecoveredState> RecoverState(log::EventLogOptions options,
                                            uint64_t command_retention = kMinCommandRetention,
                                            const ReplayObserver& observe = nullptr);

}  // namespace bank::command

#endif  // BANK_COMMAND_SERVICE_RECOVERED_STATE_H_
