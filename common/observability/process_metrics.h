#ifndef BANK_COMMON_OBSERVABILITY_PROCESS_METRICS_H_
#define BANK_COMMON_OBSERVABILITY_PROCESS_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace bank::metrics {

// The standard process metrics every Prometheus client exports and
// prometheus-cpp does not: process_resident_memory_bytes,
// process_cpu_seconds_total and process_start_time_seconds, read from
// /proc/self at each scrape (Linux only). A metric that cannot be read is
// left out of that scrape.
class ProcessMetrics final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace bank::metrics

#endif  // BANK_COMMON_OBSERVABILITY_PROCESS_METRICS_H_
