#include "query-service/stream_watchdog.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace bank::query {

void StreamWatchdog::Arm(absl::Time now, uint64_t applied) {
  last_message_ = now;
  head_ = applied;
  progress_position_ = applied;
  progress_at_ = now;
}

void StreamWatchdog::OnMessage(absl::Time now, uint64_t head) {
  last_message_ = now;
  head_ = head;
}

absl::Status StreamWatchdog::Check(absl::Time now, uint64_t applied) {
  // Caught up is not stalled: nothing to apply is the job done.
  if (applied != progress_position_ || applied >= head_) {
    progress_position_ = applied;
    progress_at_ = now;
  }
  if (now - last_message_ >= options_.silence_timeout) {
    return absl::UnavailableError(absl::StrCat("no message from the command service for ",
                                               absl::FormatDuration(now - last_message_),
                                               " (a heartbeat is due after every quiet second)"));
  }
  if (now - progress_at_ >= options_.stall_timeout) {
    return absl::DeadlineExceededError(
        absl::StrCat("nothing applied for ", absl::FormatDuration(now - progress_at_),
                     " while behind the stream's head (applied ", applied, ", head ", head_, ")"));
  }
  return absl::OkStatus();
}

absl::Duration StreamWatchdog::tick() const {
  return std::min({absl::Seconds(1), options_.silence_timeout / 4, options_.stall_timeout / 4});
}

}  // namespace bank::query
