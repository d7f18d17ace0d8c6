#include "tools/bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bank::bench {
namespace {

constexpr int kSubBits = 6;                  // 64 buckets per power of two
constexpr uint64_t kSub = 1ull << kSubBits;  // 64
constexpr uint64_t kExact = 2 * kSub;        // values below 128 are exact
// Values of 2^k for k in [7, 63] each take 64 buckets after the exact ones.
constexpr int kBuckets = static_cast<int>(kExact) + (64 - (kSubBits + 1)) * static_cast<int>(kSub);

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

int LatencyHistogram::BucketIndex(uint64_t value) {
  if (value < kExact) return static_cast<int>(value);
  // shift >= 1 and value >> shift lies in [64, 128): its top 7 bits.
  const int shift = std::bit_width(value) - (kSubBits + 1);
  const uint64_t top = value >> shift;
  return static_cast<int>(kExact + (shift - 1) * kSub + (top - kSub));
}

uint64_t LatencyHistogram::BucketUpperBound(int index) {
  const uint64_t i = static_cast<uint64_t>(index);
  if (i < kExact) return i;
  const uint64_t shift = (i - kExact) / kSub + 1;
  const uint64_t top = (i - kExact) % kSub + kSub;
  // The last bucket's bound is 2^64 - 1; computing it must not overflow.
  return top == 2 * kSub - 1 && shift == 64 - (kSubBits + 1) ? UINT64_MAX
                                                             : ((top + 1) << shift) - 1;
}

void LatencyHistogram::Record(uint64_t value) {
  ++counts_[BucketIndex(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += value;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

uint64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(BucketUpperBound(static_cast<int>(i)), min_, max_);
  }
  return max_;
}

}  // namespace bank::bench
