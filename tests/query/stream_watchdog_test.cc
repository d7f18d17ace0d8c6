#include "query-service/stream_watchdog.h"

#include <gtest/gtest.h>

namespace bank::query {
namespace {

constexpr StreamWatchdogOptions kOptions = {.silence_timeout = absl::Seconds(10),
                                            .stall_timeout = absl::Seconds(30)};
const absl::Time kStart = absl::FromUnixSeconds(1000000);

absl::Time At(int seconds) { return kStart + absl::Seconds(seconds); }

TEST(StreamWatchdogTest, HeartbeatsKeepACaughtUpStreamAliveForever) {
  StreamWatchdog watchdog(kOptions);
  watchdog.Arm(kStart, 7);
  for (int second = 1; second <= 120; ++second) {
    watchdog.OnMessage(At(second), 7);
    EXPECT_TRUE(watchdog.Check(At(second), 7).ok()) << second;
  }
}

TEST(StreamWatchdogTest, NoMessageForTheSilenceTimeoutIsUnavailable) {
  StreamWatchdog watchdog(kOptions);
  watchdog.Arm(kStart, 0);
  watchdog.OnMessage(At(1), 0);
  EXPECT_TRUE(watchdog.Check(At(10), 0).ok());
  EXPECT_EQ(watchdog.Check(At(11), 0).code(), absl::StatusCode::kUnavailable);
}

TEST(StreamWatchdogTest, BehindTheHeadWithoutProgressIsDeadlineExceeded) {
  StreamWatchdog watchdog(kOptions);
  watchdog.Arm(kStart, 5);
  for (int second = 1; second < 30; ++second) {
    watchdog.OnMessage(At(second), 9);
    EXPECT_TRUE(watchdog.Check(At(second), 5).ok()) << second;
  }
  watchdog.OnMessage(At(30), 9);
  const absl::Status stalled = watchdog.Check(At(30), 5);
  EXPECT_EQ(stalled.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(stalled.message(),
            "nothing applied for 30s while behind the stream's head (applied 5, head 9)");
}

TEST(StreamWatchdogTest, ProgressRestartsTheStallClock) {
  StreamWatchdog watchdog(kOptions);
  watchdog.Arm(kStart, 0);
  for (int second = 1; second <= 100; ++second) {
    watchdog.OnMessage(At(second), 1000);
    // One event applied every 20 s: slow, but moving.
    EXPECT_TRUE(watchdog.Check(At(second), static_cast<uint64_t>(second / 20)).ok()) << second;
  }
}

TEST(StreamWatchdogTest, TheStallClockStartsWhenTheStreamFallsBehind) {
  StreamWatchdog watchdog(kOptions);
  watchdog.Arm(kStart, 3);
  for (int second = 1; second <= 40; ++second) {
    watchdog.OnMessage(At(second), 3);
    EXPECT_TRUE(watchdog.Check(At(second), 3).ok()) << second;
  }
  for (int second = 41; second < 70; ++second) {
    watchdog.OnMessage(At(second), 4);
    EXPECT_TRUE(watchdog.Check(At(second), 3).ok()) << second;
  }
  watchdog.OnMessage(At(70), 4);
  EXPECT_EQ(watchdog.Check(At(70), 3).code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(StreamWatchdogTest, TickNoticesEitherConditionInGoodTime) {
  EXPECT_EQ(StreamWatchdog(kOptions).tick(), absl::Seconds(1));
  EXPECT_EQ(StreamWatchdog(
                {.silence_timeout = absl::Milliseconds(200), .stall_timeout = absl::Seconds(30)})
                .tick(),
            absl::Milliseconds(50));
}

}  // namespace
}  // namespace bank::query
