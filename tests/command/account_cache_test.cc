#include "command-service/account_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace bank::command {
namespace {

TEST(AccountCacheTest, HoldsWhatWasPutUntilForgotten) {
  AccountCache cache(10);
  EXPECT_FALSE(cache.Find("a").has_value());
  cache.Put("a", {.balance = 5, .version = 1});
  ASSERT_TRUE(cache.Find("a").has_value());
  EXPECT_EQ(cache.Find("a")->balance, 5);
  cache.Put("a", {.balance = 7, .version = 2});
  EXPECT_EQ(cache.Find("a")->version, 2u);
  cache.Forget("a");
  EXPECT_FALSE(cache.Find("a").has_value());
}

TEST(AccountCacheTest, NeverHoldsMoreThanItsCapacity) {
  AccountCache cache(100);
  for (int i = 0; i < 10'000; ++i) {
    cache.Put("acc" + std::to_string(i), {.balance = i, .version = 1});
    ASSERT_LE(cache.size(), 100u);
  }
  // The newest are there.
  EXPECT_EQ(cache.Find("acc9999")->balance, 9999);
}

TEST(AccountCacheTest, AnAccountUsedEveryGenerationSurvivesAScan) {
  AccountCache cache(100);
  cache.Put("hot", {.balance = 1, .version = 1});
  for (int i = 0; i < 10'000; ++i) {
    cache.Put("cold" + std::to_string(i), {});
    if (i % 25 == 0) {
      ASSERT_TRUE(cache.Find("hot").has_value()) << i;
    }
  }
}

}  // namespace
}  // namespace bank::command
