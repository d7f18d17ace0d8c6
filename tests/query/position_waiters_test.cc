#include "query-service/position_waiters.h"

#include <gtest/gtest.h>

#include <optional>

#include "absl/synchronization/notification.h"

namespace bank::query {
namespace {

// Records the one completion a waiter gets.
class Outcome {
 public:
  PositionWaiters::Callback Callback() {
    return [this](absl::Status status) {
      EXPECT_FALSE(done_.HasBeenNotified()) << "completed twice";
      status_ = status;
      done_.Notify();
    };
  }
  bool done() const { return done_.HasBeenNotified(); }
  absl::Status Await() {
    EXPECT_TRUE(done_.WaitForNotificationWithTimeout(absl::Seconds(10)));
    return status_;
  }

 private:
  absl::Notification done_;
  absl::Status status_;
};

TEST(PositionWaitersTest, CompletesWhenAdvancedToThePosition) {
  PositionWaiters waiters(5);
  Outcome outcome;
  waiters.Wait(waiters.Reserve(), 7, absl::InfiniteFuture(), outcome.Callback());
  waiters.Advance(6);
  EXPECT_FALSE(outcome.done());
  waiters.Advance(8);
  EXPECT_TRUE(outcome.done());
  EXPECT_TRUE(outcome.Await().ok());
  EXPECT_EQ(waiters.pending(), 0u);
}

TEST(PositionWaitersTest, CompletesAtOnceWhenAlreadyApplied) {
  PositionWaiters waiters(5);
  Outcome outcome;
  waiters.Wait(waiters.Reserve(), 5, absl::InfiniteFuture(), outcome.Callback());
  EXPECT_TRUE(outcome.done());
  EXPECT_TRUE(outcome.Await().ok());
}

TEST(PositionWaitersTest, DeadlineExceededWhenNotAppliedInTime) {
  PositionWaiters waiters(0);
  Outcome outcome;
  const absl::Time start = absl::Now();
  waiters.Wait(waiters.Reserve(), 1, start + absl::Milliseconds(50), outcome.Callback());
  EXPECT_EQ(outcome.Await().code(), absl::StatusCode::kDeadlineExceeded);
  // One clock on both sides: the waiters fire only once absl::Now() has
  // reached the deadline, so this bound cannot come out short.
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
  waiters.Advance(1);  // too late: no second completion
  EXPECT_EQ(waiters.pending(), 0u);
}

TEST(PositionWaitersTest, EarlierDeadlineRegisteredLaterStillFiresFirst) {
  PositionWaiters waiters(0);
  Outcome late, early;
  waiters.Wait(waiters.Reserve(), 1, absl::Now() + absl::Seconds(30), late.Callback());
  waiters.Wait(waiters.Reserve(), 1, absl::Now() + absl::Milliseconds(20), early.Callback());
  EXPECT_EQ(early.Await().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(late.done());
  waiters.Advance(1);
  EXPECT_TRUE(late.Await().ok());
}

TEST(PositionWaitersTest, CancelCompletesWithCancelledOnce) {
  PositionWaiters waiters(0);
  Outcome outcome;
  const uint64_t id = waiters.Reserve();
  waiters.Wait(id, 3, absl::InfiniteFuture(), outcome.Callback());
  waiters.Cancel(id);
  EXPECT_EQ(outcome.Await().code(), absl::StatusCode::kCancelled);
  waiters.Cancel(id);
  waiters.Advance(3);
  EXPECT_EQ(waiters.pending(), 0u);
}

TEST(PositionWaitersTest, CancelThatRacesAheadOfWaitStillTakesEffect) {
  PositionWaiters waiters(0);
  Outcome outcome;
  const uint64_t id = waiters.Reserve();
  waiters.Cancel(id);
  waiters.Wait(id, 3, absl::InfiniteFuture(), outcome.Callback());
  EXPECT_EQ(outcome.Await().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(waiters.pending(), 0u);
}

TEST(PositionWaitersTest, ShutdownFailsPendingAndLaterWaits) {
  PositionWaiters waiters(0);
  Outcome pending, later;
  waiters.Wait(waiters.Reserve(), 3, absl::InfiniteFuture(), pending.Callback());
  waiters.Shutdown();
  EXPECT_EQ(pending.Await().code(), absl::StatusCode::kUnavailable);
  waiters.Wait(waiters.Reserve(), 3, absl::InfiniteFuture(), later.Callback());
  EXPECT_EQ(later.Await().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace bank::query
