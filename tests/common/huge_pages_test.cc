// Huge-page advice is only advice: whatever the kernel does with it, memory
// behaves as memory.

#include "common/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace bank {
namespace {

TEST(HugePagesTest, AdviceOnRangesWithoutAWholeHugePageIsHarmless) {
  std::vector<char> small(100, 'x');
  AdviseHugePages(small.data(), small.size());
  AdviseHugePages(small.data() + 1, 0);
  EXPECT_EQ(small[99], 'x');
}

TEST(HugePagesTest, AVectorOnTheAllocatorKeepsItsValuesAsItGrowsPastTheAdviceSize) {
  std::vector<uint64_t, HugePageAllocator<uint64_t>> values;
  const size_t count = 2 * kHugePageAdviceBytes / sizeof(uint64_t);
  for (uint64_t i = 0; i < count; ++i) values.push_back(i * 7);
  for (uint64_t i = 0; i < count; i += 4099) ASSERT_EQ(values[i], i * 7);
}

TEST(HugePagesTest, ReservingOnHugePagesLeavesTheVectorEmptyWithTheRoom) {
  std::vector<uint64_t> values;
  ReserveOnHugePages(values, 1 << 20);
  EXPECT_TRUE(values.empty());
  EXPECT_GE(values.capacity(), 1u << 20);
  values.assign(1 << 20, 3);
  EXPECT_EQ(values.back(), 3u);
}

}  // namespace
}  // namespace bank
