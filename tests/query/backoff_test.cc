#include "query-service/backoff.h"

#include <gtest/gtest.h>

namespace bank::query {
namespace {

TEST(BackoffTest, GrowsExponentiallyWithJitterUpToTheCap) {
  Backoff backoff(
      {.initial = absl::Milliseconds(100), .max = absl::Milliseconds(800), .multiplier = 2.0});
  const int64_t ceilings[] = {100, 200, 400, 800, 800, 800};
  for (int64_t ceiling : ceilings) {
    const absl::Duration delay = backoff.Next();
    EXPECT_GE(delay, absl::Milliseconds(ceiling) / 2);
    EXPECT_LE(delay, absl::Milliseconds(ceiling));
  }
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff(
      {.initial = absl::Milliseconds(100), .max = absl::Seconds(10), .multiplier = 2.0});
  for (int i = 0; i < 5; ++i) backoff.Next();
  backoff.Reset();
  EXPECT_LE(backoff.Next(), absl::Milliseconds(100));
}

TEST(BackoffTest, JitterSpreadsDelays) {
  Backoff a({});
  bool differ = false;
  for (int i = 0; i < 20 && !differ; ++i) {
    Backoff b({});
    differ = a.Next() != b.Next();
    a.Reset();
  }
  EXPECT_TRUE(differ);
}

}  // namespace
}  // namespace bank::query
