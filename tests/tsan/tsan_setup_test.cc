// Built only with BANK_SANITIZE=thread. If Abseil's synchronization were not
// instrumented, TSan would report every access guarded by an absl::Mutex and
// the first two tests would halt; the third proves TSan still halts on a race.

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace bank {
namespace {

TEST(TsanSetupTest, CounterGuardedByAnAbslMutexIsNotReported) {
  absl::Mutex mu;
  int counter ABSL_GUARDED_BY(mu) = 0;
  auto work = [&] {
    for (int i = 0; i < 1000; ++i) {
      absl::MutexLock lock(&mu);
      ++counter;
    }
  };
  std::thread a(work);
  std::thread b(work);
  a.join();
  b.join();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(counter, 2000);
}

TEST(TsanSetupTest, WriteBeforeNotifyIsVisibleAfterTheWaitWithoutAReport) {
  absl::Notification written;
  int payload = 0;
  std::thread writer([&] {
    payload = 42;
    written.Notify();
  });
  written.WaitForNotification();
  EXPECT_EQ(payload, 42);
  writer.join();
}

// Two threads increment a plain int; neither waits for the other.
void RaceOnAPlainCounter() {
  int counter = 0;
  auto work = [&counter] {
    for (int i = 0; i < 1000; ++i) ++counter;
  };
  std::thread a(work);
  std::thread b(work);
  a.join();
  b.join();
  // With halt_on_error=0 TSan turns this exit status into its own (66).
  std::exit(counter > 0 ? 0 : 1);
}

TEST(TsanSetupTest, UnguardedCounterIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(RaceOnAPlainCounter(), ::testing::ExitedWithCode(66),
              "WARNING: ThreadSanitizer: data race");
}

}  // namespace
}  // namespace bank
