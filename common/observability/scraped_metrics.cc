#include "common/observability/scraped_metrics.h"

#include <utility>

namespace bank::metrics {

void ScrapedMetrics::AddGauge(std::string name, std::string help, Read read) {
  metrics_.push_back(
      {std::move(name), std::move(help), prometheus::MetricType::Gauge, std::move(read)});
}

void ScrapedMetrics::AddCounter(std::string name, std::string help, Read read) {
  metrics_.push_back(
      {std::move(name), std::move(help), prometheus::MetricType::Counter, std::move(read)});
}

std::vector<prometheus::MetricFamily> ScrapedMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  for (const Metric& metric : metrics_) {
    families.push_back(SingleValueFamily(metric.name, metric.help, metric.type, metric.read()));
  }
  return families;
}

prometheus::MetricFamily SingleValueFamily(std::string name, std::string help,
                                           prometheus::MetricType type, double value) {
  prometheus::ClientMetric sample;
  if (type == prometheus::MetricType::Counter) {
    sample.counter.value = value;
  } else {
    sample.gauge.value = value;
  }
  return {.name = std::move(name), .help = std::move(help), .type = type, .metric = {sample}};
}

}  // namespace bank::metrics
