#ifndef BANK_COMMON_OBSERVABILITY_HISTOGRAMS_H_
#define BANK_COMMON_OBSERVABILITY_HISTOGRAMS_H_

#include <prometheus/collectable.h>
#include <prometheus/labels.h>
#include <prometheus/metric_family.h>

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace bank::metrics {

// One histogram whose Observe() takes no lock: an atomic count per bucket
// and an atomic sum. (prometheus-cpp 1.0's Histogram locks a mutex in each
// Observe, which a command path shared by every gRPC thread should not.) A
// scrape racing an Observe may count the sample in its bucket and not yet in
// the sum; every figure still only grows.
class AtomicHistogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending; +Inf is added.
  explicit AtomicHistogram(std::vector<double> bounds);

  void Observe(double value);

  // The cumulative buckets, count and sum, for the exposition.
  prometheus::ClientMetric::Histogram Snapshot() const;

 private:
  const std::vector<double> bounds_;
  // counts_[i]: samples in (bounds_[i - 1], bounds_[i]]; the last, above all.
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// The lock-free histograms of one service, by name and labels, served as
// Prometheus histogram families. Thread-safe: histograms may be added while
// a scrape reads them.
class Histograms final : public prometheus::Collectable {
 public:
  // A histogram `name`{`labels`} with `bounds`, living as long as this.
  // Histograms of one name must share its help and bounds.
  AtomicHistogram& Add(const std::string& name, const std::string& help,
                       const prometheus::Labels& labels, const std::vector<double>& bounds)
      ABSL_LOCKS_EXCLUDED(mu_);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Entry {
    std::string name;
    std::string help;
    prometheus::Labels labels;
    std::unique_ptr<AtomicHistogram> histogram;
  };
  mutable absl::Mutex mu_;
  std::deque<Entry> entries_ ABSL_GUARDED_BY(mu_);  // in the order added
};

// Bucket bounds start, start * factor, ... (count of them).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

}  // namespace bank::metrics

#endif  // BANK_COMMON_OBSERVABILITY_HISTOGRAMS_H_
