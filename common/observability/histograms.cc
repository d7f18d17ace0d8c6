#include "common/observability/histograms.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace bank::metrics {

AtomicHistogram::AtomicHistogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void AtomicHistogram::Observe(double value) {
  // The first bucket whose bound is at or above the value: Prometheus'
  // buckets are "less than or equal".
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

prometheus::ClientMetric::Histogram AtomicHistogram::Snapshot() const {
  prometheus::ClientMetric::Histogram snapshot;
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    snapshot.bucket.push_back(
        {.cumulative_count = cumulative,
         .upper_bound = i < bounds_.size() ? bounds_[i] : std::numeric_limits<double>::infinity()});
  }
  snapshot.sample_count = cumulative;
  snapshot.sample_sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

AtomicHistogram& Histograms::Add(const std::string& name, const std::string& help,
                                 const prometheus::Labels& labels,
                                 const std::vector<double>& bounds) {
  absl::MutexLock lock(&mu_);
  entries_.push_back({name, help, labels, std::make_unique<AtomicHistogram>(bounds)});
  return *entries_.back().histogram;
}

std::vector<prometheus::MetricFamily> Histograms::Collect() const {
  absl::MutexLock lock(&mu_);
  std::vector<prometheus::MetricFamily> families;
  for (const Entry& entry : entries_) {
    auto family = std::find_if(families.begin(), families.end(),
                               [&entry](const auto& family) { return family.name == entry.name; });
    if (family == families.end()) {
      family = families.insert(families.end(), {.name = entry.name,
                                                .help = entry.help,
                                                .type = prometheus::MetricType::Histogram,
                                                .metric = {}});
    }
    prometheus::ClientMetric sample;
    for (const auto& [label, value] : entry.labels) sample.label.push_back({label, value});
    sample.histogram = entry.histogram->Snapshot();
    family->metric.push_back(std::move(sample));
  }
  return families;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> bounds;
  for (double bound = start; count-- > 0; bound *= factor) bounds.push_back(bound);
  return bounds;
}

}  // namespace bank::metrics
