#ifndef BANK_QUERY_SERVICE_STREAM_WATCHDOG_H_
#define BANK_QUERY_SERVICE_STREAM_WATCHDOG_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace bank::query {

struct StreamWatchdogOptions {
  // The command service sends a heartbeat after every quiet second, so a
  // stream with no message for this long is dead even if its connection is
  // not (a hung peer still answers TCP and HTTP/2 pings).
  absl::Duration silence_timeout = absl::Seconds(10);
  // Behind the source's head with nothing applied for this long: the
  // projection is stuck, whatever the reason. Far above the time one large
  // catch-up batch takes to commit.
  absl::Duration stall_timeout = absl::Seconds(30);
};

// The second line of defence behind the subscriber's own checks: decides when
// a live subscription has stopped doing its job, so that it is dropped and
// the subscriber's one recovery path (flush, back off, resubscribe from the
// checkpoint) runs. The first line is immediate: a gap, a repeat or a failed
// apply ends the stream where it is seen.
//
// Pure: callers pass the time, so tests need no clock and no sleep. Not
// thread-safe; the subscriber calls it under its own mutex.
class StreamWatchdog {
 public:
  explicit StreamWatchdog(StreamWatchdogOptions options) : options_(options) {}

  // A stream started at `now`, with the projection at `applied`.
  void Arm(absl::Time now, uint64_t applied);
  // A message (events or a heartbeat) arrived at `now`, reporting `head`.
  void OnMessage(absl::Time now, uint64_t head);
  // OK while the stream is doing its job; otherwise why it should be dropped
  // (UNAVAILABLE: silent; DEADLINE_EXCEEDED: behind the head this stream
  // reported, without progress). `applied` is the projection's position.
  absl::Status Check(absl::Time now, uint64_t applied);

  // How often Check() should run to notice either condition in good time.
  absl::Duration tick() const;

 private:
  const StreamWatchdogOptions options_;
  absl::Time last_message_;
  uint64_t head_ = 0;
  // The applied position last seen to move (or to be level with the head),
  // and when: the start of the stall clock.
  uint64_t progress_position_ = 0;
  absl::Time progress_at_;
};

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_STREAM_WATCHDOG_H_
