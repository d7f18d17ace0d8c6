#include "command-service/recovered_state.h"

#include <spdlog/spdlog.h>

#include <limits>
#include <optional>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "command-service/snapshot/snapshot_files.h"

namespace bank::command {

absl::StatusOr<RecoveredState> RecoverState(log::EventLogOptions options,
                                            uint64_t command_retention,
                                            const ReplayObserver& observe) {
  // Twice at most: a snapshot past the log's head is not this log's state,
  // and the second pass starts from one at or before the head.
  uint64_t newest_usable = std::numeric_limits<uint64_t>::max();
  for (;;) {
    const absl::Time load_start = absl::Now();
    std::optional<Snapshot> snapshot =
        LoadNewestSnapshot(options.dir, command_retention, newest_usable);
    const log::SnapshotCut cut = snapshot ? log::SnapshotCut{.position = snapshot->position,
                                                             .last_record = snapshot->last_record}
                                          : log::SnapshotCut{};
    const uint64_t start = cut.position;
    if (snapshot) {
      spdlog::info("snapshot at position {}: {} accounts and {} command ids loaded in {}", start,
                   snapshot->book.account_count(), snapshot->book.noted_command_count(),
                   absl::FormatDuration(absl::Now() - load_start));
    }
    AccountBook book = snapshot ? std::move(snapshot->book) : AccountBook(command_retention);
    absl::StatusOr<std::unique_ptr<log::EventLog>> event_log = log::EventLog::Open(
        options,
        [&](const bank::v1::Event& event) {
          absl::Status replayed = book.Replay(event);
          if (replayed.ok() && observe) observe(event);
          return replayed;
        },
        cut);
    if (!event_log.ok()) return event_log.status();
    if ((*event_log)->durable_head() < start) {
      newest_usable = (*event_log)->durable_head();
      continue;
    }
    if (absl::Status indexed = book.FinishReplay(
            [&](uint64_t position) { return ReadEventAt(**event_log, position); });
        !indexed.ok()) {
      return indexed;
    }
    return RecoveredState{std::move(*event_log), std::move(book), start};
  }
}

}  // namespace bank::command
