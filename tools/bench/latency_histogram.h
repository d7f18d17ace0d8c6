#ifndef BANK_TOOLS_BENCH_LATENCY_HISTOGRAM_H_
#define BANK_TOOLS_BENCH_LATENCY_HISTOGRAM_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace bank::bench {

// A log-linear histogram of non-negative integers (the benchmark records
// nanoseconds). Values below 128 are kept exactly; above, each power of two is
// split into 64 buckets, so any reported percentile is within 1/64 (1.6%) of
// a recorded value. Count, min, max and sum are exact.
//
// Not thread-safe: the caller guards a shared instance, or keeps one per
// thread and Merge()s them.
class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(uint64_t value);
  void Record(absl::Duration latency) {
    Record(static_cast<uint64_t>(absl::ToInt64Nanoseconds(latency)));
  }
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }

  // The smallest bucket bound at or above which `q` (0..1) of the recorded
  // values lie: the highest value equivalent to the rank ceil(q * count),
  // clamped to [min, max]. 0 when empty.
  uint64_t Percentile(double q) const;
  absl::Duration PercentileDuration(double q) const { return absl::Nanoseconds(Percentile(q)); }

  // Bucket arithmetic, public for tests: index of `value`, and the largest
  // value that shares the bucket `index`.
  static int BucketIndex(uint64_t value);
  static uint64_t BucketUpperBound(int index);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  // Wraps after 584 years of summed nanoseconds; fine for a benchmark.
  uint64_t sum_ = 0;
};

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_LATENCY_HISTOGRAM_H_
