#ifndef BANK_COMMON_OBSERVABILITY_SCRAPED_METRICS_H_
#define BANK_COMMON_OBSERVABILITY_SCRAPED_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <vector>

namespace bank::metrics {

// Metrics read at scrape time from state the service keeps anyway (a head
// position, a count of streams), so that the paths that change that state
// do nothing for metrics. Each value is a callback, called on the metrics
// server's thread: it must be thread-safe and quick. Add every metric before
// the metrics server starts; immutable after.
class ScrapedMetrics final : public prometheus::Collectable {
 public:
  using Read = std::function<double()>;

  void AddGauge(std::string name, std::string help, Read read);
  // `read` must never go down.
  void AddCounter(std::string name, std::string help, Read read);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Metric {
    std::string name;
    std::string help;
    prometheus::MetricType type;
    Read read;
  };
  std::vector<Metric> metrics_;
};

// A family of one unlabelled sample of `value`: a Gauge or a Counter.
prometheus::MetricFamily SingleValueFamily(std::string name, std::string help,
                                           prometheus::MetricType type, double value);

}  // namespace bank::metrics

#endif  // BANK_COMMON_OBSERVABILITY_SCRAPED_METRICS_H_
