#include "tools/bench/latency_histogram.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace bank::bench {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(0.5), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(0.50), 50u);
  EXPECT_EQ(h.Percentile(0.99), 99u);
  EXPECT_EQ(h.Percentile(1.0), 100u);
  EXPECT_EQ(h.Percentile(0.0), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogramTest, RankIsCeilingOfQuantileTimesCount) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 10; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(0.11), 2u);  // rank ceil(1.1) = 2
  EXPECT_EQ(h.Percentile(0.10), 1u);
  EXPECT_EQ(h.Percentile(0.999), 10u);
}

TEST(LatencyHistogramTest, LargeValuesWithinOneSixtyFourth) {
  for (uint64_t v :
       {128ull, 129ull, 1000ull, 123456ull, 987654321ull, 1ull << 40, (1ull << 40) + 12345}) {
    LatencyHistogram h;
    h.Record(v);
    h.Record(v * 2);  // so the clamp to max does not hide the bucket bound
    const uint64_t p = h.Percentile(0.5);
    EXPECT_GE(p, v) << v;
    EXPECT_LE(static_cast<double>(p - v), static_cast<double>(v) / 64) << v;
  }
}

TEST(LatencyHistogramTest, BucketsAreContiguousAndMonotonic) {
  int previous = -1;
  for (uint64_t v = 0; v < 100000; ++v) {
    const int index = LatencyHistogram::BucketIndex(v);
    ASSERT_TRUE(index == previous || index == previous + 1) << v;
    ASSERT_GE(LatencyHistogram::BucketUpperBound(index), v) << v;
    if (index != previous && v > 0) {
      ASSERT_EQ(LatencyHistogram::BucketUpperBound(previous), v - 1) << v;
    }
    previous = index;
  }
}

TEST(LatencyHistogramTest, ExtremeValueHasTheLastBucket) {
  const int last = LatencyHistogram::BucketIndex(UINT64_MAX);
  EXPECT_EQ(LatencyHistogram::BucketUpperBound(last), UINT64_MAX);
  LatencyHistogram h;
  h.Record(UINT64_MAX);
  EXPECT_EQ(h.Percentile(0.5), UINT64_MAX);
}

TEST(LatencyHistogramTest, PercentileIsClampedToRecordedRange) {
  LatencyHistogram h;
  h.Record(1000);  // bucket [1000, 1007]
  EXPECT_EQ(h.Percentile(0.5), 1000u);
  EXPECT_EQ(h.Percentile(1.0), 1000u);
}

TEST(LatencyHistogramTest, MergeAddsCountsAndKeepsExtremes) {
  LatencyHistogram a, b;
  for (int i = 0; i < 90; ++i) a.Record(10);
  for (int i = 0; i < 10; ++i) b.Record(5000);
  b.Record(3);
  a.Merge(b);
  EXPECT_EQ(a.count(), 101u);
  EXPECT_EQ(a.min(), 3u);
  EXPECT_EQ(a.max(), 5000u);
  EXPECT_EQ(a.Percentile(0.5), 10u);
  EXPECT_EQ(a.Percentile(0.99), 5000u);
}

TEST(LatencyHistogramTest, RecordsDurationsInNanoseconds) {
  LatencyHistogram h;
  h.Record(absl::Microseconds(1));
  EXPECT_EQ(h.max(), 1000u);
  EXPECT_EQ(h.PercentileDuration(1.0), absl::Microseconds(1));
}

}  // namespace
}  // namespace bank::bench
